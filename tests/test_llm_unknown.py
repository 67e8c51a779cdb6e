"""Unknown tables during extraction: with --engine hybrid (or llm) a generic table goes to the model.

A real Shanghai document is read with a family that does not know some of its titles (the
shipped family with the 支出预算总表 title taken out, or ``national``, which knows none of them):
the layout engine keeps those tables as generic. The local test server answers the mapping
prompt as a correct model would (tests/llm_mapping_oracle.py, from the gold), and each table
must land in its contract slot with the gold's cells, read from the grid by the layout readers.
A model that swaps two columns leaves the layout's reading standing, with llm_failed saying why.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from extractor import templates
from extractor.pipeline import Options, extract
from schemas import Document
from schemas.cells import amount_cells

from .llm_mapping_oracle import MappingOracle, failing_rules
from .llm_server import Fault, FakeLlm

ROOT = Path(__file__).resolve().parents[1]
PDF = ROOT / "samples" / "real" / "sh12.pdf"
GOLD = ROOT / "eval" / "data" / "sh12" / "gold.json"

pytestmark = pytest.mark.skipif(not (PDF.exists() and GOLD.exists()), reason="sh12 and its gold are not here")


@pytest.fixture(scope="module")
def gold() -> Document:
    return Document.model_validate_json(GOLD.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def hand() -> Document:
    return extract(PDF, Options(template="shanghai-2023"))


@pytest.fixture()
def server(gold, hand):
    fake = FakeLlm(gold).start()
    fake.mapping = MappingOracle(gold, templates.load("shanghai-2023"), failing_rules(hand))
    yield fake
    fake.stop()
    assert fake.problems == [], fake.problems


@pytest.fixture()
def no_t3_title(tmp_path: Path):
    """shanghai-2023 without its 支出预算总表 title rule, shadowing the shipped file."""
    text = (templates.FOLDER / "shanghai-2023.toml").read_text(encoding="utf-8")
    rule = "[[titles]]\nkind = \"t3\"\npatterns = ['(?<!收)支出预算总表']\n"
    assert rule in text
    (tmp_path / "shanghai-2023.toml").write_text(text.replace(rule, ""), encoding="utf-8")
    with templates.use_folders(tmp_path):
        yield


def _hybrid(server: FakeLlm, tmp_path: Path, template: str) -> Document:
    options = dict(model="test", base_url=server.url, api_key="test", cache_dir=str(tmp_path / "cache"))
    return extract(PDF, Options(template=template, engine="hybrid", engine_options=options))


def _cells(doc: Document, key: str) -> dict:
    return {p: v for p, v in amount_cells(doc) if p.startswith(f"/tables/{key}/")}


def _report(server: FakeLlm, doc: Document, what: str) -> None:
    usage = doc.run.usage
    print(f"\n{what}: {usage.calls} calls, {usage.input_tokens} in / {usage.output_tokens} out tokens; "
          f"mapped {doc.run.llm_tables}; failed {sorted(doc.run.llm_failed)}")


def test_a_table_whose_title_the_family_lacks_lands_in_its_slot(server, gold, hand, no_t3_title, tmp_path):
    layout = extract(PDF, Options(template="shanghai-2023"))
    assert not layout.tables.t3.present and any("支出预算总表" in g.title for g in layout.generic_tables)
    assert not server.calls  # the layout engine asks nobody
    doc = _hybrid(server, tmp_path, "shanghai-2023")
    _report(server, doc, "sh12, shanghai-2023 without the t3 title")
    assert doc.run.llm_tables == ["t3"] and not doc.run.llm_failed
    assert doc.tables.t3.present and _cells(doc, "t3") == _cells(gold, "t3") and len(_cells(doc, "t3")) > 50
    assert not any("支出预算总表" in g.title and "收" not in g.title for g in doc.generic_tables)
    assert all(c.kind == "mapping" for c in server.calls) and len(server.calls) == 1
    # Values come from the grid: every t3 cell keeps the page and box it was read from.
    assert all(p in doc.provenance for p in _cells(doc, "t3"))
    assert (doc.reconcile.evaluated, doc.reconcile.held) == (hand.reconcile.evaluated, hand.reconcile.held)
    calls = len(server.calls)
    again = _hybrid(server, tmp_path, "shanghai-2023")  # the answer is cached: no second call
    assert len(server.calls) == calls and _cells(again, "t3") == _cells(doc, "t3")


def test_with_the_national_family_every_table_lands_in_its_slot(server, gold, tmp_path):
    assert not extract(PDF, Options(template="national")).tables.t3.present  # national knows no Shanghai title
    doc = _hybrid(server, tmp_path, "national")
    _report(server, doc, "sh12, national")
    present = [k for k in type(gold.tables).model_fields if getattr(gold.tables, k).present]
    assert doc.run.llm_tables == present and not doc.generic_tables
    for key in present:
        assert _cells(doc, key) == _cells(gold, key), key
    # t2 prints 财政拨款收入 without its split by source: the re-ask names the rule in skip.
    assert len(server.calls) == 2 and "[t2.row_fiscal_subtotal]" in server.calls[1].payload["messages"][-1]["content"]


def test_a_swapped_column_leaves_the_layout_reading(server, no_t3_title, tmp_path):
    server.swap_table = "t3"  # 合计 and 基本支出 swapped, asked and re-asked
    server.faults.append(Fault("mapping", "swapped", sticky=True))
    doc = _hybrid(server, tmp_path, "shanghai-2023")
    _report(server, doc, "sh12, t3 swapped")
    assert not doc.tables.t3.present and "t3" not in doc.run.llm_tables
    assert any("支出预算总表" in g.title and "收" not in g.title for g in doc.generic_tables)
    assert "t3.row_total" in doc.run.llm_failed["t3"] and "layout reading is kept" in doc.run.llm_failed["t3"]
    assert len(server.calls) == 2  # the failed equations went back once


def test_nothing_is_asked_when_the_family_reads_every_table(server, tmp_path):
    doc = _hybrid(server, tmp_path, "shanghai-2023")
    assert not server.calls and not doc.run.llm_tables and doc.run.usage.calls == 0


SH17 = next((p / "sh17.pdf" for p in (ROOT / "samples" / "real", ROOT.parent / "shared" / "realworld",
                                      Path("/work/shared/realworld")) if (p / "sh17.pdf").exists()), None)


@pytest.mark.skipif(SH17 is None, reason="sh17 (Shanghai, with project sheets) is not here")
def test_sheets_and_tables_under_unknown_titles_land_as_the_family_reads_them(tmp_path):
    """sh17 read with a family that knows no Shanghai title and takes the project sheets for generic
    tables: the model maps all of them; the truth is the hand-written family's reading (no gold)."""
    hand = extract(SH17, Options(template="shanghai-2023"))
    assert len(hand.performance.projects) == 5
    folder = tmp_path / "families"
    folder.mkdir()
    (folder / "blind.toml").write_text('name = "blind"\nextends = "national"\n[[titles]]\nkind = "generic"\n'
                                       "patterns = ['项目支出绩效目标']\n", encoding="utf-8")
    fake = FakeLlm(hand).start()
    fake.mapping = MappingOracle(hand, templates.load("shanghai-2023"), failing_rules(hand))
    try:
        with templates.use_folders(folder):
            blind = extract(SH17, Options(template="blind"))
            assert not blind.performance.projects and not blind.tables.t3.present
            options = dict(model="test", base_url=fake.url, api_key="test", cache_dir=str(tmp_path / "cache"))
            doc = extract(SH17, Options(template="blind", engine="hybrid", engine_options=options))
    finally:
        fake.stop()
    _report(fake, doc, "sh17, no Shanghai title known, sheets generic")
    assert not fake.problems and all(c.kind == "mapping" for c in fake.calls)
    assert doc.run.llm_tables[-5:] == [f"project[{i}]" for i in range(5)] and not doc.run.llm_failed
    assert dict(amount_cells(doc)) == dict(amount_cells(hand))
    assert [s.model_dump() for s in doc.performance.projects] == [s.model_dump() for s in hand.performance.projects]


