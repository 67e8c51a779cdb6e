"""Identities across tables: the same figure printed in two tables must agree.

A mismatch here is often the document's own (two tables compiled separately), so the cause
logic in ``__init__`` decides "source" vs "extraction"; the rules only state the arithmetic.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from schemas import Finding

from .core import Context, Identity, rule
from .labels import fmt
from .rules_tables import T2_FISCAL_PARTS, blank_columns
from .tree import class_rows, is_project, is_unit_line

X_T1_T2 = rule("x.t1_total_eq_t2_total", "表1收入总计 = 表2合计", "t1 income total = t2 total")
X_T1_T3 = rule("x.t1_total_eq_t3_total", "表1收入总计 = 表3合计", "t1 income total = t3 total")
X_CLASS_T2 = rule("x.t1_class_eq_t2", "表1支出类级 = 表2同类合计", "t1 expense class = t2 class total")
X_CLASS_T3 = rule("x.t1_class_eq_t3", "表1支出类级 = 表3同类合计", "t1 expense class = t3 class total")
X_GB_T4 = rule("x.t1_general_budget_eq_t4", "表1一般公共预算拨款 = 表4一般公共预算收入",
               "t1 general budget = t4 income general budget")
X_T4_T2 = rule("x.t4_class_eq_t2_fiscal", "表4支出类级合计 = 表2同类财政拨款小计",
               "t4 expense class = t2 class fiscal subtotal")
X_T5_T6 = rule("x.t5_basic_eq_t6", "表5合计基本支出 = 表6合计", "t5 total basic = t6 total")
X_T5_T7 = rule("x.t5_project_eq_t7", "表5合计项目支出 = 表7合计", "t5 total project = t7 total")
X_CODE_T7 = rule("x.t5_code_project_eq_t7", "表5各项级科目项目支出 = 表7该科目各项目之和",
                 "t5 project per 项 code = Σ t7 rows of that code")
X_T5_T4 = rule("x.t5_total_eq_t4_general", "表5合计 = 表4支出一般公共预算（或加一般公共预算结转）",
               "t5 total = t4 general-budget expense (or plus its carryover)")
X_T3_T5 = rule("x.t3_eq_t5", "只有一般公共预算时 表3 = 表5", "t3 = t5 when the unit has only general-budget money")
X_RECEPTION = rule("x.t10_reception_eq_t6", "表10公务接待费 = 表6 30217公务接待费", "t10 reception = t6 30217",
                   severity="warning")
X_VEHICLE = rule("x.t10_vehicle_operation_eq_t6", "表10公务用车运行费 = 表6 30231公务用车运行维护费",
                 "t10 vehicle operation = t6 30231", severity="warning")
X_T11 = rule("x.t11_total_eq_t1_carryover", "表11总计 = 表1上年结转结余", "t11 total = t1 carryover")
X_T8_T1 = rule("x.t8_total_eq_t1_gov_fund", "表8合计 = 表1政府性基金预算拨款（加其结转）",
               "t8 total = t1 gov fund (+ its carryover)")
X_T9_T1 = rule("x.t9_total_eq_t1_state_capital", "表9合计 = 表1国有资本经营预算拨款（加其结转）",
               "t9 total = t1 state capital (+ its carryover)")
X_T8_T4 = rule("x.t8_total_eq_t4_gov_fund", "表8合计 = 表4支出政府性基金预算", "t8 total = t4 gov-fund expense")
X_T9_T4 = rule("x.t9_total_eq_t4_state_capital", "表9合计 = 表4支出国有资本经营预算",
               "t9 total = t4 state-capital expense")
X_T3_PARTS = rule("x.t3_project_eq_parts", "表3合计项目支出 = 表7 + 表8/表9项目 + 表11项目 + 非财政拨款项目",
                  "t3 total project = t7 + t8/t9 project + t11 project + non-fiscal projects")

T1_INCOME = "/tables/t1/income"
T1_TOTAL = "/tables/t1/total/income_total"


def total_cells(ctx: Context, key: str, col: str) -> tuple[str, ...] | None:
    """The cells that hold a table's total of one column.

    The printed 合计 row; an empty table (本表为空表) has none, i.e. it stands for 0; a table
    with rows but no 合计 row gives None: its total is unknown (rows may be missing too).
    """
    table = ctx.table(key)
    if table.total is not None:
        return (f"/tables/{key}/total/{col}",)
    return None if table.rows else ()


def _class_cells(ctx: Context, key: str, prefix: str, col: str) -> tuple[str, ...]:
    rows = ctx.table(key).rows
    return tuple(f"/tables/{key}/rows/{i}/{col}" for i in class_rows(rows, ctx.tree(key), prefix))


def _eq(rule_id: str, tables: tuple[str, ...], left: tuple[str, ...] | None, right: tuple[str, ...] | None,
        **kw: Any) -> list[Identity]:
    """left = right where either side may be one printed cell or a few rows (None: unknown, skip)."""
    if left is None or right is None:
        return []
    lhs = left[0] if left else None
    return [Identity(rule_id, lhs, right, tables, lhs_more=left[1:], **kw)]


def cross_rules(ctx: Context) -> Iterator[Identity | Finding]:
    """Every cross-table identity whose tables are printed."""
    if ctx.present("t1", "t2"):
        yield _eq(X_T1_T2, ("t1", "t2"), (T1_TOTAL,), total_cells(ctx, "t2", "total"), lhs_optional=True)
        yield from _classes(ctx, "t2", X_CLASS_T2, "total")
    if ctx.present("t1", "t3"):
        yield _eq(X_T1_T3, ("t1", "t3"), (T1_TOTAL,), total_cells(ctx, "t3", "total"), lhs_optional=True)
        yield from _classes(ctx, "t3", X_CLASS_T3, "total")
    if ctx.present("t1", "t4"):
        yield _eq(X_GB_T4, ("t1", "t4"), (f"{T1_INCOME}/general_budget",), ("/tables/t4/income/general_budget",))
    if ctx.present("t4", "t2"):
        yield from _t4_classes(ctx)
    if ctx.present("t5", "t6"):
        yield _eq(X_T5_T6, ("t5", "t6"), total_cells(ctx, "t5", "basic"), total_cells(ctx, "t6", "total"))
    if ctx.present("t5", "t7"):
        yield _eq(X_T5_T7, ("t5", "t7"), total_cells(ctx, "t5", "project"), total_cells(ctx, "t7", "total"))
        yield from _codes(ctx)
    if ctx.present("t5", "t4"):
        yield from _t5_t4(ctx)
    if ctx.present("t3", "t5", "t1") and _only_general_budget(ctx):
        yield from _t3_t5(ctx)
    if ctx.present("t10", "t6"):
        yield from _t10_t6(ctx)
    if ctx.present("t11", "t1"):
        yield _eq(X_T11, ("t11", "t1"), total_cells(ctx, "t11", "total"), (f"{T1_INCOME}/carryover",))
    for key, field, r1, r4, t4col in (("t8", "gov_fund", X_T8_T1, X_T8_T4, "gov_fund"),
                                       ("t9", "state_capital", X_T9_T1, X_T9_T4, "state_capital")):
        if ctx.present(key, "t1"):
            cells = total_cells(ctx, key, "total")
            yield _eq(r1, (key, "t1"), cells, (f"{T1_INCOME}/{field}",),
                      alts=((f"{T1_INCOME}/{field}", f"{T1_INCOME}/fiscal_carryover_{field}"),))
        if ctx.present(key, "t4") and ctx.doc.tables.t4.total is not None:
            yield _eq(r4, (key, "t4"), total_cells(ctx, key, "total"), (f"/tables/t4/total/expense_total/{t4col}",))
    if ctx.present("t3", "t7"):
        yield from _t3_parts(ctx)


def _classes(ctx: Context, key: str, rule_id: str, col: str) -> Iterator[Identity]:
    """Each 类 on t1's expense side against the same 类 in t2/t3."""
    # Only the 类 lines t1 prints: t1 lists the whole template, so an absent line means a
    # truncated reading, not a zero.
    t1_rows = {row.code: i for i, row in enumerate(ctx.doc.tables.t1.rows) if row.code}
    for code in sorted(t1_rows):
        yield _eq(rule_id, ("t1", key), (f"/tables/t1/rows/{t1_rows[code]}/amount",),
                  _class_cells(ctx, key, code, col))


