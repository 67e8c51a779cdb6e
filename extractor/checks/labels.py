"""Chinese labels for JSON pointers, taken from the schema's field descriptions.

A reader of a finding wants "表3 2010350 事业运行 · 基本支出", not "/tables/t3/rows/0/basic".
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from schemas import Document
from schemas.tables import TABLE_TITLES

from schemas.pointer import resolve

_SECTIONS = {"income": "收入", "total": "合计", "rows": ""}


def field_label(doc: Document, pointer: str) -> str:
    """The Chinese header of the field a pointer ends in (its schema description)."""
    parent_pointer, _, leaf = pointer.rpartition("/")
    parent = resolve(doc, parent_pointer)
    if isinstance(parent, BaseModel):
        info = type(parent).model_fields.get(leaf)
        if info is not None and info.description:
            return info.description
    return leaf


def row_label(row: Any) -> str:
    """"2010350 事业运行", a project name, or a t10 line name."""
    if row is None:
        return ""
    project = getattr(row, "project_name", None)
    if project:
        return f"{getattr(row, 'code', '') or ''} {project}".strip()
    parts = [getattr(row, "code", None), getattr(row, "name", None)]
    return " ".join(p for p in parts if p)


def label(doc: Document, pointer: str) -> str:
    """A short Chinese label of the cell a pointer names."""
    parts = pointer.strip("/").split("/")
    if parts[0] == "tables" and len(parts) >= 3:
        key = parts[1]
        head = f"表{key[1:]}"
        if parts[2] == "rows" and len(parts) >= 4:
            row = resolve(doc, "/".join(parts[:4]))
            where = row_label(row) or f"第{int(parts[3]) + 1}行"
            tail = f" · {field_label(doc, pointer)}" if len(parts) > 4 else ""
            return f"{head} {where}{tail}"
        section = _SECTIONS.get(parts[2], parts[2])
        if parts[2] == "total" and key in ("t1", "t4"):
            section = ""  # their total fields already say 收入总计 / 支出总计
        tail = field_label(doc, pointer) if len(parts) > 3 else TABLE_TITLES.get(key, "")
        return " ".join(p for p in (head, section, tail) if p)
    if parts[0] == "performance":
        return _sheet_label(doc, parts, pointer)
    if parts[0] == "generic_tables" and len(parts) >= 5:
        return _generic_label(doc, parts)
    if parts[0] == "narrative":
        return f"情况说明 {field_label(doc, pointer)}"
    if parts[0] == "staffing":
        return f"人员情况 {field_label(doc, pointer)}"
    return pointer


def _generic_label(doc: Document, parts: list[str]) -> str:
    """"公开表五 201 一般公共服务支出 · 金额": the table's number or title, the row's labels, the column header."""
    from ..export.tidy import column_labels

    table = resolve(doc, "/" + "/".join(parts[:2]))
    row = resolve(doc, "/" + "/".join(parts[:4]))
    if table is None or row is None:
        return "/" + "/".join(parts)
    from .rules_generic import amount_columns

    col = int(parts[4]) if parts[4].isdigit() else -1
    headers = column_labels(table.header)
    amounts = set(amount_columns(table.header, table.rows))
    where = " ".join(t for j, t in enumerate(row) if t and j != col and j not in amounts) or f"第{int(parts[3]) + 1}行"
    head = headers[col] if 0 <= col < len(headers) and headers[col] else f"第{col + 1}列"
    return f"{table.number or table.title} {where} · {head}"


def _sheet_label(doc: Document, parts: list[str], pointer: str) -> str:
    if len(parts) >= 3 and parts[1] == "projects":
        sheet = resolve(doc, "/".join(parts[:3]))
        head = f"项目绩效目标表“{getattr(sheet, 'project_name', None) or int(parts[2]) + 1}”"
    else:
        head = "整体绩效目标表"
    if "indicators" in parts:
        at = parts.index("indicators")
        indicator = resolve(doc, "/".join(parts[: at + 2]))
        name = getattr(indicator, "level3", None) or f"第{int(parts[at + 1]) + 1}项"
        return f"{head} 指标“{name}” {field_label(doc, pointer)}"
    return f"{head} {field_label(doc, pointer)}" if len(parts) > 2 else head


def fmt(value: Any) -> str:
    """An amount as text ("—" for blank)."""
    return "—" if value is None else format(value, "f")
