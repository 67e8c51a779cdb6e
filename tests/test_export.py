"""Exports round-trip: per format, the cells, their Decimal sums per table and the findings equal the JSON."""

from __future__ import annotations

import csv
import re
import sqlite3
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from extractor.batch import run_batch
from extractor.export import export, find_outputs
from extractor.pipeline import Options
from schemas import Document, GenericTable, Reconcile, to_wan
from schemas.cells import amount_cells
from schemas.pointer import lookup
from schemas.tables import BasicProjectRow, T10Row

from .conftest import ROOT, SAMPLES, small_document

BORN_DIGITAL = sorted(p for p in SAMPLES.glob("*_*.pdf") if re.fullmatch(r"\d+_[0-9a-f]+", p.stem))


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> Path:
    """The born-digital samples extracted, plus a hand-made Document using every newer contract part."""
    out = tmp_path_factory.mktemp("outputs")
    results = list(run_batch(BORN_DIGITAL, out, Options(), jobs=2))
    assert len(BORN_DIGITAL) == 4 and all(r.status == "ok" for r in results)
    (out / "synthetic.json").write_text(synthetic().model_dump_json(), encoding="utf-8")
    return out


def synthetic() -> Document:
    """A table printed in 元 with extra columns and lines, a generic table, a reconcile tally."""
    doc = small_document("synthetic", template="test-2025", document_kind="预算", year=2025)
    t3 = doc.tables.t3
    t3.title, t3.unit = "公开表三 支出总体情况表", "元"
    t3.rows[0].extra = {"上年结转": Decimal("1200.50")}
    t3.extra = {"其中：代编": Decimal("33")}
    doc.tables.t10.present = True
    doc.tables.t10.rows = [T10Row(line="reception", name="公务接待费", total="2.5", extra={"上年预算": "3"})]
    doc.tables.t5.present = True
    doc.tables.t5.total = BasicProjectRow(name="合计", total="7", basic="7")
    doc.generic_tables = [GenericTable(
        title="政府采购支出预算表", number="表12", pages=[9],
        header=[["项目名称", "采购金额", ""], ["", "货物", "服务"]],
        rows=[["办公设备", "12.30", "1,000.00"], ["合计", "12.30", "1,000.00"], ["说明", "无", None]])]
    doc.reconcile = Reconcile(evaluated=4, held=3)
    doc.provenance = {"/tables/t3/rows/0/total": {"page": 5, "bbox": (10, 20, 30, 40)}}
    return doc


def expected(out: Path) -> tuple[Counter, dict, dict, int]:
    """Read straight from the JSON by pointer: cells per table, Σ printed, Σ 万元, findings."""
    count, printed, wan, findings = Counter(), defaultdict(Decimal), defaultdict(Decimal), 0
    for path in find_outputs([out]):
        doc = Document.model_validate_json(path.read_bytes())
        findings += len(doc.findings)
        for pointer, value in amount_cells(doc):
            key = pointer.split("/")[2]
            count[key] += 1
            printed[key] += value
            wan[key] += to_wan(value, getattr(doc.tables, key).unit)
    # The generic table by hand: 12.30, 1,000.00 twice (the 说明 row prints no amount).
    count["g1"], printed["g1"] = 4, Decimal("2024.60")
    wan["g1"] = printed["g1"]
    return count, dict(printed), dict(wan), findings


def read_back(fmt: str, path: Path) -> tuple[list[dict], int]:
    """The cells rows (as dicts) and the number of findings, read with each format's own reader."""
    if fmt == "parquet":
        import pyarrow.parquet as pq

        return pq.read_table(path / "cells.parquet").to_pylist(), pq.read_table(path / "findings.parquet").num_rows
    if fmt == "csv":
        assert (path / "cells.csv").read_bytes()[:3] == b"\xef\xbb\xbf"  # the BOM Excel needs
        with open(path / "cells.csv", encoding="utf-8-sig", newline="") as fh:
            cells = list(csv.DictReader(fh))
        with open(path / "findings.csv", encoding="utf-8-sig", newline="") as fh:
            return cells, len(list(csv.DictReader(fh)))
    if fmt == "sqlite":
        con = sqlite3.connect(path)
        con.row_factory = sqlite3.Row
        cells = [dict(r) for r in con.execute("SELECT * FROM cells")]
        return cells, con.execute("SELECT count(*) FROM findings").fetchone()[0]
    if fmt == "duckdb":
        import duckdb

        con = duckdb.connect(str(path), read_only=True)
        rel = con.execute("SELECT * FROM cells")
        names = [d[0] for d in rel.description]
        cells = [dict(zip(names, row)) for row in rel.fetchall()]
        return cells, con.execute("SELECT count(*) FROM findings").fetchone()[0]
    if fmt == "xlsx":
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True)
        rows = wb["cells"].iter_rows(values_only=True)
        names = next(rows)
        cells = [dict(zip(names, row)) for row in rows]
        return cells, sum(1 for _ in wb["findings"].iter_rows()) - 1  # a streamed sheet records no size
    raise AssertionError(fmt)


@pytest.mark.parametrize("fmt", ["parquet", "csv", "sqlite", "duckdb", "xlsx"])
def test_export_round_trips(fmt, outputs, tmp_path):
    pytest.importorskip({"parquet": "pyarrow", "duckdb": "duckdb", "xlsx": "openpyxl"}.get(fmt, "csv"))
    target = tmp_path / ("tables" if fmt in ("parquet", "csv") else f"export.{fmt}")
    result = export(find_outputs([outputs]), fmt, target)
    assert result.documents == 5 and not result.skipped
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # temporaries renamed away
    cells, findings = read_back(fmt, target)
    count, printed, wan, n_findings = expected(outputs)
    assert findings == n_findings > 0
    got_count, got_printed, got_wan = Counter(), defaultdict(Decimal), defaultdict(Decimal)
    for cell in cells:
        got_count[cell["table"]] += 1
        got_printed[cell["table"]] += Decimal(cell["value"])
        # Excel keeps numbers as doubles: their shortest repr is the 6-decimal amount exactly.
        got_wan[cell["table"]] += Decimal(repr(cell["value_wan"]) if isinstance(cell["value_wan"], float)
                                          else str(cell["value_wan"]))
    assert got_count == count
    assert dict(got_printed) == printed
    assert dict(got_wan) == wan