def _t4_classes(ctx: Context) -> Iterator[list[Identity]]:
    t4_rows = ctx.doc.tables.t4.rows
    by_code = {row.code: i for i, row in enumerate(t4_rows) if row.code and len(row.code) == 3}
    # A t2 that never prints its 小计 column: the six fiscal columns stand in for it.
    unprinted = "fiscal_subtotal" in blank_columns(ctx.doc.tables.t2, ["fiscal_subtotal"])
    columns = T2_FISCAL_PARTS if unprinted else ("fiscal_subtotal",)
    for code in sorted(by_code):  # the 类 lines t4 prints (see _classes)
        right = tuple(p for col in columns for p in _class_cells(ctx, "t2", code, col))
        yield _eq(X_T4_T2, ("t4", "t2"), (f"/tables/t4/rows/{by_code[code]}/total",), right)


def _codes(ctx: Context) -> Iterator[Identity]:
    """Per 项 code: t5's project column = the t7 rows of that code."""
    t5_rows = ctx.doc.tables.t5.rows
    codes = {row.code for row in t5_rows if row.code and len(row.code) == 7}
    codes |= {row.code for row in ctx.doc.tables.t7.rows if row.code and len(row.code) == 7}
    for code in sorted(codes):
        left = tuple(f"/tables/t5/rows/{i}/project" for i, row in enumerate(t5_rows) if row.code == code)
        projects = tuple(f"/tables/t7/rows/{i}/total" for i, row in enumerate(ctx.doc.tables.t7.rows)
                         if row.code == code and is_project(row))
        # The project rows themselves (a 项 subtotal line is checked by t7.hierarchy).
        yield _eq(X_CODE_T7, ("t5", "t7"), left, projects or _class_cells(ctx, "t7", code, "total"))


