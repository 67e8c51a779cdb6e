"""`budgetx keys` and `budgetx report`, and the document view they share with the review page."""

from __future__ import annotations

import json
import re
import shutil

import pytest

pytest.importorskip("sqlalchemy", reason="the service extra is not installed (pip install -e '.[service]')")

from typer.testing import CliRunner  # noqa: E402

from cli import app  # noqa: E402
from tests.conftest import SAMPLES  # noqa: E402

runner = CliRunner()
SAMPLE = SAMPLES / "004_3fa3241a52f85770.pdf"


def test_keys_create_list_revoke(tmp_path):
    data = ["--data-dir", str(tmp_path)]
    made = runner.invoke(app, ["keys", "create", "alice", *data])
    assert made.exit_code == 0, made.output
    secret = made.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"bx_[0-9a-f]{8}_[\w-]{40,}", secret)
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("budgetx.db*"))
    assert secret.encode() not in raw and secret.split("_", 2)[2].encode() not in raw  # only its hash is kept
    from extractor.service.serve import open_store

    store = open_store(tmp_path, None)
    key_id = store.key_for(secret)
    assert key_id == secret.split("_")[1]
    listed = runner.invoke(app, ["keys", "list", *data]).stdout
    assert f"{key_id}  alice" in listed and "active" in listed
    assert runner.invoke(app, ["keys", "revoke", "alice", *data]).exit_code == 0
    assert "revoked" in runner.invoke(app, ["keys", "list", *data]).stdout
    assert store.key_for(secret) is None
    assert runner.invoke(app, ["keys", "revoke", "alice", *data]).exit_code == 1  # nothing left to revoke


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    from extractor.pipeline import extract

    folder = tmp_path_factory.mktemp("report")
    doc = extract(SAMPLE)
    path = folder / f"{SAMPLE.stem}.json"
    path.write_text(doc.model_dump_json(), encoding="utf-8")
    return path, doc


def test_report_embeds_pages_and_marks_values(extracted, tmp_path):
    path, doc = extracted
    shutil.copy(SAMPLE, path.parent / SAMPLE.name)  # found beside the JSON
    out = tmp_path / "doc.html"
    result = runner.invoke(app, ["report", str(path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    pages = {spot.page for spot in doc.provenance.values()}
    assert html.count('"data:image/png;base64,') == len(pages)
    assert "<script src" not in html and "<link" not in html  # one self-contained file
    row = doc.tables.t3.rows[0]
    ptr = "/tables/t3/rows/0/total"
    assert re.search(rf'data-ptr="{ptr}" class="has-box">{re.escape(str(row.total))}</td>', html)
    prov = json.loads(re.search(r"const PROV = (\{.*?\});\n", html).group(1))
    assert prov[ptr] == [doc.provenance[ptr].page, *doc.provenance[ptr].bbox]
    assert html.count('<li class="finding') == len(doc.findings)
    assert f"{doc.reconcile.held}/{doc.reconcile.evaluated} identities hold" in html
    shown = set(re.findall(r'data-ptr="([^"]+)" class="has-box"', html))
    assert shown == set(doc.provenance)  # every value placed on a page can be clicked to see it


def test_report_without_pdf_says_so(extracted, tmp_path, monkeypatch):
    path, _ = extracted
    monkeypatch.chdir(tmp_path)  # not beside the JSON, not in ./ or ./samples
    lonely = tmp_path / "alone.json"
    lonely.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    result = runner.invoke(app, ["report", str(lonely), "-o", str(tmp_path / "a.html")], env={"COLUMNS": "200"})
    assert result.exit_code == 0 and "give --pdf" in result.output
    assert "data:image/png" not in (tmp_path / "a.html").read_text(encoding="utf-8")
    bad = tmp_path / "bad.json"
    bad.write_text("{}", encoding="utf-8")
    assert runner.invoke(app, ["report", str(bad), "-o", str(tmp_path / "b.html")]).exit_code == 1


def test_view_shows_generic_tables_and_extra_columns():
    from extractor.service.view import pointer, sections
    from schemas import Document
    from schemas.tables import BasicProjectRow, GenericTable

    doc = Document(doc_id="g", generic_tables=[GenericTable(
        title="政府采购支出预算表", number="表12", pages=[9], header=[["项目", "金额/万元"]],
        rows=[["货物", "12.5"], ["服务", None]])])
    doc.tables.t3.present = True
    doc.tables.t3.rows = [BasicProjectRow(code="2010350", name="事业运行", total="1.00", extra={"其中/专户": "0.5"})]
    found = {s.id: s for s in sections(doc)}
    generic = found["generic-0"]
    assert generic.title == "表12 政府采购支出预算表" and generic.grids[0].header_rows == [["项目", "金额/万元"]]
    cells = generic.grids[0].rows
    assert (cells[0][1].text, cells[0][1].ptr) == ("12.5", "/generic_tables/0/rows/0/1")
    assert cells[1][1].text == ""
    t3 = found["t3"].grids[-1]
    assert "其中/专户" in t3.columns
    extra = t3.rows[0][t3.columns.index("其中/专户")]
    assert (extra.text, extra.ptr) == ("0.5", "/tables/t3/rows/0/extra/其中~1专户")
    assert pointer("extra", "a~b/c") == "/extra/a~0b~1c"
    assert found["t1"].note.startswith("未公开")


def test_one_options_builder(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "test")  # the engine is only built, never asked
    from extractor.errors import BudgetxError, UnknownNameError
    from extractor.options import build_options

    llm = build_options("llm", model="m", prompt="v1", vision=False, max_cost=0, cache_dir=SAMPLES)
    assert llm.engine_options == {"model": "m", "prompt": "v1", "max_cost": 0, "cache_dir": str(SAMPLES)}
    assert build_options("layout", model="m").engine_options == {}  # LLM choices mean nothing offline
    with pytest.raises(UnknownNameError, match="known: hybrid, layout, llm"):
        build_options("ocr9")
    with pytest.raises(UnknownNameError, match="prompt"):
        build_options("llm", prompt="nope")
    with pytest.raises(BudgetxError, match="unknown option"):
        build_options("layout", temperature=2)
