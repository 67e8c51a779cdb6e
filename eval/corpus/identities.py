"""The arithmetic identities of domain.md, evaluated exactly, for synthetic documents.

This is the generator's own oracle, not the product's checker: it lists every identity a planted
inconsistency can break, so that ``expected_findings.json`` names all of them, and it proves that
a synthetic document without plants is clean. Findings follow the eval set's convention:
``actual`` is the printed left side, ``expected`` the sum of the parts, ``difference`` their gap.
"""

from __future__ import annotations

from decimal import Decimal

from schemas import Document, Finding
from schemas.pointer import resolve

ZERO = Decimal(0)


def _get(doc: Document, pointer: str):
    return resolve(doc, pointer)


def _v(doc: Document, pointer: str) -> Decimal:
    value = _get(doc, pointer)
    return value if isinstance(value, Decimal) else ZERO


class Checker:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.findings: list[Finding] = []

    def eq(self, rule: str, lhs: str, parts: list[str], label: str, severity: str = "error",
           lhs_value: Decimal | None = None) -> None:
        """lhs = Σ parts beyond the rounding band (n × 0.005) is a finding."""
        actual = _v(self.doc, lhs) if lhs_value is None else lhs_value
        expected = sum((_v(self.doc, p) for p in parts), ZERO)
        printed = [p for p in parts if _get(self.doc, p) is not None]
        if _get(self.doc, lhs) is None and lhs_value is None or (parts and not printed and actual == 0):
            return  # a blank total, or blanks against a zero: no arithmetic claim
        if abs(actual - expected) > Decimal("0.005") * max(len(printed), 1):
            tables = sorted({p.split("/")[2] for p in [lhs] + parts if p.startswith("/tables/")})
            self.findings.append(Finding(
                rule=rule, severity=severity, tables=tables, locations=[lhs] + parts, expected=expected,
                actual=actual, difference=actual - expected, cause="source",
                message=f"{label}: {actual} ≠ {expected}"))

    # ---- inside tables --------------------------------------------------------------------
    def row_sums(self, key: str, cols: list[str], identities: list[tuple[str, str, list[str]]]) -> None:
        """Per row (and the total row): (rule, lhs column, part columns); then the hierarchy."""
        table = getattr(self.doc.tables, key)
        bases = [f"/tables/{key}/rows/{i}" for i in range(len(table.rows))]
        if table.total is not None:
            bases.append(f"/tables/{key}/total")
        for base in bases:
            for rule, lhs, parts in identities:
                self.eq(f"{key}.{rule}", f"{base}/{lhs}", [f"{base}/{p}" for p in parts], f"{key} {lhs}")
        self.hierarchy(key, cols)

    def hierarchy(self, key: str, cols: list[str]) -> None:
        table = getattr(self.doc.tables, key)
        rows = table.rows
        is_leaf = (lambda r: r.project_name is not None) if key == "t7" else (lambda r: False)

        def children(i: int) -> list[int]:
            code = rows[i].code or ""
            if key == "t7" and len(code) == 7:
                return [j for j, r in enumerate(rows) if r.code == code and is_leaf(r)]
            return [j for j, r in enumerate(rows) if r.code and len(r.code) == len(code) + 2
                    and r.code.startswith(code) and not is_leaf(r)]

        for i, row in enumerate(rows):
            if is_leaf(row) or not row.code:
                continue
            kids = children(i)
            if kids:
                for c in cols:
                    self.eq(f"{key}.hierarchy", f"/tables/{key}/rows/{i}/{c}",
                            [f"/tables/{key}/rows/{j}/{c}" for j in kids], f"{key} {row.code} {c}")
        if table.total is None or not rows:
            return
        lengths = [len(r.code) for r in rows if r.code and not is_leaf(r)]
        top = [i for i, r in enumerate(rows) if r.code and not is_leaf(r) and len(r.code) == min(lengths)] \
            if lengths else [i for i, r in enumerate(rows) if is_leaf(r) or r.code]
        for c in cols:
            self.eq(f"{key}.total_sum", f"/tables/{key}/total/{c}", [f"/tables/{key}/rows/{i}/{c}" for i in top],
                    f"{key} 合计 {c}")


