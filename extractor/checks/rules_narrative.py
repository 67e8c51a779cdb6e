"""The narrative against the tables, the staffing profile, completeness and unfilled templates."""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import combinations

from schemas import Finding
from schemas.tables import TABLE_TITLES

from .core import Context, Identity, rule
from .rules_cross import total_cells
from .tree import build_tree, is_project, is_unit_line

N = "/narrative"
NARR_T1 = {
    "total_budget": rule("narr.total_budget", "情况说明 收支总预算 = 表1总计", "narrative total budget = t1 total"),
    "income_budget": rule("narr.income_budget", "情况说明 收入预算 = 表1收入总计", "narrative income = t1 total"),
    "expense_budget": rule("narr.expense_budget", "情况说明 支出预算 = 表1支出总计", "narrative expense = t1 total"),
}
NARR_SPLIT = {
    "basic": rule("narr.expense_basic", "情况说明 基本支出 = 表3合计基本支出", "narrative basic = t3 total basic"),
    "project": rule("narr.expense_project", "情况说明 项目支出 = 表3合计项目支出", "narrative project = t3 project"),
}
NARR_T10 = {
    "total": rule("narr.three_public_total", "情况说明 “三公”经费 = 表10合计", "narrative 三公 = t10 total"),
    "outbound": rule("narr.three_public_outbound", "情况说明 因公出国（境）费 = 表10", "narrative outbound = t10"),
    "reception": rule("narr.three_public_reception", "情况说明 公务接待费 = 表10", "narrative reception = t10"),
    "vehicle_purchase": rule("narr.three_public_vehicle_purchase", "情况说明 公务用车购置费 = 表10",
                             "narrative vehicle purchase = t10"),
    "vehicle_operation": rule("narr.three_public_vehicle_operation", "情况说明 公务用车运行费 = 表10",
                              "narrative vehicle operation = t10"),
}
OPERATING = rule("narr.operating_funds", "情况说明 机关/事业单位运行经费 = 表6合计公用经费",
                 "narrative operating funds = t6 total public", severity="warning")
PROJECT_COUNT = rule("narr.project_count", "情况说明 当年财政拨款项目个数 = 项目绩效目标表个数（加不予公开项目）",
                     "narrative project count = sheets (+ undisclosed)")
PROJECT_AMOUNT = rule("narr.project_amount", "情况说明 当年财政拨款项目金额 = 项目绩效目标表金额之和（加不予公开项目）",
                      "narrative project amount = Σ sheets (+ undisclosed)")
PROCUREMENT = rule("narr.procurement_sum", "政府采购预算 = 货物 + 工程 + 服务", "procurement = goods + works + services")
PROCUREMENT_SME = rule("narr.procurement_sme", "面向中小企业预留 ≤ 政府采购预算", "SME reservation <= procurement total")
STAFFING = rule("profile.staffing_sum", "实有人数 = 在职 + 退休 + 离休", "actual staff = in service + retired + separated")
TABLE_MISSING = rule("complete.table_missing", "规定公开的表格未印出", "a mandated table is not printed",
                     severity="warning")
SUBTOTAL_MISSING = rule("complete.subtotal_missing", "缺少类/款小计行（其他类/款均有）",
                        "a 类/款 subtotal row is missing where the table prints the others", severity="warning")
TEMPLATE = rule("template.unfilled", "模板占位文字未填写", "template placeholders left in the text", severity="warning")

# Placeholders of the official template that a unit forgot to replace.
PLACEHOLDER = re.compile(r"[XＸ]{2,}|\*部门（单位）\*|情况[一二三]：|注意事项")
# Undisclosed kinds that are not current-year projects (they are carried over from last year).
CARRYOVER_KIND = re.compile(r"结转|结余")


def _opt(rule_id: str, lhs: str, rhs: tuple[str, ...], tables: tuple[str, ...], **kw: object) -> Identity:
    # A narrative figure that is not stated (null) is not checked.
    return Identity(rule_id, lhs, rhs, tables, lhs_optional=True, **kw)  # type: ignore[arg-type]


def narrative_rules(ctx: Context) -> Iterator[Identity | Finding]:
    """The narrative's figures against the tables and the sheets."""
    narr = ctx.doc.narrative
    if narr is None:
        return
    if ctx.present("t1"):
        for field, rule_id in NARR_T1.items():
            total = "expense_total" if field == "expense_budget" else "income_total"
            yield _opt(rule_id, f"{N}/{field}", (f"/tables/t1/total/{total}",), ("narrative", "t1"))
    split_table = "t3" if ctx.present("t3") else "t5" if ctx.present("t5") else None
    if split_table:
        for col, rule_id in NARR_SPLIT.items():
            yield _opt(rule_id, f"{N}/expense_{col}", total_cells(ctx, split_table, col), ("narrative", split_table))
    if ctx.present("t10"):
        lines = {row.line: i for i, row in enumerate(ctx.doc.tables.t10.rows)}
        for line, rule_id in NARR_T10.items():
            if line == "total":
                cell: tuple[str, ...] = total_cells(ctx, "t10", "total") if ctx.doc.tables.t10.total else ()
            else:
                cell = (f"/tables/t10/rows/{lines[line]}/total",) if line in lines else ()
            yield _opt(rule_id, f"{N}/three_public_{line}", cell, ("narrative", "t10"))
    if ctx.present("t6"):
        yield _opt(OPERATING, f"{N}/operating_funds", total_cells(ctx, "t6", "public"), ("narrative", "t6"))
    yield _opt(PROCUREMENT, f"{N}/procurement_total",
               tuple(f"{N}/procurement_{p}" for p in ("goods", "works", "services")), ("narrative",),
               rhs_optional=True)
    if narr.procurement_sme is not None and narr.procurement_total is not None \
            and narr.procurement_sme > narr.procurement_total:
        yield Finding(rule=PROCUREMENT_SME, tables=["narrative"],
                      locations=[f"{N}/procurement_sme", f"{N}/procurement_total"],
                      expected=narr.procurement_total, actual=narr.procurement_sme,
                      difference=narr.procurement_sme - narr.procurement_total,
                      message="面向中小企业预留金额超过政府采购预算总额 / SME reservation exceeds the procurement total",
                      cause="source")
    yield from _projects(ctx)


