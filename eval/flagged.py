"""Errors flagged: of the wrong and missing cells, how many did the prediction itself warn about.

A wrong or correct cell is flagged when `extractor.confidence.flags` names its predicted cell (a
failed identity, a low OCR confidence, an OCR'd value no identity vouches for). A missing cell
has no value to carry a confidence, so it is flagged by what its absence breaks:

- its row was read and the blank cell is part of an identity that fails (a blank adds 0), or
- its table has a finding (an identity of the table fails, or the table is reported not
  printed): the user is told the table does not add up, so a lost row is not silent. A generic
  table's findings name it g1, g2 … (the checker's own sums of it, extractor/checks/rules_generic.py).
  A generic table the reading lost whole is flagged when its printed number is among those the
  prediction reports unread (``complete.number_missing``: 公开表六 in a set read 一–五, 七–十二).

A correct cell that is flagged is a false alarm: the price of the flags, in cells to look at.
Except where the gold itself is flagged: the source does not add up there (a 合计 row that is not
the sum of its lines, as printed), the same identities fail in the gold, and a reading that flags
the cell tells the user the truth about the document. Such a flag is counted apart
(``source_flags``), neither a false alarm nor an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from schemas import Document


@dataclass
class FlagCounts:
    errors: int = 0  # wrong + missing cells
    errors_flagged: int = 0
    correct: int = 0
    false_alarms: int = 0  # correct cells flagged
    source_flags: int = 0  # correct cells flagged that the gold flags too: the source does not add up
    blank_alarms: int = 0  # blanks flagged `unread` that the gold leaves blank too (no scored cell)
    by_reason: dict[str, dict[str, int]] = field(default_factory=dict)  # reason → errors, false_alarms

    def add(self, other: "FlagCounts") -> None:
        self.errors += other.errors
        self.errors_flagged += other.errors_flagged
        self.correct += other.correct
        self.false_alarms += other.false_alarms
        self.source_flags += other.source_flags
        self.blank_alarms += other.blank_alarms
        for reason, n in other.by_reason.items():
            mine = self.by_reason.setdefault(reason, {"errors": 0, "false_alarms": 0})
            for k, v in n.items():
                mine[k] += v

    def metrics(self) -> dict:
        return {
            "errors": self.errors, "errors_flagged": self.errors_flagged,
            "errors_flagged_rate": round(self.errors_flagged / self.errors, 6) if self.errors else 1.0,
            "errors_silent": self.errors - self.errors_flagged,
            "correct": self.correct, "false_alarms": self.false_alarms,
            "false_alarm_rate": round(self.false_alarms / self.correct, 6) if self.correct else 0.0,
            "source_flags": self.source_flags, "blank_alarms": self.blank_alarms,
            "by_reason": {k: dict(v) for k, v in sorted(self.by_reason.items())},
        }


def flag_cells(cells: dict[str, str], pred_pointers: dict[str, str | None], pred: Document,
               gold_doc: Document | None = None) -> dict[str, str]:
    """Scored gold cells (gold pointer → outcome) that the prediction flags, with the reason.

    ``gold_doc`` names the gold's generic tables by their printed numbers, for those no
    predicted table matched."""
    from extractor.confidence import evidence, flags

    proof = evidence(pred)
    flagged = flags(pred, proof=proof)
    with_findings = {t for f in pred.findings for t in f.tables}
    # A generic table's sums evaluated now (a stored prediction may predate them, or be a cut-out
    # whose generic tables were renumbered): one that fails is a finding of that table.
    with_findings |= {f"g{int(p.split('/')[2]) + 1}" for p in proof.failed if p.startswith("/generic_tables/")}
    generic = _generic_pairs(pred_pointers)
    for i, table in enumerate(gold_doc.generic_tables if gold_doc else ()):
        if str(i) not in generic and table.number:
            generic[str(i)] = re.sub(r"\s+", "", table.number)
    out: dict[str, str] = {}
    for gold, outcome in cells.items():
        if gold.startswith("+"):  # extra cells are not gold cells
            continue
        pointer = pred_pointers.get(gold)
        reason = None
        if outcome in ("correct", "wrong"):
            reason = flagged.get(pointer) if pointer else None
        elif outcome == "missing":
            if pointer and pointer in proof.failed:
                reason = "failed"
            elif pointer and pointer in flagged:  # a blank the prediction itself flags (``unread``)
                reason = flagged[pointer]
            elif _table(gold, generic) in with_findings:
                reason = "table_finding"
        if reason:
            out[gold] = reason
    return out


def _table(pointer: str, generic: dict[str, str] | None = None) -> str:
    """The predicted table a gold cell is in, as findings name it: t1…t11, or g<n> for a generic table."""
    parts = pointer.split("/")
    if len(parts) > 2 and parts[1] == "tables":
        return parts[2]
    return (generic or {}).get(parts[2], "generic") if len(parts) > 2 else "generic"


def _generic_pairs(pred_pointers: dict[str, str | None]) -> dict[str, str]:
    """Gold generic table index → the matched predicted table's key (g1, g2 …), from the scored cells."""
    out: dict[str, str] = {}
    for gold, pred in pred_pointers.items():
        if gold.startswith("/generic_tables/") and pred:
            out.setdefault(gold.split("/")[2], f"g{int(pred.split('/')[2]) + 1}")
    return out


def blank_alarms(pred_pointers: dict[str, str | None], pred: Document) -> int:
    """Blanks the prediction flags `unread` that match no scored cell: the gold leaves them blank too.

    A blank against a blank is no cell, so these false alarms are counted here, not among the cells.
    """
    from extractor.confidence import unread_blanks

    scored = set(pred_pointers.values())
    return sum(1 for pointer in unread_blanks(pred) if pointer not in scored)


def source_flagged(gold: Document) -> set[str]:
    """Gold pointers that the gold's own identities flag: where the source itself does not add up."""
    from extractor.confidence import flags

    return set(flags(gold))


def count(cells: dict[str, str], flagged: dict[str, str], source: set[str] = frozenset()) -> FlagCounts:
    """Errors, errors flagged, correct cells and false alarms of one document's scored cells.

    ``source``: gold pointers the gold flags itself; a correct cell flagged there is a source flag.
    """
    counts = FlagCounts()
    for gold, outcome in cells.items():
        reason = flagged.get(gold)
        if outcome == "correct" and reason is not None and gold in source:
            counts.correct += 1
            counts.source_flags += 1
            continue
        if outcome in ("wrong", "missing"):
            counts.errors += 1
            counts.errors_flagged += reason is not None
            kind = "errors"
        elif outcome == "correct":
            counts.correct += 1
            counts.false_alarms += reason is not None
            kind = "false_alarms"
        else:
            continue
        if reason is not None:
            counts.by_reason.setdefault(reason, {"errors": 0, "false_alarms": 0})[kind] += 1
    return counts
