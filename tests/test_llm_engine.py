"""The llm and hybrid engines against a local OpenAI-compatible server (tests/llm_server.py).

No network: the server runs on 127.0.0.1 and answers from the gold set. Every fault class has
a test showing recovery, or a clear error with nothing lost.
"""

from __future__ import annotations

import json
import logging
import time
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest

from extractor.engines.llm import LlmEngine, make_engine, plan
from extractor.errors import BudgetExceededError
from extractor.locate import locate
from extractor.pages import load_pages
from schemas import Document, RunInfo, Source

from .conftest import DATA, SAMPLES
from .llm_server import Fault, FakeLlm

DOC = "004_3fa3241a52f85770"


@pytest.fixture(scope="module")
def gold() -> Document:
    return Document.model_validate_json((DATA / DOC / "gold.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def pdf(tmp_path_factory, gold) -> Path:
    """The born-digital sample, or one rendered from the gold when samples/ lacks it."""
    path = SAMPLES / f"{DOC}.pdf"
    if path.exists():
        return path
    render = pytest.importorskip("eval.corpus.render")
    return render.render_file(DATA / DOC / "gold.json", tmp_path_factory.mktemp("pdf") / f"{DOC}.pdf")


@pytest.fixture(scope="module")
def pages(pdf):
    return load_pages(pdf)


@pytest.fixture
def server(gold):
    srv = FakeLlm(gold, timeout_delay=2.0).start()
    yield srv
    srv.stop()
    assert srv.problems == [], srv.problems  # every request was one a strict server accepts


def run(server, pages, pdf, tmp_path, engine="llm", **options):
    """Fill a fresh Document of the sample through the engine, as the pipeline would."""
    page_list, source = pages
    settings = dict(model="test", base_url=server.url, api_key="test", cache_dir=str(tmp_path / "cache"),
                    backoff_max=0.5, timeout=5.0, prompt="v1")  # the copying prompts; refs: test_llm_refs.py
    settings.update(options)
    eng = make_engine(engine, source_path=pdf, **settings)
    doc = Document(doc_id=DOC, source=Source(**source), run=RunInfo(engine=engine))
    return eng.fill(doc, locate(page_list)), eng


def same(a, b) -> bool:
    """Equal as the contract compares (Decimal values), pages, printed title and unit aside (gold has none)."""
    return a.model_dump(exclude={"pages", "title", "unit"}) == b.model_dump(exclude={"pages", "title", "unit"})


def table_calls(server, kind):
    return [c for c in server.calls if c.kind == kind]


# ---- the whole document --------------------------------------------------------------


def test_llm_reproduces_gold_and_usage_adds_up(server, pages, pdf, tmp_path, gold):
    doc, eng = run(server, pages, pdf, tmp_path)
    for key in type(gold.tables).model_fields:
        assert same(getattr(doc.tables, key), getattr(gold.tables, key)), key
    assert same(doc.performance.overall, gold.performance.overall)
    assert len(doc.performance.projects) == len(gold.performance.projects)
    for mine, theirs in zip(doc.performance.projects, gold.performance.projects):
        assert same(mine, theirs)
    assert doc.run.llm_tables == [j.label for j in plan(locate(pages[0]))]
    assert len(server.answered) == len(doc.run.llm_tables)
    usage = doc.run.usage
    assert usage.calls == len(server.answered)
    assert usage.input_tokens == sum(c.usage[0] for c in server.answered)
    assert usage.output_tokens == sum(c.usage[1] for c in server.answered)
    assert usage.cost == 0  # "test" is not in the price table
    assert doc.run.model == "test" and doc.run.prompt == "v1@1"
    assert sum(u.calls for u in eng.client.ledger.by_table.values()) == usage.calls


def test_request_payload_is_what_a_real_server_accepts(server, pages, pdf, tmp_path):
    run(server, pages, pdf, tmp_path, only="t3")
    payload = server.calls[0].payload
    tool = payload["tools"][0]
    assert tool["type"] == "function" and tool["function"]["name"] == "Answer_t3"
    schema = tool["function"]["parameters"]
    jsonschema.Draft202012Validator.check_schema(schema)
    assert "present" not in schema["properties"] and "pages" not in schema["properties"]
    assert payload["tool_choice"] == {"type": "function", "function": {"name": "Answer_t3"}}
    assert [m["role"] for m in payload["messages"]] == ["system", "user"]
    assert "|" in payload["messages"][1]["content"] and payload["temperature"] == 0


@pytest.mark.parametrize("mode", ["json_schema", "md_json"])
def test_modes_without_tools(server, pages, pdf, tmp_path, gold, mode):
    doc, _ = run(server, pages, pdf, tmp_path, mode=mode, only="t3,project[0]")
    assert same(doc.tables.t3, gold.tables.t3)
    assert same(doc.performance.projects[0], gold.performance.projects[0])
    assert all("tools" not in c.payload for c in server.calls)


def test_vision_sends_pages_as_data_urls(server, pages, pdf, tmp_path):
    run(server, pages, pdf, tmp_path, vision=True, only="t10")
    content = server.calls[0].payload["messages"][1]["content"]
    images = [p for p in content if p["type"] == "image_url"]
    assert images and all(p["image_url"]["url"].startswith("data:image/png;base64,") for p in images)


def test_prompt_v2_reproduces_gold(server, pages, pdf, tmp_path, gold):
    doc, _ = run(server, pages, pdf, tmp_path, prompt="v2", only="t1,t7,overall")
    assert same(doc.tables.t1, gold.tables.t1) and same(doc.tables.t7, gold.tables.t7)
    assert same(doc.performance.overall, gold.performance.overall)
    user = table_calls(server, "t1")[0].payload["messages"][1]["content"]
    assert "字段对照" in user and "current_year_income=一、本年收入" in user
    assert doc.run.prompt == "v2@1"


# ---- transport faults: tenacity -------------------------------------------------------


@pytest.mark.parametrize("fault", ["429", "500", "reset"])
def test_transport_faults_are_retried(server, pages, pdf, tmp_path, gold, fault):
    server.faults.append(Fault("t3", fault))
    started = time.perf_counter()
    doc, eng = run(server, pages, pdf, tmp_path, only="t3")
    assert same(doc.tables.t3, gold.tables.t3)
    assert len(server.calls) == 2 and doc.run.usage.calls == 1  # a failed attempt is not paid
    if fault == "429":
        assert time.perf_counter() - started >= 0.2  # Retry-After: 0.2 was honoured


def test_timeout_is_retried(server, pages, pdf, tmp_path, gold):
    server.faults.append(Fault("t10", "timeout"))
    doc, _ = run(server, pages, pdf, tmp_path, only="t10", timeout=0.5)
    assert same(doc.tables.t10, gold.tables.t10)
    assert len(server.calls) == 2


def test_transport_gives_up_with_a_clear_error_and_keeps_the_layout_reading(server, pages, pdf, tmp_path, caplog):
    server.faults.append(Fault("t3", "500", sticky=True))
    with caplog.at_level(logging.WARNING, logger="budgetx.llm"):
        doc, _ = run(server, pages, pdf, tmp_path, only="t3,t10", transport_attempts=2, concurrency=1)
    assert doc.run.llm_tables == ["t10"]
    assert doc.tables.t3.present and doc.tables.t3.rows  # the layout engine's reading stays
    assert any("t3" in r.message and "InternalServerError" in r.message for r in caplog.records)
    assert len(table_calls(server, "t3")) == 2


# ---- answers that are wrong: Instructor re-asks ---------------------------------------


def test_malformed_arguments_are_re_asked(server, pages, pdf, tmp_path, gold):
    server.faults.append(Fault("t3", "malformed"))
    doc, _ = run(server, pages, pdf, tmp_path, only="t3")
    assert same(doc.tables.t3, gold.tables.t3)
    assert len(server.calls) == 2 and doc.run.usage.calls == 2  # both answers were paid


def test_unreconciled_answer_is_re_asked_with_the_failed_equation(server, pages, pdf, tmp_path, gold):
    server.faults.append(Fault("t3", "unreconciled"))
    doc, _ = run(server, pages, pdf, tmp_path, only="t3")
    assert same(doc.tables.t3, gold.tables.t3)
    assert len(server.calls) == 2
    reask = server.calls[1].payload["messages"][-1]
    assert reask["role"] == "tool"
    row = gold.tables.t3.rows[0]
    wrong = format(row.total + 100, "f")
    # "t3 row 201 一般公共服务支出: 合计 1764.74 ≠ 基本支出 1475.44 + 项目支出 189.3"
    assert f"t3 row {row.code} {row.name}: 合计 {wrong}" in reask["content"]
    assert f"基本支出 {format(row.basic, 'f')}" in reask["content"] and "≠" in reask["content"]


def test_a_source_that_does_not_add_up_is_accepted_when_the_model_repeats_it(server, pages, pdf, tmp_path, gold):
    # The re-ask asks the model to confirm; the same figures again are taken as printed.
    broken = gold.model_copy(deep=True)
    broken.tables.t3.rows[0].total += 1
    server.gold = broken
    doc, _ = run(server, pages, pdf, tmp_path, only="t3")
    assert doc.tables.t3.rows[0].total == gold.tables.t3.rows[0].total + 1
    assert len(server.calls) == 2


def test_truncated_sheet_is_an_error_never_a_partial_result(server, pages, pdf, tmp_path, caplog):
    server.faults.append(Fault("project", "length"))
    with caplog.at_level(logging.WARNING, logger="budgetx.llm"):
        doc, _ = run(server, pages, pdf, tmp_path, only="project[0]")
    assert doc.run.llm_tables == []
    assert any("finish_reason=length" in r.message for r in caplog.records)
    assert "finish_reason=length" in doc.run.llm_failed["project[0]"]  # said in the output, not only logged
    assert doc.performance.projects[0].indicators  # the layout reading, not half an answer


def test_truncated_table_is_asked_again_in_halves(server, pages, pdf, tmp_path, gold):
    server.faults.append(Fault("t3", "length"))
    doc, _ = run(server, pages, pdf, tmp_path, only="t3")
    assert same(doc.tables.t3, gold.tables.t3)
    assert len(server.calls) == 3
    assert all("部分" in FakeLlm.user_text(c.payload) for c in server.calls[1:])


def test_long_table_is_split_and_stitched(server, pages, pdf, tmp_path, gold):
    doc, _ = run(server, pages, pdf, tmp_path, only="t3", chunk_tokens=300)
    assert len(server.calls) > 1
    assert same(doc.tables.t3, gold.tables.t3)


# ---- cache, budget, hybrid -----------------------------------------------------------


def test_cache_prevents_a_second_paid_call(server, pages, pdf, tmp_path, gold):
    first, _ = run(server, pages, pdf, tmp_path, only="t3,project[1]")
    calls = len(server.calls)
    again, _ = run(server, pages, pdf, tmp_path, only="t3,project[1]")
    assert len(server.calls) == calls  # nothing asked twice
    assert same(again.tables.t3, first.tables.t3) and again.run.usage.calls == 0
    assert again.run.llm_tables == first.run.llm_tables
    fresh, _ = run(server, pages, pdf, tmp_path, only="t3", no_cache=True)
    assert len(server.calls) == calls + 1
    other, _ = run(server, pages, pdf, tmp_path, only="t3", prompt="v2")
    assert len(server.calls) == calls + 2  # another prompt version is another key


def test_budget_stops_a_runaway_loop_and_keeps_earlier_tables(server, pages, pdf, tmp_path, gold):
    server.faults.append(Fault("t3", "unreconciled_always", sticky=True))
    with pytest.raises(BudgetExceededError) as caught:
        run(server, pages, pdf, tmp_path, only="t1,t3", concurrency=1, max_retries=50, max_calls=4)
    error = caught.value
    assert "4 calls (limit 4)" in str(error) and "t3" in str(error)
    kept = error.document
    assert kept.run.llm_tables == ["t1"] and same(kept.tables.t1, gold.tables.t1)
    assert kept.run.usage.calls == 4 == len(server.calls)


def test_token_and_cost_budgets(server, pages, pdf, tmp_path):
    with pytest.raises(BudgetExceededError, match="tokens"):
        run(server, pages, pdf, tmp_path, only="t1,t3", concurrency=1, max_tokens=10, no_cache=True)
    prices = tmp_path / "prices.json"
    prices.write_text(json.dumps({"test": [1000000, 1000000]}))  # a token costs 1
    with pytest.raises(BudgetExceededError, match="cost"):
        run(server, pages, pdf, tmp_path, only="t1,t3", concurrency=1, max_cost=5, prices=str(prices), no_cache=True)


@pytest.mark.parametrize("prompt", ["v1", "r1"])
def test_hybrid_asks_only_for_tables_that_fail_their_rules(server, pages, pdf, tmp_path, gold, monkeypatch, prompt):
    from extractor.engines import layout

    original = layout.LayoutEngine.fill

    def misread(self, doc, lay):
        doc = original(self, doc, lay)
        doc.tables.t5.rows[0].basic += Decimal("10")  # a misread cell breaks t5's row sum
        return doc

    monkeypatch.setattr(layout.LayoutEngine, "fill", misread)
    doc, _ = run(server, pages, pdf, tmp_path, engine="hybrid", prompt=prompt)
    if prompt == "v1":
        assert {c.kind for c in server.calls} == {"t5"}
    else:  # by reference: one batch holding t5 alone
        asked = [FakeLlm.user_text(c.payload) for c in server.calls]
        assert len(asked) == 1 and "[t5]" in asked[0] and "[t3]" not in asked[0]
    assert doc.run.llm_tables == ["t5"] and same(doc.tables.t5, gold.tables.t5)
    assert same(doc.tables.t3, gold.tables.t3)  # the layout reading, untouched


def test_cli_extract_llm_and_budget_stop(server, pdf, tmp_path, gold):
    from typer.testing import CliRunner

    from cli import app

    out = tmp_path / "out"
    common = ["extract", str(pdf), "-o", str(out), "--engine", "llm", "--model", "test", "--base-url", server.url,
              "--prompt", "v1",
              "--cache-dir", str(tmp_path / "cache")]
    server.faults.append(Fault("t5", "unreconciled_always", sticky=True))
    result = CliRunner().invoke(app, common + ["--max-calls", "5"], env={"OPENAI_API_KEY": "test"})
    assert result.exit_code == 1, result.output
    assert "LLM budget exhausted after 5 calls" in " ".join(result.output.split())
    kept = Document.model_validate_json((out / f"{DOC}.json").read_text(encoding="utf-8"))
    assert kept.run.usage.calls == 5 and 0 < len(kept.run.llm_tables) < 19 and "t5" not in kept.run.llm_tables
    server.faults.clear()
    result = CliRunner().invoke(app, common, env={"OPENAI_API_KEY": "test"})
    assert result.exit_code == 0, result.output
    assert "LLM" in result.output and "calls" in result.output
    doc = Document.model_validate_json((out / f"{DOC}.json").read_text(encoding="utf-8"))
    assert same(doc.tables.t5, gold.tables.t5)


def test_engine_options_are_checked(server, tmp_path):
    from extractor.errors import EngineError, UnknownNameError

    with pytest.raises(UnknownNameError, match="known: r1, r2, v1, v2"):
        make_engine("llm", base_url=server.url, prompt="nope")
    with pytest.raises(EngineError, match="unknown LLM engine option"):
        make_engine("llm", base_url=server.url, temprature=0)
    with pytest.raises(EngineError, match="mode"):
        make_engine("llm", base_url=server.url, mode="grammar")
    assert isinstance(make_engine("llm", base_url=server.url), LlmEngine)


@pytest.mark.parametrize("doc_id", sorted(p.parent.name for p in DATA.glob("*/gold.json") if p.parent.name != DOC))
def test_every_sample_reproduces_its_gold(doc_id, tmp_path):
    pdf = SAMPLES / f"{doc_id}.pdf"
    if not pdf.exists():
        pytest.skip(f"no sample {pdf.name}")
    gold = Document.model_validate_json((DATA / doc_id / "gold.json").read_text(encoding="utf-8"))
    server = FakeLlm(gold).start()
    try:
        doc, _ = run(server, load_pages(pdf), pdf, tmp_path, no_cache=True)
    finally:
        server.stop()
    assert server.problems == []
    for key in type(gold.tables).model_fields:
        assert same(getattr(doc.tables, key), getattr(gold.tables, key)), key
    assert [s.model_dump(exclude={"pages", "title", "unit"}) for s in doc.performance.projects] == \
        [s.model_dump(exclude={"pages", "title", "unit"}) for s in gold.performance.projects]
    assert doc.run.usage.calls == len(server.answered)
