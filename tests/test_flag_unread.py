"""A blank 三公 line on a scan that may be an unread lone 0 is flagged ``unread`` (extractor/confidence.py)."""

from __future__ import annotations

import importlib.util
from decimal import Decimal

from eval.score import score_document, summarise
from extractor.checks import check_document
from extractor.confidence import flags, unread_blanks
from schemas import Document
from schemas.cells import amount_cells
from schemas.document import Provenance, RunInfo
from schemas.tables import T10Row

PURCHASE = "/tables/t10/rows/2/total"


def _t10(purchase: str | None, outbound: str | None = "222.50") -> Document:
    """js01's 三公 table: 公务用车购置费 printed as a lone 0 (or empty), the sums holding either way."""
    doc = Document(doc_id="js01")
    t10 = doc.tables.t10
    t10.present, t10.pages = True, [3]
    t10.rows = [T10Row(line="outbound", name="因公出国（境）费", total=outbound),
                T10Row(line="vehicles", name="公务用车购置及运行维护费", total="183.60"),
                T10Row(line="vehicle_purchase", name="公务用车购置费", total=purchase),
                T10Row(line="vehicle_operation", name="公务用车运行维护费", total="183.60"),
                T10Row(line="reception", name="公务接待费", total="427.50")]
    total = sum(Decimal(r.total or 0) for r in t10.rows if r.line in ("outbound", "vehicles", "reception"))
    t10.total = T10Row(line="total", name="“三公”经费", total=str(total))
    return doc


def _scanned(doc: Document) -> Document:
    """doc as read by OCR on page 3, every figure sure; the checker run."""
    doc.run = RunInfo(engine="layout", pages_ocr=[3])
    doc.provenance = {p: Provenance(page=3, bbox=(0, 0, 10, 10), confidence=0.99) for p, _ in amount_cells(doc)}
    doc.findings, doc.reconcile = check_document(doc)
    return doc


def test_a_lone_zero_left_unread_on_a_scan_is_not_a_silent_error():
    gold = _t10("0")
    pred = _scanned(_t10(None))  # the OCR dropped the lone 0: every sum still holds with the blank
    assert not [f for f in pred.findings if "t10" in f.tables]
    assert flags(pred) == {PURCHASE: "unread"}
    score = score_document(pred, gold)
    assert score.cells[PURCHASE] == "missing"
    m = summarise([score])["flags"]
    assert (m["errors"], m["errors_flagged"], m["false_alarms"]) == (1, 1, 0)


def test_blank_lines_several_to_a_column_are_printed_empty_and_not_flagged():
    pred = _scanned(_t10(None, outbound=None))  # two lines without a figure: a family printing nil lines empty
    assert unread_blanks(pred) == [] and flags(pred) == {}


def test_a_blank_line_of_a_text_layer_is_what_the_file_prints():
    doc = _t10(None)
    doc.findings, doc.reconcile = check_document(doc)
    assert unread_blanks(doc) == [] and flags(doc) == {}


def test_an_unread_blank_beside_a_misread_line_keeps_both_flags():
    pred = _t10(None)
    pred.tables.t10.rows[1].total = Decimal("193.60")  # the 小计 misread: it breaks its own sum and the total's
    assert flags(_scanned(pred)) == {"/tables/t10/rows/1/total": "failed", PURCHASE: "unread"}


def test_a_flagged_line_the_gold_leaves_blank_is_a_blank_alarm():
    gold = _t10(None)  # printed empty, as js03 prints its 购置费
    pred = _scanned(_t10(None))
    m = summarise([score_document(pred, gold)])["flags"]
    assert PURCHASE in flags(pred)  # the reading cannot tell an empty line from an unread 0
    assert (m["errors"], m["false_alarms"], m["blank_alarms"]) == (0, 0, 1)


def test_an_unread_blank_is_a_row_of_the_cells_export(tmp_path):
    import csv

    from extractor.export import export

    doc = _scanned(_t10(None))
    doc.flagged = flags(doc)
    path = tmp_path / "js01.json"
    path.write_text(doc.model_dump_json(), encoding="utf-8")
    export([path], "csv", tmp_path / "csv")
    with open(tmp_path / "csv" / "cells.csv", encoding="utf-8-sig", newline="") as fh:
        cells = {c["pointer"]: c for c in csv.DictReader(fh)}
    assert (cells[PURCHASE]["flag_reason"], cells[PURCHASE]["flagged"]) == ("unread", "1")
    assert "/tables/t10/rows/0/general_budget" not in cells  # a blank nothing flags is no row
    if importlib.util.find_spec("openpyxl"):  # the workbook lays the blank out as a blank
        export([path], "xlsx", tmp_path / "x.xlsx")
