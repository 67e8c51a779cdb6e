"""The answer a refs prompt asks for: per block, where its fields are printed (see refs.py).

The tool schema is written by hand rather than generated: it is the same for every table and
sheet, so one call can hold several, and it is short, since every call pays for it.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class RefItem(BaseModel):
    """Where one table piece's or sheet's fields are printed in its numbered grid."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="块编号，如 t3、t7#2、project[4]")
    cols: dict[str, int | list[int]] | None = Field(default=None, description="行字段 → 列号（多列连写）；省略则同上一同类块")
    rows: list[int | str] = Field(default_factory=list, description="数据行的行号或行号区间 \"a-b\"")
    total: int | None = Field(default=None, description="合计/总计行的行号")
    cells: dict[str, list[int] | str] | None = Field(
        default=None, description="其他字段（路径如 income/general_budget）→ [行号, 列号] 或原文；省略则同上一同类块")
    fix: list[list[int | str]] = Field(default_factory=list, description="改正：[行号, 列号, 正确原文]")


class RefAnswer(BaseModel):
    """Every block of the request, answered by reference."""

    model_config = ConfigDict(extra="forbid")

    items: list[RefItem]


def ref_schema() -> dict:
    """The tool schema: short, the same for every table and sheet (so one call can hold several)."""
    cell = {"type": "array", "items": {"type": "integer"}, "minItems": 2, "maxItems": 2}
    item = {
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "cols": {"type": "object", "additionalProperties": {
                "anyOf": [{"type": "integer"}, {"type": "array", "items": {"type": "integer"}}]}},
            "rows": {"type": "array", "items": {"anyOf": [{"type": "integer"}, {"type": "string"}]}},
            "total": {"type": "integer"},
            "cells": {"type": "object", "additionalProperties": {"anyOf": [cell, {"type": "string"}]}},
            "fix": {"type": "array", "items": {"type": "array", "items": {
                "anyOf": [{"type": "integer"}, {"type": "string"}]}, "minItems": 3, "maxItems": 3}},
        },
        "required": ["id"],
        "additionalProperties": False,
    }
    return {"title": "Answer_refs", "type": "object", "properties": {"items": {"type": "array", "items": item}},
            "required": ["items"]}


def inherit(items: list[RefItem], kind_of: dict[str, str]) -> list[RefItem]:
    """Items with omitted cols/cells taken from the previous item of the same kind.

    Sheets of one template print their columns and form fields in the same places, so a batch
    of sheets says where once and the rest say "same as above" by leaving them out.
    """
    last: dict[str, RefItem] = {}
    out = []
    for item in items:
        kind = kind_of.get(item.id)
        before = last.get(kind) if kind else None
        update = {}
        if item.cols is None:
            update["cols"] = dict(before.cols or {}) if before else {}
        if item.cells is None:
            update["cells"] = dict(before.cells or {}) if before else {}
        item = item.model_copy(update=update) if update else item
        if kind:
            last[kind] = item
        out.append(item)
    return out
