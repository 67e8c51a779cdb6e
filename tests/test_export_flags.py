"""Exports carry each value's confidence and flag, so a batch can be filtered to trusted values."""

from __future__ import annotations

import csv
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

from extractor.export import export
from extractor.recheck import recheck
from schemas import Document, GenericTable
from schemas.cells import amount_cells
from schemas.document import Provenance, RunInfo
from schemas.performance import ProjectSheet

from .checks_doc import clean_doc

BROKEN = "/tables/t3/rows/2/basic"
UNSURE = "/tables/t2/rows/2/unit_funds"


def scanned(tmp_path: Path) -> tuple[Path, Document]:
    """The consistent fixture as if OCR'd: one cell misread (breaks its sums), one read unsure, a generic table
    nothing vouches for, a project sheet whose budget a finding blames; verdict as extraction gives it."""
    doc = clean_doc()
    doc.doc_id = "scan"
    doc.tables.t3.rows[2].basic = Decimal("68.30")
    doc.generic_tables = [GenericTable(title="其他表", header=[["名称", "金额"]], rows=[["甲", "12.50"]])]
    doc.run = RunInfo(engine="layout", pages_ocr=[1])
    read = [p for p, _ in amount_cells(doc)] + ["/generic_tables/0/rows/0/1"]
    doc.provenance = {p: Provenance(page=1, bbox=(0, 0, 10, 10), confidence=0.55 if p == UNSURE else 0.99)
                      for p in read}
    recheck(doc)
    assert doc.flagged[BROKEN] == "failed" and doc.flagged["/generic_tables/0/rows/0/1"] == "uncorroborated"
    path = tmp_path / "scan.json"
    path.write_text(doc.model_dump_json(), encoding="utf-8")
    return path, doc


def test_cells_say_how_far_to_trust_each_value(tmp_path):
    path, doc = scanned(tmp_path)
    export([path], "csv", tmp_path / "csv")
    with open(tmp_path / "csv" / "cells.csv", encoding="utf-8-sig", newline="") as fh:
        cells = {c["pointer"]: c for c in csv.DictReader(fh)}
    assert cells[BROKEN]["flagged"] == "1" and cells[BROKEN]["flag_reason"] == "failed"
    assert cells[BROKEN]["confidence"] == "0.99"
    assert cells["/generic_tables/0/rows/0/1"]["flag_reason"] == "uncorroborated"
    flagged = {p for p, c in cells.items() if c["flagged"] == "1"}
    assert flagged == set(doc.flagged) & set(cells)  # every flag of an exported cell, and no other
    trusted = [c for c in cells.values() if c["flagged"] == "0"]
    assert trusted and all(c["flag_reason"] == "" for c in trusted)
    # An unsure reading that sums confirm to the last digit is trusted; its confidence is still there to filter on.
    assert (cells[UNSURE]["confidence"], cells[UNSURE]["flagged"]) == ("0.55", "0")
    with open(tmp_path / "csv" / "documents.csv", encoding="utf-8-sig", newline="") as fh:
        assert next(csv.DictReader(fh))["flagged"] == str(len(doc.flagged))


def test_text_layer_values_have_no_confidence_and_are_not_flagged(tmp_path):
    doc = recheck(clean_doc())
    path = tmp_path / "clean.json"
    path.write_text(doc.model_dump_json(), encoding="utf-8")
    export([path], "sqlite", tmp_path / "x.sqlite")
    con = sqlite3.connect(tmp_path / "x.sqlite")
    assert con.execute("SELECT count(*), sum(flagged), count(confidence), count(flag_reason) FROM cells").fetchone()[1:] \
        == (0, 0, 0)


@pytest.mark.parametrize("fmt", ["parquet", "duckdb"])
def test_typed_exports_filter_to_trusted_values(fmt, tmp_path):
    pytest.importorskip({"parquet": "pyarrow", "duckdb": "duckdb"}[fmt])
    path, doc = scanned(tmp_path)
    target = tmp_path / ("tables" if fmt == "parquet" else "x.duckdb")
    export([path], fmt, target)
    if fmt == "parquet":
        import pyarrow.parquet as pq

        rows = pq.read_table(target / "cells.parquet").to_pylist()
    else:
        import duckdb

        rel = duckdb.connect(str(target), read_only=True).execute("SELECT * FROM cells")
        rows = [dict(zip([d[0] for d in rel.description], r)) for r in rel.fetchall()]
    by = {r["pointer"]: r for r in rows}
    assert by[BROKEN]["flagged"] is True and by[BROKEN]["flag_reason"] == "failed"
    assert by[BROKEN]["confidence"] == pytest.approx(0.99)
    kept = [r for r in rows if not r["flagged"]]
    assert len(kept) == len(rows) - len(set(doc.flagged) & set(by))


def test_sheets_and_indicators_list_their_flagged_fields(tmp_path):
    doc = clean_doc()
    doc.performance.projects.append(ProjectSheet(project_name="乙项目", budget_total=Decimal("1"),
                                                 budget_fiscal=Decimal("1")))
    doc.flagged = {"/performance/projects/0/budget_total": "failed",
                   "/performance/projects/0/indicators/0/weight": "low_confidence"}
    path = tmp_path / "d.json"
    path.write_text(doc.model_dump_json(), encoding="utf-8")
    export([path], "csv", tmp_path / "csv")
    with open(tmp_path / "csv" / "sheets.csv", encoding="utf-8-sig", newline="") as fh:
        sheets = [r for r in csv.DictReader(fh) if r["sheet_kind"] == "project"]
    assert sheets[0]["flagged"] == "budget_total: failed" and sheets[-1]["flagged"] == ""
    with open(tmp_path / "csv" / "indicators.csv", encoding="utf-8-sig", newline="") as fh:
        indicators = list(csv.DictReader(fh))
    first = [r for r in indicators if r["sheet_kind"] == "project" and r["sheet_no"] == "1"]
    assert [r["flagged"] for r in first] == ["weight: low_confidence", "", ""]
