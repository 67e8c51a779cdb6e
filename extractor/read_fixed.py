"""The fixed-line tables: t1 and t4 (income lines beside expense 类 lines) and t10 (三公 lines)."""

from __future__ import annotations

import re

from .columns import as_money, match_words, money_role
from .grid import Grid
from .locate import Region, clean, normalise
from .provenance import Where, note, union
from .read_tables import column_labels, header_split

# (words that must occur, field); income side of t1, before and after "二、上年结转结余".
T1_CURRENT: list[tuple[tuple[str, ...], str]] = [
    (("本年收入",), "current_year_income"),
    (("一般财力",), "general_fiscal_resources"),
    (("上级", "般公共"), "general_transfer_upper"),
    (("般公共",), "general_budget"),
    (("政府性基金收入",), "gov_fund_income"),
    (("上级", "政府性基金"), "gov_fund_transfer_upper"),
    (("政府性基金",), "gov_fund"),
    (("国有资本经营收入",), "state_capital_income"),
    (("上级", "国有资本"), "state_capital_transfer_upper"),
    (("国有资本",), "state_capital"),
    (("专户",), "fiscal_special_account"),
    (("单位资金",), "unit_funds"),
    (("事业收入",), "business_income"),
    (("上级补助",), "upper_subsidy_income"),
    (("附属单位",), "affiliated_remittance"),
    (("经营收入",), "business_operation_income"),
    (("其他收入",), "other_income"),
]
T1_CARRYOVER: list[tuple[tuple[str, ...], str]] = [
    (("上年结转",), "carryover"),
    (("非财政",), "nonfiscal_carryover"),
    (("财政拨款结转",), "fiscal_carryover"),
    (("般公共",), "fiscal_carryover_general"),
    (("政府性基金",), "fiscal_carryover_gov_fund"),
    (("国有资本",), "fiscal_carryover_state_capital"),
    (("专户",), "nonfiscal_carryover_special_account"),
    (("单位资金",), "nonfiscal_carryover_unit_funds"),
]
T4_INCOME: list[tuple[tuple[str, ...], str]] = [
    (("财政拨款",), "fiscal_total"),
    (("般公共",), "general_budget"),
    (("政府性基金",), "gov_fund"),
    (("国有资本",), "state_capital"),
]
T10_LINES: list[tuple[tuple[str, ...], str]] = [
    (("合计",), "total"),
    (("出国",), "outbound"),
    (("接待",), "reception"),
    (("购置", "运行"), "vehicles"),
    (("小计",), "vehicles"),
    (("购置",), "vehicle_purchase"),
    (("运行",), "vehicle_operation"),
]
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


def read_two_sided(region: Region, table: str, where: Where | None = None):
    """t1/t4: (income fields, expense rows, income_total, expense_total) with amounts.

    where gets each value's cell under "income/<field>", "rows/<i>/<field>", "total/...".
    """
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
            out_roles = [money_role("t4", lab) if table == "t4" and lab else None for lab in labels]
        elif split >= grid.n_cols:
            # A continuation drawn with fewer columns than the header's grid: split it on its own.
            split = _split_column(grid, 0)
        split = min(split, grid.n_cols)  # a one-column grid has no expense side
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
                    name = match_words(label, T1_CARRYOVER if carry else T1_CURRENT)
                    if name and name not in income:
                        income[name] = amount
                        pointer = f"income/{name}"
                else:
                    name = match_words(label, T4_INCOME)
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


def read_t10(region: Region, where: Where | None = None) -> list[dict]:
    """The 三公 lines with their four amounts, the 合计 line included (line "total").

    where gets each value's cell under "<line>/<field>" (name and the amounts).
    """
    lines: list[dict] = []
    roles: list[str | None] = []
    for grid in region.grids:
        start = header_split(grid)
        if start:
            roles = [money_role("t10", lab) if lab else None for lab in column_labels(grid, start)]
        for r in range(start, grid.n_rows):
            texts = [clean(grid.text(r, c)) for c in range(grid.n_cols)]
            label, amounts, label_at, amount_at = _label_and_cells(texts)
            line = match_words(label, T10_LINES)
            if not line or any(item["line"] == line for item in lines):
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
