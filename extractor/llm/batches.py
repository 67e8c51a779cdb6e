"""Several table pieces and sheets per call, answered by reference (refs.py).

A call's fixed cost (system prompt, tool schema, field list) is paid once per batch instead of
once per table, and a refs answer is short whatever the table's length, so a batch is sized by
the grid text it carries. Each block is validated on its own: the contract model is built from
the references, checked by its table's rules, and a failure goes back naming the block, the
equation and the cells; blocks that pass are kept even if another block of the batch never does.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationInfo, model_validator

from schemas.tables import TABLE_TITLES

from .answers import MODELS, check_answer, model_of
from .context import AnswerContext, BatchContext
from .gridtext import Piece, estimate_tokens
from .refs import SHEETS, Numbered, RefAnswer, RefError, inherit, materialise, ref_schema, row_fields, row_model


@dataclass
class Block:
    """One piece of one job inside a batch: its id in the prompt, its numbered grid."""

    label: str  # the job's label (t3, project[4])
    kind: str
    piece: Piece
    grid: Numbered
    counted: bool  # whether the answer must hold a row per printed data line
    layout: BaseModel | None = None  # the layout engine's reading of the same table, when whole

    @property
    def id(self) -> str:
        return self.grid.id

    @property
    def tokens(self) -> int:
        return estimate_tokens(self.grid.text) + 20


def block_id(label: str, piece: Piece) -> str:
    """The block's name in the prompt: t3, t7#2 (second piece), p4 (project sheet 4), overall."""
    short = f"p{label[8:-1]}" if label.startswith("project[") else label
    return f"{short}#{piece.part}" if piece.parts > 1 else short


def pack(blocks: list[Block], budget: int) -> list[list[Block]]:
    """Blocks in document order, grouped into batches of at most ~budget grid tokens."""
    batches: list[list[Block]] = [[]]
    used = 0
    for block in blocks:
        if batches[-1] and used + block.tokens > budget:
            batches.append([])
            used = 0
        batches[-1].append(block)
        used += block.tokens
    return [b for b in batches if b]


def split(batch: list[Block]) -> list[list[Block]]:
    """A batch in two (after a truncated answer); one block stays one."""
    if len(batch) < 2:
        return [batch]
    mid = len(batch) // 2
    return [batch[:mid], batch[mid:]]


def contexts(batch: list[Block], unit_name: str | None) -> BatchContext:
    """The validation context of one call: per block, what check_answer keeps between re-asks."""
    return BatchContext(blocks={b.id: b for b in batch},
                        sub={b.id: AnswerContext(unit_name=unit_name, row_local=b.piece.parts > 1,
                                                 min_rows=b.piece.data_rows() if b.counted else None)
                             for b in batch})


def _validate(answer: RefAnswer, context: BatchContext) -> None:
    blocks: dict[str, Block] = context.blocks
    problems: list[str] = []
    given = {}
    for item in inherit(answer.items, {b.id: b.kind for b in blocks.values()}):
        if item.id not in blocks:
            problems.append(f"{item.id}: no such block; blocks: {', '.join(blocks)}")
        else:
            given[item.id] = item
    for block_id_, block in blocks.items():
        sub = context.sub[block_id_]
        item = given.get(block_id_)
        if item is None:
            if sub.last is None:
                problems.append(f"{block_id_}: no item answers this block")
                sub.problem = problems[-1]
            continue
        try:
            where: dict = {}
            model = materialise(block.kind, block.grid, item, where)
            if block.layout is not None and same(model, block.layout):
                # Two independent readings of the grid agree: a sum that fails is printed so,
                # and asking the model to confirm it would only pay for the batch again.
                sub.last, sub.agreed, sub.where = model, True, where
                continue
            try:
                check_answer(block.kind, model, sub)
            finally:
                if sub.last is model:  # kept (passed, or printed so): its provenance with it
                    sub.where = where
        except RefError as exc:
            problems.append(str(exc))
            sub.problem = problems[-1]
        except ValueError as exc:
            problems.append(f"[{block_id_}] {exc}")
            sub.problem = problems[-1]
    context.last = answer  # the client returns this when re-asks run out; blocks keep their own
    if problems:
        raise ValueError("\n".join(problems))


