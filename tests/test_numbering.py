"""A table lost whole on a scan is named by the number the set runs through (complete.number_missing)."""

from __future__ import annotations

from pathlib import Path

import pytest

from eval.score import score_document, summarise
from extractor.checks import check
from schemas import Document

DATA = Path(__file__).resolve().parents[1] / "eval" / "data"


def _gold(doc_id: str) -> Document:
    return Document.model_validate_json((DATA / doc_id / "gold.json").read_text(encoding="utf-8"))


def _missing_numbers(doc: Document) -> list[str]:
    return [t for f in check(doc) if f.rule == "complete.number_missing" for t in f.tables]


@pytest.mark.parametrize("doc_id", ["js03", "js20", "000_5dac6d90f1d45d5f", "sh11"])
def test_a_set_read_whole_has_no_number_missing(doc_id):
    assert _missing_numbers(_gold(doc_id)) == []


def test_a_table_kept_as_printed_lost_in_the_middle_is_named_as_printed():
    doc = _gold("js03")
    lost = next(g for g in doc.generic_tables if g.number == "公开表六")
    doc.generic_tables.remove(lost)
    assert _missing_numbers(doc) == ["公开表六"]


def test_the_last_tables_are_named_where_the_family_says_how_many_it_numbers():
    doc = _gold("js20")  # jiangsu-2017 numbers twelve: 公开01表 … 公开12表
    doc.generic_tables = [g for g in doc.generic_tables if g.number not in ("公开11表", "公开12表")]
    assert _missing_numbers(doc) == ["公开11表", "公开12表"]


def test_a_lost_table_is_a_flagged_error_only_when_its_number_is_reported():
    gold = _gold("js03")
    pred = gold.model_copy(deep=True)
    pred.generic_tables = [g for g in pred.generic_tables if g.number != "公开表六"]
    pred.findings = check(pred)
    reported = summarise([score_document(pred, gold)])["flags"]
    assert reported["errors"] > 0 and reported["errors_silent"] == 0
    pred.findings = [f for f in pred.findings if f.rule != "complete.number_missing"]
    silent = summarise([score_document(pred, gold)])["flags"]
    assert silent["errors_silent"] == reported["errors"]