def check(doc: Document) -> list[Finding]:
    """Every identity of the subset below that does not hold, as source findings."""
    c = Checker(doc)
    t = doc.tables
    t1 = "/tables/t1/income/"
    c.eq("t1.current_year_income", t1 + "current_year_income", [t1 + k for k in (
        "general_budget", "gov_fund", "state_capital", "fiscal_special_account", "unit_funds")], "本年收入")
    c.eq("t1.general_budget_split", t1 + "general_budget", [t1 + "general_fiscal_resources", t1 + "general_transfer_upper"],
         "一般公共预算拨款")
    c.eq("t1.gov_fund_split", t1 + "gov_fund", [t1 + "gov_fund_income", t1 + "gov_fund_transfer_upper"], "政府性基金")
    c.eq("t1.unit_funds_split", t1 + "unit_funds", [t1 + k for k in (
        "business_income", "upper_subsidy_income", "affiliated_remittance", "business_operation_income", "other_income")],
         "单位资金")
    c.eq("t1.carryover", t1 + "carryover", [t1 + "fiscal_carryover", t1 + "nonfiscal_carryover"], "上年结转结余")
    c.eq("t1.income_total", "/tables/t1/total/income_total", [t1 + "current_year_income", t1 + "carryover"], "收入总计")
    c.eq("t1.expense_total", "/tables/t1/total/expense_total",
         [f"/tables/t1/rows/{i}/amount" for i in range(len(t.t1.rows))], "支出总计")
    c.eq("t1.balance", "/tables/t1/total/income_total", ["/tables/t1/total/expense_total"], "收支平衡")
    c.row_sums("t2", ["total", "fiscal_subtotal", "general_budget", "general_transfer_upper", "gov_fund",
                      "fiscal_special_account", "unit_funds", "fiscal_carryover"], [
        ("row_total", "total", ["fiscal_subtotal", "fiscal_special_account", "unit_funds", "fiscal_carryover",
                                "nonfiscal_carryover"]),
        ("row_fiscal_subtotal", "fiscal_subtotal", ["general_budget", "general_transfer_upper", "gov_fund",
                                                    "gov_fund_transfer_upper", "state_capital",
                                                    "state_capital_transfer_upper"])])
    for key in ("t3", "t5"):
        c.row_sums(key, ["total", "basic", "project"], [("row_total", "total", ["basic", "project"])])
    c.row_sums("t6", ["total", "personnel", "public"], [("row_total", "total", ["personnel", "public"])])
    econ = ["wages", "goods_services", "household_transfers", "debt_interest", "capital_infrastructure", "capital",
            "enterprise_subsidy_infrastructure", "enterprise_subsidy", "social_security_fund", "other"]
    c.row_sums("t7", ["total"] + econ, [("row_total", "total", econ)])
    for key in ("t8", "t9"):
        c.row_sums(key, ["total", "basic_personnel", "basic_public", "project"],
                   [("row_total", "total", ["basic_personnel", "basic_public", "project"])])
    _t4_t10_t11(c, doc)
    _cross(c, doc)
    _sheets_narrative(c, doc)
    return c.findings


