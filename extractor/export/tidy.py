"""Documents flattened into tidy long-form tables: documents, cells, sheets, indicators, findings.

The flattening walks the contract's models by their fields, so a field added to a table, a row, a
sheet or a finding shows up in the export without touching this module. Money stays Decimal.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any

from pydantic import BaseModel

from schemas import Document, code_level, parse_money, to_wan
from schemas.findings import Finding
from schemas.performance import Indicator, OverallSheet, ProjectSheet
from schemas.tables import TABLE_MODELS, TABLE_TITLES

# Column kinds every writer maps to its own types.
STR, INT, FLOAT, BOOL, DECIMAL = "str", "int", "float", "bool", "decimal"


@dataclass
class Frame:
    """One tidy table: named, typed columns and rows of plain values (Decimal for money)."""

    name: str
    columns: list[tuple[str, str]]
    rows: list[tuple] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.columns]


# ---- generic model flattening ---------------------------------------------------------

def _kind(annotation: Any) -> str:
    """The column kind of a field annotation (Optional and Annotated unwrapped)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _kind(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        kinds = {_kind(a) for a in typing.get_args(annotation) if a is not type(None)}
        return kinds.pop() if len(kinds) == 1 else STR
    if origin is typing.Literal:
        return STR
    for py, kind in ((bool, BOOL), (int, INT), (float, FLOAT), (Decimal, DECIMAL)):
        if annotation is py:
            return kind
    return STR


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The model class behind ``Model | None`` annotations, else None."""
    for arg in (annotation, *typing.get_args(annotation)):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
    return None


@cache
def flat_columns(model: type[BaseModel], prefix: str = "", skip: frozenset = frozenset()) -> tuple[tuple[str, str], ...]:
    """Scalar columns of a model; nested models become ``prefix_field``; lists become text."""
    columns: list[tuple[str, str]] = []
    for name, info in model.model_fields.items():
        if name in skip:
            continue
        nested = _model_of(info.annotation)
        origin = typing.get_origin(info.annotation)
        if nested is not None and origin is not list:
            columns += flat_columns(nested, f"{prefix}{name}_")
        elif origin is list and _model_of(typing.get_args(info.annotation)[0]) is not None:
            continue  # a child table (indicators, locations …) has its own frame
        elif origin in (list, dict):
            columns.append((prefix + name, STR))
        else:
            columns.append((prefix + name, _kind(info.annotation)))
    return tuple(columns)


def flat_values(obj: BaseModel | None, model: type[BaseModel], skip: frozenset = frozenset()) -> list:
    """The values of flat_columns(model) for obj (a missing nested model gives blanks)."""
    values: list = []
    for name, info in model.model_fields.items():
        if name in skip:
            continue
        value = getattr(obj, name) if obj is not None else None
        nested = _model_of(info.annotation)
        origin = typing.get_origin(info.annotation)
        if nested is not None and origin is not list:
            values += flat_values(value, nested)
        elif origin is list and _model_of(typing.get_args(info.annotation)[0]) is not None:
            continue
        elif origin in (list, dict):
            values.append(",".join(map(str, value)) if value else None)
        else:
            values.append(value)
    return values


# ---- the frames -----------------------------------------------------------------------

DOCUMENT_COLUMNS = [
    ("doc_id", STR), ("unit_name", STR), ("unit_kind", STR), ("year", INT), ("template", STR),
    ("document_kind", STR), ("money_unit", STR), ("source_file", STR), ("sha256", STR), ("pages", INT),
    ("engine", STR), ("model", STR), ("prompt", STR), ("version", STR), ("reconcile_evaluated", INT),
    ("reconcile_held", INT), ("reconcile_rate", FLOAT), ("tables_present", INT), ("sheets", INT),
    ("cells", INT), ("findings", INT), ("errors", INT), ("flagged", INT),
]
CELL_COLUMNS = [
    ("doc_id", STR), ("table", STR), ("table_title", STR), ("section", STR), ("row_index", INT),
    ("code", STR), ("code_level", STR), ("name", STR), ("project_name", STR), ("line", STR), ("field", STR),
    ("header", STR), ("value", STR), ("value_wan", DECIMAL), ("unit", STR), ("page", INT),
    ("x0", FLOAT), ("y0", FLOAT), ("x1", FLOAT), ("y1", FLOAT),
    # How far to trust the value (schemas/CONTRACT.md, "Confidence and flags"): the OCR confidence
    # (none from a text layer), and whether it is flagged, with the reason.
    ("confidence", FLOAT), ("flagged", BOOL), ("flag_reason", STR), ("pointer", STR),
]
_SHEET_MODELS = (OverallSheet, ProjectSheet)


def _sheet_columns() -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for model in _SHEET_MODELS:
        for name, kind in flat_columns(model):
            seen.setdefault(name, kind)
    return list(seen.items())


SHEET_COLUMNS = [("doc_id", STR), ("sheet_kind", STR), ("sheet_no", INT), *_sheet_columns(),
                 ("indicators", INT), ("page", INT), ("flagged", STR)]
INDICATOR_COLUMNS = [("doc_id", STR), ("sheet_kind", STR), ("sheet_no", INT), ("project_name", STR),
                     ("indicator_no", INT), *flat_columns(Indicator), ("page", INT), ("flagged", STR)]
_FINDING_SKIP = frozenset({"locations"})  # one row each in finding_cells
FINDING_COLUMNS = [("doc_id", STR), ("finding_no", INT), *flat_columns(Finding, skip=_FINDING_SKIP), ("cells", INT)]
FINDING_CELL_COLUMNS = [("doc_id", STR), ("finding_no", INT), ("pointer", STR), ("table", STR),
                        ("suspect", BOOL)]

FRAME_COLUMNS: dict[str, list[tuple[str, str]]] = {
    "documents": DOCUMENT_COLUMNS, "cells": CELL_COLUMNS, "sheets": SHEET_COLUMNS,
    "indicators": INDICATOR_COLUMNS, "findings": FINDING_COLUMNS, "finding_cells": FINDING_CELL_COLUMNS,
}


def empty_frames() -> dict[str, Frame]:
    """One empty Frame per tidy table, in export order."""
    return {name: Frame(name, list(columns)) for name, columns in FRAME_COLUMNS.items()}


def flatten(doc: Document, frames: dict[str, Frame]) -> None:
    """Append one Document's rows to every frame."""
    cells = list(table_cells(doc))
    frames["cells"].rows += cells
    frames["documents"].rows.append(_document_row(doc, len(cells)))
    sheets = [("overall", 0, doc.performance.overall)] if doc.performance.overall else []
    sheets += [("project", i + 1, s) for i, s in enumerate(doc.performance.projects)]
    for kind, no, sheet in sheets:
        base = "/performance/overall" if kind == "overall" else f"/performance/projects/{no - 1}"
        values = dict(zip((n for n, _ in flat_columns(type(sheet))), flat_values(sheet, type(sheet))))
        frames["sheets"].rows.append((doc.doc_id, kind, no, *(values.get(n) for n, _ in SHEET_COLUMNS[3:-3]),
                                      len(sheet.indicators), sheet.pages[0] if sheet.pages else None,
                                      _flagged_fields(doc, base)))
        for i, ind in enumerate(sheet.indicators):
            where = _where(doc, f"{base}/indicators/{i}/level3") or _where(doc, f"{base}/indicators/{i}/target_raw")
            frames["indicators"].rows.append((doc.doc_id, kind, no, getattr(sheet, "project_name", None), i + 1,
                                              *flat_values(ind, Indicator), where[0] if where else None,
                                              _flagged_fields(doc, f"{base}/indicators/{i}")))
    for i, finding in enumerate(doc.findings):
        frames["findings"].rows.append((doc.doc_id, i + 1, *flat_values(finding, Finding, _FINDING_SKIP),
                                        len(finding.locations)))
        for pointer in finding.locations:
            frames["finding_cells"].rows.append((doc.doc_id, i + 1, pointer, _table_of(pointer),
                                                 pointer == finding.suspect))


def _document_row(doc: Document, cells: int) -> tuple:
    src, run, rec = doc.source, doc.run, doc.reconcile
    present = sum(1 for key in TABLE_TITLES if getattr(doc.tables, key).present)
    sheets = len(doc.performance.projects) + (1 if doc.performance.overall else 0)
    return (doc.doc_id, doc.unit_name, doc.unit_kind, doc.year, doc.template, doc.document_kind,
            doc.money_unit_source, src.file if src else None, src.sha256 if src else None,
            src.page_count if src else None, run.engine if run else None, run.model if run else None,
            run.prompt if run else None, run.version if run else None, rec.evaluated if rec else None,
            rec.held if rec else None, rec.rate if rec else None, present, sheets, cells,
            len(doc.findings), sum(f.severity == "error" for f in doc.findings), len(doc.flagged))


def _flagged_fields(doc: Document, base: str) -> str | None:
    """A sheet's (or indicator's) own flagged fields with the reason: "budget_total: failed; …"."""
    own = [(pointer[len(base) + 1:], why) for pointer, why in doc.flagged.items()
           if pointer.startswith(base + "/") and "/" not in pointer[len(base) + 1:]]
    return "; ".join(f"{name}: {why}" for name, why in own) or None


def _table_of(pointer: str) -> str | None:
    parts = pointer.strip("/").split("/")
    if parts[0] == "tables" and len(parts) > 1:
        return parts[1]
    if parts[0] == "generic_tables" and len(parts) > 1:
        return f"g{int(parts[1]) + 1}"
    return parts[0] or None


def _where(doc: Document, pointer: str) -> tuple | None:
    prov = doc.provenance.get(pointer)
    if prov is None:
        return None
    return (prov.page, *(prov.bbox or (None,) * 4))


# ---- cells of the eleven tables and the generic tables ----------------------------------

_META = {"present", "title", "unit", "empty_note", "pages"}


def row_like(table: str, section: str) -> bool:
    """True when a section's amounts form printed rows (code/name + columns), not fixed lines."""
    if section == "rows":
        return True
    model = TABLE_MODELS.get(table)
    info = model.model_fields.get(section) if model else None
    inner = _model_of(info.annotation) if info else None
    return inner is not None and "name" in inner.model_fields


_LABELS = ("code", "name", "project_name", "line")  # what names a row; every other amount is a cell


def table_cells(doc: Document):
    """One row per printed amount, in CELL_COLUMNS order."""
    for key, standard in TABLE_TITLES.items():
        table = getattr(doc.tables, key)
        unit = table.unit or "万元"
        title = table.title or standard
        for section, info in type(table).model_fields.items():
            if section in _META:
                continue
            value = getattr(table, section)
            base = f"/tables/{key}/{section}"
            if section == "extra":
                for label, amount in value.items():
                    yield _cell(doc, key, title, "extra", None, {}, "extra", label, amount, unit, f"{base}/{label}")
            elif isinstance(value, list):
                for i, row in enumerate(value):
                    yield from _row_cells(doc, key, title, section, i, row, unit, f"{base}/{i}")
            elif isinstance(value, BaseModel):
                yield from _row_cells(doc, key, title, section, None, value, unit, base)
    for g, table in enumerate(doc.generic_tables):
        yield from _generic_cells(doc, g, table)


def _row_cells(doc, key, title, section, index, row: BaseModel, unit, base, prefix=""):
    labels = {name: getattr(row, name, None) for name in _LABELS}
    for name, info in type(row).model_fields.items():
        value = getattr(row, name)
        if name == "extra":
            for label, amount in value.items():
                yield _cell(doc, key, title, section, index, labels, "extra", label, amount, unit, f"{base}/extra/{label}")
        elif isinstance(value, BaseModel):  # t4's 支出总计 has its own columns
            yield from _row_cells(doc, key, title, section, index, value, unit, f"{base}/{name}", f"{prefix}{name}.")
        elif isinstance(value, Decimal) or (value is None and f"{base}/{name}" in doc.flagged):
            # A flagged blank (`unread`: a lone 0 the OCR may have dropped) is a row too, or its flag is lost.
            yield _cell(doc, key, title, section, index, labels, prefix + name, info.description, value, unit,
                        f"{base}/{name}")


def _cell(doc, key, title, section, index, labels, field_name, header, amount, unit, pointer) -> tuple:
    where = _where(doc, pointer) or (None,) * 5
    code = labels.get("code")
    spot = doc.provenance.get(pointer)
    reason = doc.flagged.get(pointer)
    return (doc.doc_id, key, title, section, index, code, code_level(code), labels.get("name"),
            labels.get("project_name"), labels.get("line"), field_name, header,
            None if amount is None else format(amount, "f"), to_wan(amount, unit), unit,
            *where, spot.confidence if spot is not None else None, reason is not None, reason, pointer)


_CODE_WORDS = ("编码", "代码", "编号", "序号", "科目", "名称", "项目", "单位", "说明", "备注")


def column_labels(header: list[list[str]]) -> list[str]:
    """Each column's printed header, upper levels first ("基本支出 人员经费").

    A merged cell is printed once: an empty cell takes the label on its left when it is under the
    same upper label (a span across), and nothing when the row above started a cell there (a span down).
    """
    width = max((len(r) for r in header), default=0)
    labels: list[list[str]] = [[] for _ in range(width)]
    for depth, row in enumerate(header):
        row = list(row) + [""] * (width - len(row))
        current = ""
        for j, text in enumerate(row):
            text = (text or "").strip()
            if text:
                current = text
                labels[j].append(text)
            elif current and (depth == 0 or labels[j][:depth] == labels[j - 1][:depth]):
                labels[j].append(current)
            else:
                current = ""
    return [" ".join(dict.fromkeys(parts)) for parts in labels]


def _generic_cells(doc: Document, g: int, table):
    """Numeric body cells of a printed table with no contract slot, field = its column header."""
    key, unit = f"g{g + 1}", table.unit or "万元"
    labels = column_labels(table.header)
    label_cols = [j for j, label in enumerate(labels) if any(w in label for w in _CODE_WORDS)
                  and not any(w in label for w in ("数", "金额", "经费", "支出", "合计", "预算"))]
    for i, row in enumerate(table.rows):
        text = {j: (row[j] if j < len(row) else None) for j in label_cols}
        code = next((t for t in text.values() if t and t.strip().isdigit() and len(t.strip()) in (3, 5, 7)), None)
        name = next((t for t in text.values() if t and not t.strip().isdigit()), None)
        for j, raw in enumerate(row):
            if j in label_cols or raw is None:
                continue
            try:
                amount = parse_money(raw)
            except ValueError:
                continue  # text in a value column is not an amount
            if amount is None:
                continue
            header = labels[j] if j < len(labels) else str(j)
            yield _cell(doc, key, table.title, "rows", i, {"code": code and code.strip(), "name": name},
                        header or str(j), header or None, amount, unit, f"/generic_tables/{g}/rows/{i}/{j}")

