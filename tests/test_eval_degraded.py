"""eval run --kind degraded: a real page scanned at a severity, scored against its own born-digital reading."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from eval.degraded import choose_pages, restrict, table_pages
from eval.run import load_run
from schemas import Document

from .conftest import SAMPLES

JS03 = SAMPLES / "real" / "js03.pdf"
needs_js03 = pytest.mark.skipif(not JS03.exists(), reason="needs samples/real/js03.pdf")


def _one_page(tmp_path: Path, page: int = 3) -> Path:
    """A one-page born-digital PDF: js03's 支出预算总表 (公开表三, a header and one line of amounts)."""
    import pymupdf

    with pymupdf.open(JS03) as doc:
        doc.select([page - 1])
        path = tmp_path / "js03p3.pdf"
        doc.save(path)
    return path


def _doc(pages: dict[str, list[int]]) -> Document:
    doc = Document(doc_id="d")
    for key, p in pages.items():
        table = getattr(doc.tables, key)
        table.present, table.pages = True, p
    return doc


def test_pages_are_whole_tables_within_the_budget_and_the_same_for_every_call():
    doc = _doc({"t1": [1], "t2": [2, 3], "t3": [3], "t7": [4, 5, 6]})
    for cap in (1, 2, 3, 4):
        pages = choose_pages(doc, cap, seed=0)
        assert len(pages) <= cap and pages
        whole = [k for k, p in table_pages(doc) if set(p) <= set(pages)]
        assert set(pages) == {n for k, p in table_pages(doc) if k in whole for n in p}  # no stray page
        assert pages == choose_pages(doc, cap, seed=0)
    assert choose_pages(doc, None, seed=0) == [1, 2, 3, 4, 5, 6]
    kept = restrict(doc, {"t2", "t3"})
    assert [k for k, _ in table_pages(kept)] == ["t2", "t3"]


@needs_js03
def test_control_without_scan_loses_nothing(tmp_path):
    """Severity none: the cut-out read born-digital must equal the reference, cell for cell."""
    out = tmp_path / "runs" / "control"
    result = CliRunner().invoke(app, ["eval", "run", "--kind", "degraded", "--severity", "none",
                                      "--docs", str(JS03), "--pages", "3", "--realworld", str(SAMPLES / "real"),
                                      "-o", str(out)])
    assert result.exit_code == 0, result.output
    section = load_run(out)["kinds"]["degraded"]
    assert section["documents_scored"] == 1 and section["pages_scanned"] >= 1
    assert section["overall"]["correct"] > 0 and section["overall"]["cell_exact"] == 1.0


@needs_js03
def test_mild_scan_of_one_page_gives_a_scored_record(tmp_path):
    """One page OCR'd: the record holds the severity, the page, the seconds and a cell score."""
    pytest.importorskip("rapidocr_onnxruntime")
    pdf = _one_page(tmp_path)
    out = tmp_path / "runs" / "mild"
    result = CliRunner().invoke(app, ["eval", "run", "--kind", "degraded", "--severity", "mild", "--docs", str(pdf),
                                      "--pages", "1", "--realworld", "none", "-o", str(out)])
    assert result.exit_code == 0, result.output
    record = load_run(out)
    section = record["kinds"]["degraded"]
    assert record["config"]["severity"] == 0.25 and record["config"]["kinds"] == ["degraded"]
    assert section["pages_scanned"] == 1 and section["failed"] == []
    entry = section["documents"]["js03p3"]
    assert entry["pages"] == [1] and entry["seconds"] > 0
    overall = section["overall"]
    assert overall["correct"] + overall["wrong"] + overall["missing"] >= 4  # 合计, 基本, 项目, 预留
    assert overall["cell_exact"] >= 0.5
    assert (out / "scans" / "js03p3.pdf").exists() and (out / "ref" / "js03p3.json").exists()


def test_unknown_document_and_missing_severity_are_usage_errors(tmp_path):
    runner = CliRunner()
    bad = runner.invoke(app, ["eval", "run", "--kind", "degraded", "--severity", "mild", "--docs", "nope",
                              "-o", str(tmp_path / "r")])
    assert bad.exit_code == 2 and "nope" in bad.output
    none = runner.invoke(app, ["eval", "run", "--kind", "degraded", "-o", str(tmp_path / "r")])
    assert none.exit_code == 2
    harsh = runner.invoke(app, ["eval", "run", "--kind", "degraded", "--severity", "awful", "-o", str(tmp_path / "r")])
    assert harsh.exit_code == 2


def test_restrict_renumbers_generic_tables_with_their_provenance():
    from schemas.document import Provenance
    from schemas.tables import GenericTable

    doc = Document(doc_id="d", generic_tables=[GenericTable(title="甲", pages=[1], rows=[["1.00"]]),
                                               GenericTable(title="乙", pages=[2], rows=[["2.00"]])],
                   provenance={"/generic_tables/0/rows/0/0": Provenance(page=1),
                               "/generic_tables/1/rows/0/0": Provenance(page=2)})
    kept = restrict(doc, {"g1"})
    assert [g.title for g in kept.generic_tables] == ["乙"]
    assert kept.provenance == {"/generic_tables/0/rows/0/0": Provenance(page=2)}
    like = restrict(doc, set(), generic_like=[GenericTable(title="乙")])
    assert like.generic_tables == kept.generic_tables and like.provenance == kept.provenance
