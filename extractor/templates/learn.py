"""``budgetx templates learn``: a model maps a new family's tables once; the layout engine reads it thereafter.

Each table-like region of the given PDFs (located with the family it ``extends``) is asked about
by reference (prompts/mapping/m1, extractor/llm/mapping.py). The answers become ordinary template data:
title patterns from the printed titles, header-word rules where the parent family maps a printed
column to another field, the money unit, row sums, skipped rules, tables not printed. The file is
then checked: the PDFs are extracted offline with it and the checker runs; failed equations go
back to the model, and a family that still does not reconcile is written nowhere.
"""

from __future__ import annotations

import re
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import tomli_w

from ..errors import BudgetxError
from ..locate import NUMBER, Layout, locate, normalise, title_kind
from ..pages import load_pages
from . import Template, folders, load, use_folders

FIXED = ("t1", "t4", "t10")
PART_KINDS = ("narrative", "glossary", "profile", "tables_part")  # tables read by their fixed lines, not by header words
_PREFIX = re.compile(r"^(\d{4}年度?)?(部门|单位)?")
_QUOTES = "\"'“”‘’「」"


class LearnError(BudgetxError):
    """The learned family does not read its own documents right; nothing was written."""


@dataclass
class Learned:
    """What one learning run produced and measured."""

    data: dict  # the family as TOML data
    reconcile: dict[str, tuple[int, int]] = field(default_factory=dict)  # pdf → (evaluated, held)
    rounds: int = 1
    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    failures: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        evaluated = sum(e for e, _ in self.reconcile.values())
        return sum(h for _, h in self.reconcile.values()) / evaluated if evaluated else 0.0


def title_pattern(title: str) -> str:
    """A regex for a printed title: its year, 部门/单位 and table number left out, quotes optional."""
    core = _PREFIX.sub("", NUMBER.sub("", normalise(title))) or normalise(title)
    return "".join(".?" if ch in _QUOTES else re.escape(ch) for ch in core)


def questions_of(pdfs: list[Path], base: Template) -> tuple[list, dict[str, Layout]]:  # noqa: D103
    """The table-like regions of every PDF, one question per distinct printed title."""
    from ..llm.mapping import is_sheet, is_table_like, question

    out, seen, layouts = [], set(), {}
    for pdf in pdfs:
        pages, _ = load_pages(pdf)
        layout = locate(pages, base)
        layouts[str(pdf)] = layout
        for region in layout.regions:
            key = title_pattern(region.title) if region.title else None
            if is_sheet(region):  # one sheet of each form: its labels are the form's
                key = region.kind
            elif not is_table_like(region):
                continue
            if key and key in seen:
                continue
            seen.add(key)
            out.append(question(region, f"b{len(out) + 1}", str(pdf)))
    return out, layouts


def heading_pattern(text: str) -> str:
    """A regex for a whole part heading: a year (printed or not) and 部门/单位 generalised."""
    text = re.sub(r"^\d{4}年度?", "", normalise(text))
    body = "(部门|单位)".join(re.escape(part) for part in re.split(r"部门|单位", text))
    return r"^(\d{4}年度?)?" + body + "$"


