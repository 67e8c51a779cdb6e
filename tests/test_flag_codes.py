"""A subject code read twice in one scanned generic table is flagged (extractor/confidence.py)."""

from __future__ import annotations

from eval.score import score_document
from extractor.checks import check_document
from extractor.confidence import flags, repeated_codes
from schemas import Document
from schemas.document import RunInfo
from schemas.tables import GenericTable

ROWS = [[None, "合计", "100.00"], ["301", "工资福利支出", "100.00"], ["30101", "基本工资", "60.00"],
        ["30102", "津贴补贴", "38.50"], ["30104", "其他社会保障缴费", "1.50"]]


def _doc(rows: list, ocr: bool) -> Document:
    doc = Document(doc_id="js09")
    doc.generic_tables = [GenericTable(title="财政拨款基本支出预算表", pages=[4], header=[["科目编码", "科目名称", "金额"]],
                                       rows=[list(r) for r in rows])]
    doc.run = RunInfo(engine="layout", pages_ocr=[4] if ocr else [])
    doc.findings, doc.reconcile = check_document(doc)
    return doc


def _misread() -> list:
    rows = [list(r) for r in ROWS]
    rows[4][0] = "30101"  # the last digit misread: the sums still hold (they group by the prefix 301)
    return rows


def test_a_code_misread_into_its_neighbours_is_not_a_silent_error():
    gold, pred = _doc(ROWS, ocr=True), _doc(_misread(), ocr=True)
    assert not [f for f in pred.findings if f.rule.startswith("generic")]  # no sum can tell
    wrong = "/generic_tables/0/rows/4/0"
    assert score_document(pred, gold).cells[wrong] == "wrong"
    assert flags(pred)[wrong] == "failed" and flags(pred)["/generic_tables/0/rows/2/0"] == "failed"


def test_distinct_codes_and_text_layers_are_left_alone():
    assert repeated_codes(_doc(ROWS, ocr=True)) == []
    assert repeated_codes(_doc(_misread(), ocr=False)) == []  # what a text layer prints, it prints