def _t4_t10_t11(c: Checker, doc: Document) -> None:
    t = doc.tables
    c.eq("t4.income_sum", "/tables/t4/income/fiscal_total",
         [f"/tables/t4/income/{k}" for k in ("general_budget", "gov_fund", "state_capital")], "财政拨款收入")
    for i in range(len(t.t4.rows)):
        c.eq("t4.row_total", f"/tables/t4/rows/{i}/total",
             [f"/tables/t4/rows/{i}/{k}" for k in ("general_budget", "gov_fund", "state_capital")], "t4 line")
    for k in ("total", "general_budget", "gov_fund", "state_capital"):
        c.eq("t4.expense_total_sum", f"/tables/t4/total/expense_total/{k}",
             [f"/tables/t4/rows/{i}/{k}" for i in range(len(t.t4.rows))], f"t4 支出总计 {k}")
    c.eq("t4.balance", "/tables/t4/total/income_total", ["/tables/t4/total/expense_total/total"], "t4 收支平衡")
    line = {r.line: i for i, r in enumerate(t.t10.rows)}
    if t.t10.total is not None and {"outbound", "reception", "vehicles"} <= set(line):
        c.eq("t10.total_sum", "/tables/t10/total/total",
             [f"/tables/t10/rows/{line[k]}/total" for k in ("outbound", "reception", "vehicles")], "三公合计")
    if {"vehicles", "vehicle_purchase", "vehicle_operation"} <= set(line):
        c.eq("t10.vehicles_sum", f"/tables/t10/rows/{line['vehicles']}/total",
             [f"/tables/t10/rows/{line[k]}/total" for k in ("vehicle_purchase", "vehicle_operation")], "公务用车")
    for i, r in enumerate(t.t11.rows + ([t.t11.total] if t.t11.total else [])):
        base = f"/tables/t11/rows/{i}" if i < len(t.t11.rows) else "/tables/t11/total"
        c.eq("t11.row_total", f"{base}/total", [f"{base}/fiscal_total", f"{base}/nonfiscal_total"], "t11 总计")
        for side in ("fiscal", "nonfiscal"):
            c.eq(f"t11.{side}_split", f"{base}/{side}_total",
                 [f"{base}/{side}_{k}" for k in ("basic_personnel", "basic_public", "project")], f"t11 {side}")


def _cross(c: Checker, doc: Document) -> None:
    t = doc.tables
    for key in ("t2", "t3"):
        if getattr(t, key).present and getattr(t, key).total is not None:
            c.eq(f"x.t1_total_eq_{key}_total", "/tables/t1/total/income_total", [f"/tables/{key}/total/total"], "总计")
            index = {r.code: i for i, r in enumerate(getattr(t, key).rows)}
            for i, r in enumerate(t.t1.rows):
                if r.amount is not None and r.code in index:
                    c.eq(f"x.t1_class_eq_{key}", f"/tables/t1/rows/{i}/amount",
                         [f"/tables/{key}/rows/{index[r.code]}/total"], f"类 {r.code}")
    c.eq("x.t1_general_budget_eq_t4", "/tables/t1/income/general_budget", ["/tables/t4/income/general_budget"], "一般公共预算")
    t2_index = {r.code: i for i, r in enumerate(t.t2.rows)}
    for i, r in enumerate(t.t4.rows):
        if r.total is not None and r.code in t2_index:
            c.eq("x.t4_class_eq_t2_fiscal", f"/tables/t4/rows/{i}/total",
                 [f"/tables/t2/rows/{t2_index[r.code]}/fiscal_subtotal"], f"类 {r.code}")
    if t.t5.total is not None and t.t6.total is not None:
        c.eq("x.t5_basic_eq_t6", "/tables/t5/total/basic", ["/tables/t6/total/total"], "基本支出")
    if t.t5.total is not None and t.t7.total is not None:
        c.eq("x.t5_project_eq_t7", "/tables/t5/total/project", ["/tables/t7/total/total"], "项目支出")
        c.eq("x.t5_total_eq_t4_general", "/tables/t5/total/total", ["/tables/t4/total/expense_total/general_budget"],
             "一般公共预算支出")
    for i, r in enumerate(t.t5.rows):
        if r.code and len(r.code) == 7 and r.project:
            parts = [f"/tables/t7/rows/{j}/total" for j, p in enumerate(t.t7.rows) if p.code == r.code and p.project_name]
            c.eq("x.t5_code_project_eq_t7", f"/tables/t5/rows/{i}/project", parts, f"项 {r.code}")
    if t.t11.total is not None:
        c.eq("x.t11_total_eq_t1_carryover", "/tables/t11/total/total", ["/tables/t1/income/carryover"], "结转结余")
    if t.t8.total is not None:
        c.eq("x.t8_total_eq_t1_gov_fund", "/tables/t8/total/total", ["/tables/t1/income/gov_fund"], "政府性基金")