XINJIANG = ROOT / "samples" / "000_5dac6d90f1d45d5f.pdf"


def _located(pdf: Path):
    from extractor.pipeline import Context, stage_locate, stage_pages

    ctx = Context(pdf, Options())
    stage_pages(ctx)
    stage_locate(ctx)
    return ctx.layout


def test_open_slots_are_judged_before_the_layout_reads():
    from extractor.engines.llm_unknown import open_slots

    layout = _located(XINJIANG)  # every table, the overall sheet and the project sheets located
    assert open_slots(layout) == []
    layout.regions = [r for r in layout.regions if r.kind not in ("t3", "project")]
    assert open_slots(layout) == ["t3", "project"]
    assert open_slots(_located(PDF)) == ["overall", "project"]  # sh12 prints no sheet


def test_nothing_is_copied_or_asked_when_no_slot_is_open(monkeypatch, tmp_path):
    """A table no family title knows, in a document whose every slot is read: kept generic, no question,
    and no pristine copy of the layout (the copy is made only when a region can be offered)."""
    import copy

    import extractor.engines.llm as llm
    import extractor.pipeline as pipeline
    from extractor.engines.llm_unknown import candidates

    gold = Document.model_validate_json((ROOT / "eval" / "data" / XINJIANG.stem / "gold.json").read_text(encoding="utf-8"))
    located = pipeline.locate

    def with_unknown(pages, template):
        layout = located(pages, template)
        t6 = layout.first("t6")
        layout.regions.append(copy.copy(t6))  # the same grid under a title no family knows
        layout.regions[-1].kind, layout.regions[-1].title = "generic", "某某情况表"
        assert candidates(layout)
        return layout

    def no_copy(*args, **kwargs):
        raise AssertionError("the layout was deep-copied")

    monkeypatch.setattr(pipeline, "locate", with_unknown)
    monkeypatch.setattr(llm.copy, "deepcopy", no_copy)
    fake = FakeLlm(gold).start()
    try:
        options = dict(model="test", base_url=fake.url, api_key="test", cache_dir=str(tmp_path / "cache"))
        doc = extract(XINJIANG, Options(engine="hybrid", engine_options=options))
    finally:
        fake.stop()
    assert not [c for c in fake.calls if c.kind == "mapping"]  # (its planted t6/t7 breaks go to the refs prompt)
    assert any("某某情况表" in g.title for g in doc.generic_tables)