def build(name: str, base: Template, questions: list, items: dict, sources: list[str],
          parts: dict[str, str] | None = None) -> dict:
    """The family's TOML data from the model's mapping items (block id → MapItem) and part headings (text → kind)."""
    from ..llm.mapping import column_rules, sheet_rules

    titles: dict[str, list[str]] = {}
    for text, kind in (parts or {}).items():
        pattern = heading_pattern(text)
        if kind in PART_KINDS and pattern not in titles.setdefault(kind, []):
            titles[kind].append(pattern)
    columns: dict[str, list[dict]] = {}
    row_sums: dict[str, list[str]] = {}
    sheets: dict[str, list[list[str]]] = {}
    units: Counter[str] = Counter()
    skip: list[str] = []
    answered = set()
    for q in questions:
        item = items.get(q.id)
        if item is None:
            continue
        if item.table in SHEET_KINDS or q.region.kind in SHEET_KINDS:
            kind = item.table if item.table in SHEET_KINDS else q.region.kind
            for rule in sheet_rules(kind, q, item, base):
                if rule not in sheets.setdefault(kind, []):
                    sheets[kind].append(rule)
            if q.region.title and title_kind(q.region.title, base) != kind:
                titles.setdefault(kind, []).append(title_pattern(q.region.title))
            continue
        kind = item.table if item.table in TABLE_OR_GENERIC else "generic"
        answered.add(kind)
        skip += [r for r in item.skip if r not in skip]
        if item.unit in ("元", "万元"):
            units[item.unit] += 1
        if q.region.title and title_kind(q.region.title, base) != kind:
            pattern = title_pattern(q.region.title)
            if pattern and pattern not in titles.setdefault(kind, []):
                titles[kind].append(pattern)
        if kind in FIXED or kind == "generic" or not q.region.grids:
            continue
        rules, roles = column_rules(kind, q.region.grids[0], item.cols, base)
        for rule in rules:
            if rule not in columns.setdefault(kind, []):
                columns[kind].append(rule)
        if item.sum:
            row_sums[kind] = [roles[c] for c in item.sum if 0 <= c < len(roles) and roles[c]]
    data: dict = {"name": name, "extends": base.name,
                  "description": "learned by budgetx templates learn from " + ", ".join(Path(s).name for s in sources)}
    data["money_unit"] = units.most_common(1)[0][0] if units else base.money_unit
    if skip:
        data["skip_rules"] = skip
    missing = [t for t in TABLE_OR_GENERIC[:-1] if t not in answered and t not in base.not_printed]
    if missing:
        data["not_printed"] = missing
    # Longer titles first: a title that holds a shorter one ("财政拨款收支预算总表" ⊃ "收支预算总表") wins.
    order = sorted(((p, k) for k, ps in titles.items() for p in ps), key=lambda pk: -len(pk[0]))
    data["titles"] = [{"kind": k, "patterns": [p]} for p, k in order]
    if columns:
        data["columns"] = columns
    if row_sums:
        data["row_sums"] = row_sums
    if sheets:
        data["sheets"] = sheets
    return data


SHEET_KINDS = ("overall", "project")


TABLE_OR_GENERIC = tuple(f"t{i}" for i in range(1, 12)) + ("generic",)


def check(name: str, folder: Path, pdfs: list[Path], questions: list, items: dict) -> tuple[dict, list[str]]:
    """Extract the PDFs offline with the family in folder; (pdf → (evaluated, held), failures as text)."""
    from ..pipeline import Options, extract

    reconcile, failures = {}, []
    with use_folders(folder, *folders(), shipped=False):
        for pdf in pdfs:
            doc = extract(pdf, Options(template=name))
            rec = doc.reconcile
            reconcile[str(pdf)] = (rec.evaluated, rec.held)
            bad = {r for r, t in rec.by_rule.items() if t.held < t.evaluated}
            for rule in sorted(bad):  # a few equations per failed rule: every rule is heard
                failures += [f"[{f.rule}] {f.message}" for f in doc.findings if f.rule == rule][:3]
            for q in questions:  # a table the model named must be read from its own document
                item = items.get(q.id)
                if q.source == str(pdf) and item is not None and item.table.startswith("t") \
                        and not getattr(doc.tables, item.table).present:
                    failures.append(f"[{item.table}] {Path(pdf).name}: 《{q.region.title}》 was not read as {item.table}")
    return reconcile, failures