def _sheets_narrative(c: Checker, doc: Document) -> None:
    perf = doc.performance
    sheets = [("/performance/overall", perf.overall)] if perf.overall else []
    sheets += [(f"/performance/projects/{i}", s) for i, s in enumerate(perf.projects)]
    for base, sheet in sheets:
        weights = [f"{base}/indicators/{j}/weight" for j in range(len(sheet.indicators))]
        total = sum((i.weight or ZERO for i in sheet.indicators), ZERO)
        for j, ind in enumerate(sheet.indicators):
            if ind.weight is None and ind.weight_raw:
                c.findings.append(Finding(rule="sheet.weight_not_number", severity="warning", locations=[weights[j]],
                                          cause="source", message=f"分值权重印为“{ind.weight_raw}”"))
        if sheet.indicators and total not in (Decimal(90), Decimal(100)):
            c.findings.append(Finding(rule="sheet.weights_sum", severity="warning", locations=weights,
                                      expected=Decimal(90), actual=total, difference=total - 90, cause="source",
                                      message=f"权重合计 {total}"))
    if perf.overall is not None:
        c.eq("overall.budget_split", "/performance/overall/budget_total", [
            f"/performance/overall/{k}" for k in ("budget_upper", "budget_local", "budget_other")], "整体预算")
        c.eq("x.overall_eq_t1", "/performance/overall/budget_total", ["/tables/t1/total/income_total"], "整体预算")
    t7 = doc.tables.t7.rows
    for i, s in enumerate(perf.projects):
        base = f"/performance/projects/{i}"
        c.eq("sheet.budget_split", f"{base}/budget_total", [f"{base}/budget_fiscal", f"{base}/budget_other"], "项目资金")
        rows = [f"/tables/t7/rows/{j}/total" for j, r in enumerate(t7) if r.project_name == s.project_name]
        if rows:
            c.eq("sheet.project_eq_t7", f"{base}/budget_total", rows, s.project_name or "")
    n = doc.narrative
    if n is not None:
        for field, target in (("total_budget", "/tables/t1/total/income_total"),
                              ("expense_basic", "/tables/t3/total/basic"), ("expense_project", "/tables/t3/total/project"),
                              ("three_public_total", "/tables/t10/total/total")):
            c.eq(f"narr.{field}", f"/narrative/{field}", [target], field)
        amount = sum((s.budget_total or ZERO for s in perf.projects), ZERO)
        _narr_amount(c, amount)
        c.eq("narr.procurement_sum", "/narrative/procurement_total", [
            f"/narrative/procurement_{k}" for k in ("goods", "works", "services")], "政府采购")
    s = doc.staffing
    if s is not None and s.actual is not None:
        parts = (s.in_service or 0) + (s.retired or 0) + (s.separated or 0)
        if parts != s.actual:
            c.findings.append(Finding(rule="profile.staffing_sum", severity="error", cause="source",
                                      locations=["/staffing/actual", "/staffing/in_service", "/staffing/retired",
                                                 "/staffing/separated"],
                                      expected=Decimal(parts), actual=Decimal(s.actual),
                                      difference=Decimal(s.actual - parts), message="实有人数 ≠ 在职+退休+离休"))


def _narr_amount(c: Checker, amount: Decimal) -> None:
    n = c.doc.narrative
    if n is None or n.performance_project_amount is None:
        return
    if n.performance_project_amount != amount:
        c.findings.append(Finding(
            rule="narr.project_amount", severity="error", cause="source",
            locations=["/narrative/performance_project_amount"] + [
                f"/performance/projects/{i}/budget_total" for i in range(len(c.doc.performance.projects))],
            expected=amount, actual=n.performance_project_amount,
            difference=n.performance_project_amount - amount, message="项目金额 ≠ Σ 项目绩效目标表"))