@functools.lru_cache(maxsize=1)
def answer_model() -> type[BaseModel]:
    """RefAnswer with its compact schema and the per-block validation."""

    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict:
        return ref_schema()

    @model_validator(mode="after")
    def _check(self: RefAnswer, info: ValidationInfo) -> RefAnswer:
        if isinstance(info.context, BatchContext):
            _validate(self, info.context)
        return self

    return type("Answer_refs", (RefAnswer,), {"__module__": __name__, "model_json_schema": classmethod(
        model_json_schema), "_check": _check})


def same(a: BaseModel, b: BaseModel) -> bool:
    """Equal as extracted values (pages, flags, notes and what the layout alone reads aside: the
    printed title, the unit, columns and lines without a contract field)."""
    skip = {"pages", "present", "empty_note", "title", "unit", "extra"}
    return _without(a.model_dump(), skip) == _without(b.model_dump(), skip)


def _without(value: Any, skip: set[str]) -> Any:
    if isinstance(value, dict):
        return {k: _without(v, skip) for k, v in value.items() if k not in skip}
    if isinstance(value, list):
        return [_without(v, skip) for v in value]
    return value


def problems(context: BatchContext) -> dict[str, str]:
    """Per block id without a kept answer, the last reason it was refused (its first line)."""
    return {i: (sub.problem or "no answer").splitlines()[0][:300]
            for i, sub in context.sub.items() if sub.last is None}


def results(context: BatchContext) -> dict[str, tuple[BaseModel, dict]]:
    """Per block id, the answer kept (the last that passed, or was confirmed as printed) and
    where its values were read (pointer relative to the model → page, box)."""
    out = {}
    for block_id_, sub in context.sub.items():
        if sub.last is not None:
            out[block_id_] = (sub.last, sub.where)
    return out


# ---- what the prompt lists per kind ------------------------------------------------


def cell_fields(kind: str) -> list[tuple[str, str]]:
    """(pointer, Chinese header) of the fields outside the rows: t1/t4 income and totals, sheet forms."""
    model = MODELS[kind]
    listed = row_model(kind)
    out: list[tuple[str, str]] = []

    def walk(m: type[BaseModel], prefix: str) -> None:
        for name, info in m.model_fields.items():
            if name in ("present", "title", "unit", "pages", "empty_note", "extra", "rows", "indicators"):
                continue
            sub = model_of(info.annotation)
            if sub is listed:
                continue  # a total row shaped like a body row: given by its line
            if sub is not None:
                walk(sub, f"{prefix}{name}/")
            else:
                out.append((f"{prefix}{name}", (info.description or "").split("（")[0]))

    walk(model, "")
    return out


def _short(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Headers without their explanatory brackets, unless two fields would then read the same."""
    short = [(f, re.sub(r"（[^）]*）", "", h).split(" / ")[0].split("；")[0].strip() or h) for f, h in pairs]
    heads = [h for _, h in short]
    return [(f, h if heads.count(h) == 1 else full) for (f, h), (_, full) in zip(short, pairs)]


def kind_glossary(kind: str) -> dict:
    """The field list one kind contributes to a batch prompt: row fields, then cells grouped by section."""
    model = row_model(kind)
    rows = [(f, model.model_fields[f].description or "") for f in row_fields(kind)
            if not (kind == "t10" and f == "line") and f != "weight_raw"]
    groups: dict[str, list[tuple[str, str]]] = {}
    for pointer, header in cell_fields(kind):
        section, _, leaf = pointer.rpartition("/")
        groups.setdefault(section, []).append((leaf, header))
    cells = [(section, _short(pairs)) for section, pairs in groups.items()]
    title = TABLE_TITLES.get(kind) or {"overall": "整体绩效目标表", "project": "项目支出绩效目标表"}[kind]
    return {"kind": kind, "title": title, "rows": _short(rows), "cells": cells}


def glossaries(kinds: list[str]) -> list[dict]:
    """Field lists for a batch; kinds with the same fields (t3 and t5, t8 and t9) share one entry."""
    out: list[dict] = []
    for kind in kinds:
        entry = kind_glossary(kind)
        twin = next((e for e in out if e["rows"] == entry["rows"] and e["cells"] == entry["cells"]), None)
        if twin is not None:
            twin["kind"] += f"、{kind}"
        else:
            out.append(entry)
    return out


def has_data(block: Block) -> bool:
    """Whether a block prints anything to map: a sheet always, a table only with an amount or code."""
    return block.kind in SHEETS or block.piece.data_rows() > 0
