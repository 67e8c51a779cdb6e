"""`budgetx check` refreshes findings, reconcile and flags as extraction computes them (extractor/recheck.py)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from typer.testing import CliRunner

from extractor.recheck import recheck
from schemas import Document
from schemas.cells import amount_cells
from schemas.document import Provenance, RunInfo
from schemas.pointer import assign

from .checks_doc import clean_doc
from .conftest import SAMPLES


def _scanned() -> Document:
    """The consistent fixture as if OCR'd on page 1, its verdict computed, as a stored extraction holds it."""
    doc = clean_doc()
    doc.run = RunInfo(engine="layout", pages_ocr=[1])
    doc.provenance = {p: Provenance(page=1, bbox=(0, 0, 10, 10), confidence=0.99) for p, _ in amount_cells(doc)}
    return recheck(doc)


def test_check_recomputes_flags_after_a_hand_edit(tmp_path: Path):
    from cli import app

    doc = _scanned()
    assert doc.flagged == {} and not [f for f in doc.findings if f.severity == "error"]
    printed = doc.tables.t3.rows[2].basic
    assign(doc, "/tables/t3/rows/2/basic", Decimal("68.30"))  # a hand edit that breaks the row and its 款
    path = tmp_path / "doc.json"
    path.write_text(doc.model_dump_json(), encoding="utf-8")  # still holds the old, empty flags
    runner = CliRunner()
    result = runner.invoke(app, ["check", str(path), "--json"])
    assert result.exit_code == 0
    entry = json.loads(result.stdout)[0]
    assert entry["flagged"]["/tables/t3/rows/2/basic"] == "failed"
    assert json.loads(path.read_text(encoding="utf-8"))["flagged"] == {}  # without --write nothing is stored
    result = runner.invoke(app, ["check", str(path)])
    assert f"{len(entry['flagged'])} values flagged" in result.output
    assert runner.invoke(app, ["check", str(path), "--write"]).exit_code == 0
    stored = Document.model_validate_json(path.read_text(encoding="utf-8"))
    assert stored.flagged == entry["flagged"] and stored.flagged["/tables/t3/rows/2/basic"] == "failed"
    assert {f.rule for f in stored.findings} >= {"t3.row_total"}
    assert stored.reconcile.held < stored.reconcile.evaluated
    assign(stored, "/tables/t3/rows/2/basic", printed)  # edited back: nothing left to flag
    path.write_text(stored.model_dump_json(), encoding="utf-8")
    assert runner.invoke(app, ["check", str(path), "--write"]).exit_code == 0
    again = Document.model_validate_json(path.read_text(encoding="utf-8"))
    assert again.flagged == {} and again.reconcile.held == again.reconcile.evaluated


def test_check_gives_what_extraction_gave(tmp_path: Path):
    """The stored verdict of a fresh extraction is exactly what re-checking it gives."""
    from extractor.pipeline import extract

    doc = extract(SAMPLES / "001_e83e4d58071336c6.pdf")
    assert doc.findings and doc.flagged  # a sample with planted inconsistencies
    stored = Document.model_validate_json(doc.model_dump_json())
    again = recheck(Document.model_validate_json(doc.model_dump_json()))
    assert again.flagged == stored.flagged
    assert [f.model_dump() for f in again.findings] == [f.model_dump() for f in stored.findings]
    assert again.reconcile == stored.reconcile
