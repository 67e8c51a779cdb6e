"""Synthetic performance sheets and narrative, and the planted source inconsistencies."""

from __future__ import annotations

import random
from decimal import Decimal

from schemas import Document, Indicator, Narrative, OverallSheet, Performance, ProjectSheet

from . import codes
from .synth_tables import Plan

ZERO = Decimal(0)

_PROJECT_INDICATORS = [
    ("产出指标", "数量指标", "{stem}覆盖对象数量", ">={n}个"), ("产出指标", "数量指标", "开展相关活动次数", ">={n}次"),
    ("产出指标", "质量指标", "验收合格率", ">=95%"), ("产出指标", "质量指标", "任务完成率", ">=90%"),
    ("产出指标", "时效指标", "资金拨付及时率", ">=95%"), ("成本指标", "经济成本指标", "{stem}资金数", "<={amount}万元"),
    ("效益指标", "社会效益指标", "服务质量", "有效提升"), ("效益指标", "可持续影响指标", "长效机制建设", "逐步完善"),
    ("满意度指标", "满意度指标", "服务对象满意度", ">=95%"),
]
_OVERALL_INDICATORS = [
    ("履职效能", "数量指标", "完成年度重点工作任务数", ">={n}项"), ("履职效能", "质量指标", "重点工作完成率", ">=95%"),
    ("管理效率", "预算执行", "预算执行率", ">=90%"), ("社会效益", "社会效益指标", "群众获得感", "有效提高"),
    ("服务对象满意度", "满意度指标", "服务对象满意度", ">=90%"),
]


def _weights(rng: random.Random, n: int, total: int = 90) -> list[Decimal]:
    """n integer weights of at least 5 summing to total (the last 10 points are for execution)."""
    weights = [5] * n
    for _ in range(total - 5 * n):
        weights[rng.randrange(n)] += 1
    return [Decimal(w) for w in weights]


def _indicators(rng: random.Random, pool, stem: str, amount: str, extra: bool) -> list[Indicator]:
    chosen = sorted(rng.sample(range(len(pool)), k=rng.randint(max(3, len(pool) - 4), len(pool))))
    weights = _weights(rng, len(chosen))
    out = []
    for w, i in zip(weights, chosen):
        l1, l2, l3, target = pool[i]
        target = target.format(n=rng.randint(1, 50), amount=amount)
        out.append(Indicator(level1=l1, level2=l2, level3=l3.format(stem=stem), target_raw=target,
                             basis=rng.choice(["计划标准", "行业标准", "历史标准", "工作计划"]),
                             last_year=rng.choice([None, "-"]) if extra else None, weight=w,
                             scoring_rule=rng.choice(["按照完成比例赋分", "按评判等级赋分"]) if extra else None,
                             evidence=rng.choice(["工作资料", "原始凭证"]) if extra else None))
    return out


def build_performance(doc: Document, p: Plan) -> Performance:
    rng = p.rng
    sheets = []
    for proj in p.projects:
        if proj.source not in ("gb", "gtu"):
            continue
        stem = proj.name.split("-")[-1]
        sheets.append(ProjectSheet(
            unit_name=p.unit, project_name=proj.name, manager=rng.choice(codes.PEOPLE),
            budget_total=p.z(proj.amount), budget_fiscal=p.z(proj.amount), budget_other=p.z(ZERO),
            overall_goal=f"保障{stem}顺利实施，按计划完成年度工作任务，提升服务质量和资金使用效益。",
            indicators=_indicators(rng, _PROJECT_INDICATORS, stem, format(p.z(proj.amount), "f"), True)))
    t1 = doc.tables.t1
    income = t1.income
    upper = income.general_transfer_upper or ZERO
    local = (income.general_fiscal_resources or ZERO) + (income.gov_fund or ZERO)
    other = (income.fiscal_special_account or ZERO) + (income.unit_funds or ZERO) + (income.carryover or ZERO)
    overall = OverallSheet(
        unit_name=p.unit, contact=rng.choice(codes.PEOPLE), phone=f"13{rng.randint(100000000, 999999999)}",
        annual_goal="根据部门工作职能，围绕年度重点工作，加强内部管理，提高资金使用效益，按时完成各项工作任务。",
        budget_total=t1.total.income_total if rng.random() < 0.6 else None,
        budget_upper=p.z(upper), budget_local=p.z(local), budget_other=p.z(other),
        indicators=_indicators(rng, _OVERALL_INDICATORS, "", "", False))
    return Performance(overall=overall, projects=sheets)


