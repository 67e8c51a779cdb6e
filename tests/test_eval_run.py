"""eval run / compare on hand-made prediction folders (fast, offline), and end to end on samples/."""

from __future__ import annotations

import json
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from eval.compare import compare, diff_cells, load_runs
from eval.html_report import render_html
from eval.run import DocRun, RunConfig, load_run, make_record, score_kind, write_record
from schemas import Document, RunInfo, Usage

from .conftest import DATA, SAMPLES, small_document


def _gold(doc_id: str = "a") -> Document:
    return small_document(doc_id, unit_name="测试单位", year=2024)


@pytest.fixture()
def gold_set(tmp_path: Path) -> Path:
    """A two-document set: "a" gets predictions, "b" never has a sample."""
    root = tmp_path / "set"
    for doc_id in ("a", "b"):
        (root / doc_id).mkdir(parents=True)
        (root / doc_id / "gold.json").write_text(_gold(doc_id).model_dump_json(), encoding="utf-8")
    return root


def _make_run(tmp_path: Path, name: str, pred: Document | None, set_dir: Path, usage: Usage | None = None,
              kinds: tuple[str, ...] = ("clean",)) -> Path:
    """A run record as eval run writes it, from a hand-made prediction instead of a PDF."""
    from eval.run import load_gold_set

    outdir = tmp_path / "runs" / name
    gold_set = load_gold_set(set_dir)
    sections = {}
    for kind in kinds:
        runs = {"b": DocRun("b", "not_run", error="no sample")}
        if pred is None:
            runs["a"] = DocRun("a", "failed", error="boom")
        else:
            pred = pred.model_copy(deep=True)
            pred.run = RunInfo(engine="test", seconds=1.5, usage=usage)
            path = outdir / "pred" / kind / "a.json"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(pred.model_dump_json(), encoding="utf-8")
            runs["a"] = DocRun("a", "ok", path)
        sections[kind] = score_kind(gold_set, dict(sorted(runs.items())), base=outdir)
    config = RunConfig(engine="test", prompt=name, set_dir=str(set_dir), kinds=list(kinds))
    write_record(outdir, make_record(name, config, sections, 2.0))
    return outdir


def _variant_b() -> Document:
    """Three cells differ from gold: one wrong digit, one row (two cells) gone."""
    pred = _gold()
    pred.tables.t3.rows[0].basic = Decimal("330.93")
    del pred.tables.t3.rows[2]
    return pred


def test_run_record_figures(tmp_path, gold_set):
    usage = Usage(calls=2, input_tokens=1000, output_tokens=200, cost=Decimal("0.0125"))
    record = load_run(_make_run(tmp_path, "v2", _variant_b(), gold_set, usage))
    clean = record["kinds"]["clean"]
    assert clean["documents_scored"] == 1 and clean["not_run"] == ["b"] and clean["failed"] == []
    # t3: 9 gold cells, 6 right, 1 wrong, 2 missing; t7: 2 right → 8 / 11
    assert clean["overall"]["correct"] == 8 and clean["overall"]["wrong"] == 1 and clean["overall"]["missing"] == 2
    assert clean["overall"]["cell_exact"] == pytest.approx(8 / 11, abs=1e-6)
    assert clean["tables"]["t3"]["cell_exact"] == pytest.approx(6 / 9, abs=1e-6)
    doc = clean["documents"]["a"]
    assert doc["cells"]["/tables/t3/rows/0/basic"] == "wrong"
    assert doc["tables"]["t3"]["missing"] == 2 and doc["seconds"] == 1.5
    assert clean["documents"]["b"]["status"] == "not_run" and "cells" not in clean["documents"]["b"]
    assert record["usage"] == {"calls": 2, "input_tokens": 1000, "output_tokens": 200, "cost": 0.0125}
    assert record["config"]["prompt"] == "v2" and record["budgetx_version"]
    assert not list((tmp_path / "runs" / "v2").glob(".*tmp"))  # written atomically, nothing left over


def test_failed_document_scores_as_empty(tmp_path, gold_set):
    record = load_run(_make_run(tmp_path, "broken", None, gold_set))
    clean = record["kinds"]["clean"]
    assert clean["failed"] == ["a"] and clean["documents"]["a"]["error"] == "boom"
    assert clean["overall"]["correct"] == 0 and clean["overall"]["missing"] == 11


