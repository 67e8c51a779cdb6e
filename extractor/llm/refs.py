"""Answers by reference: the model maps grid cells to fields instead of copying them.

Copying a table back costs about as many tokens as reading it, and every copied digit can
be miscopied. So for the ``refs`` prompts the model gets each grid with numbered lines and a
column index line, and answers, per table piece or sheet, where the fields are:

    {"id": "t3", "cols": {"code": [0, 1, 2], "name": 3, "total": 4, "basic": 5, "project": 6},
     "rows": ["4-40"], "total": 3,
     "cells": {"special_account_label": [2, 9]},
     "fix": [[12, 5, "320.39"]]}

``cols`` map row fields to grid columns (several columns are joined: a code printed 类|款|项),
``rows`` are the body lines that are rows (numbers or "a-b" ranges), ``total`` is the line
of the 合计/总计 row, ``cells`` set any other field by pointer to a [line, column] cell or to a
literal, and ``fix`` corrects a cell the grid holds wrongly (a misread digit). The engine
reads the values from the grid itself, builds the contract's model, and validates it like a
copied answer: the same strict schema, the same reconciliation and the same re-asks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from schemas.common import parse_money
from schemas.pointer import PointerError, assign, join, resolve, split

from .. import templates
from ..columns import as_money
from ..locate import clean, normalise
from ..provenance import union
from ..templates import match_words
from ..read_sheets import split_weight
from .answers import MODELS, model_of
from .gridtext import Piece, Spot
from .refanswer import RefAnswer, RefItem, inherit, ref_schema

__all__ = ["Numbered", "RefAnswer", "RefError", "RefItem", "inherit", "materialise", "ref_schema", "row_fields",
           "row_model"]

SHEETS = ("overall", "project")
_RANGE = re.compile(r"^\s*(\d+)\s*-\s*(\d+)\s*$")


# ---- the numbered grid ---------------------------------------------------------------


@dataclass
class Numbered:
    """A piece as the model sees it for a refs answer: lines numbered from 1, cells by line."""

    id: str
    text: str = ""
    lines: dict[int, list[str]] = field(default_factory=dict)
    spots: dict[int, list[Spot]] = field(default_factory=dict)  # page and box per line and column

    @classmethod
    def of(cls, piece: Piece, id: str) -> "Numbered":
        out = cls(id)
        text: list[str] = []
        blocks = [piece.header + piece.body] + list(piece.extra_grids)
        spots = [piece.header_spots + piece.body_spots] + list(piece.extra_spots)
        n = 0
        for block, block_spots in zip(blocks, spots + [[]] * (len(blocks) - len(spots))):
            if not block:
                continue
            aligned = len(block_spots) == len(block)  # a piece built by hand may carry no boxes
            width = max(len(line.split("|")) for line in block)
            text.append("#|" + "|".join(str(c) for c in range(width)))
            for i, line in enumerate(block):
                n += 1
                if aligned:
                    out.spots[n] = block_spots[i]
                cells = line.split("|")
                out.lines[n] = cells + [""] * (width - len(cells))
                while cells and cells[-1] in ("", "<"):  # trailing blanks and spans cost tokens, say nothing
                    cells.pop()
                text.append(f"{n}|" + "|".join(cells))
        out.text = "\n".join(text)
        return out

    def anchor(self, line: int, col: int, fixes: dict[tuple[int, int], str]) -> tuple[int, int, str]:
        """The cell a position shows: a merged cell is read at its anchor (left for "<", up for "^")."""
        for _ in range(200):  # a malformed chain of marks must not loop
            if (line, col) in fixes:
                return line, col, fixes[(line, col)]
            cells = self.lines.get(line)
            if cells is None or not 0 <= col < len(cells):
                raise RefError(f"{self.id}: no cell at line {line}, column {col}")
            text = cells[col]
            if text == "<":
                col -= 1
            elif text == "^":
                line -= 1
            else:
                return line, col, text
        raise RefError(f"{self.id}: line {line}, column {col} is a merge mark with no anchor")

    def cell(self, line: int, col: int, fixes: dict[tuple[int, int], str]) -> str:
        """A cell's text, a merged cell's from its anchor."""
        return self.anchor(line, col, fixes)[2]


class RefError(ValueError):
    """A reference that does not resolve; goes back to the model as a re-ask."""


# ---- from references to the contract model -----------------------------------------


def _is_money(info: Any) -> bool:
    return any(getattr(m, "func", None) is parse_money for m in info.metadata)


def _fields(model: type[BaseModel]) -> dict[str, str]:
    """Field → kind ("money", "code", "text", "other") for a row or sheet model."""
    out = {}
    for name, info in model.model_fields.items():
        if _is_money(info):
            out[name] = "money"
        elif name == "code":
            out[name] = "code"
        elif info.annotation in (str, str | None):
            out[name] = "text"
        else:
            out[name] = "other"
    return out


def row_model(kind: str) -> type[BaseModel]:
    """The model of one listed row: a table's body row, or a sheet's indicator."""
    base = MODELS[kind]
    name = "indicators" if kind in SHEETS else "rows"
    return base.model_fields[name].annotation.__args__[0]  # type: ignore[union-attr]


def row_fields(kind: str) -> list[str]:
    """The fields a row (or indicator) of this kind can map, as the prompt lists them."""
    hidden = {"target", "extra"}
    return [f for f in row_model(kind).model_fields if f not in hidden]


def _lines(spec: list[int | str], known: dict[int, list[str]], where: str) -> list[int]:
    out: list[int] = []
    for part in spec:
        if isinstance(part, int) or (isinstance(part, str) and part.strip().isdigit()):
            out.append(int(part))
            continue
        match = _RANGE.match(str(part))
        if not match or int(match.group(1)) > int(match.group(2)):
            raise RefError(f"{where}: rows entry {part!r} is neither a line number nor a range \"a-b\"")
        out += range(int(match.group(1)), int(match.group(2)) + 1)
    missing = [n for n in out if n not in known]
    if missing:
        raise RefError(f"{where}: rows name lines {missing[:5]} that the grid does not have")
    return out


def _value(kind: str, text: str, where: str) -> Any:
    """A cell's text as the field wants it: an amount, a code's digits, or the text as printed."""
    if kind == "money":
        text = normalise(text)
        if not text or text in ("-", "—", "－"):
            return None
        amount = as_money(text)
        if amount is None:
            raise RefError(f"{where}: {text!r} is not an amount; give the printed amount in fix")
        return amount
    if kind == "code":  # the leading digits: a cell may print the name after the code
        return re.match(r"\d*", normalise(text)).group() or None
    return clean(text) or None


class Reader:
    """Builds one table's or sheet's data from a RefItem over its numbered grid."""

    def __init__(self, kind: str, grid: Numbered, item: RefItem):
        item = item.model_copy(update={"cols": item.cols or {}, "cells": item.cells or {}})
        self.kind, self.grid, self.item = kind, grid, item
        self.where = item.id
        self.fixes: dict[tuple[int, int], str] = {}
        for entry in item.fix:
            if len(entry) != 3 or not all(isinstance(x, int) for x in entry[:2]):
                raise RefError(f"{self.where}: fix entry {entry!r} is not [line, column, text]")
            self.fixes[(int(entry[0]), int(entry[1]))] = str(entry[2])
        self.fields = _fields(row_model(kind))
        self.found: dict[str, Spot] = {}  # provenance: pointer (relative to the model) → page and box
        self._row_spots: dict[str, Spot] = {}

    def text(self, line: int, col: int) -> str:
        return self.grid.cell(line, col, self.fixes)

    def row(self, line: int, previous: dict | None) -> dict:
        row: dict[str, Any] = {}
        self._row_spots = {}
        taken: set[tuple[int, int]] = set()  # a cell merged across mapped columns fills only the first
        order = sorted(self.item.cols.items(), key=lambda kv: (
            min(kv[1]) if isinstance(kv[1], list) and kv[1] else (kv[1] if isinstance(kv[1], int) else 0),
            kv[0] != "code"))
        for name, cols in order:
            kind = self.fields.get(name)
            if kind is None or name == "target":
                raise RefError(f"{self.where}: cols names {name!r}, not a field here; fields: "
                               f"{', '.join(row_fields(self.kind))}")
            cols = [cols] if isinstance(cols, int) else list(cols)
            where = f"{self.where} line {line}"
            if name == "weight" and self.kind in SHEETS:
                got = _weight(self, line, cols)
                row.update(got)
                self._spot(next((k for k, v in got.items() if v is not None), name), line, cols)
                continue
            if kind == "code" and len(cols) > 1:
                row[name] = self._split_code(line, cols, previous)
                self._spot(name, line, cols)
                continue
            anchors = [self.grid.anchor(line, c, self.fixes) for c in cols]
            fresh = [a for a in anchors if a[0] != line or (a[0], a[1]) not in taken]
            text = "".join(a[2] for a in fresh)
            if self.item.cols.get("code") == cols[0] and len(cols) == 1 and name != "code":
                text = re.sub(r"^\s*\d+", "", text)  # "211节能环保支出": code and name share a cell
            row[name] = _value(kind, text, f"{where} {name}")
            self._spot(name, line, [a[1] for a in fresh], [a[0] for a in fresh])
            if row[name] is not None and name != "code":  # a code shares its cell with the name
                taken.update((a[0], a[1]) for a in fresh)
        return {k: v for k, v in row.items() if v is not None}

    def _box(self, cells: list[tuple[int, int]]) -> Spot | None:
        """The page and joined box of grid cells (line, column); None for a grid without boxes."""
        found = [self.grid.spots[ln][c] for ln, c in cells if c < len(self.grid.spots.get(ln, []))]
        return (found[0][0], union(box for _, box in found)) if found else None

    def _spot(self, name: str, line: int, cols: list[int], lines: list[int] | None = None) -> None:
        """Remember where a field of the current row was read."""
        spot = self._box(list(zip(lines or [line] * len(cols), cols)))
        if spot is not None:
            self._row_spots[name] = spot

    def _split_code(self, line: int, cols: list[int], previous: dict | None) -> str | None:
        # 类|款|项 in columns, each printed only where it changes: a blank leading part is the
        # previous row's (the template prints 项 rows under their 款 without repeating it).
        parts = [re.sub(r"\D", "", normalise(self.text(line, c))) for c in cols]
        if not any(parts):
            return None
        first = next(i for i, p in enumerate(parts) if p)
        if first > 0 and previous and previous.get("_parts"):
            parts[:first] = previous["_parts"][:first]
        if previous is not None:
            previous["_parts"] = parts
        return "".join(parts) or None

    def build(self) -> dict:
        """The table's (or sheet's) data as plain values, ready for the contract model."""
        item, grid = self.item, self.grid
        data: dict[str, Any] = {}
        listed = "indicators" if self.kind in SHEETS else "rows"
        if item.rows and not item.cols:
            raise RefError(f"{self.where}: rows are given but cols are not")
        state: dict = {}
        lines = _lines(item.rows, grid.lines, self.where)
        rows = []
        for n in lines:
            row = self.row(n, state)
            rows.append((row, dict(self._row_spots)))
        if self.kind in SHEETS:
            _fill_down([row for row, _ in rows])
        data[listed] = []
        for row, spots in rows:
            if row:
                self._keep(f"{listed}/{len(data[listed])}", row, spots)
                data[listed].append(row)
        if item.total is not None:
            if self.kind in SHEETS or item.total not in grid.lines:
                raise RefError(f"{self.where}: total line {item.total} is not a line of this table")
            data["total"] = self.row(item.total, None)
            self._keep("total", data["total"], self._row_spots)
        for pointer, ref in item.cells.items():
            _assign(data, pointer, self._cell_value(pointer, ref), self.where)
            if not isinstance(ref, str) and len(ref) == 2:
                line, col, _ = self.grid.anchor(int(ref[0]), int(ref[1]), self.fixes)
                spot = self._box([(line, col)])
                if spot is not None:
                    self.found[pointer.strip("/")] = spot
        if self.kind == "t10":
            for row in data["rows"] + ([data["total"]] if data.get("total") else []):
                row.setdefault("line", _t10_line(row.get("name")))
        return data

    def _keep(self, base: str, row: dict, spots: dict[str, Spot]) -> None:
        for name, spot in spots.items():
            if row.get(name) is not None:
                self.found[f"{base}/{name}"] = spot

    def _cell_value(self, pointer: str, ref: list[int] | str) -> Any:
        leaf = pointer.strip("/").rsplit("/", 1)[-1]
        if isinstance(ref, str):
            return ref
        if len(ref) != 2:
            raise RefError(f"{self.where}: cells[{pointer!r}] is neither [line, column] nor text")
        text = self.text(int(ref[0]), int(ref[1]))
        kind = _leaf_kind(self.kind, pointer, leaf)
        return _value(kind, text, f"{self.where} {pointer}")


def _leaf_kind(kind: str, pointer: str, leaf: str) -> str:
    """Money or text for a field reached by pointer, from the contract models."""
    model: Any = MODELS[kind]
    for part in split(pointer):
        if part.isdigit():
            continue
        info = getattr(model, "model_fields", {}).get(part)
        if info is None:
            return "text"
        inner = model_of(info.annotation)
        if inner is None:
            return "money" if _is_money(info) else ("code" if part == "code" else "text")
        model = inner
    return "text"


def _assign(data: dict, pointer: str, value: Any, where: str) -> None:
    # A cells pointer names a field (of a row given in rows, or one made on the way), never a list.
    tokens = split(pointer)
    if not tokens:
        raise RefError(f"{where}: empty pointer in cells")
    if tokens[-1].isdigit() and not isinstance(resolve(data, join(*tokens[:-1])), dict):
        raise RefError(f"{where}: cells pointer {pointer!r} ends in a list")
    try:
        assign(data, pointer, value, create=True)
    except PointerError as exc:
        raise RefError(f"{where}: cells pointer {exc}") from None


def _weight(reader: Reader, line: int, cols: list[int]) -> dict:
    # The weight column prints a number or words (是/否): words go to weight_raw, as printed.
    text = clean("".join(reader.text(line, c) for c in cols))
    if not text:
        return {"weight": None}
    amount, raw = split_weight(normalise(text))
    return {"weight": amount} if raw is None else {"weight": None, "weight_raw": text}


def _fill_down(rows: list[dict]) -> None:
    # A merged 一级/二级 cell is read at its anchor; a blank one is a continuation of the last.
    last: dict[str, Any] = {}
    for row in rows:
        for level in ("level1", "level2"):
            if row.get(level):
                if level == "level1" and row.get(level) != last.get("level1"):
                    last.pop("level2", None)
                last[level] = row[level]
            elif last.get(level):
                row[level] = last[level]


def _t10_line(name: str | None) -> str | None:
    """The fixed t10 line a printed name is, by the layout reader's own rules."""
    return match_words(name, templates.default().line_rules("t10")) if name else None


def materialise(kind: str, grid: Numbered, item: RefItem, where: dict | None = None) -> BaseModel:
    """The contract model a refs item describes; RefError for references that do not resolve.

    ``where``, when given, receives the provenance of every value read from a cell: pointer
    relative to the model ("rows/3/total") → (page, box).
    """
    reader = Reader(kind, grid, item)
    data = reader.build()
    if where is not None:
        where.update(reader.found)
    try:
        return MODELS[kind].model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        place = "/".join(str(p) for p in first["loc"])
        raise RefError(f"{item.id}: {place}: {first['msg']} (input {first.get('input')!r:.60})") from exc
