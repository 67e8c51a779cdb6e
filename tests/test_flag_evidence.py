"""Flags on scans: a family's own sums of its `extra` lines (templates: `line_sums`), and what vouches."""

from __future__ import annotations

from decimal import Decimal

from eval.score import score_document
from extractor.checks import check_document
from extractor.confidence import flags
from schemas import Document
from schemas.document import Provenance, RunInfo

from .conftest import DATA


def _js03() -> Document:
    return Document.model_validate_json((DATA / "js03" / "gold.json").read_text(encoding="utf-8"))


def _scanned(doc: Document) -> Document:
    """doc as if every page had been read by OCR (its extra lines have no box: as t4's are read)."""
    pages = sorted({p for key in ("t1", "t4", "t10") for p in getattr(doc.tables, key).pages})
    doc.run = RunInfo(engine="layout", pages_ocr=pages)
    doc.findings, doc.reconcile = check_document(doc)
    return doc


def test_the_jiangsu_lines_without_a_field_add_up_as_printed():
    doc = _scanned(_js03())
    tally = doc.reconcile.by_rule["family.line_sum"]
    assert tally.evaluated >= 2 and tally.held == tally.evaluated
    assert not [f for f in doc.findings if f.rule == "family.line_sum"]
    flagged = flags(doc)
    for pointer in ("/tables/t4/extra/二、项目支出", "/tables/t10/extra/会议费", "/tables/t10/extra/合计"):
        assert pointer not in flagged  # vouched for by the family's sums, though OCR'd


def test_a_line_that_lost_its_numeral_breaks_the_familys_sum():
    # OCR read "一、基本支出" as "基本支出" (the numeral touching its rule): the line scores missing
    # under its printed label; the family's sum misses it, fails, and reports the table.
    gold = _js03()
    pred = _js03()
    extra = pred.tables.t4.extra
    pred.tables.t4.extra = {("基本支出" if k == "一、基本支出" else k): v for k, v in extra.items()}
    pred = _scanned(pred)
    assert any(f.rule == "family.line_sum" and f.tables == ["t4"] for f in pred.findings)
    score = score_document(pred, gold)
    assert score.cells["/tables/t4/extra/一、基本支出"] == "missing"
    assert "/tables/t4/extra/一、基本支出" in score.flagged


def test_an_unvouched_extra_line_read_by_ocr_is_flagged():
    # With the 会议费 misread, the 三公 table's 合计 no longer adds up: both are flagged (before, no
    # identity read these lines and a wrong 会议费 was silent).
    doc = _js03()
    doc.tables.t10.extra["会议费"] = Decimal("1489.73")
    doc = _scanned(doc)
    assert flags(doc).get("/tables/t10/extra/会议费") == "failed"


def test_an_extra_line_of_a_scanned_table_that_nothing_checks_is_uncorroborated():
    # The lines of t4's `extra` are read without a box: they were taken for exact text, never flagged.
    doc = _js03()
    doc.template = "national"  # a family that knows no sum of these lines
    doc = _scanned(doc)
    assert flags(doc).get("/tables/t4/extra/二、项目支出") == "uncorroborated"


def _sh11() -> Document:
    doc = Document.model_validate_json((DATA / "sh11" / "gold.json").read_text(encoding="utf-8"))
    doc.run = RunInfo(engine="layout", pages_ocr=list(doc.tables.t1.pages))
    doc.findings, doc.reconcile = check_document(doc)
    return doc


def test_a_shanghai_units_expense_by_use_adds_up_per_line_and_per_column():
    doc = _sh11()
    tally = doc.reconcile.by_rule["family.line_sum"]
    assert tally.evaluated > 4 and tally.held == tally.evaluated  # a sum per line, per column, and the income
    flagged = flags(doc)
    assert not [p for p in flagged if p.startswith("/tables/t1/")]
    row = doc.tables.t1.rows[0]
    row.extra["公用经费"] += Decimal("100")  # misread: its line and its column no longer add up
    doc.findings, doc.reconcile = check_document(doc)
    assert flags(doc).get("/tables/t1/rows/0/extra/公用经费") == "failed"


def test_a_sum_that_holds_only_through_a_suspect_cell_vouches_for_nothing():
    # 001's t7 line: 82.5 misread 82.3 in its 合计 and in its only column. The row holds (82.3 =
    # 82.3) while the 合计 breaks its 款's sum and more: the 合计 is flagged, and the column, vouched
    # for by that row alone, was silent.
    doc = Document.model_validate_json((DATA / "001_e83e4d58071336c6" / "gold.json").read_text(encoding="utf-8"))
    row = doc.tables.t7.rows[51]
    assert row.total == row.enterprise_subsidy == Decimal("82.5")
    row.total = row.enterprise_subsidy = Decimal("82.3")
    doc.run = RunInfo(engine="layout", pages_ocr=[1])  # the two cells read by OCR, surely
    for pointer in ("/tables/t7/rows/51/total", "/tables/t7/rows/51/enterprise_subsidy"):
        doc.provenance[pointer] = Provenance(page=1, bbox=(0, 0, 10, 10), confidence=0.95)
    doc.findings, doc.reconcile = check_document(doc)
    flagged = flags(doc)
    assert flagged.get("/tables/t7/rows/51/total") == "failed"
    assert flagged.get("/tables/t7/rows/51/enterprise_subsidy") == "failed"


def test_a_text_layers_sum_that_holds_still_vouches_beside_a_suspect_cell():
    # The same two cells printed in a text layer: what the file prints; the row holds as printed.
    doc = Document.model_validate_json((DATA / "001_e83e4d58071336c6" / "gold.json").read_text(encoding="utf-8"))
    row = doc.tables.t7.rows[51]
    row.total = row.enterprise_subsidy = Decimal("82.3")
    doc.findings, doc.reconcile = check_document(doc)
    flagged = flags(doc)
    assert flagged.get("/tables/t7/rows/51/total") == "failed"
    assert "/tables/t7/rows/51/enterprise_subsidy" not in flagged
