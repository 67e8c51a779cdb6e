"""The LLM engine's parts, without a server: grid text, prompts, re-ask messages, budget, cache."""

from __future__ import annotations

from decimal import Decimal

import pytest
from jinja2.exceptions import SecurityError
from pydantic import ValidationError

from extractor.errors import BudgetExceededError, EngineError, UnknownNameError
from extractor.grid import Cell, Grid
from extractor.llm import reconcile
from extractor.llm.answers import answer_model
from extractor.llm.budget import Budget, Ledger, price_of
from extractor.llm.cache import AnswerCache
from extractor.llm.client import Settings, _retry_after
from extractor.llm.context import AnswerContext
from extractor.llm.gridtext import Piece, grid_lines, halves, pieces
from extractor.llm.prompting import glossary, load_prompt
from extractor.locate import Region
from extractor.pages import Word
from schemas import T3
from schemas.tables import BasicProjectRow


def make_grid(rows: list[list[str]], merges: dict[tuple[int, int], tuple[int, int]] | None = None) -> Grid:
    """A grid from texts; merges maps an anchor (r, c) to its (row_span, col_span)."""
    merges = merges or {}
    n_rows, n_cols = len(rows), len(rows[0])
    owner = [[-1] * n_cols for _ in range(n_rows)]
    cells: list[Cell] = []
    for r in range(n_rows):
        for c in range(n_cols):
            if owner[r][c] != -1:
                continue
            rs, cs = merges.get((r, c), (1, 1))
            words = [Word(rows[r][c], c * 10, r * 10, c * 10 + 5, r * 10 + 5)] if rows[r][c] else []
            cells.append(Cell(r, c, rs, cs, words=words))
            for rr in range(r, r + rs):
                for cc in range(c, c + cs):
                    owner[rr][cc] = len(cells) - 1
    return Grid(1, (0, 0, 100, 100), list(range(n_rows + 1)), list(range(n_cols + 1)), cells, owner)


T3_ROWS = [["科目编码", "", "科目名称", "合计", "基本支出", "项目支出"],
           ["类", "款", "", "", "", ""],
           ["", "", "合计", "330.39", "320.39", "10.00"]] + [
    ["201", f"{i:02d}", f"事务{i}", "1.00", "1.00", ""] for i in range(1, 41)]


def test_grid_lines_mark_merged_cells():
    grid = make_grid([["科目编码", "", "名称"], ["类", "款", ""], ["201", "", "一般"]],
                     {(0, 0): (1, 2), (0, 2): (2, 1)})
    assert grid_lines(grid) == ["科目编码|<|名称", "类|款|^", "201||一般"]


def test_long_table_splits_by_rows_with_the_header_repeated():
    region = Region("t3", "支出总体情况表", [5], [make_grid(T3_ROWS, {(0, 0): (1, 2)})], ["单位：万元"])
    parts = pieces(region, max_tokens=250)
    assert len(parts) >= 2
    assert all(p.header == ["科目编码|<|科目名称|合计|基本支出|项目支出", "类|款||||"] for p in parts)
    assert sum(len(p.body) for p in parts) == 41 and [p.part for p in parts] == list(range(1, len(parts) + 1))
    assert sum(p.data_rows() for p in parts) == 40  # the 合计 line is not a row
    left, right = halves(parts[0])
    assert left.body + right.body == parts[0].body and (left.part, right.part, left.parts) == (1, 2, 2 * parts[0].parts)


def test_answer_schema_is_compact_and_hides_engine_fields():
    schema = answer_model("t3").model_json_schema()
    assert set(schema["properties"]) == {"empty_note", "rows", "total"}
    row = schema["$defs"]["BasicProjectRow"]["properties"]
    assert row["total"] == {"type": "number", "description": "合计"}
    assert "title" not in row["total"] and "default" not in row["total"]
    sheet = answer_model("project", descriptions=False).model_json_schema()
    assert "target" not in sheet["$defs"]["Indicator"]["properties"] and "Target" not in sheet["$defs"]
    assert "description" not in sheet["properties"]["budget_total"]


def t3(total: str, basic: str, project: str | None) -> T3:
    row = BasicProjectRow(code="2010350", name="事业运行", total=total, basic=basic, project=project)
    return T3(present=True, rows=[row])


def test_failed_equation_names_the_row_and_cells():
    failed = reconcile.failures("t3", t3("330.39", "320.39", "0"))
    assert [f.message for f in failed] == ["t3 row 2010350 事业运行: 合计 330.39 ≠ 基本支出 320.39 + 项目支出 0"]
    assert reconcile.failures("t3", t3("330.39", "320.39", "10.00")) == []


def test_fallback_validator_when_the_checker_is_absent(monkeypatch):
    def no_checker(*_args):
        raise ImportError("extractor.checks")

    monkeypatch.setattr(reconcile, "_checker_identities", no_checker)
    failed = reconcile.failures("t3", t3("330.39", "320.39", None))
    assert [f.message for f in failed] == ["t3 row 2010350 事业运行: 合计 330.39 ≠ 基本支出 320.39"]