def test_nothing_scored_has_no_figures(tmp_path, gold_set):
    from eval.run import load_gold_set

    section = score_kind(load_gold_set(gold_set), {"a": DocRun("a", "not_run"), "b": DocRun("b", "not_run")})
    assert section["documents_scored"] == 0 and "overall" not in section  # not a fake 100%


def test_compare_diff_lists_exactly_the_changed_cells(tmp_path, gold_set):
    a = _gold()
    a.tables.t7.rows[0].total = Decimal("4")  # wrong in A only
    a.tables.t3.total.project = Decimal("1")  # wrong in both (differently): not a change
    b = _variant_b()
    b.tables.t3.total.project = Decimal("2")
    runs = load_runs([_make_run(tmp_path, "v1", a, gold_set), _make_run(tmp_path, "v2", b, gold_set)])
    diffs = diff_cells(runs[0], runs[1])
    assert {(d.pointer, d.base, d.other) for d in diffs} == {
        ("/tables/t7/rows/0/total", "wrong", "correct"),
        ("/tables/t3/rows/0/basic", "correct", "wrong"),
        ("/tables/t3/rows/2/total", "correct", "missing"),
        ("/tables/t3/rows/2/basic", "correct", "missing"),
    }
    label = next(d.label for d in diffs if d.pointer == "/tables/t3/rows/0/basic")
    assert label == "表3 支出总体情况表 · 2010350 事业运行 · 基本支出"


def test_compare_of_identical_runs_has_no_diff(tmp_path, gold_set):
    result = compare([_make_run(tmp_path, "x", _gold(), gold_set), _make_run(tmp_path, "y", _gold(), gold_set)])
    assert result["diffs"] == [] and result["warnings"] == []
    exact = next(m for m in result["metrics"] if m.key == "cell_exact")
    assert exact.values == [1.0, 1.0]


class _Balance(HTMLParser):
    """Checks that every opened element is closed in order (void elements aside)."""

    VOID = {"meta", "br", "img", "input", "hr", "link", "circle", "rect", "line"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1] if self.stack else 'nothing'}")
        else:
            self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def test_html_report_is_well_formed_and_escaped(tmp_path, gold_set):
    usage = Usage(calls=3, input_tokens=900, output_tokens=100, cost=Decimal("0.02"))
    runs = [_make_run(tmp_path, "v1", _gold(), gold_set, kinds=("clean", "scan")),
            _make_run(tmp_path, "v2<b>&x", _variant_b(), gold_set, usage, kinds=("clean", "scan"))]
    html = render_html(compare(runs))
    parser = _Balance()
    parser.feed(html)
    parser.close()
    assert parser.errors == [] and parser.stack == []
    text = "".join(parser.text)
    assert "v1" in text and "v2<b>&x" in text  # the name reads right once unescaped …
    assert "<b>&x" not in html  # … and never becomes markup
    assert "72.73%" in text and "-27.27pp" in text  # v2's cells exact 8/11 and its delta
    assert html.count("<svg") == 3  # per-table bars for clean and scan, cost scatter
    assert "v2&lt;b&gt;&amp;x · clean: 72.73% at 0.02" in html  # the scatter's point for v2
    assert "Every run cost 0" not in text
    assert "表3 支出总体情况表 · 2010350 事业运行 · 基本支出" in text


