"""Unknown tables during extraction: the model maps a generic table to an empty contract slot.

A region that looks like a table (a ruled grid under a title, or holding amounts) but whose title
the detected family does not know is kept as a generic table by the layout engine. With
``--engine llm`` or ``hybrid`` such regions are asked about once per document with the mapping
prompt of ``templates learn`` (prompts/mapping/m1, extractor/llm/mapping.py): which contract
table it is, which printed column is which field. The model names positions only; the values are
read from the grid by the layout readers, the region re-kinded and the family overlaid with
header-word rules for the columns the model placed. A mapped table is kept only when its own
checker identities hold (after one re-ask with the failed equations); otherwise the layout's
reading stands and the reason goes to ``run.llm_failed``.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from schemas import Document
from schemas.tables import TABLE_TITLES

from ..llm.mapping import (SHEETS, MapAnswer, MapItem, Question, column_rules, followup, is_table_like, messages,
                           question, sheet_rules)
from ..llm.prompting import Prompt, load_prompt, prompts_dir
from ..llm.reconcile import failures
from ..locate import Layout
from ..templates import Template, WordRule
from .layout import LayoutEngine

log = logging.getLogger("budgetx.llm")
FIXED = ("t1", "t4", "t10")  # read by their printed lines, not by header words


@dataclass
class Mapped:
    """What the mapping step did for one document."""

    doc: Document
    tables: list[str] = field(default_factory=list)  # contract tables filled from generic regions
    failed: dict[str, str] = field(default_factory=dict)  # slot (or region) → why the mapping was not kept


def candidates(layout: Layout) -> list:
    """The generic regions worth asking about (before the layout engine touches the layout)."""
    return [r for r in layout.tables("generic") if is_table_like(r)]


def open_slots(layout: Layout) -> list[str]:
    """The slots a mapped region could fill, judged before the layout engine reads (and copies nothing):
    a contract table the family publishes that no region holds, the overall sheet when none was
    located, project sheets when none was (a family that knows the project form reads every sheet of
    it under its title). Empty: nothing to offer the model, so neither a question nor a pristine copy."""
    template = layout.template
    slots = [k for k in TABLE_TITLES if not any(r.grids or r.empty_note for r in layout.tables(k))
             and (template is None or k not in template.not_printed)]
    return slots + [k for k in SHEETS if not layout.tables(k)]


def mapping_prompt() -> Prompt:
    return load_prompt("m1", prompts_dir() / "mapping")


def map_unknown(doc: Document, pristine: Layout, read: Document, ask: Callable[[list[dict]], MapAnswer],
                reasks: int = 1) -> Mapped:
    """Ask about pristine's generic table regions when read (the layout's Document) leaves slots empty.

    doc is the Document as it was before any engine filled it; ask sends the turns and returns
    the model's mapping. Returns the Document with every kept mapping read into its slot. A
    region the model names a performance sheet is read as one (project sheets are a list: each
    is a slot of its own; the overall sheet only when the layout read none).
    """
    template = pristine.template
    empty = [k for k in TABLE_TITLES if not getattr(read.tables, k).present
             and (template is None or k not in template.not_printed)]
    if read.performance.overall is None:
        empty.append("overall")
    groups = _groups(candidates(pristine))
    out = Mapped(read)
    if not groups:
        return out
    asked = [question(regions[0], f"b{i + 1}") for i, regions in enumerate(groups)]
    regions_of = {q.id: regions for q, regions in zip(asked, groups)}
    turns = messages(mapping_prompt(), asked, sheets=True)
    answer = ask(turns)
    chosen = _choices(answer, asked, empty, out.failed)
    if not chosen:  # every region generic, or named for a slot the layout already filled
        return out
    excused = set(template.skip_rules) if template is not None else set()  # the family's own
    for attempt in range(reasks + 1):
        trial = _read(doc, pristine, chosen, regions_of)
        wrong = {q.id: failed for slot, (q, item) in chosen.items()
                 if (failed := _check(trial, item.table, regions_of[q.id], read.unit_name, excused))}
        if not wrong or attempt == reasks:
            break
        told = [m for q_id in wrong for m in wrong[q_id]]
        answer = ask(turns + followup(answer, told))
        # As when learning a family: a rule the printed table does not obey (a subtotal printed
        # without its parts) is named in skip. Only the keeping is excused: the Document's checker
        # still evaluates the rule (the family is unchanged), so its failure stays in the findings.
        excused |= {rule for item in answer.items for rule in item.skip}
        again = _choices(answer, asked, empty, {})
        for q_id in wrong:  # only the failed ones are taken from the re-ask
            slot = next((k for k, (q, _) in chosen.items() if q.id == q_id), None)
            redo = next(((k, qi) for k, qi in again.items() if qi[0].id == q_id), None)
            if slot is not None:
                del chosen[slot]
            if redo is not None and redo[0] not in chosen:
                chosen[redo[0]] = redo[1]
    for slot in [k for k, (q, _) in chosen.items() if q.id in wrong]:
        q, item = chosen.pop(slot)
        out.failed[_label(slot)] = (f"《{q.region.title}》 mapped as {item.table} breaks its identities: "
                                    + "; ".join(wrong[q.id][:3]) + "; the layout reading is kept")
    if not chosen:
        return out
    out.doc = _read(doc, pristine, chosen, regions_of) if wrong else trial
    out.tables = _labels(out.doc, chosen, regions_of)
    log.info("unknown tables: %s", ", ".join(f"《{q.region.title}》→{i.table}" for q, i in chosen.values()))
    return out


def _groups(regions: list) -> list[list]:
    """Regions by printed title (one question per title: five project sheets of one form are one);
    an untitled region is a group of its own."""
    groups: dict[str, list] = {}
    for i, region in enumerate(regions):
        groups.setdefault(region.title or f"#{i}", []).append(region)
    return list(groups.values())


def _label(slot: str) -> str:
    return slot.split(":", 1)[0]


def _choices(answer: MapAnswer, asked: list[Question], empty: list[str],
             failed: dict[str, str]) -> dict[str, tuple[Question, MapItem]]:
    """Slot → (question, item) for the answers that name an empty slot (first claim wins); a
    project sheet's slot is its own ("project:<block id>")."""
    by_id = {q.id: q for q in asked}
    chosen: dict[str, tuple[Question, MapItem]] = {}
    for item in answer.items:
        q = by_id.get(item.id)
        if q is None or item.table not in (*TABLE_TITLES, *SHEETS):
            continue  # generic, or an id never asked
        slot = f"project:{q.id}" if item.table == "project" else item.table
        if item.table not in empty and item.table != "project":
            failed.setdefault(item.table, f"《{q.region.title}》 mapped as {item.table}, which the layout already read")
        elif slot in chosen:
            failed.setdefault(item.table, f"《{q.region.title}》 and 《{chosen[slot][0].region.title}》 "
                                          f"both mapped as {item.table}; the first is kept")
        else:
            chosen[slot] = (q, item)
    return chosen


