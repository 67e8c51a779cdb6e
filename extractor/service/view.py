"""A Document as HTML tables whose cells know their JSON pointer (and so their page box).

The review page and `budgetx report` render the same view; only the page images' addresses differ.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from pydantic import BaseModel

from schemas import Document
from schemas.tables import TABLE_TITLES

# Fields said in a section's caption rather than as cells.
CAPTION_FIELDS = {"present", "title", "unit", "pages", "number"}
SEVERITIES = ("error", "warning", "info")


@dataclass
class Cell:
    text: str
    ptr: str | None = None


@dataclass
class Grid:
    """One HTML table: column labels, rows of cells; a kv grid has label/value rows."""

    title: str
    columns: list[str]
    rows: list[list[Cell]]
    header_rows: list[list[str]] = field(default_factory=list)  # a generic table's printed header
    total_rows: int = 0  # the last rows are the printed 合计


@dataclass
class Section:
    id: str
    title: str
    note: str = ""
    grids: list[Grid] = field(default_factory=list)


def pointer(*parts) -> str:
    """An RFC 6901 JSON pointer from path parts (a printed header may hold "/" or "~")."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def text_of(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, BaseModel):  # a nested value (an indicator's parsed target): its parts in a line
        return " ".join(text_of(v) for v in value.model_dump().values() if v not in (None, "", [], {}))
    if isinstance(value, (list, tuple)):
        return "、".join(text_of(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {text_of(v)}" for k, v in value.items())
    return str(value)


def label(model: type[BaseModel], name: str) -> str:
    desc = model.model_fields[name].description
    return desc if desc and len(desc) <= 24 else name


def sections(doc: Document) -> list[Section]:
    """The document's parts in reading order: profile, the eleven tables, generic tables, sheets, narrative."""
    out = [Section("profile", "概况", grids=[_kv(doc, "", "基本信息", only=(
        "unit_name", "unit_kind", "year", "document_kind", "template", "money_unit_source"))])]
    if doc.staffing is not None:
        out[0].grids += _grids(doc.staffing, pointer("staffing"), "人员编制")
    for number, name in enumerate(TABLE_TITLES, start=1):
        table = getattr(doc.tables, name)
        title = table.title or f"表{number} {TABLE_TITLES[name]}"
        if not table.present:
            out.append(Section(name, title, note="未公开 (not in the document)"))
            continue
        note = "; ".join(x for x in (f"单位：{table.unit or doc.money_unit_source}",
                                     f"页 {text_of(table.pages)}" if table.pages else "") if x)
        out.append(Section(name, title, note=note, grids=_grids(table, pointer("tables", name), "")))
    for i, table in enumerate(doc.generic_tables):
        out.append(_generic(i, table))
    perf = doc.performance
    if perf.overall is not None:
        out.append(Section("overall", "整体绩效目标表", grids=_grids(perf.overall, pointer("performance", "overall"), "")))
    for i, sheet in enumerate(perf.projects):
        name = getattr(sheet, "project_name", None) or f"#{i + 1}"
        out.append(Section(f"project-{i}", f"项目支出绩效目标表 · {name}",
                           grids=_grids(sheet, pointer("performance", "projects", i), "")))
    if doc.narrative is not None:
        out.append(Section("narrative", "文字说明中的数字", grids=_grids(doc.narrative, pointer("narrative"), "")))
    return out


def _grids(model: BaseModel, ptr: str, title: str) -> list[Grid]:
    """A kv grid of the model's scalar fields, then a grid per list of rows, recursing into parts."""
    cls = type(model)
    kv = _kv(model, ptr, title, skip=CAPTION_FIELDS)
    grids = [kv] if kv.rows else []
    rows = getattr(model, "rows", None)
    for name in cls.model_fields:
        value = getattr(model, name)
        here = f"{ptr}{pointer(name)}"
        if isinstance(value, list) and value and isinstance(value[0], BaseModel):
            total = getattr(model, "total", None) if name == "rows" else None
            grids.append(_rows(value, here, label(cls, name) if name != "rows" else title,
                               total if isinstance(total, type(value[0])) else None, f"{ptr}{pointer('total')}"))
        elif isinstance(value, BaseModel) and not (name == "total" and rows and isinstance(value, type(rows[0]))):
            grids += _grids(value, here, label(cls, name))
    return grids


def _kv(model: BaseModel, ptr: str, title: str, only=None, skip=()) -> Grid:
    cls, rows = type(model), []
    for name in only or cls.model_fields:
        value = getattr(model, name)
        if name in skip or isinstance(value, BaseModel) or (
                isinstance(value, list) and value and isinstance(value[0], BaseModel)):
            continue
        if name == "extra" and isinstance(value, dict):  # printed lines with no contract field
            rows += [[Cell(k), Cell(text_of(v), f"{ptr}{pointer('extra', k)}")] for k, v in value.items()]
        elif value not in (None, [], {}, ""):
            rows.append([Cell(label(cls, name)), Cell(text_of(value), f"{ptr}{pointer(name)}")])
    return Grid(title, ["项目", "值"], rows)


def _rows(items: list[BaseModel], ptr: str, title: str, total: BaseModel | None, total_ptr: str) -> Grid:
    cls = type(items[0])
    names = [n for n in cls.model_fields if n != "extra"]
    extras = list(dict.fromkeys(k for it in [*items, total] if it is not None
                                for k in (getattr(it, "extra", None) or {})))
    names = [n for n in names if any(getattr(it, n) not in (None, [], {}) for it in items)] or names

    def row(item: BaseModel, here: str) -> list[Cell]:
        cells = [Cell(text_of(getattr(item, n)), f"{here}{pointer(n)}") for n in names]
        extra = getattr(item, "extra", None) or {}
        return cells + [Cell(text_of(extra.get(k)), f"{here}{pointer('extra', k)}") for k in extras]

    body = [row(it, f"{ptr}{pointer(i)}") for i, it in enumerate(items)]
    if total is not None:
        body.append(row(total, total_ptr))
    return Grid(title, [label(cls, n) for n in names] + extras, body, total_rows=int(total is not None))


def _generic(i: int, table) -> Section:
    ptr = pointer("generic_tables", i)
    width = max([len(r) for r in table.rows + table.header] or [0])
    body = [[Cell(text_of(v), f"{ptr}{pointer('rows', r, c)}") for c, v in enumerate(row)]
            for r, row in enumerate(table.rows)]
    note = "; ".join(x for x in (f"单位：{table.unit}" if table.unit else "",
                                 f"页 {text_of(table.pages)}" if table.pages else "") if x)
    title = " ".join(x for x in (table.number, table.title) if x)
    return Section(f"generic-{i}", title, note=note,
                   grids=[Grid("", [""] * width if not table.header else [], body, header_rows=table.header)])


def findings(doc: Document) -> list[dict]:
    """Findings for the page: severity, rule, message and the cells (pointers) they name."""
    out = []
    for f in doc.findings:
        cells = list(dict.fromkeys([*f.locations, *([f.suspect] if f.suspect else [])]))
        out.append({"severity": f.severity, "rule": f.rule, "message": f.message, "cells": cells,
                    "suspect": f.suspect, "repair": f"{f.repair.old} → {f.repair.new}" if f.repair else ""})
    return sorted(out, key=lambda f: SEVERITIES.index(f["severity"]))


def provenance(doc: Document) -> dict[str, list]:
    """pointer → [page, x0, y0, x1, y1] (no box: [page]), for the page's script."""
    return {ptr: [p.page, *(p.bbox or ())] for ptr, p in doc.provenance.items()}


def page_sizes(pdf: Path | None) -> dict[int, list[float]]:
    """Page number → [width, height] in points as the PDF shows the page (its rotation applied)."""
    if pdf is None:
        return {}
    import pymupdf

    with pymupdf.open(pdf) as pages:
        return {i + 1: [round(p.rect.width, 2), round(p.rect.height, 2)] for i, p in enumerate(pages)}


def render_page_png(pdf: Path, number: int, dpi: int = 100) -> bytes:
    """One page as PNG; IndexError when there is no such page."""
    import pymupdf

    with pymupdf.open(pdf) as pages:
        if not 1 <= number <= pages.page_count:
            raise IndexError(number)
        return pages.load_page(number - 1).get_pixmap(dpi=dpi, alpha=False).tobytes("png")


def context(doc: Document, pdf: Path | None) -> dict:
    """Everything document.html needs besides the page addresses."""
    return {"doc": doc, "sections": sections(doc), "findings": findings(doc), "severities": SEVERITIES,
            "provenance": provenance(doc), "sizes": page_sizes(pdf),
            "counts": {s: sum(f.severity == s for f in doc.findings) for s in SEVERITIES}}


def jinja_env():
    """The templates of the review page and the report (autoescaped)."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    return Environment(loader=PackageLoader("extractor.service", "templates"), autoescape=select_autoescape())