def test_cli_compare_json_and_html(tmp_path, gold_set):
    a = _make_run(tmp_path, "v1", _gold(), gold_set)
    b = _make_run(tmp_path, "v2", _variant_b(), gold_set)
    report = tmp_path / "report.html"
    result = CliRunner().invoke(app, ["eval", "compare", str(a), str(b), "--json", "--html", str(report)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [r["name"] for r in data["runs"]] == ["v1", "v2"]
    assert len(data["diffs"]) == 3 and report.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    plain = CliRunner().invoke(app, ["eval", "compare", str(a), str(b)])
    assert plain.exit_code == 0 and "right only in v1" in plain.stdout


def test_cli_compare_rejects_a_folder_without_record(tmp_path):
    result = CliRunner().invoke(app, ["eval", "compare", str(tmp_path)])
    assert result.exit_code == 2


def test_cli_run_without_samples_reports_not_run(tmp_path, gold_set):
    out = tmp_path / "runs" / "empty"
    result = CliRunner().invoke(app, ["eval", "run", "--engine", "layout", "--set", str(gold_set),
                                      "--samples", str(tmp_path / "none"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    record = load_run(out)
    assert record["kinds"]["clean"]["not_run"] == ["a", "b"] and record["kinds"]["scan"]["documents_scored"] == 0
    assert "not run" in result.stdout


def test_cli_run_unknown_engine_is_usage_error(tmp_path):
    result = CliRunner().invoke(app, ["eval", "run", "--engine", "nope", "-o", str(tmp_path / "r")])
    assert result.exit_code == 2


def _one_sample() -> str | None:
    pdfs = sorted(SAMPLES.glob("*.pdf"))
    clean = [p for p in pdfs if not p.name.endswith(".scan.pdf") and (DATA / p.stem / "gold.json").exists()]
    return clean[0].stem if clean else None


@pytest.mark.skipif(_one_sample() is None, reason="no samples/<doc_id>.pdf with gold beside it")
def test_eval_run_layout_on_a_sample(tmp_path):
    """End to end: the layout engine on one born-digital sample, scored against its gold."""
    doc_id = _one_sample()
    set_dir = tmp_path / "set"
    (set_dir / doc_id).mkdir(parents=True)
    for name in ("gold.json", "expected_findings.json"):
        if (DATA / doc_id / name).exists():
            (set_dir / doc_id / name).write_bytes((DATA / doc_id / name).read_bytes())
    out = tmp_path / "runs" / "layout"
    result = CliRunner().invoke(app, ["eval", "run", "--engine", "layout", "--set", str(set_dir),
                                      "--samples", str(SAMPLES), "--kind", "clean", "-o", str(out)])
    assert result.exit_code == 0, result.output
    clean = load_run(out)["kinds"]["clean"]
    assert clean["documents_scored"] == 1 and clean["failed"] == []
    assert clean["overall"]["cell_exact"] > 0.5
    assert (out / "pred" / "clean" / f"{doc_id}.json").exists()


def test_engine_options_are_typed_and_secrets_not_recorded():
    from eval.run import _public_config, parse_option

    assert parse_option("no_cache=true") == ("no_cache", True)
    assert parse_option("max_cost=0.5") == ("max_cost", 0.5) and parse_option("concurrency=2") == ("concurrency", 2)
    assert parse_option("prices=a=b") == ("prices", "a=b")
    with pytest.raises(ValueError):
        parse_option("no_equals")
    config = RunConfig(engine="llm", prompt="v1", options={"api_key": "sk-123", "no_cache": True})
    assert config.engine_options() == {"api_key": "sk-123", "no_cache": True, "prompt": "v1"}
    stored = _public_config(config)["options"]
    assert stored == {"api_key": "<redacted>", "no_cache": True}


def _llm_server():
    try:
        from extractor.engines import ENGINES

        from .llm_server import FakeLlm
    except ImportError:
        return None
    return FakeLlm if "llm" in ENGINES.names() else None


@pytest.mark.skipif(_llm_server() is None or _one_sample() is None, reason="needs the llm engine, its test server and samples/")
def test_llm_prompt_variants_end_to_end(tmp_path, monkeypatch):
    """eval run of a copying and a by-reference prompt against the local server, then eval compare."""
    doc_id = _one_sample()
    set_dir = tmp_path / "set"
    (set_dir / doc_id).mkdir(parents=True)
    (set_dir / doc_id / "gold.json").write_bytes((DATA / doc_id / "gold.json").read_bytes())
    server = _llm_server()(Document.model_validate_json((DATA / doc_id / "gold.json").read_text(encoding="utf-8")))
    server.start()
    monkeypatch.setenv("OPENAI_API_KEY", "test")
    runs = []
    try:
        for prompt in ("v1", "r1"):
            out = tmp_path / "runs" / f"llm-{prompt}"
            result = CliRunner().invoke(app, [
                "eval", "run", "--engine", "llm", "--prompt", prompt, "--model", "gpt-4o-mini",
                "--base-url", server.url, "--set", str(set_dir), "--samples", str(SAMPLES), "--kind", "clean",
                "-E", "no_cache=true", "-o", str(out)])
            assert result.exit_code == 0, result.output
            runs.append(out)
    finally:
        server.stop()
    assert server.problems == []
    records = [load_run(r) for r in runs]
    for record, prompt in zip(records, ("v1", "r1")):
        clean = record["kinds"]["clean"]
        assert record["config"]["prompt"] == prompt and clean["failed"] == []
        assert clean["usage"]["calls"] > 0 and clean["usage"]["cost"] > 0
        assert clean["overall"]["cell_exact"] > 0.9  # the server answers from gold
    report = tmp_path / "report.html"
    result = CliRunner().invoke(app, ["eval", "compare", *map(str, runs), "--html", str(report), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [r["config"]["prompt"] for r in data["runs"]] == ["v1", "r1"]
    usage = [r["kinds"]["clean"]["usage"] for r in records]
    assert usage[1]["calls"] < usage[0]["calls"] and usage[1]["cost"] < usage[0]["cost"] / 2
    assert "llm-v1" in report.read_text(encoding="utf-8")


REAL = SAMPLES / "real"


def _real_docs() -> list[str]:
    return sorted(p.stem for p in REAL.glob("*.pdf") if (DATA / p.stem / "gold.json").exists())


def test_kinds_split_real_from_rendered_samples(tmp_path):
    from eval.run import docs_of_kind

    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "r1.pdf").write_bytes(b"%PDF")
    ids = ["a", "r1"]
    assert docs_of_kind(ids, "real", tmp_path) == ["r1"]
    assert docs_of_kind(ids, "clean", tmp_path) == docs_of_kind(ids, "scan", tmp_path) == ["a"]


@pytest.mark.skipif(len(_real_docs()) < 2, reason="needs two samples/real/<doc_id>.pdf with gold")
def test_eval_run_real_scores_gold_and_measures_the_rest_label_free(tmp_path):
    """--kind real: one real document scored against its gold, another (its gold hidden) measured label-free."""
    scored, unlabelled = _real_docs()[-1], _real_docs()[-2]
    set_dir = tmp_path / "set"
    (set_dir / scored).mkdir(parents=True)
    for name in ("gold.json", "expected_findings.json"):
        (set_dir / scored / name).write_bytes((DATA / scored / name).read_bytes())
    folder = tmp_path / "realworld"
    folder.mkdir()
    for doc_id in (scored, unlabelled):  # the one with gold is left out of the label-free figures
        (folder / f"{doc_id}.pdf").write_bytes((REAL / f"{doc_id}.pdf").read_bytes())
    (folder / "broken.pdf").write_bytes(b"not a pdf")
    out = tmp_path / "runs" / "real"
    result = CliRunner().invoke(app, ["eval", "run", "--set", str(set_dir), "--samples", str(SAMPLES),
                                      "--kind", "real", "--realworld", str(folder), "-o", str(out)])
    assert result.exit_code == 0, result.output
    record = load_run(out)
    assert list(record["kinds"]) == ["real"]
    real = record["kinds"]["real"]
    assert real["documents_scored"] == 1 and real["failed"] == [] and real["overall"]["correct"] > 0
    free = real["label_free"]
    assert set(free["documents"]) == {unlabelled, "broken"} and free["failed"] == ["broken"]
    doc = free["documents"][unlabelled]
    gold = Document.model_validate_json((DATA / unlabelled / "gold.json").read_text(encoding="utf-8"))
    assert doc["tables"] + doc["generic_tables"] >= 1 and doc["rows"] + doc["generic_rows"] > 0
    assert doc["template"] == gold.template and free["tables"] == doc["tables"]
    if doc["evaluated"] is not None:
        assert 0 <= doc["held"] <= doc["evaluated"] and free["held"] == doc["held"]
    assert "label-free" in result.stdout and unlabelled in result.stdout


def test_eval_run_real_rejects_a_missing_folder(tmp_path):
    result = CliRunner().invoke(app, ["eval", "run", "--kind", "real", "--realworld", str(tmp_path / "nope"),
                                      "-o", str(tmp_path / "r")])
    assert result.exit_code == 2 and "no such" in " ".join(result.output.split())
