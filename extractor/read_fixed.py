"""The fixed-line tables: t1 and t4 (income lines beside expense 类 lines) and t10 (三公 lines)."""

from __future__ import annotations

import re

from . import templates
from .columns import SPECKS, as_money, money_role
from .templates import Template, match_words
from schemas.common import extra_key

from .grid import Grid
from .locate import Region, clean, normalise
from .outline import snap
from .outline import split as split_label
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
            if text.startswith(("支出", "财政拨款支出", "功能分类", "功能")) or text in ("支出", "支") \
                    or (text.endswith("支出") and len(text) <= 6):  # 本年支出
                # An unlabelled column just before it (the 类 code of an unruled table) is on its side.
                # A column blank from top to bottom (a seal's arc made its rules) is on neither side.
                while c > 1 and not any(normalise(grid.text(rr, c - 1)) for rr in range(start)) \
                        and any(normalise(grid.text(rr, c - 1)) for rr in range(start, grid.n_rows)):
                    c -= 1
                return c
    return max(2, grid.n_cols // 2)


def _pair_start(paths: list[list[str]], split: int) -> int | None:
    """A second label column on the expense side (Jiangsu prints expense by function, then by use):
    a 名称/项目 column under a group heading of its own (支出用途 beside 功能分类)."""
    group = paths[split][:-1] if split < len(paths) else []
    for c in range(split + 2, len(paths) - 1):
        leaf = paths[c][-1] if paths[c] else ""
        if ("名称" in leaf or leaf == "项目") and len(paths[c]) > 1 and paths[c][:-1] != group:
            return c
    return None


def read_two_sided(region: Region, table: str, where: Where | None = None, template: Template | None = None):
    """t1/t4: (income fields, expense rows, totals, extra lines) with amounts.

    where gets each value's cell under "income/<field>", "rows/<i>/<field>", "total/...",
    "extra/<label>". A printed line no field names (一、财政拨款收入, 当年支出小计, the expense
    by use printed beside the expense by function) is kept in extra under its label.
    """
    template = template or templates.default()
    classes = {name for names in template.classes.values() for name in names}
    income: dict[str, object] = {}
    expense: list[dict] = []
    totals: dict[str, object] = {}
    extra: dict[str, object] = {}
    carry = False
    split = None
    use: int | None = None
    out_roles: list[str | None] = []
    paths: list[list[str]] = []
    end = 0
    for n, grid in enumerate(region.grids):
        # A continuation page opening with the rest of a label cut by the page break: no header.
        fragment = split is not None and grid.n_cols == region.grids[n - 1].n_cols and _is_fragment(grid, split, end)
        start = 1 if fragment else header_split(grid)
        if (start and not fragment) or split is None:
            split = _split_column(grid, start)
            paths = column_paths(grid, start)
            use = _pair_start(paths, split)
            out_roles = [money_role("t4", "".join(p), template) if table == "t4" and p else None for p in paths]
        elif split >= grid.n_cols:
            # A continuation drawn with fewer columns than the header's grid: split it on its own.
            split = _split_column(grid, 0)
        split = min(split, grid.n_cols)  # a one-column grid has no expense side
        end = use if use is not None and use <= grid.n_cols else grid.n_cols
        following = region.grids[n + 1:]
        for r in range(start, grid.n_rows):
            left = [clean(grid.text(r, c)) for c in range(min(split, grid.n_cols))]
            right = [clean(grid.text(r, c)) for c in range(min(split, grid.n_cols), end)]
            if r == grid.n_rows - 1 and following and following[0].n_cols == grid.n_cols \
                    and _is_fragment(following[0], split, end):
                # A row cut by the page break ("八、社会保障和就" / "业支出"): its label rejoined.
                tail_text = "".join(clean(following[0].text(0, c)) for c in range(split, end))
                label_at = next((i for i, t in enumerate(right) if t and as_money(t) is None), None)
                if label_at is not None:
                    right[label_at] += tail_text
            label, amounts, _, at = _label_and_cells(left)
            amount = amounts[0] if amounts else None
            pointer = None
            if label:
                if "总计" in label or "合计" in label and "收入" in label:
                    totals["income_total"] = amount
                    pointer = "total/income_total"
                else:
                    if table == "t1" and "上年结转" in label:
                        carry = True
                    rules = template.line_rules("t4_income" if table == "t4" else
                                                "t1_carryover" if carry else "t1_current")
                    name = match_words(label, rules)
                    if name and name not in income:
                        income[name] = amount
                        pointer = f"income/{name}"
                    elif not name and amount is not None:
                        pointer = _keep(extra, label, amount)
            if pointer and amounts:
                note(where, pointer, grid.page, grid.cell(r, at[0]).bbox)
            tail = [clean(grid.text(r, c)) for c in range(end, grid.n_cols)]
            _read_expense(grid, r, split, right, table, out_roles, paths, expense, totals, extra, where, tail,
                          classes)
            if tail:  # the expense by use: its lines are kept as printed
                used, used_amounts, _, used_at = _label_and_cells(tail)
                if used and used_amounts and not _is_total(used):
                    note(where, _keep(extra, used, used_amounts[0]), grid.page, grid.cell(r, end + used_at[0]).bbox)
    return income, expense, totals, extra


def _is_fragment(grid: Grid, split: int, end: int) -> bool:
    """A grid's first row holding only the rest of a label: no amount, no numbering, no code."""
    texts = [clean(grid.text(0, c)) for c in range(grid.n_cols)]
    right = [t for t in texts[split:end] if t]
    if len(right) != 1 or any(texts[:split]) or any(texts[end:]):
        return False
    text = normalise(right[0])
    return as_money(text) is None and not re.match(r"^([一二三四五六七八九十]+、|\d)", text)


def _keep(extra: dict, label: str, value) -> str:
    key = extra_key(label)
    extra.setdefault(key, value)
    return f"extra/{key}"


def _is_total(label: str) -> bool:
    return "总计" in label or "合计" in label


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
        elif value is not None and not label_parts and not _is_class_code(text):
            amounts.append(value)
            amount_at.append(i)
        else:
            label_parts.append(text.strip("." + SPECKS) if _is_class_code(text) else text)
            label_at.append(i)
    return "".join(label_parts), amounts, label_at, amount_at


def _is_class_code(text: str) -> bool:
    """A 类 code leading a row ("211"), also with a speck's dot OCR read beside it ("211.")."""
    bare = text.strip("." + SPECKS)
    return bare.isdigit() and len(bare) == 3 and len(text) - len(bare) <= 1


def _read_expense(grid, r, split, right, table, out_roles, paths, expense, totals, extra, where, tail,
                  classes: set[str]) -> None:
    label, amounts, label_at, amount_at = _label_and_cells(right)
    cols: dict[str, int] = {}  # field -> grid column it was read from
    row_extra: dict[str, object] = {}
    if table == "t1":
        values = {"amount": amounts[0] if amounts else None}
        if amounts:
            cols["amount"] = split + amount_at[0]
        for value, i in zip(amounts[1:], amount_at[1:]):  # 基本支出 / 项目支出 … beside the amount
            c = split + i
            if c < len(paths) and paths[c]:
                row_extra[extra_key(paths[c][-1])] = value
                cols[f"extra/{extra_key(paths[c][-1])}"] = c
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
    if _is_total(label):
        if table == "t1" and tail:
            tail_label, tail_amounts, _, tail_at = _label_and_cells(tail)
            if tail_amounts and values.get("amount") is None:
                # The total printed under the expense by use (the function side leaves it blank).
                values["amount"] = tail_amounts[-1]
                cols["amount"] = split + len(right) + tail_at[-1]
            elif tail_amounts:  # both sides print their total: the by-use one is kept as printed
                key = extra_key(tail_label or "支出总计")
                row_extra.setdefault(key, tail_amounts[-1])
                cols[f"extra/{key}"] = split + len(right) + tail_at[-1]
        totals["expense_total"] = values.get("amount") if table == "t1" else values
        if table == "t1" and row_extra:  # the total's 基本支出/项目支出 … columns, as on every row
            totals.setdefault("extra", {}).update(row_extra)
        base = "total/expense_total"
        for role, c in cols.items():
            spot = f"total/{role}" if role.startswith("extra/") else base if table == "t1" else f"{base}/{role}"
            if table == "t1" or not role.startswith("extra/"):
                note(where, spot, grid.page, grid.cell(r, c).bbox)
        return
    match = _CODE_NAME.match(label)
    code, name = (match.group(1), match.group(2) or None) if match else (None, label)
    bare = split_label(normalise(name or ""))[2]
    # A function class has a code or is named …支出 (a class printed blank is still a row: its
    # amount null), or a 类 name a character off (a fax's 四，公共安全支山); 基本/项目支出 are uses,
    # 当年支出小计 a subtotal, 结转下年资金 a line of its own.
    if code is None and not _names_class(bare, classes):
        # 当年支出小计, 结转下年资金: printed lines, but no function class.
        amount = next((v for v in values.values() if v is not None), None)
        if amount is None and tail:
            found = _label_and_cells(tail)[1]
            amount = found[-1] if found else None
        if amount is not None:
            extra.setdefault(extra_key(name or ""), amount)
        return
    base = f"rows/{len(expense)}"
    label_box = union(grid.cell(r, split + i).bbox for i in label_at)
    for key in ("code", "name") if code and name else ("code",) if code else ("name",):
        note(where, f"{base}/{key}", grid.page, label_box)
    for role, c in cols.items():
        note(where, f"{base}/{role}", grid.page, grid.cell(r, c).bbox)
    expense.append({"code": code, "name": name, **values, **({"extra": row_extra} if row_extra else {})})


def _names_class(bare: str, classes: set[str]) -> bool:
    """Whether an expense line's name (its numbering taken off) names a function 类 (``classes``)."""
    if bare in ("基本支出", "项目支出"):
        return False
    return bare.endswith("支出") or snap(bare, classes) is not None


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
        across = [match_words(_across_label(path), rules) if path else None for path in paths]
        if len({line for line in across if line and line != "extra"}) >= 3:
            return _t10_across(grid, start, paths, across, where)
    return _t10_down(region, template, where), {}


def _across_label(path: list[str]) -> str:
    # A 小计/合计 column is named by the group above it ("公务用车购置及运行费" 小计).
    return "".join(path[-2:]) if path[-1] in ("小计", "合计") else path[-1]


def _t10_across(grid: Grid, start: int, paths: list[list[str]], across: list[str | None],
                where: Where | None) -> tuple[list[dict], dict[str, object]]:
    """One row of amounts under a header naming a line per column (the 合计 row when printed).

    Two columns naming one line (a 合计 over 三公 + 会议费 + 培训费, and the 三公 小计): the one
    under the 三公 heading is the line, the other is kept in extra.
    """
    across = list(across)
    for c, line in enumerate(across):
        rivals = [d for d, other in enumerate(across) if other == line and d != c]
        if line and line != "extra" and rivals and "三公" not in "".join(paths[c]) \
                and any("三公" in "".join(paths[d]) for d in rivals):
            across[c] = None
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
            # A 小计 column is named by the group it totals (公务用车购置及运行费).
            name = paths[c][-2] if paths[c][-1] == "小计" and len(paths[c]) > 1 else paths[c][-1]
            lines.append({"line": line, "name": _printed(grid, paths[c], c, start, name), "total": value})
            note(where, f"{line}/name", grid.page, grid.cell(start - 1, c).bbox if start else None)
            note(where, f"{line}/total", grid.page, grid.cell(r, c).bbox)
        elif value is not None:
            key = extra_key(paths[c][-1])
            extra[key] = value
            note(where, f"extra/{key}", grid.page, grid.cell(r, c).bbox)
    return lines, extra


def _printed(grid: Grid, path: list[str], c: int, start: int, name: str) -> str:
    """A header label as printed (full-width brackets kept), found among the header cells of column c."""
    for r in range(start):
        text = clean(grid.cell(r, c).text)
        if normalise(text) == name:
            return text
    return name


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