def test_cells_carry_the_newer_contract_parts(outputs, tmp_path):
    result = export([outputs / "synthetic.json"], "csv", tmp_path / "t")
    with open(tmp_path / "t" / "cells.csv", encoding="utf-8-sig", newline="") as fh:
        cells = list(csv.DictReader(fh))
    by_pointer = {c["pointer"]: c for c in cells}
    total = by_pointer["/tables/t3/rows/0/total"]
    assert (total["table_title"], total["unit"], total["value"], total["value_wan"]) == \
        ("公开表三 支出总体情况表", "元", "330.39", "0.033039")
    assert (total["page"], total["x0"], total["y1"], total["code_level"]) == ("5", "10.0", "40.0", "项")
    extra = by_pointer["/tables/t3/rows/0/extra/上年结转"]
    assert (extra["field"], extra["header"], extra["code"], extra["value"]) == ("extra", "上年结转", "2010350", "1200.50")
    line = by_pointer["/tables/t3/extra/其中：代编"]
    assert (line["section"], line["header"], line["value_wan"]) == ("extra", "其中：代编", "0.0033")
    assert by_pointer["/tables/t10/rows/0/extra/上年预算"]["line"] == "reception"
    generic = [c for c in cells if c["table"] == "g1"]
    assert [(c["header"], c["name"], c["value"]) for c in generic] == [
        ("采购金额 货物", "办公设备", "12.30"), ("采购金额 服务", "办公设备", "1000.00"),
        ("采购金额 货物", "合计", "12.30"), ("采购金额 服务", "合计", "1000.00")]
    assert all(lookup(synthetic(), c["pointer"]) is not None for c in cells)
    with open(tmp_path / "t" / "documents.csv", encoding="utf-8-sig", newline="") as fh:
        doc = next(csv.DictReader(fh))
    assert (doc["template"], doc["document_kind"], doc["reconcile_rate"]) == ("test-2025", "预算", "0.75")
    assert result.rows["cells"] == len(cells)


def test_xlsx_lays_tables_out_as_printed(outputs, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    export(find_outputs([outputs]), "xlsx", tmp_path / "x.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "x.xlsx", read_only=True)
    assert {"documents", "cells", "表3 支出总体情况表", "政府采购支出预算表"} <= set(wb.sheetnames)
    rows = list(wb["表3 支出总体情况表"].iter_rows(values_only=True))
    head = rows[0]
    assert head[:4] == ("doc_id", "部分", "科目编码", "名称") and {"合计", "基本支出", "项目支出"} <= set(head)
    amounts = sum(Decimal(repr(v)) for row in rows[1:] for v in row if isinstance(v, (int, float)))
    _, printed, _, _ = expected(outputs)
    assert amounts == printed["t3"]


def test_bad_inputs_are_listed_and_the_rest_exported(outputs, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"doc_id": 1}', encoding="utf-8")
    result = export([outputs / "synthetic.json", bad], "sqlite", tmp_path / "x.sqlite")
    assert result.documents == 1 and len(result.skipped) == 1 and "bad.json" in result.skipped[0]


def test_readme_examples_run_on_the_samples(outputs, tmp_path, monkeypatch):
    """The README's DuckDB query and pandas snippet, run as printed over the samples' export."""
    pytest.importorskip("duckdb")
    pytest.importorskip("pandas")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("<!-- export-examples -->")[1]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert len(blocks) == 2
    (tmp_path / "out").mkdir()
    for path in find_outputs([outputs]):
        if path.name != "synthetic.json":
            (tmp_path / "out" / path.name).write_bytes(path.read_bytes())
    export(find_outputs([tmp_path / "out"]), "duckdb", tmp_path / "out" / "budgets.duckdb")
    export(find_outputs([tmp_path / "out"]), "parquet", tmp_path / "out" / "tables")
    monkeypatch.chdir(tmp_path)
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})


def test_cli_export_and_extract_export(outputs, tmp_path):
    from typer.testing import CliRunner

    from cli import app

    runner = CliRunner()
    ok = runner.invoke(app, ["export", str(outputs / "synthetic.json"), "--to", "sqlite", "-o", str(tmp_path / "a.db")])
    assert ok.exit_code == 0, ok.output
    assert sqlite3.connect(tmp_path / "a.db").execute("SELECT count(*) FROM documents").fetchone() == (1,)
    assert runner.invoke(app, ["export", str(outputs), "--to", "yaml"]).exit_code == 2
    (tmp_path / "bad.json").write_text("{}", encoding="utf-8")
    mixed = runner.invoke(app, ["export", str(tmp_path / "bad.json"), str(outputs / "synthetic.json"),
                                "--to", "csv", "-o", str(tmp_path / "csv")])
    assert mixed.exit_code == 1 and (tmp_path / "csv" / "cells.csv").exists()
    out = tmp_path / "out"
    run = runner.invoke(app, ["extract", str(BORN_DIGITAL[0]), "-o", str(out), "--export", "csv"])
    assert run.exit_code == 0, run.output
    with open(out / "export" / "documents.csv", encoding="utf-8-sig", newline="") as fh:
        assert [r["doc_id"] for r in csv.DictReader(fh)] == [BORN_DIGITAL[0].stem]