def test_validator_re_asks_then_accepts_the_same_figures_repeated():
    model = answer_model("t3")
    data = {"rows": [{"code": "2010350", "name": "事业运行", "total": 330.39, "basic": 320.39, "project": 0}]}
    context = AnswerContext()
    with pytest.raises(ValidationError, match="合计 330.39 ≠ 基本支出 320.39"):
        model.model_validate(data, context=context)
    assert model.model_validate(data, context=context)  # repeated: taken as printed
    assert context.confirmed and context.reasks == 1
    with pytest.raises(ValidationError, match="漏抄了行"):
        model.model_validate({"rows": []}, context=AnswerContext(min_rows=3))
    assert model.model_validate(data)  # no context: plain schema validation


def test_prompts_are_versioned_sandboxed_and_generated_from_the_schema(tmp_path):
    with pytest.raises(UnknownNameError, match="known: r1, r2, v1, v2"):
        load_prompt("v3")
    v2 = load_prompt("v2")
    assert v2.id == "v2@1" and not v2.schema_descriptions
    rows = next(s for s in glossary(T3) if s["section"] == "rows[]")
    assert ("basic", "基本支出") in rows["fields"]
    piece = Piece("t3", "部门支出总体情况表", [5], ["单位：万元"], ["a|b"], ["1|2"])
    system, user = v2.messages(piece, images=["data:image/png;base64,AAAA"])
    assert system["role"] == "system" and "basic=基本支出" in user["content"][0]["text"]
    assert user["content"][1] == {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}
    evil = v2.env.from_string("{{ piece.__class__.__mro__ }}")
    with pytest.raises(SecurityError):
        evil.render(piece=piece)


def test_ledger_limits_prices_and_usage():
    ledger = Ledger(model="gpt-4o-mini-2024-07-18", budget=Budget(max_calls=2, max_cost=Decimal("1")))
    assert price_of(ledger.prices, ledger.model) == (Decimal("0.15"), Decimal("0.60"))
    ledger.before_call("t1")
    ledger.record("t1", 1_000_000, 0)
    ledger.before_call("t3")
    ledger.record("t3", 0, 1_000_000)
    assert ledger.total.calls == 2 and ledger.total.cost == Decimal("0.75")
    assert ledger.by_table["t3"].output_tokens == 1_000_000
    with pytest.raises(BudgetExceededError, match="2 calls"):
        ledger.before_call("t5")


def test_cache_key_changes_with_model_prompt_schema_and_input(tmp_path):
    cache = AnswerCache(tmp_path)
    key = AnswerCache.key("m", "v1@1", {"a": 1}, [{"role": "user", "content": "x"}])
    others = [AnswerCache.key("n", "v1@1", {"a": 1}, [{"role": "user", "content": "x"}]),
              AnswerCache.key("m", "v2@1", {"a": 1}, [{"role": "user", "content": "x"}]),
              AnswerCache.key("m", "v1@1", {"a": 2}, [{"role": "user", "content": "x"}]),
              AnswerCache.key("m", "v1@1", {"a": 1}, [{"role": "user", "content": "y"}])]
    assert len({key, *others}) == 5
    cache.put(key, {"answer": {"rows": []}})
    assert cache.get(key) == {"answer": {"rows": []}}
    assert AnswerCache(tmp_path, disabled=True).get(key) is None


def test_settings_from_environment(monkeypatch):
    monkeypatch.setenv("BUDGETX_MODEL", "qwen2.5:7b")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:11434/v1")
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    settings = Settings.from_options(max_cost=0.5, only="t3, t5")
    assert (settings.model, settings.base_url, settings.api_key) == ("qwen2.5:7b", "http://127.0.0.1:11434/v1", None)
    assert settings.max_cost == Decimal("0.5") and settings.only == ["t3", "t5"]
    assert Settings.from_options(model="gpt-4o").model == "gpt-4o"
    monkeypatch.delenv("OPENAI_BASE_URL")
    with pytest.raises(EngineError, match="OPENAI_API_KEY"):
        Settings.from_options()


def test_retry_after_header_forms():
    class Response:
        def __init__(self, headers):
            self.headers = headers

    class Error(Exception):
        def __init__(self, headers):
            self.response = Response(headers)

    assert _retry_after(Error({"retry-after": "3"})) == 3
    assert _retry_after(Error({"retry-after-ms": "250"})) == 0.25
    assert _retry_after(Error({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"})) == 0  # in the past
    assert _retry_after(Error({})) is None


def test_a_short_answer_is_never_confirmed_nor_kept():
    model = answer_model("t3")
    context = AnswerContext(min_rows=3)
    for _ in range(2):
        with pytest.raises(ValidationError, match="漏抄了行"):
            model.model_validate({"rows": []}, context=context)
    assert context.last is None  # nothing to fall back to: the layout reading stays


def test_the_typed_context_keeps_messages_out_of_instructors_templating():
    # Instructor renders the messages as Jinja templates when the context is truthy: a grid
    # printing "{{" or "{#" would be mangled. The context is still handed to the validators.
    context = AnswerContext(unit_name="x")
    assert not context and context is not None
    model = answer_model("t3")
    with pytest.raises(ValidationError):
        model.model_validate({"rows": []}, context=AnswerContext(min_rows=2))
