"""`budgetx templates learn`: a model maps a family once, the layout engine reads its documents offline.

Shanghai's family is taken out of the registry (a temporary folder holds the other families), the
local test server answers the mapping questions as a correct model would (tests/llm_mapping_oracle.py,
from a true reading of sh12), and the learned file must read the family's other real documents as
the hand-written family does, with no model call at extraction time.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from extractor import templates
from extractor.pipeline import Options, extract
from schemas import Document

from .llm_mapping_oracle import MappingOracle, failing_rules
from .llm_server import Fault, FakeLlm

ROOT = Path(__file__).resolve().parents[1]
PLACES = [ROOT / "samples" / "real", ROOT.parent / "shared" / "realworld", Path("/work/shared/realworld")]
OTHERS = ["sh10", "sh11", "sh08", "sh09", "sh17"]
# What one learning document cannot show, so the learned family differs from the hand-written one:
# the 三公 table counting project money (the teachers' figures obey the t6 identities, sh10's do not);
# and, learning from sh12, the project sheets' form labels (sh12 prints no sheet); the hand-written
# family's sums of its extra lines (line_sums), which learning does not write.
FAMILY_KNOWLEDGE = {"x.t10_reception_eq_t6", "x.t10_vehicle_operation_eq_t6",
                    "family.line_sum"}  # the hand-written line_sums are not learned
# The narrative's phrasings are not learned (tables and sheets are): what the hand-written family
# reads through its own [narrative] sentences, and the rules that compare those figures, may differ.
NARRATIVE_KNOWLEDGE = {"narr.project_count", "narr.project_amount"}


def _real(name: str) -> Path | None:
    return next((p / f"{name}.pdf" for p in PLACES if (p / f"{name}.pdf").exists()), None)


pytestmark = pytest.mark.skipif(_real("sh12") is None, reason="the real Shanghai documents are not here")


@pytest.fixture(params=["sh12", "sh17"])
def teacher(request) -> str:
    """The one document learned from: sh12 (labelled, no project sheets) or sh17 (with project sheets)."""
    if _real(request.param) is None:
        pytest.skip(f"{request.param} is not here")
    return request.param


@pytest.fixture()
def truth(teacher: str) -> tuple[Document, set[str]]:
    """The teacher as truly read: its gold when labelled, else the hand-written family's reading; and the rules its values break."""
    gold = ROOT / "eval" / "data" / teacher / "gold.json"
    hand = extract(_real(teacher), Options(template="shanghai-2023"))
    doc = Document.model_validate_json(gold.read_text(encoding="utf-8")) if gold.exists() else hand
    return doc, failing_rules(hand)


@pytest.fixture()
def registry(tmp_path: Path):
    """Every shipped family but shanghai-2023, in a folder of its own; learned files go to learned/."""
    folder = tmp_path / "families"
    folder.mkdir()
    for name in templates.names():
        if name != "shanghai-2023":
            shutil.copy(templates.FOLDER / f"{name}.toml", folder)
    with templates.use_folders(folder, shipped=False):
        yield folder


@pytest.fixture()
def server(truth):
    doc, failing = truth
    fake = FakeLlm(doc).start()
    fake.mapping = MappingOracle(doc, templates.load("shanghai-2023"), failing)
    yield fake
    fake.stop()


def _learn(server: FakeLlm, out: Path, teacher: str = "sh12") -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["templates", "learn", str(_real(teacher)), "-o", str(out), "--json",
                                      "--base-url", server.url, "--model", "test"], env={"OPENAI_API_KEY": "test"})
    return result.exit_code, result.stdout, result.stderr if hasattr(result, "stderr") else ""


def _own_narrative_fields(name: str) -> set[str]:
    """The narrative fields a shipped family reads with phrasings of its own (not the national set's)."""
    with templates.use_folders():
        own = templates.load(name).narrative_patterns
        national = {p.pattern for _, p in templates.load("national").narrative_patterns}
    return {field for key, p in own if p.pattern not in national for field in (list(p.groupindex) or [key])}


def _cells(doc: Document) -> dict:
    data = doc.model_dump(mode="json")
    return {k: data[k] for k in ("tables", "generic_tables", "narrative", "performance", "unit_name", "year",
                                 "staffing", "unit_kind")}


