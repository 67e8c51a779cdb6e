"""The narrative against the tables, the staffing profile, completeness and unfilled templates."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from itertools import combinations

from schemas import Finding
from schemas.common import to_wan
from schemas.tables import TABLE_TITLES

from .core import Context, Identity, rule
from .matching import is_fiscal
from .rules_cross import total_cells
from .tree import build_tree, is_heading, is_project, is_unit_line

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
# Warnings: a mismatch is usually about scope (which projects the sentence counts), not arithmetic.
PROJECT_COUNT = rule("narr.project_count", "情况说明 当年财政拨款项目个数 = 财政拨款项目绩效目标表个数（加不予公开项目）",
                     "narrative project count = fiscal sheets (+ undisclosed)", severity="warning")
PROJECT_AMOUNT = rule("narr.project_amount", "情况说明 当年财政拨款项目金额 = 财政拨款项目绩效目标表金额之和（加不予公开项目）",
                      "narrative project amount = Σ fiscal sheets (+ undisclosed)", severity="warning")
PROCUREMENT = rule("narr.procurement_sum", "政府采购预算 = 货物 + 工程 + 服务", "procurement = goods + works + services")
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


def _opt_total(rule_id: str, lhs: str, total: tuple[str, ...] | None, tables: tuple[str, ...]) -> Iterator[Identity]:
    # A table with rows but no 合计 row has no known total (None): nothing to compare with.
    if total is not None:
        yield _opt(rule_id, lhs, total, tables)


def narrative_rules(ctx: Context) -> Iterator[Identity | Finding]:
    """The narrative's figures against the tables and the sheets."""
    narr = ctx.doc.narrative
    if narr is None:
        return
    if ctx.present("t1"):
        for field, rule_id in NARR_T1.items():
            total = "expense_total" if field == "expense_budget" else "income_total"
            yield _opt(rule_id, f"{N}/{field}", (f"/tables/t1/total/{total}",), ("narrative", "t1"))
    # The narrative's 基本/项目支出 count all funds, as t3 does; t5 covers the general budget only,
    # so it is never the other side (a project paid from the unit's own funds is not in it).
    if ctx.present("t3"):
        for col, rule_id in NARR_SPLIT.items():
            yield from _opt_total(rule_id, f"{N}/expense_{col}", total_cells(ctx, "t3", col), ("narrative", "t3"))
    if ctx.present("t10"):
        lines = {row.line: i for i, row in enumerate(ctx.doc.tables.t10.rows)}
        for line, rule_id in NARR_T10.items():
            if line == "total":
                cell: tuple[str, ...] = ("/tables/t10/total/total",) if ctx.doc.tables.t10.total else ()
            else:
                cell = (f"/tables/t10/rows/{lines[line]}/total",) if line in lines else ()
            yield _opt(rule_id, f"{N}/three_public_{line}", cell, ("narrative", "t10"))
    printed = [k for k in ctx.doc.tables.t10.extra if "机关运行经费" in k] if ctx.present("t10") else []
    if printed:  # the 三公 table prints the 机关运行经费 itself: that is the figure the text states
        yield _opt(OPERATING, f"{N}/operating_funds", (f"/tables/t10/extra/{printed[0]}",), ("narrative", "t10"))
    elif ctx.present("t6"):
        cells = total_cells(ctx, "t6", "public")
        # A t6 that prints no 公用经费 column (one 金额 column) states no operating figure.
        if not (cells and ctx.values.get(cells[0]) is None):
            yield from _opt_total(OPERATING, f"{N}/operating_funds", cells, ("narrative", "t6"))
    yield _opt(PROCUREMENT, f"{N}/procurement_total",
               tuple(f"{N}/procurement_{p}" for p in ("goods", "works", "services")), ("narrative",),
               rhs_optional=True)
    if narr.procurement_sme is not None and narr.procurement_total is not None \
            and narr.procurement_sme > narr.procurement_total:
        yield Finding(rule=PROCUREMENT, tables=["narrative"],
                      locations=[f"{N}/procurement_sme", f"{N}/procurement_total"],
                      expected=narr.procurement_total, actual=narr.procurement_sme,
                      difference=narr.procurement_sme - narr.procurement_total,
                      message="面向中小企业预留金额超过政府采购预算总额 / SME reservation exceeds the procurement total",
                      cause="source")
    yield from _projects(ctx)


