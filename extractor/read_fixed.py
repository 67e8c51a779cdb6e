"""The fixed-line tables: t1 and t4 (income lines beside expense 类 lines) and t10 (三公 lines)."""

from __future__ import annotations

import re

from . import templates
from .columns import as_money, money_role
from .templates import Template, match_words
from schemas.common import extra_key

from .grid import Grid
from .locate import Region, clean, normalise
from .provenance import Where, note, union
from .read_tables import column_labels, column_paths, header_split

_CODE_NAME = re.compile(r"^(\d{3})(.*)$")


def _split_column(grid: Grid, start: int) -> int:
    """First column of the expense side: where the header's 支出 group (or 功能分类) begins."""
    for r in range(start):
        for c in range(1, grid.n_cols):
            cell = grid.cell(r, c)
            if cell.col != c:
                continue
            text = normalise(cell.text)
            if text.startswith(("支出", "财政拨款支出", "功能分类", "功能")) or text in ("支出", "支"):
                # An unlabelled column just before it (the 类 code of an unruled table) is on its side.
                while c > 1 and not any(normalise(grid.text(rr, c - 1)) for rr in range(start)):
                    c -= 1
                return c
    return max(2, grid.n_cols // 2)


def read_two_sided(region: Region, table: str, where: Where | None = None, template: Template | None = None):
    """t1/t4: (income fields, expense rows, income_total, expense_total) with amounts.

    where gets each value's cell under "income/<field>", "rows/<i>/<field>", "total/...".
    """
    template = template or templates.default()
    income: dict[str, object] = {}
    expense: list[dict] = []
    totals: dict[str, object] = {}
    carry = False
    split = None
    out_roles: list[str | None] = []
    for grid in region.grids:
        start = header_split(grid)
        if start or split is None:
            split = _split_column(grid, start)
            labels = column_labels(grid, start)
            out_roles = [money_role("t4", lab, template) if table == "t4" and lab else None for lab in labels]
        for r in range(start, grid.n_rows):
            left = [clean(grid.text(r, c)) for c in range(split)]
            right = [clean(grid.text(r, c)) for c in range(split, grid.n_cols)]
            label, amounts, _, at = _label_and_cells(left)
            amount = amounts[0] if amounts else None
            pointer = None
            if label:
                if "总计" in label or "合计" in label and "收入" in label:
                    totals["income_total"] = amount
                    pointer = "total/income_total"
                elif table == "t1":
                    if "上年结转" in label:
                        carry = True
                    name = match_words(label, template.line_rules("t1_carryover" if carry else "t1_current"))
                    if name and name not in income:
                        income[name] = amount
                        pointer = f"income/{name}"
                else:
                    name = match_words(label, template.line_rules("t4_income"))
                    if name and name not in income:
                        income[name] = amount
                        pointer = f"income/{name}"
            if pointer and amounts:
                note(where, pointer, grid.page, grid.cell(r, at[0]).bbox)
            _read_expense(grid, r, split, right, table, out_roles, expense, totals, where)
    return income, expense, totals


def label_and_amounts(cells: list[str]) -> tuple[str, list]:
    """A row side's label (its code cell joined to the name) and the amounts after it.

    Whole-万元 documents print "594" or "32": after the label every number is an amount, so a
    short number is never mistaken for a code there.
    """
    label, amounts, _, _ = _label_and_cells(cells)
    return label, amounts


def _label_and_cells(cells: list[str]) -> tuple[str, list, list[int], list[int]]:
    """label_and_amounts, plus the indexes of the label cells and of the amount cells."""
    label_parts: list[str] = []
    amounts: list = []
    label_at: list[int] = []
    amount_at: list[int] = []
    for i, text in enumerate(cells):
        if not text:
            continue
        value = as_money(text)
        if value is not None and (label_parts and not label_parts[-1].isdigit() or amounts):
            amounts.append(value)
            amount_at.append(i)
        elif value is not None and not label_parts and not (text.isdigit() and len(text) == 3):
            amounts.append(value)
            amount_at.append(i)
        else:
            label_parts.append(text)
            label_at.append(i)
    return "".join(label_parts), amounts, label_at, amount_at


def _read_expense(grid, r, split, right, table, out_roles, expense, totals, where) -> None:
    label, amounts, label_at, amount_at = _label_and_cells(right)
    cols: dict[str, int] = {}  # field -> grid column it was read from
    if table == "t1":
        values = {"amount": amounts[0] if amounts else None}
        if amounts:
            cols["amount"] = split + amount_at[0]
    else:
        values = {}
        for i, t in enumerate(right):
            role = out_roles[split + i] if split + i < len(out_roles) else None
            value = as_money(t) if t else None
            if role and value is not None and role not in values and i > 0:
                values[role] = value
                cols[role] = split + i
        # Header gave no roles: schema order. (A row left blank under a labelled header stays
        # blank: its 类 code misread as "23" is no amount.)
        if not values and not any(out_roles[split:]):
            values = dict(zip(("total", "general_budget", "gov_fund", "state_capital"), amounts))
            cols = dict(zip(values, (split + i for i in amount_at)))
    if not label:
        return
    if "总计" in label or "合计" in label:
        totals["expense_total"] = values.get("amount") if table == "t1" else values
        base = "total/expense_total"
        for role, c in cols.items():
            note(where, base if table == "t1" else f"{base}/{role}", grid.page, grid.cell(r, c).bbox)
        return
    match = _CODE_NAME.match(label)
    code, name = (match.group(1), match.group(2) or None) if match else (None, label)
    if code is None and not any(v is not None for v in values.values()):
        return
    base = f"rows/{len(expense)}"
    label_box = union(grid.cell(r, split + i).bbox for i in label_at)
    for key in ("code", "name") if code and name else ("code",) if code else ("name",):
        note(where, f"{base}/{key}", grid.page, label_box)
    for role, c in cols.items():
        note(where, f"{base}/{role}", grid.page, grid.cell(r, c).bbox)
    expense.append({"code": code, "name": name, **values})


def read_t10(region: Region, where: Where | None = None,
             template: Template | None = None) -> tuple[list[dict], dict[str, object]]:
    """The 三公 lines with their four amounts, the 合计 line included (line "total"), and the
    printed lines the contract has no field for (机关运行经费, 会议费 …) by label.

    The lines are printed down the table (a line per row) or across it (a line per column, as
    Shanghai and Jiangsu print them). where gets each value's cell under "<line>/<field>".
    """
    template = template or templates.default()
    rules = template.line_rules("t10")
    for grid in region.grids:
        start = header_split(grid)
        paths = column_paths(grid, start)
        across = [match_words(path[-1], rules) if path else None for path in paths]
        if len({line for line in across if line and line != "extra"}) >= 3:
            return _t10_across(grid, start, paths, across, where)
    return _t10_down(region, template, where), {}


def _t10_across(grid: Grid, start: int, paths: list[list[str]], across: list[str | None],
                where: Where | None) -> tuple[list[dict], dict[str, object]]:
    """One row of amounts under a header naming a line per column (the 合计 row when printed)."""
    data = [r for r in range(start, grid.n_rows)
            if any(as_money(clean(grid.text(r, c))) is not None for c in range(grid.n_cols))]
    if not data:
        return [], {}
    totals = [r for r in data if normalise(grid.text(r, 0, anchor_only=False)).startswith(("合计", "总计"))]
    r = (totals or data)[0]
    lines: list[dict] = []
    extra: dict[str, object] = {}
    for c, line in enumerate(across):
        value = as_money(clean(grid.text(r, c)))
        if not paths[c] or (value is None and line is None):
            continue
        if line and line != "extra" and not any(item["line"] == line for item in lines):
            lines.append({"line": line, "name": paths[c][-1], "total": value})
            note(where, f"{line}/name", grid.page, grid.cell(start - 1, c).bbox if start else None)
            note(where, f"{line}/total", grid.page, grid.cell(r, c).bbox)
        elif value is not None:
            key = extra_key(paths[c][-1])
            extra[key] = value
            note(where, f"extra/{key}", grid.page, grid.cell(r, c).bbox)
    return lines, extra


def _t10_down(region: Region, template: Template, where: Where | None) -> list[dict]:
    lines: list[dict] = []
    roles: list[str | None] = []
    for grid in region.grids:
        start = header_split(grid)
        if start:
            roles = [money_role("t10", lab, template) if lab else None for lab in column_labels(grid, start)]
        for r in range(start, grid.n_rows):
            texts = [clean(grid.text(r, c)) for c in range(grid.n_cols)]
            label, amounts, label_at, amount_at = _label_and_cells(texts)
            line = match_words(label, template.line_rules("t10"))
            if not line or line == "extra" or any(item["line"] == line for item in lines):
                continue
            values: dict[str, object] = {}
            cols: dict[str, int] = {}
            for c, t in enumerate(texts):
                role = roles[c] if c < len(roles) else None
                value = as_money(t) if t and c > 0 else None
                if role and value is not None and role not in values:
                    values[role] = value
                    cols[role] = c
            if not roles:
                values = dict(zip(("total", "general_budget", "gov_fund", "state_capital"), amounts))
                cols = dict(zip(values, amount_at))
            note(where, f"{line}/name", grid.page, union(grid.cell(r, c).bbox for c in label_at))
            for role, c in cols.items():
                note(where, f"{line}/{role}", grid.page, grid.cell(r, c).bbox)
            lines.append({"line": line, "name": label, **values})
    return lines