def test_a_learned_family_reads_the_others_as_the_hand_written_one(teacher, server, registry, tmp_path):
    assert "shanghai-2023" not in templates.names()
    out = tmp_path / "learned" / "shanghai-learned.toml"
    code, stdout, stderr = _learn(server, out, teacher)
    assert code == 0, stdout + stderr
    summary = json.loads(stdout)
    print(f"\nlearn {teacher}:", json.dumps(summary, ensure_ascii=False))
    sheets = bool(server.gold.performance.projects)  # a teacher without sheets cannot teach their labels
    assert summary["rate"] == 1.0 and out.exists() and not server.problems
    assert all(c.kind == "mapping" for c in server.calls)
    calls = len(server.calls)
    with templates.use_folders(registry, out.parent, shipped=False):
        family = templates.load("shanghai-learned")  # ordinary template data
        assert family.money_unit == "元" and family.extends == "national"
        for name in ["sh12"] + OTHERS:
            path = _real(name)
            if path is None:
                continue
            learned = extract(path)  # detected, offline
            with templates.use_folders():  # the shipped registry: the hand-written family
                hand = extract(path)
            assert (hand.template, learned.template) == ("shanghai-2023", "shanghai-learned")
            a, b = _cells(hand), _cells(learned)
            for field in _own_narrative_fields("shanghai-2023"):
                for cells in (a, b):
                    (cells["narrative"] or {}).pop(field, None)
            unseen = not sheets and bool(hand.performance.projects)
            if unseen:
                a.pop("performance"), b.pop("performance")
            assert a == b, name  # the same cells
            rules = {r: (t.evaluated, t.held) for r, t in hand.reconcile.by_rule.items()}
            got = {r: (t.evaluated, t.held) for r, t in learned.reconcile.by_rule.items()}
            print(f"{name}: hand-written {hand.reconcile.held}/{hand.reconcile.evaluated}, "
                  f"learned {learned.reconcile.held}/{learned.reconcile.evaluated}")
            differ = {r for r in set(rules) | set(got) if rules.get(r) != got.get(r)}
            allowed = FAMILY_KNOWLEDGE | NARRATIVE_KNOWLEDGE | ({r for r in differ if r.startswith("sheet.")} if unseen else set())
            assert differ <= allowed, (name, differ)
    assert len(server.calls) == calls  # no model call at extraction time


@pytest.mark.parametrize("teacher", ["sh12"], indirect=True)
def test_swapped_columns_are_fixed_by_the_re_ask(server, registry, tmp_path):
    server.swap_table = "t3"  # 合计 and 基本支出 swapped: every row's 合计 = 基本支出 + 项目支出 breaks
    server.faults.append(Fault("mapping", "swapped"))
    out = tmp_path / "learned" / "shanghai-learned.toml"
    code, stdout, stderr = _learn(server, out)
    assert code == 0, stdout + stderr
    assert json.loads(stdout)["rounds"] >= 2 and out.exists()
    reask = server.calls[1].payload["messages"][-1]["content"]
    assert "[t3." in reask  # the failed equations went back to the model
    text = out.read_text(encoding="utf-8")
    assert "columns.t3" not in text  # the national words read t3 right: the swapped rules are gone


@pytest.mark.parametrize("teacher", ["sh12"], indirect=True)
def test_a_mapping_that_keeps_failing_is_written_nowhere(server, registry, tmp_path):
    server.swap_table = "t3"
    server.faults.append(Fault("mapping", "swapped", sticky=True))
    out = tmp_path / "learned" / "shanghai-learned.toml"
    result = CliRunner().invoke(app, ["templates", "learn", str(_real("sh12")), "-o", str(out),
                                      "--base-url", server.url, "--model", "test"], env={"OPENAI_API_KEY": "test"})
    assert result.exit_code == 1
    assert "nothing written" in result.output and "t3." in result.output
    assert not out.exists() and not out.parent.exists()


def test_families_are_looked_up_in_further_folders(tmp_path, monkeypatch):
    (tmp_path / "mine-2030.toml").write_text('name = "mine-2030"\nextends = "national"\nmoney_unit = "元"\n',
                                             encoding="utf-8")
    monkeypatch.setenv(templates.ENV, str(tmp_path))
    assert "mine-2030" in templates.names() and "national" in templates.names()
    assert templates.load("mine-2030").money_unit == "元"
    result = CliRunner().invoke(app, ["templates", "show", "mine-2030", "--json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["extends"] == "national"
    assert CliRunner().invoke(app, ["templates", "mine-2030"]).exit_code == 0
