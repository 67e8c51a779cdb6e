"""Identities inside one table: row sums, column splits, the code hierarchy, the 合计 row."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

from schemas.tables import BasicProjectRow, FundRow, T2Row, T6Row, T7Row, T11Row

from .core import Context, Identity, money_fields, rule
from .tree import Tree, build_tree, is_heading

# ---- rule ids ------------------------------------------------------------------------

T1_CURRENT = rule("t1.current_year_income", "本年收入 = 一般公共预算 + 政府性基金 + 国有资本经营 + 财政专户 + 单位资金",
                  "current-year income = the five sources")
T1_SPLITS = {
    "general_budget": rule("t1.general_budget_split", "一般公共预算拨款 = 一般财力 + 上级转移支付",
                           "general budget = own resources + upper transfer"),
    "gov_fund": rule("t1.gov_fund_split", "政府性基金预算拨款 = 基金收入 + 上级转移支付",
                     "gov fund = fund income + upper transfer"),
    "state_capital": rule("t1.state_capital_split", "国有资本经营预算拨款 = 经营收入 + 上级转移支付",
                          "state capital = own income + upper transfer"),
}
T1_UNIT_FUNDS = rule("t1.unit_funds_split", "单位资金 = 其中五项之和", "unit funds = its five lines")
T1_CARRYOVER = rule("t1.carryover", "上年结转结余 = 财政拨款结转 + 非财政拨款结转结余",
                    "carryover = fiscal + non-fiscal carryover")
T1_FISCAL_CARRY = rule("t1.fiscal_carryover_split", "财政拨款结转 = 其中三项之和", "fiscal carryover = its lines")
T1_NONFISCAL_CARRY = rule("t1.nonfiscal_carryover_split", "非财政拨款结转结余 = 其中两项之和",
                          "non-fiscal carryover = its lines")
T1_INCOME_TOTAL = rule("t1.income_total", "收入总计 = 本年收入 + 上年结转结余", "income total = income + carryover")
T1_EXPENSE_TOTAL = rule("t1.expense_total", "支出总计 = 各支出功能分类之和", "expense total = Σ expense lines")
T1_BALANCE = rule("t1.balance", "收入总计 = 支出总计", "income total = expense total")
T2_FISCAL = rule("t2.row_fiscal_subtotal", "财政拨款小计 = 六项财政拨款之和", "fiscal subtotal = six fiscal columns")
T4_INCOME = rule("t4.income_sum", "财政拨款（补助）= 一般公共预算 + 政府性基金 + 国有资本经营",
                 "fiscal income = its three sources")
T4_EXPENSE_SUM = rule("t4.expense_total_sum", "支出总计 = 各支出行之和（分列）", "expense total = Σ lines, per column")
T4_BALANCE = rule("t4.balance", "收入总计 = 支出总计", "income total = expense total")
T10_TOTAL = rule("t10.total_sum", "合计 = 因公出国（境）费 + 公务接待费 + 公务用车购置及运行费",
                 "total = outbound + reception + vehicles")
T10_VEHICLES = rule("t10.vehicles_sum", "公务用车购置及运行费 = 购置费 + 运行费", "vehicles = purchase + operation")
T11_FISCAL = rule("t11.fiscal_split", "财政拨款合计 = 人员经费 + 公用经费 + 项目支出", "fiscal side total = its parts")
T11_NONFISCAL = rule("t11.nonfiscal_split", "非财政拨款合计 = 人员经费 + 公用经费 + 项目支出",
                     "non-fiscal side total = its parts")

for _key in ("t2", "t3", "t4", "t5", "t6", "t7", "t8", "t9", "t10", "t11"):
    rule(f"{_key}.row_total", "行合计 = 各分列之和", "row total = its columns")
for _key in ("t2", "t3", "t5", "t6", "t7", "t8", "t9", "t11"):
    rule(f"{_key}.hierarchy", "上级科目 = 下级科目之和（分列）", "a parent row = Σ its child rows, per column")
    rule(f"{_key}.total_sum", "合计行 = 顶层各行之和（分列）", "the total row = Σ top-level rows, per column")

# Row models' money columns, and how each table's row total splits.
T7_PARTS = money_fields(T7Row, skip=("total",))
ROW_SPLITS: dict[str, tuple[str, tuple[str, ...]]] = {
    "t2": ("total", ("fiscal_subtotal", "fiscal_special_account", "unit_funds", "fiscal_carryover",
                     "nonfiscal_carryover")),
    "t3": ("total", ("basic", "project")),
    "t5": ("total", ("basic", "project")),
    "t6": ("total", ("personnel", "public")),
    "t7": ("total", tuple(T7_PARTS)),
    "t8": ("total", ("basic_personnel", "basic_public", "project")),
    "t9": ("total", ("basic_personnel", "basic_public", "project")),
    "t11": ("total", ("fiscal_total", "nonfiscal_total")),
}
COLUMNS: dict[str, list[str]] = {
    "t2": money_fields(T2Row), "t3": money_fields(BasicProjectRow), "t5": money_fields(BasicProjectRow),
    "t6": money_fields(T6Row), "t7": money_fields(T7Row), "t8": money_fields(FundRow),
    "t9": money_fields(FundRow), "t11": money_fields(T11Row),
}
T2_FISCAL_PARTS = ("general_budget", "general_transfer_upper", "gov_fund", "gov_fund_transfer_upper",
                   "state_capital", "state_capital_transfer_upper")
T4_COLUMNS = ("total", "general_budget", "gov_fund", "state_capital")


def _sum(rule_id: str, key: str, lhs: str, rhs: Sequence[str], **kw: Any) -> Identity:
    return Identity(rule_id, lhs, tuple(rhs), (key,), **kw)


def _row_pointers(key: str, table: Any) -> list[str]:
    """Pointers of every row plus the printed total row (when there is one)."""
    out = [f"/tables/{key}/rows/{i}" for i in range(len(table.rows))]
    if table.total is not None:
        out.append(f"/tables/{key}/total")
    return out


def table_rules(ctx: Context) -> Iterator[Identity]:
    """Every in-table identity of the printed tables."""
    if ctx.present("t1"):
        yield from _t1(len(ctx.doc.tables.t1.rows), ctx.doc.tables.t1.total is not None)
    if ctx.present("t4"):
        yield from _t4(ctx)
    if ctx.present("t10"):
        yield from _t10(ctx)
    family = ctx.template()
    for key, (total, parts) in ROW_SPLITS.items():
        table = ctx.table(key)
        if not table.present:
            continue
        parts = family.row_sums.get(key, parts) if family else parts  # the family's own row sum
        columns = COLUMNS[key] + extra_columns(table)
        blank = blank_columns(table, columns)
        splits = [(f"{key}.row_total", total, parts)] + SUB_SPLITS.get(key, [])
        grand_only = _grand_total_only(table, COLUMNS[key])
        for base in _row_pointers(key, table):
            if grand_only and base.endswith("/total"):
                continue  # a 合计 row that prints only its grand total: nothing to split
            for rule_id, lhs, rhs in splits:
                if lhs in blank:
                    continue  # the table never prints this subtotal: a style, not an error
                yield _sum(rule_id, key, f"{base}/{lhs}", [f"{base}/{p}" for p in _stand_in(key, rhs, blank)])
        tree = t11_tree(table.rows, ctx.doc.unit_name) if key == "t11" else build_tree(table.rows)
        yield from hierarchy(key, table, tree, [c for c in columns if c not in blank],
                             total_columns=["total"] if grand_only else None)


# Splits of a row's subtotal columns, checked next to the row total.
SUB_SPLITS: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {
    "t2": [(T2_FISCAL, "fiscal_subtotal", T2_FISCAL_PARTS)],
    "t11": [(T11_FISCAL, "fiscal_total", ("fiscal_basic_personnel", "fiscal_basic_public", "fiscal_project")),
            (T11_NONFISCAL, "nonfiscal_total",
             ("nonfiscal_basic_personnel", "nonfiscal_basic_public", "nonfiscal_project"))],
}


def _grand_total_only(table: Any, columns: Sequence[str]) -> bool:
    """The 合计 row prints its grand total only, while the rows print the other columns (a style)."""
    if table.total is None:
        return False
    others = [c for c in columns if c != "total"]
    if any(getattr(table.total, c) is not None for c in others):
        return False
    return any(getattr(row, c) is not None for row in table.rows for c in others)


def extra_columns(table: Any) -> list[str]:
    """The printed columns without a contract field, as "extra/<header>" column names."""
    rows = list(table.rows) + ([table.total] if table.total is not None else [])
    return list(dict.fromkeys(f"extra/{k}" for row in rows for k in (getattr(row, "extra", None) or {})))


def _cell(row: Any, col: str) -> Any:
    if col.startswith("extra/"):
        return (getattr(row, "extra", None) or {}).get(col[len("extra/"):])
    return getattr(row, col)


def blank_columns(table: Any, columns: Sequence[str]) -> set[str]:
    """Columns blank in every row and in the 合计: the table does not print them."""
    rows = list(table.rows) + ([table.total] if table.total is not None else [])
    return {col for col in columns if all(_cell(row, col) is None for row in rows)}


def _stand_in(key: str, parts: Sequence[str], blank: set[str]) -> list[str]:
    """Replace a subtotal column the table never prints by its own parts."""
    out: list[str] = []
    subs = {lhs: rhs for _, lhs, rhs in SUB_SPLITS.get(key, [])}
    for part in parts:
        out.extend(subs[part] if part in blank and part in subs else (part,))
    return out


def hierarchy(key: str, table: Any, tree: Tree, columns: Sequence[str],
              total_columns: Sequence[str] | None = None) -> Iterator[Identity]:
    """Parent = Σ children and 合计 = Σ top-level rows, for every column (of the 合计: total_columns)."""
    rows = f"/tables/{key}/rows"
    for parent in range(len(table.rows)):
        kids = tree.children(parent)
        if kids:
            for col in columns:
                yield _sum(f"{key}.hierarchy", key, f"{rows}/{parent}/{col}", [f"{rows}/{k}/{col}" for k in kids])
    if table.total is not None:
        top = tree.top()
        for col in (columns if total_columns is None else total_columns):
            yield _sum(f"{key}.total_sum", key, f"/tables/{key}/total/{col}", [f"{rows}/{k}/{col}" for k in top])


def _t1(n_rows: int, has_total: bool) -> Iterator[Identity]:
    inc = "/tables/t1/income"
    # Families print different income lines (Shanghai: 财政拨款收入, 事业收入 …): a sum whose
    # total line is not printed is not checked, nor a total whose parts are not printed.
    opt = {"lhs_optional": True, "rhs_optional": True}
    yield _sum(T1_CURRENT, "t1", f"{inc}/current_year_income",
               [f"{inc}/{f}" for f in ("general_budget", "gov_fund", "state_capital", "fiscal_special_account",
                                       "unit_funds")], **opt)
    for field, rule_id in T1_SPLITS.items():
        own = {"general_budget": "general_fiscal_resources", "gov_fund": "gov_fund_income",
               "state_capital": "state_capital_income"}[field]
        upper = {"general_budget": "general_transfer_upper"}.get(field, f"{field}_transfer_upper")
        yield _sum(rule_id, "t1", f"{inc}/{field}", [f"{inc}/{own}", f"{inc}/{upper}"], **opt)
    yield _sum(T1_UNIT_FUNDS, "t1", f"{inc}/unit_funds",
               [f"{inc}/{f}" for f in ("business_income", "upper_subsidy_income", "affiliated_remittance",
                                       "business_operation_income", "other_income")], **opt)
    yield _sum(T1_CARRYOVER, "t1", f"{inc}/carryover", [f"{inc}/fiscal_carryover", f"{inc}/nonfiscal_carryover"])
    yield _sum(T1_FISCAL_CARRY, "t1", f"{inc}/fiscal_carryover",
               [f"{inc}/fiscal_carryover_{f}" for f in ("general", "gov_fund", "state_capital")], **opt)
    yield _sum(T1_NONFISCAL_CARRY, "t1", f"{inc}/nonfiscal_carryover",
               [f"{inc}/nonfiscal_carryover_{f}" for f in ("special_account", "unit_funds")], **opt)
    if not has_total:
        return  # no 总计 line printed (or read): nothing to add up to
    yield _sum(T1_INCOME_TOTAL, "t1", "/tables/t1/total/income_total",
               [f"{inc}/current_year_income", f"{inc}/carryover"], rhs_optional=True)
    yield _sum(T1_EXPENSE_TOTAL, "t1", "/tables/t1/total/expense_total",
               [f"/tables/t1/rows/{i}/amount" for i in range(n_rows)])
    yield _sum(T1_BALANCE, "t1", "/tables/t1/total/income_total", ["/tables/t1/total/expense_total"])


def _t4(ctx: Context) -> Iterator[Identity]:
    t4 = ctx.doc.tables.t4
    inc = "/tables/t4/income"
    yield _sum(T4_INCOME, "t4", f"{inc}/fiscal_total", [f"{inc}/{c}" for c in T4_COLUMNS[1:]], lhs_optional=True)
    bases = [f"/tables/t4/rows/{i}" for i in range(len(t4.rows))]
    bases += ["/tables/t4/total/expense_total"] if t4.total is not None else []
    lines = list(t4.rows) + ([t4.total.expense_total] if t4.total is not None else [])
    sources = [c for c in T4_COLUMNS[1:] if any(getattr(line, c) is not None for line in lines)]
    for base in bases:
        if sources:  # a table printing one amount column has no split by source
            yield _sum("t4.row_total", "t4", f"{base}/total", [f"{base}/{c}" for c in sources])
    if t4.total is None or not t4.rows:
        return  # the 总计 line, or the expense by function, is not printed (or not read)
    top = build_tree(t4.rows).top()
    for col in T4_COLUMNS:
        yield _sum(T4_EXPENSE_SUM, "t4", f"/tables/t4/total/expense_total/{col}",
                   [f"/tables/t4/rows/{i}/{col}" for i in top])
    yield _sum(T4_BALANCE, "t4", "/tables/t4/total/income_total", ["/tables/t4/total/expense_total/total"])


def _t10(ctx: Context) -> Iterator[Identity]:
    t10 = ctx.doc.tables.t10
    where = {row.line: f"/tables/t10/rows/{i}" for i, row in enumerate(t10.rows)}
    if t10.total is not None:
        where["total"] = "/tables/t10/total"
    sources = [c for c in T4_COLUMNS[1:] if c not in blank_columns(t10, T4_COLUMNS[1:])]
    for base in where.values():
        if sources:  # a table printing the 合计 column only has no split by source
            yield _sum("t10.row_total", "t10", f"{base}/total", [f"{base}/{c}" for c in sources])
    vehicles_row = next((row for row in t10.rows if row.line == "vehicles"), None)
    # A 小计 line printed without any amount is not printed: its two lines stand in for it
    # (completeness reports the missing subtotal).
    vehicles = ("vehicles",) if vehicles_row is not None and not is_heading(vehicles_row) else (
        "vehicle_purchase", "vehicle_operation")
    for col in T4_COLUMNS:
        if "total" in where:
            parts = [f"{where[line]}/{col}" for line in ("outbound", "reception", *vehicles) if line in where]
            yield _sum(T10_TOTAL, "t10", f"{where['total']}/{col}", parts)
        if vehicles == ("vehicles",):
            parts = [f"{where[line]}/{col}" for line in ("vehicle_purchase", "vehicle_operation") if line in where]
            yield _sum(T10_VEHICLES, "t10", f"{where['vehicles']}/{col}", parts)


# A t11 group line names a unit ("库尔勒市朝阳街道办事处"); item lines name a document or a project.
_UNIT_SUFFIX = re.compile(r"(办事处|委员会|局|中心|机关|站|所|院|校|馆|队|处|部|会|室|办|园|厅|社|团|委)(本级|机关)?$")
_ITEM_WORDS = re.compile(r"号|经费|资金|补助|补贴|项目|费|通知|支出|工程|建设")


def t11_tree(rows: Sequence[T11Row], unit_name: str | None) -> Tree:
    """t11 rows carry no codes: unit lines (by name) head the item lines below them."""
    parent: dict[int, int | None] = {}
    group: dict[int, int | None] = {}
    headings = frozenset(i for i, row in enumerate(rows) if is_heading(row))
    head: int | None = None
    for i, row in enumerate(rows):
        if _is_t11_unit(row.name, unit_name):
            head = i
            parent[i] = group[i] = None
        else:
            group[i] = head
            parent[i] = head if head not in headings else None
    return Tree(parent=parent, group=group, headings=headings)


def _is_t11_unit(name: str | None, unit_name: str | None) -> bool:
    if not name:
        return False
    if unit_name and name.replace(" ", "") == unit_name.replace(" ", ""):
        return True
    return len(name) <= 30 and bool(_UNIT_SUFFIX.search(name)) and not _ITEM_WORDS.search(name)