def learn(pdfs: list[Path], out: Path, name: str | None = None, extends: str = "national",
          settings=None, min_rate: float = 1.0, rounds: int = 2) -> Learned:
    """Ask, build, check, re-ask with the failed equations; write out only a family that reconciles."""
    from ..llm.client import LlmClient
    from ..llm.context import AnswerContext
    from ..llm.mapping import Answer_mapping, followup, headings, messages
    from ..llm.prompting import load_prompt, prompts_dir

    name = name or out.stem
    base = load(extends)
    pdfs = [Path(p) for p in pdfs]
    questions, layouts = questions_of(pdfs, base)
    heads = headings(list(layouts.values()), base)
    if not questions:
        raise LearnError("no table-like region (ruled grid with amounts) in the given PDFs")
    client = LlmClient(settings)
    turns = messages(load_prompt("m1", prompts_dir() / "mapping"), questions, heads)
    result = Learned(data={})
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for attempt in range(rounds + 1):
            answer = client.ask("mapping", Answer_mapping, turns, AnswerContext())
            items = {item.id: item for item in answer.items}
            parts = {heads[int(k) - 1]: v for k, v in answer.parts.items() if k.isdigit() and 0 < int(k) <= len(heads)}
            result.data = build(name, base, questions, items, [str(p) for p in pdfs], parts)
            (folder / f"{name}.toml").write_bytes(tomli_w.dumps(result.data).encode("utf-8"))
            result.reconcile, result.failures = check(name, folder, pdfs, questions, items)
            result.rounds = attempt + 1
            if not result.failures and result.rate >= min_rate and result.reconcile:
                break
            turns = turns + followup(answer, result.failures or [f"reconcile rate {result.rate:.3f} < {min_rate}"])
    total = client.ledger.total
    result.calls, result.input_tokens, result.output_tokens = total.calls, total.input_tokens, total.output_tokens
    if result.failures or result.rate < min_rate:
        shown = "\n  ".join(result.failures[:10])
        error = LearnError(f"the learned family {name!r} still fails after {result.rounds} answers "
                           f"(reconcile {result.rate:.3f}); nothing written to {out}:\n  {shown}")
        error.learned = result  # type: ignore[attr-defined]
        raise error
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(result.data), encoding="utf-8")
    return result


def render(data: dict) -> str:
    """The family file: a header saying where it came from, then the TOML."""
    head = (f"# {data['description']}.\n# Ordinary template data: review it, edit it, commit it "
            f"(extractor/templates/ or a folder on $BUDGETX_TEMPLATES).\n")
    return head + tomli_w.dumps(data)


def run_learn(pdfs: list[Path], out: Path, name: str | None, extends: str, llm: dict, min_rate: float,
              as_json: bool, console, errors) -> int:
    """The CLI body of ``budgetx templates learn``: 0 written, 1 not (with why), 2 bad input."""
    import json

    from ..errors import UnknownNameError
    from ..llm.client import Settings

    try:
        settings = Settings.from_options(**llm)
        learned = learn(pdfs, out, name, extends, settings, min_rate)
    except LearnError as exc:
        errors.print(f"error: {exc}", markup=False, highlight=False)
        spent = getattr(exc, "learned", None)
        if spent is not None:
            errors.print(f"({spent.calls} calls, {spent.input_tokens}+{spent.output_tokens} tokens)", markup=False)
        return 1
    except UnknownNameError as exc:
        errors.print(f"error: {exc}", markup=False)
        return 2
    except BudgetxError as exc:
        errors.print(f"error: {exc}", markup=False, highlight=False)
        return 1
    summary = {"file": str(out), "name": learned.data["name"], "rounds": learned.rounds,
               "reconcile": {Path(p).name: {"evaluated": e, "held": h} for p, (e, h) in learned.reconcile.items()},
               "rate": round(learned.rate, 4), "calls": learned.calls,
               "input_tokens": learned.input_tokens, "output_tokens": learned.output_tokens}
    if as_json:
        console.print_json(json.dumps(summary, ensure_ascii=False))
    else:
        for pdf, (e, h) in learned.reconcile.items():
            console.print(f"{Path(pdf).name}: {h}/{e} identities hold with the learned family", highlight=False)
        console.print(f"wrote {out} ({learned.rounds} answer(s), {learned.calls} calls, "
                      f"{learned.input_tokens}+{learned.output_tokens} tokens)", highlight=False, markup=False)
    return 0
