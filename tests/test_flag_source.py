"""A flag where the source itself does not add up is no false alarm (eval/flagged.py, ``source_flags``)."""

from __future__ import annotations

from decimal import Decimal

from eval.score import score_document, summarise
from extractor.checks import check_document
from extractor.confidence import flags
from schemas import Document
from schemas.cells import amount_cells
from schemas.document import Provenance, RunInfo

from .conftest import small_document


def _checked(doc: Document) -> Document:
    doc.findings, doc.reconcile = check_document(doc)
    return doc


def _misprinted() -> Document:
    """small_document whose printed 合计 basic column is 0.10 short of its lines (a misprint in the file)."""
    doc = small_document()
    doc.tables.t3.total.basic = Decimal("340.16")
    return doc


def test_a_reading_that_flags_the_sources_own_inconsistency_has_no_false_alarm():
    gold = _misprinted()
    assert flags(gold)  # the gold itself fails: its cells are flagged by its own identities
    pred = _checked(_misprinted())  # read exactly as printed
    score = score_document(pred, gold)
    flagged_correct = [p for p in score.flagged if score.cells[p] == "correct"]
    assert flagged_correct  # the reading warns about the misprint, rightly
    m = summarise([score])["flags"]
    assert m["false_alarms"] == 0
    assert m["source_flags"] == len(flagged_correct)
    assert m["correct"] == summarise([score])["overall"]["correct"]


def test_a_flag_the_gold_does_not_share_is_still_a_false_alarm():
    gold = _misprinted()
    gold.tables.t7.rows[0].extra = {"备注金额": Decimal("3")}  # a printed figure no identity reads
    pred = _misprinted()
    pred.tables.t7.rows[0].extra = {"备注金额": Decimal("3")}
    pred.run = RunInfo(engine="layout", pages_ocr=[1])  # OCR'd, sure of every figure
    pred.provenance = {p: Provenance(page=1, bbox=(0, 0, 10, 10), confidence=0.99) for p, _ in amount_cells(pred)}
    score = score_document(_checked(pred), gold)
    assert score.flagged["/tables/t7/rows/0/extra/备注金额"] == "uncorroborated"  # right, but nothing vouches for it
    assert score.flagged["/tables/t3/total/basic"] == "failed"  # right, and the source does not add up there
    m = summarise([score])["flags"]
    assert (m["false_alarms"], m["source_flags"]) == (1, 1)
