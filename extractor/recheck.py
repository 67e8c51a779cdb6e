"""A Document's verdict from its values: findings, reconcile and flags, recomputed together.

One function for the pipeline's last stage and for `budgetx check` (a stored result, perhaps
edited by hand): the flags depend on the findings (a finding's suspect is flagged), so the two
are never refreshed apart.
"""

from __future__ import annotations

from schemas import Document

from .checks import check_document
from .confidence import evidence, flags


def recheck(doc: Document) -> Document:
    """Set doc's findings, reconcile and flagged from its current values; returns doc."""
    outcomes: list = []
    doc.findings, doc.reconcile = check_document(doc, outcomes_out=outcomes)
    doc.flagged = flags(doc, proof=evidence(doc, outcomes))
    return doc