def _t5_t4(ctx: Context) -> Iterator[Identity | Finding]:
    left = total_cells(ctx, "t5", "total")
    t4_general = ("/tables/t4/total/expense_total/general_budget",)
    with_carry = t4_general + (f"{T1_INCOME}/fiscal_carryover_general",)
    if left is None or ctx.doc.tables.t4.total is None:
        return
    yield from _eq(X_T5_T4, ("t5", "t4"), left, t4_general, alts=(with_carry,))
    # Both conventions occur in the seeds; when only the second holds, say which one this is.
    values = ctx.values
    t5_total = sum((values.get(p) or 0 for p in left), start=0)
    carry = values.get(f"{T1_INCOME}/fiscal_carryover_general")
    t4_value = values.get(t4_general[0])
    if carry and t4_value is not None and t5_total != t4_value and t5_total == t4_value + carry:
        yield Finding(rule=X_T5_T4, severity="info", tables=["t5", "t4", "t1"], locations=list(left + with_carry),
                      expected=t4_value + carry, actual=t5_total, difference=0,
                      message=f"表5合计 {fmt(t5_total)} = 表4一般公共预算支出 {fmt(t4_value)} + 一般公共预算结转 "
                              f"{fmt(carry)}（表5含结转） / t5 total includes the general-budget carryover",
                      cause="source")


def _only_general_budget(ctx: Context) -> bool:
    """True when t1 shows no money but the current year's general budget."""
    income = ctx.doc.tables.t1.income
    others = ("gov_fund", "state_capital", "fiscal_special_account", "unit_funds", "carryover",
              "fiscal_carryover", "nonfiscal_carryover")
    return not any(getattr(income, name) for name in others)


def _t3_t5(ctx: Context) -> Iterator[Identity]:
    t3, t5 = ctx.doc.tables.t3, ctx.doc.tables.t5
    pairs = _pair_rows(t3.rows, t5.rows)
    for i3, i5 in pairs:
        for col in ("total", "basic", "project"):
            left = (f"/tables/t3/rows/{i3}/{col}",) if i3 is not None else ()
            right = (f"/tables/t5/rows/{i5}/{col}",) if i5 is not None else ()
            yield _eq(X_T3_T5, ("t3", "t5"), left, right)
    if t3.total is not None and t5.total is not None:
        for col in ("total", "basic", "project"):
            yield _eq(X_T3_T5, ("t3", "t5"), (f"/tables/t3/total/{col}",), (f"/tables/t5/total/{col}",))


def _pair_rows(left: list, right: list) -> list[tuple[int | None, int | None]]:
    """Pair rows of two tables by (unit line, code, occurrence)."""
    def keyed(rows: list) -> dict[tuple, int]:
        out: dict[tuple, int] = {}
        unit = None
        for i, row in enumerate(rows):
            if is_unit_line(row):
                unit = row.name
            key = (unit, row.code, row.name if row.code is None else None)
            n = 0
            while (*key, n) in out:
                n += 1
            out[(*key, n)] = i
        return out
    a, b = keyed(left), keyed(right)
    return [(a.get(k), b.get(k)) for k in list(a) + [k for k in b if k not in a]]


def _t10_t6(ctx: Context) -> Iterator[Identity]:
    t10 = ctx.doc.tables.t10
    lines = {row.line: i for i, row in enumerate(t10.rows)}
    for line, code, rule_id in (("reception", "30217", X_RECEPTION), ("vehicle_operation", "30231", X_VEHICLE)):
        if line not in lines:
            continue
        right = tuple(f"/tables/t6/rows/{i}/total" for i, row in enumerate(ctx.doc.tables.t6.rows)
                      if row.code == code)
        yield _eq(rule_id, ("t10", "t6"), (f"/tables/t10/rows/{lines[line]}/total",), right)


def _t3_parts(ctx: Context) -> Iterator[Identity]:
    """t3's project total = general-budget projects + fund projects + carryover + non-fiscal projects."""
    parts: tuple[str, ...] | None = total_cells(ctx, "t7", "total")
    for key in ("t8", "t9"):
        if ctx.present(key) and parts is not None:
            more = total_cells(ctx, key, "project")
            parts = None if more is None else parts + more
    carry: tuple[str, ...] | None = ()
    if ctx.present("t11"):
        fiscal, nonfiscal_carry = total_cells(ctx, "t11", "fiscal_project"), total_cells(ctx, "t11", "nonfiscal_project")
        carry = None if fiscal is None or nonfiscal_carry is None else fiscal + nonfiscal_carry
    nonfiscal = ("/narrative/nonfiscal_project_amount",) if ctx.doc.narrative else ()
    # Some units already count the carried-over projects inside t7: accept that form too.
    if parts is None or carry is None:
        return
    yield _eq(X_T3_PARTS, ("t3", "t7", "t8", "t9", "t11"), total_cells(ctx, "t3", "project"),
              parts + carry + nonfiscal, alts=(parts + nonfiscal,))