def _projects(ctx: Context) -> Iterator[Finding]:
    """当年财政拨款项目 N 个，涉及 X 万元 = the fiscal sheets, plus projects declared undisclosed.

    Which declared kinds belong to the count is the unit's reading (线下 projects may include
    last year's carryover projects), so any subset of the declared entries is accepted; when
    none fits, the expectation shown counts the current-year kinds.
    """
    narr = ctx.doc.narrative
    assert narr is not None
    fit = project_readings(ctx.doc, ctx.values.per_cell)
    if fit is None:
        return  # no sheet printed in this file at all (published apart): nothing to count against
    sheets, current, readings = fit.sheets, fit.current, fit.readings
    checks = (("count", narr.performance_project_count, PROJECT_COUNT, 0),
              ("amount", narr.performance_project_amount, PROJECT_AMOUNT, 1))
    for field, stated, rule_id, at in checks:
        if stated is None:
            continue
        if fit.fits(at, stated) is not None:
            continue
        expected = readings[0][at]
        yield Finding(rule=rule_id, severity="warning", tables=["narrative", "performance"],
                      locations=[f"{N}/performance_project_{field}"]
                      + [f"{N}/undisclosed_projects/{k}/{field}" for k in current] + ["/performance/projects"],
                      expected=expected, actual=stated, difference=Decimal(stated) - expected,
                      message=f"情况说明称当年财政拨款项目{'个数' if at == 0 else '金额'} {stated}，"
                              f"财政拨款项目绩效目标表 {len(sheets)} 张（加声明不予公开的项目）为 {expected} / "
                              f"narrative states {stated}, fiscal sheets (+ undisclosed) give {expected}",
                      cause="source")


@dataclass
class ProjectReadings:
    """What the narrative's 当年财政拨款项目 N 个，涉及 X 万元 may count: the fiscal sheets plus each
    subset of the declared undisclosed projects (the likeliest subset first)."""

    sheets: list[int]  # indices of the fiscal project sheets
    current: list[int]  # the declared entries that are current-year projects
    subsets: list[list[int]]
    readings: list[tuple[int, Decimal]]  # (count, amount) per subset
    tolerance: Decimal

    def fits(self, at: int, stated) -> list[int] | None:
        """The first subset whose reading gives the stated count (at=0) or amount (at=1), else None."""
        for subset, reading in zip(self.subsets, self.readings):
            if abs(Decimal(stated) - reading[at]) <= (self.tolerance if at else 0):
                return subset
        return None


def project_readings(doc, per_cell: Decimal) -> ProjectReadings | None:
    """The readings of the narrative's project count and amount, or None when no sheet is printed."""
    narr = doc.narrative
    if narr is None or not doc.performance.projects:
        return None
    sheets = [i for i, s in enumerate(doc.performance.projects) if is_fiscal(s)]
    declared = narr.undisclosed_projects[:6]  # 2^6 readings at most
    current = [k for k, entry in enumerate(declared) if not CARRYOVER_KIND.search(entry.kind)]
    subsets = [list(c) for n in range(len(declared) + 1) for c in combinations(range(len(declared)), n)]
    subsets.sort(key=lambda c: c != current)  # the likeliest reading first
    count = len(sheets)
    # Sheets may print 元 (Shanghai's project sheets) while the narrative states 万元.
    projects = doc.performance.projects
    amount = sum((to_wan(projects[i].budget_total, projects[i].unit) or Decimal(0) for i in sheets), Decimal(0))
    readings = [(count + sum(declared[k].count or 0 for k in c),
                 amount + sum((declared[k].amount or Decimal(0) for k in c), Decimal(0))) for c in subsets]
    tolerance = per_cell * (len(sheets) + len(declared) or 1)
    return ProjectReadings(sheets, current, subsets, readings, tolerance)


def profile_rules(ctx: Context) -> Iterator[Identity]:
    """实有人数 = 在职 + 退休 + 离休."""
    if ctx.doc.staffing is not None:
        yield Identity(STAFFING, "/staffing/actual", tuple(f"/staffing/{f}" for f in ("in_service", "retired",
                                                                                        "separated")),
                       ("staffing",), lhs_optional=True, rhs_optional=True)


def completeness_rules(ctx: Context) -> Iterator[Finding]:
    """Missing tables, missing subtotal rows, unfilled template text."""
    family = ctx.template()
    for key, title in TABLE_TITLES.items():
        if not ctx.table(key).present and not (family and key in family.not_printed):
            yield Finding(rule=TABLE_MISSING, severity="warning", tables=[key], locations=[f"/tables/{key}"],
                          message=f"表{key[1:]} {title} 未印出 / table {key} is not printed", cause="source")
    for key in ("t2", "t3", "t5", "t6", "t7", "t8", "t9"):
        if ctx.table(key).present:
            yield from _subtotals(ctx, key)
    if ctx.present("t10"):
        yield from _t10_subtotal(ctx)
    if ctx.doc.narrative is not None:
        for k, text in enumerate(ctx.doc.narrative.unfilled_template):
            yield Finding(rule=TEMPLATE, severity="warning", tables=["narrative"],
                          locations=[f"{N}/unfilled_template/{k}"],
                          message=f"情况说明留有未填写的模板文字“{text[:40]}” / unfilled template text", cause="source")
    yield from _sheet_placeholders(ctx)


