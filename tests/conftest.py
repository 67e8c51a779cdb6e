"""Shared fixtures: the labelled eval set and paths."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "eval" / "data"
SAMPLES = ROOT / "samples"


def gold_paths() -> list[Path]:
    """The gold files present in the eval set."""
    return sorted(DATA.glob("*/gold.json"))


@pytest.fixture(scope="session")
def gold_docs():
    """Every gold Document of the eval set, loaded once."""
    from schemas import Document

    return {p.parent.name: Document.model_validate_json(p.read_text(encoding="utf-8")) for p in gold_paths()}


def small_document(doc_id: str = "g", **fields):
    """A hand-made Document with a t3 and a t7 whose figures are known, for scorer and run tests."""
    from schemas import Document
    from schemas.tables import BasicProjectRow, T7Row

    doc = Document(doc_id=doc_id, **fields)
    t3 = doc.tables.t3
    t3.present = True
    t3.rows = [
        BasicProjectRow(code="2010350", name="事业运行", total="330.39", basic="330.39"),
        BasicProjectRow(code="2010399", name="其他政府办公厅（室）及相关机构事务支出", total="162.2", project="162.2"),
        BasicProjectRow(code="2210201", name="住房公积金", total="9.87", basic="9.87"),
    ]
    t3.total = BasicProjectRow(name="合计", total="502.46", basic="340.26", project="162.2")
    t7 = doc.tables.t7
    t7.present = True
    t7.rows = [T7Row(code="2010399", name="其他", project_name="党建工作经费", total="40", goods_services="40")]
    return doc


# Property-based tests: a modest run by default; `HYPOTHESIS_PROFILE=thorough` for a long one.
from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile("default", max_examples=60, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("thorough", max_examples=3000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile(__import__("os").environ.get("HYPOTHESIS_PROFILE", "default"))
