"""Chinese labels for cell pointers, so a diff reads "表3 支出总体情况表 · 2010350 事业运行 · 基本支出".

The column label is the schema field's description (the printed header); the row label comes from the
gold document the pointer was scored against, when it is at hand.
"""

from __future__ import annotations

from pydantic import BaseModel

from schemas import Document
from schemas.pointer import resolve
from schemas.tables import TABLE_MODELS, TABLE_TITLES, T4ExpenseTotal, T4Total


def _section_model(table: str, section: str) -> type[BaseModel] | None:
    """The model whose fields are the columns of rows/, income or total of a table."""
    model = TABLE_MODELS.get(table)
    if model is None or section not in model.model_fields:
        return None
    annotation = model.model_fields[section].annotation
    if section == "rows":
        return annotation.__args__[0]  # list[Row]
    for candidate in getattr(annotation, "__args__", (annotation,)):  # Total | None
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def column_label(table: str, section: str, column: str) -> str:
    """The printed header of a column, e.g. t3 rows total → 合计; t4 total expense_total/gov_fund → 支出总计 …."""
    model = _section_model(table, section)
    if model is T4Total and column.startswith("expense_total/"):
        model, column = T4ExpenseTotal, column.split("/", 1)[1]
    field = model.model_fields.get(column) if model is not None else None
    return field.description if field is not None and field.description else column


def row_label(gold: Document | None, pointer_base: str, section: str) -> str:
    """How a person finds the row on the page: code and name, project name, or the fixed line."""
    if section == "income":
        return "收入"
    if section == "total":
        return "合计/总计"
    if gold is None:
        return f"第{int(pointer_base.rsplit('/', 1)[-1]) + 1}行"
    row = resolve(gold, pointer_base)
    if row is None:
        return row_label(None, pointer_base, section)
    parts = [getattr(row, "code", None), getattr(row, "name", None), getattr(row, "project_name", None)]
    return " ".join(str(p) for p in parts if p) or row_label(None, pointer_base, section)


def cell_label(pointer: str, gold: Document | None = None) -> str:
    """A readable Chinese label for a scorer pointer like /tables/t3/rows/4/basic (a "+" prefix is dropped)."""
    parts = pointer.lstrip("+").strip("/").split("/")
    if len(parts) < 4 or parts[0] != "tables":
        return pointer
    table, section = parts[1], parts[2]
    title = f"表{table[1:]} {TABLE_TITLES.get(table, table)}"
    if section == "rows":
        base, column = "/".join(["", *parts[:4]]), "/".join(parts[4:])
    else:
        base, column = "/".join(["", *parts[:3]]), "/".join(parts[3:])
    if pointer.startswith("+"):  # an extra indexes the prediction's rows, not gold's
        row = "多出的行" if section == "rows" else row_label(None, base, section)
    else:
        row = row_label(gold, base, section)
    return f"{title} · {row} · {column_label(table, section, column)}"