def _projects(ctx: Context) -> Iterator[Identity | Finding]:
    narr = ctx.doc.narrative
    assert narr is not None
    sheets = ctx.doc.performance.projects
    declared = list(enumerate(narr.undisclosed_projects))
    current = [k for k, entry in declared if not CARRYOVER_KIND.search(entry.kind)]
    subsets = [list(c) for n in range(len(declared) + 1) for c in combinations([k for k, _ in declared], n)]
    subsets.sort(key=lambda c: c != current)  # the likeliest reading first: current-year kinds only
    amounts = tuple(f"/performance/projects/{s}/budget_total" for s in range(len(sheets)))
    forms = [amounts + tuple(f"{N}/undisclosed_projects/{k}/amount" for k in subset) for subset in subsets]
    yield _opt(PROJECT_AMOUNT, f"{N}/performance_project_amount", forms[0], ("narrative", "performance"),
               alts=tuple(forms[1:]))
    stated = narr.performance_project_count
    if stated is None:
        return
    counts = [len(sheets) + sum(narr.undisclosed_projects[k].count or 0 for k in subset) for subset in subsets]
    if stated not in counts:
        yield Finding(rule=PROJECT_COUNT, tables=["narrative", "performance"],
                      locations=[f"{N}/performance_project_count"]
                      + [f"{N}/undisclosed_projects/{k}/count" for k in current],
                      expected=counts[0], actual=stated, difference=stated - counts[0],
                      message=f"情况说明称当年财政拨款项目 {stated} 个，项目绩效目标表 {len(sheets)} 张"
                              f"（加声明不予公开的项目共 {counts[0]} 个） / narrative states {stated} projects, "
                              f"sheets (+ undisclosed) give {counts[0]}",
                      cause="source")


def profile_rules(ctx: Context) -> Iterator[Identity]:
    """实有人数 = 在职 + 退休 + 离休."""
    if ctx.doc.staffing is not None:
        yield Identity(STAFFING, "/staffing/actual", tuple(f"/staffing/{f}" for f in ("in_service", "retired",
                                                                                        "separated")),
                       ("staffing",), lhs_optional=True, rhs_optional=True)


def completeness_rules(ctx: Context) -> Iterator[Finding]:
    """Missing tables, missing subtotal rows, unfilled template text."""
    for key, title in TABLE_TITLES.items():
        if not ctx.table(key).present:
            yield Finding(rule=TABLE_MISSING, severity="warning", tables=[key], locations=[f"/tables/{key}"],
                          message=f"表{key[1:]} {title} 未印出 / table {key} is not printed", cause="source")
    for key in ("t2", "t3", "t5", "t6", "t7", "t8", "t9"):
        if ctx.table(key).present:
            yield from _subtotals(ctx, key)
    if ctx.doc.narrative is not None:
        for k, text in enumerate(ctx.doc.narrative.unfilled_template):
            yield Finding(rule=TEMPLATE, severity="warning", tables=["narrative"],
                          locations=[f"{N}/unfilled_template/{k}"],
                          message=f"情况说明留有未填写的模板文字“{text[:40]}” / unfilled template text", cause="source")
    yield from _sheet_placeholders(ctx)


def _subtotals(ctx: Context, key: str) -> Iterator[Finding]:
    """A 类 or 款 line missing above rows whose siblings elsewhere do have theirs."""
    rows = ctx.table(key).rows
    tree = build_tree(rows)
    printed = {(tree.group[i], row.code) for i, row in enumerate(rows)
               if row.code and not is_project(row) and not is_unit_line(row)}
    levels = {len(code) for _, code in printed}
    seen: set[tuple] = set()
    for i, row in enumerate(rows):
        if not row.code:
            continue
        for length in (3, 5):
            if length not in levels or len(row.code) <= length:
                continue
            missing = (tree.group[i], row.code[:length])
            if missing not in printed and missing not in seen:
                seen.add(missing)
                yield Finding(rule=SUBTOTAL_MISSING, severity="warning", tables=[key],
                              locations=[f"/tables/{key}/rows/{i}/code"],
                              message=f"表{key[1:]} 缺少 {missing[1]} 的小计行（其他{'类' if length == 3 else '款'}均印出）"
                                      f" / t{key[1:]} has no subtotal row for {missing[1]}",
                              cause="source")


def _sheet_placeholders(ctx: Context) -> Iterator[Finding]:
    for s, sheet in enumerate(ctx.doc.performance.projects):
        base = f"/performance/projects/{s}"
        fields = [(f"{base}/project_name", sheet.project_name), (f"{base}/overall_goal", sheet.overall_goal)]
        fields += [(f"{base}/indicators/{j}/{f}", getattr(ind, f)) for j, ind in enumerate(sheet.indicators)
                   for f in ("level3", "target_raw")]
        for pointer, text in fields:
            if text and PLACEHOLDER.search(text):
                yield Finding(rule=TEMPLATE, severity="warning", tables=["performance"], locations=[pointer],
                              message=f"绩效目标表留有模板文字“{text[:40]}” / template text left in a sheet",
                              cause="source")
