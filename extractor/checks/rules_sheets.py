"""Performance target sheets: weights, budget splits, and each sheet against t7."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from schemas import Finding

from .core import Context, Identity, rule
from .matching import has_name, is_fiscal, match_sheets

WEIGHTS = rule("sheet.weights_sum", "指标分值权重合计为 90 或 100", "indicator weights sum to 90 or 100")
WEIGHT_TEXT = rule("sheet.weight_not_number", "分值权重印为文字（是/否）而非数字",
                   "a weight cell prints text instead of a number", severity="warning")
SPLIT = rule("sheet.budget_split", "年度预算总额 = 财政拨款 + 其他资金", "budget total = fiscal + other")
EQ_T7 = rule("sheet.project_eq_t7", "项目年度预算总额 = 表7同名项目", "sheet budget = its t7 row(s)")
NOT_IN_T7 = rule("sheet.project_not_in_t7", "绩效目标表的项目在表7中找不到", "a sheet's project has no t7 row",
                 severity="warning")
OVERALL_SPLIT = rule("overall.budget_split", "整体绩效 资金总额 = 上级安排 + 本级安排 + 其他资金",
                     "overall budget = upper + local + other")
OVERALL_T1 = rule("x.overall_eq_t1", "整体绩效 资金总额 = 表1收入总计", "overall budget = t1 income total")

# The seeds keep the last 10 points for budget execution (90); other regions score to 100.
ALLOWED_WEIGHT_SUMS = (Decimal(90), Decimal(100))


def sheet_rules(ctx: Context) -> Iterator[Identity | Finding]:
    """Weights and splits of every sheet; sheets against t7; the overall sheet against t1."""
    perf = ctx.doc.performance
    if perf.overall is not None:
        yield from _weights(ctx, "/performance/overall", perf.overall)
        yield from _overall(ctx)
    for s, sheet in enumerate(perf.projects):
        base = f"/performance/projects/{s}"
        yield from _weights(ctx, base, sheet)
        yield Identity(SPLIT, f"{base}/budget_total", (f"{base}/budget_fiscal", f"{base}/budget_other"),
                       ("performance",), lhs_optional=True, rhs_optional=True)
    if ctx.present("t7") and any(has_name(row.project_name) for row in ctx.doc.tables.t7.rows):
        yield from _against_t7(ctx)  # (a t7 that names no project cannot be matched by name)


def _weights(ctx: Context, base: str, sheet: object) -> Iterator[Identity | Finding]:
    indicators = getattr(sheet, "indicators")
    pointers = tuple(f"{base}/indicators/{j}/weight" for j in range(len(indicators)))
    yield Identity(WEIGHTS, None, pointers, ("performance",), targets=ALLOWED_WEIGHT_SUMS)
    name = getattr(sheet, "project_name", None) or "整体"
    for j, indicator in enumerate(indicators):
        if indicator.weight_raw is not None:
            pointer = pointers[j]
            yield Finding(rule=WEIGHT_TEXT, severity="warning", tables=["performance"], locations=[pointer],
                          message=f"项目“{name}”指标“{indicator.level3 or j + 1}”的分值权重印为“{indicator.weight_raw}”"
                                  f"而非数字 / weight cell prints text {indicator.weight_raw!r} instead of a number",
                          suspect=pointer, cause="source")


def _overall(ctx: Context) -> Iterator[Identity]:
    base = "/performance/overall"
    parts = tuple(f"{base}/budget_{p}" for p in ("upper", "local", "other"))
    yield Identity(OVERALL_SPLIT, f"{base}/budget_total", parts, ("performance",),
                   lhs_optional=True, rhs_optional=True)
    if ctx.present("t1"):
        # A sheet that prints only the parts of its 资金总额 is compared through the parts.
        total = ctx.doc.performance.overall.budget_total  # type: ignore[union-attr]
        right = (f"{base}/budget_total",) if total is not None else parts
        yield Identity(OVERALL_T1, "/tables/t1/total/income_total", right, ("performance", "t1"),
                       lhs_optional=True, rhs_optional=True)


def _against_t7(ctx: Context) -> Iterator[Identity | Finding]:
    doc = ctx.doc
    matches, _ = match_sheets(doc)
    for s, sheet in enumerate(doc.performance.projects):
        base = f"/performance/projects/{s}"
        match = matches.get(s)
        if match is None or match.weak:
            if not is_fiscal(sheet):
                continue  # a non-fiscal project has no place in t7
            near = [f"/tables/t7/rows/{i}/project_name" for i in match.group.rows] if match else []
            hint = f"；表7有同额项目“{match.group.names[0]}”，名称不同" if match else ""
            yield Finding(rule=NOT_IN_T7, severity="warning", tables=["performance", "t7"],
                          locations=[f"{base}/project_name"] + near,
                          message=f"项目绩效目标表“{sheet.project_name}”在表7中没有同名项目{hint} / "
                                  f"no t7 project row matches sheet {sheet.project_name!r}",
                          cause="source")
            continue
        rows = tuple(f"/tables/t7/rows/{i}/total" for i in match.group.rows)
        # Names differ in small ways between the two places: say when the pairing was fuzzy.
        note = "" if match.exact else f"名称模糊匹配“{match.group.names[0]}” / fuzzy name match"
        yield Identity(EQ_T7, f"{base}/budget_total", rows, ("performance", "t7"), lhs_optional=True, note=note)


SHEET_MISSING = rule("complete.sheet_missing", "表7项目没有绩效目标表，也未声明不予公开",
                     "a t7 project without a sheet and not declared undisclosed", severity="warning")


def missing_sheets(ctx: Context) -> Iterator[Finding]:
    """t7 projects with no sheet, after setting aside the projects the narrative declares undisclosed."""
    if not ctx.present("t7"):
        return
    _, unmatched = match_sheets(ctx.doc)
    declared = ctx.doc.narrative.undisclosed_projects if ctx.doc.narrative else []
    remaining = list(unmatched)
    unresolved = 0
    for entry in declared:
        chosen = _subset(remaining, entry.count, entry.amount)
        if chosen is None:
            unresolved += entry.count or 0
        else:
            remaining = [g for g in remaining if g not in chosen]
    if len(remaining) <= unresolved:
        return  # the declared counts cover them, even if the amounts do not say which
    for group in remaining:
        yield Finding(rule=SHEET_MISSING, severity="warning", tables=["t7", "performance"],
                      locations=[f"/tables/t7/rows/{i}/project_name" for i in group.rows],
                      message=f"表7项目“{group.names[0]}”（{group.amount} 万元）没有项目绩效目标表，情况说明也未声明不予公开 / "
                              f"t7 project {group.names[0]!r} has no performance sheet and is not declared undisclosed",
                      cause="source")


def _subset(groups: list, count: int | None, amount: Decimal | None) -> list | None:
    """A set of ``count`` groups whose amounts add up to ``amount`` (small searches only)."""
    from itertools import combinations
    from math import comb

    if not count or amount is None or count > len(groups) or comb(len(groups), count) > 20000:
        return None
    for combo in combinations(groups, count):
        if sum((g.amount for g in combo), Decimal(0)) == amount:
            return list(combo)
    return None