def _subtotals(ctx: Context, key: str) -> Iterator[Finding]:
    """A 类/款 line (or, in t7, a 项 subtotal line) missing above rows whose peers elsewhere have theirs.

    A line printed without any amount counts as missing too; a table that prints only leaf
    rows throughout is a style, not a finding.
    """
    rows = ctx.table(key).rows
    tree = build_tree(rows)
    printed = {(tree.group[i], row.code) for i, row in enumerate(rows)
               if row.code and not is_project(row) and not is_unit_line(row) and i not in tree.headings}
    orphans: dict[tuple, list[int]] = {}
    for i, row in enumerate(rows):
        if not row.code or i in tree.headings:
            continue
        lengths = [n for n in (3, 5) if len(row.code) > n]
        if key == "t7" and is_project(row):
            lengths.append(7)  # t7 may print 项 subtotal lines above its projects
        for length in lengths:
            missing = (tree.group[i], row.code[:length])
            if missing not in printed:
                orphans.setdefault(missing, []).append(i)
    for (_, code), members in orphans.items():
        if not _prints_level(printed, orphans, len(code)):
            continue
        level = {3: "类", 5: "款", 7: "项"}[len(code)]
        yield Finding(rule=SUBTOTAL_MISSING, severity="warning", tables=[key],
                      locations=[f"/tables/{key}/rows/{i}" for i in members],
                      message=f"表{key[1:]} 缺少 {code} 的{level}级小计行（其他{level}均印出） / "
                              f"t{key[1:]} has no subtotal row for {code} although it prints the others",
                      cause="source")


def _prints_level(printed: set, orphans: dict, length: int) -> bool:
    """The table's style prints this level: most of the subtotals it would need are there.

    One stray 款 line in a table that otherwise prints 类 and 项 only does not make every
    other 款 "missing".
    """
    have = sum(1 for _, code in printed if len(code) == length)
    lack = sum(1 for _, code in orphans if len(code) == length)
    return have >= lack


def _t10_subtotal(ctx: Context) -> Iterator[Finding]:
    """公务用车购置及运行费（小计） printed blank while its two lines carry amounts."""
    rows = ctx.doc.tables.t10.rows
    where = {row.line: i for i, row in enumerate(rows)}
    if "vehicles" not in where or not is_heading(rows[where["vehicles"]]):
        return
    parts = [rows[where[line]] for line in ("vehicle_purchase", "vehicle_operation") if line in where]
    cols = [c for c in ("total", "general_budget", "gov_fund", "state_capital")
            if any(getattr(part, c) for part in parts)]
    if cols:
        amount = sum((getattr(part, "total") or Decimal(0) for part in parts), Decimal(0))
        yield Finding(rule=SUBTOTAL_MISSING, severity="warning", tables=["t10"],
                      locations=[f"/tables/t10/rows/{where['vehicles']}/{c}" for c in cols], expected=amount,
                      message=f"表10 公务用车购置及运行费（小计）为空，而其下两行合计 {amount} / "
                              f"t10 vehicles subtotal is blank while its lines add up to {amount}",
                      cause="source")


def _bare_template(sheet: object) -> bool:
    """A sheet with its labels only: no name, goal, budget, and no indicator beyond 一级/二级 labels."""
    filled = [getattr(sheet, f, None) for f in ("unit_name", "project_name", "annual_goal", "overall_goal",
                                                 "budget_total", "budget_fiscal", "budget_upper", "budget_local")]
    indicators = getattr(sheet, "indicators", [])
    content = any(i.level3 or i.target_raw or i.weight is not None or i.weight_raw for i in indicators)
    return not any(v is not None and v != "" for v in filled) and not content


def _sheet_placeholders(ctx: Context) -> Iterator[Finding]:
    """Placeholder text in a sheet, or a sheet printed as the bare template."""
    overall = ctx.doc.performance.overall
    if overall is not None and _bare_template(overall):
        yield Finding(rule=TEMPLATE, severity="warning", tables=["performance"], locations=["/performance/overall"],
                      message="整体绩效目标表未填写（无单位、目标、预算与指标内容） / the overall sheet is an unfilled template",
                      cause="source")
    for s, sheet in enumerate(ctx.doc.performance.projects):
        if _bare_template(sheet):
            yield Finding(rule=TEMPLATE, severity="warning", tables=["performance"],
                          locations=[f"/performance/projects/{s}"],
                          message="项目绩效目标表未填写 / a project sheet is an unfilled template", cause="source")
            continue
        base = f"/performance/projects/{s}"
        fields = [(f"{base}/project_name", sheet.project_name), (f"{base}/overall_goal", sheet.overall_goal)]
        fields += [(f"{base}/indicators/{j}/{f}", getattr(ind, f)) for j, ind in enumerate(sheet.indicators)
                   for f in ("level3", "target_raw")]
        for pointer, text in fields:
            if text and PLACEHOLDER.search(text):
                yield Finding(rule=TEMPLATE, severity="warning", tables=["performance"], locations=[pointer],
                              message=f"绩效目标表留有模板文字“{text[:40]}” / template text left in a sheet",
                              cause="source")