def build_narrative(doc: Document, p: Plan) -> Narrative:
    t = doc.tables
    z = p.z
    total = t.t1.total.income_total
    t10 = {r.line: r.total or ZERO for r in t.t10.rows}
    goods = p.z(Decimal(p.rng.randint(0, 3000)) / 100)
    services = p.z(Decimal(p.rng.randint(0, 5000)) / 100)
    nonfiscal = [q for q in p.projects if q.source in ("special", "unit")]
    sheets = doc.performance.projects
    return Narrative(
        total_budget=total, income_budget=total, expense_budget=total,
        expense_basic=z(t.t3.total.basic or ZERO), expense_project=z(t.t3.total.project or ZERO),
        three_public_total=z(t.t10.total.total or ZERO), three_public_outbound=z(t10["outbound"]),
        three_public_reception=z(t10["reception"]), three_public_vehicle_purchase=z(t10["vehicle_purchase"]),
        three_public_vehicle_operation=z(t10["vehicle_operation"]), operating_funds=z(t.t6.total.public or ZERO),
        procurement_total=z(goods + services), procurement_goods=goods, procurement_works=z(ZERO),
        procurement_services=services, procurement_sme=z(goods + services),
        performance_project_count=len(sheets),
        performance_project_amount=z(sum((s.budget_total or ZERO for s in sheets), ZERO)),
        nonfiscal_project_count=len(nonfiscal), nonfiscal_project_amount=z(sum((q.amount for q in nonfiscal), ZERO)))


# ---- planted inconsistencies (kinds seen in the seeds) ---------------------------------------

def plant(doc: Document, rng: random.Random) -> list[str]:
    """Plant 1–3 source inconsistencies in place; returns the pointers of the altered cells."""
    kinds = [k for k, ok in _PLANTS.items() if ok[0](doc)]
    pointers: list[str] = []
    for kind in rng.sample(kinds, k=min(len(kinds), rng.randint(1, 3))):
        pointers += _PLANTS[kind][1](doc, rng)
    return pointers


def _digit_drop(doc: Document, rng: random.Random) -> list[str]:
    # 001: t1 prints 一般公共预算拨款 7113.0 while t2/t4 print 7113.05 (last digit lost).
    value = doc.tables.t1.income.general_budget
    doc.tables.t1.income.general_budget = Decimal(format(value, "f")[:-1])
    return ["/tables/t1/income/general_budget"]


def _can_drop(doc: Document) -> bool:
    value = doc.tables.t1.income.general_budget
    text = format(value, "f") if value is not None else ""
    return "." in text and len(text.split(".")[1]) == 2 and text[-1] != "0"


def _weight_text(doc: Document, rng: random.Random) -> list[str]:
    # 002: the weight column of a project sheet holds 是/否 instead of points.
    i = rng.randrange(len(doc.performance.projects))
    sheet = doc.performance.projects[i]
    pointers = []
    for j in rng.sample(range(len(sheet.indicators)), k=min(2, len(sheet.indicators))):
        sheet.indicators[j].weight = None
        sheet.indicators[j].weight_raw = rng.choice(["是", "否"])
        pointers.append(f"/performance/projects/{i}/indicators/{j}/weight")
    return pointers


def _staffing(doc: Document, rng: random.Random) -> list[str]:
    doc.staffing.actual = doc.staffing.actual + rng.choice([-1, 1, 2])
    return ["/staffing/actual"]


def _three_public(doc: Document, rng: random.Random) -> list[str]:
    # The narrative repeats last year's 三公 figure.
    n = doc.narrative
    n.three_public_total = n.three_public_total + Decimal(rng.randint(10, 300)) / 100
    return ["/narrative/three_public_total"]


def _t7_swap(doc: Document, rng: random.Random) -> list[str]:
    # Two adjacent digits transposed in one economic cell of a project row.
    rows = [(i, r) for i, r in enumerate(doc.tables.t7.rows) if r.project_name and _swappable(r.goods_services)]
    i, row = rng.choice(rows)
    text = format(row.goods_services, "f")
    k = next(k for k in range(len(text) - 1) if text[k].isdigit() and text[k + 1].isdigit() and text[k] != text[k + 1])
    row.goods_services = Decimal(text[:k] + text[k + 1] + text[k] + text[k + 2:])
    return [f"/tables/t7/rows/{i}/goods_services"]


def _swappable(value: Decimal | None) -> bool:
    text = format(value, "f") if value is not None else ""
    return any(a.isdigit() and b.isdigit() and a != b for a, b in zip(text, text[1:])) and not text.startswith("0")


def _sheet_budget(doc: Document, rng: random.Random) -> list[str]:
    # The sheet states a rounded or outdated budget that no longer equals its t7 row.
    i = rng.randrange(len(doc.performance.projects))
    sheet = doc.performance.projects[i]
    new = sheet.budget_total + Decimal(rng.choice([-5, -2, 1, 3, 10]))
    if new <= 0:
        new = sheet.budget_total + 1
    sheet.budget_total = new
    sheet.budget_fiscal = new
    return [f"/performance/projects/{i}/budget_total"]


_PLANTS = {
    "t1_digit_drop": (_can_drop, _digit_drop),
    "weight_text": (lambda d: bool(d.performance.projects), _weight_text),
    "staffing": (lambda d: d.staffing is not None, _staffing),
    "three_public": (lambda d: d.narrative is not None, _three_public),
    "t7_swap": (lambda d: any(r.project_name and _swappable(r.goods_services) for r in d.tables.t7.rows), _t7_swap),
    "sheet_budget": (lambda d: bool(d.performance.projects), _sheet_budget),
}