def _read(doc: Document, pristine: Layout, chosen: dict[str, tuple[Question, MapItem]],
          regions_of: dict[str, list]) -> Document:
    """The layout engine's Document with each chosen region read as its slot, under the mapped
    columns (tables) or form labels (sheets)."""
    layout = copy.deepcopy(pristine)  # the layout engine merges and appends regions in place
    base = layout.template
    columns = {k: list(v) for k, v in (base.columns if base else {}).items()}
    sheets = {k: list(v) for k, v in (base.sheets if base else {}).items()}
    for q, item in chosen.values():
        kind = item.table
        for region in regions_of[q.id]:
            index = next(i for i, r in enumerate(pristine.regions) if r is region)
            layout.regions[index].kind = kind
        if base is None or not q.region.grids:
            continue
        if kind in SHEETS:
            rules = [tuple(rule) for rule in sheet_rules(kind, q, item, base)]
            sheets[kind] = [r for r in rules if r not in sheets.get(kind, [])] + sheets.get(kind, [])
        elif kind not in FIXED:
            columns[kind] = word_rules(kind, q.region.grids[0], item.cols, base) + columns.get(kind, [])
    if base is not None:
        layout.template = base.model_copy(update={"columns": {k: tuple(v) for k, v in columns.items()},
                                                  "sheets": {k: tuple(v) for k, v in sheets.items()}})
    return LayoutEngine().fill(doc.model_copy(deep=True), layout)


def word_rules(kind: str, grid, cols: dict[str, int], base: Template) -> list[WordRule]:
    """Header-word rules that make the layout reader take each printed column as the model placed it."""
    rules, _ = column_rules(kind, grid, cols, base)
    return [WordRule(words=tuple(r["words"]), field=r["field"]) for r in rules]


def _sheets_of(doc: Document, kind: str, regions: list) -> list[tuple[int, object]]:
    """(index, sheet) read from the regions: the overall sheet, or the project sheets on their pages."""
    if kind == "overall":
        return [(0, doc.performance.overall)] if doc.performance.overall is not None else []
    pages = {p for r in regions for p in r.pages}
    return [(i, s) for i, s in enumerate(doc.performance.projects) if set(s.pages) & pages]


def _check(doc: Document, kind: str, regions: list, unit_name: str | None, excused: set[str]) -> list[str]:
    """Why a mapping is not kept: nothing read, or its own identities failing (but the excused)."""
    if kind in SHEETS:
        read = [s for _, s in _sheets_of(doc, kind, regions)]
        if not read or not any(s.indicators for s in read):
            return [f"[{kind}] no indicator was read as a {kind} sheet with this mapping"]
        found = [f for s in read for f in failures(kind, s.model_copy(deep=True), unit_name)]
    else:
        table = getattr(doc.tables, kind)
        if not table.present or (not table.rows and table.total is None and not table.empty_note):
            return [f"[{kind}] nothing was read as {kind} with this mapping"]
        found = failures(kind, table.model_copy(deep=True), unit_name)
    return [f"[{f.rule}] {f.message}" for f in found if f.rule not in excused]


def _labels(doc: Document, chosen: dict[str, tuple[Question, MapItem]], regions_of: dict[str, list]) -> list[str]:
    """run.llm_tables entries: t1…t11 in order, then overall and project[i] as read."""
    kinds = {item.table for _, item in chosen.values()}
    out = [k for k in TABLE_TITLES if k in kinds] + (["overall"] if "overall" in kinds else [])
    projects = sorted({i for q, item in chosen.values() if item.table == "project"
                       for i, _ in _sheets_of(doc, "project", regions_of[q.id])})
    return out + [f"project[{i}]" for i in projects]
