"""The synthetic unit's plan (economic items, projects) and the tables derived from it."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal

from schemas import Staffing
from schemas.tables import (
    T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T10_LINE_NAMES, T11, T1ExpenseRow, T1Income, T1Total, T4Income,
    T4Row, T4Total, T10Row, T11Row,
)

from . import codes

ZERO = Decimal(0)
MODELS = {"t2": T2, "t3": T3, "t5": T5, "t8": T8, "t9": T9}
T7_ECON = ["wages", "goods_services", "household_transfers", "debt_interest", "capital_infrastructure", "capital",
           "enterprise_subsidy_infrastructure", "enterprise_subsidy", "social_security_fund", "other"]


@dataclass
class Project:
    code: str
    name: str
    amount: Decimal
    source: str  # gb (local general budget), gtu (upper transfer), gf, special, unit, carry
    econ: dict[str, Decimal]


def _name(code: str) -> str:
    return codes.CLASSES.get(code) or codes.FUNCTIONS.get(code) or codes.ECONOMIC.get(code) or ""


@dataclass
class Plan:
    doc_id: str
    rng: random.Random
    main: str
    trim: bool  # amounts printed without trailing zeros ("518.8") or always with two decimals
    unit: str = ""
    kind: str = "单位"
    year: int = 2024
    staffing: Staffing | None = None
    econ: list[tuple[str, Decimal, str]] = field(default_factory=list)
    projects: list[Project] = field(default_factory=list)
    special_label: str | None = None

    def m(self, value: Decimal | None) -> Decimal | None:
        """A table cell: blank for zero, else the amount as this document prints it."""
        if value is None or value == 0:
            return None
        return self.z(value)

    def z(self, value: Decimal) -> Decimal:
        """An amount as printed where 0 is printed too (narrative, sheets)."""
        value = value.quantize(Decimal("0.01"))
        if not self.trim:
            return value
        value = value.normalize()
        return value.quantize(Decimal(1)) if value.as_tuple().exponent > 0 else value

    def add_project(self, code: str, name: str, amount: Decimal, source: str) -> None:
        econ = {"goods_services": amount}
        if self.rng.random() < 0.3 and amount >= 1:
            part = (amount * Decimal(self.rng.randint(30, 80)) / 100).quantize(Decimal("0.01"))
            econ = {"goods_services": part, self.rng.choice(["household_transfers", "capital", "wages"]): amount - part}
        self.projects.append(Project(code, name, amount, source, econ))

    # ---- function-coded tables with their hierarchy -------------------------------------------
    def coded_table(self, key: str, leaves: dict[str, dict[str, Decimal]], subtotals: bool,
                    note: str | None = None, **extra):
        model = MODELS[key]
        row_model = model.model_fields["rows"].annotation.__args__[0]
        cols = [c for c in row_model.model_fields if c not in ("code", "name", "extra")]
        rows = []
        for code in self._ordered(leaves, subtotals):
            values = self._sum(leaves, code, cols)
            rows.append(row_model(code=code, name=_name(code), **{c: self.m(values[c]) for c in cols}))
        if not rows:
            return model(present=True, empty_note=note, **extra)
        totals = self._sum(leaves, "", cols)
        name = "合计" if self.rng.random() < 0.7 else "总计"
        return model(present=True, rows=rows, total=row_model(name=name, **{c: self.m(totals[c]) for c in cols}), **extra)

    @staticmethod
    def _ordered(leaves, subtotals: bool) -> list[str]:
        keys = set(leaves)
        if subtotals:
            keys |= {c[:3] for c in leaves} | {c[:5] for c in leaves}
        return sorted(keys)

    @staticmethod
    def _sum(leaves, prefix: str, cols) -> dict[str, Decimal]:
        out = {c: ZERO for c in cols}
        for code, values in leaves.items():
            if code.startswith(prefix):
                for c in cols:
                    out[c] += values.get(c, ZERO)
        return out

    def class_sums(self, t2: dict[str, dict[str, Decimal]]) -> dict[str, dict[str, Decimal]]:
        out: dict[str, dict[str, Decimal]] = {}
        for code, values in t2.items():
            acc = out.setdefault(code[:3], {k: ZERO for k in values})
            for k, v in values.items():
                acc[k] += v
        return out

    # ---- 表6 by economic code ---------------------------------------------------------------
    def t6(self) -> T6:
        from schemas.tables import T6Row

        by_econ: dict[str, Decimal] = {}
        for econ, amount, _ in self.econ:
            by_econ[econ] = by_econ.get(econ, ZERO) + amount
        rows, totals = [], {"total": ZERO, "personnel": ZERO, "public": ZERO}
        for cls in sorted({c[:3] for c in by_econ}):
            side = "public" if cls == "302" else "personnel"
            kids = sorted(c for c in by_econ if c.startswith(cls))
            cls_sum = sum((by_econ[c] for c in kids), ZERO)
            rows.append(T6Row(code=cls, name=_name(cls), total=self.m(cls_sum), **{side: self.m(cls_sum)}))
            rows += [T6Row(code=c, name=_name(c), total=self.m(by_econ[c]), **{side: self.m(by_econ[c])}) for c in kids]
            totals["total"] += cls_sum
            totals[side] += cls_sum
        return T6(present=True, rows=rows, total=T6Row(name="合计", **{k: self.m(v) for k, v in totals.items()}))

    # ---- 表7 project rows under their codes ---------------------------------------------------
    def t7(self, subtotals: bool) -> T7:
        from schemas.tables import T7Row

        general = [p for p in self.projects if p.source in ("gb", "gtu")]
        rows = []

        def values(projects) -> dict[str, Decimal | None]:
            out = {k: sum((p.econ.get(k, ZERO) for p in projects), ZERO) for k in T7_ECON}
            return {"total": self.m(sum((p.amount for p in projects), ZERO)), **{k: self.m(v) for k, v in out.items()}}

        for code in self._ordered({p.code: {} for p in general}, subtotals):
            under = [p for p in general if p.code.startswith(code)]
            if len(code) < 7 or subtotals:
                rows.append(T7Row(code=code, name=_name(code), project_name=None, **values(under)))
            if len(code) == 7:
                rows += [T7Row(code=code, name=_name(code), project_name=p.name, **values([p])) for p in under]
        if not rows:
            return T7(present=True, empty_note="本年度无一般公共预算项目支出，本表为空表。")
        return T7(present=True, rows=rows, total=T7Row(name="合计", **values(general)))

    # ---- 表1, 表4 --------------------------------------------------------------------------
    def _class_rows(self, classes, with_270: bool):
        names = dict(codes.CLASSES, **(codes.EXTRA_CLASS if with_270 else {}))
        return [(code, names[code], classes.get(code)) for code in names]

    def t1(self, classes, t2) -> T1:
        s = {k: sum((v[k] for v in t2.values()), ZERO) for k in next(iter(t2.values()))}
        gb = s["general_budget"] + s["general_transfer_upper"]
        current = gb + s["gov_fund"] + s["fiscal_special_account"] + s["unit_funds"]
        carry = s["fiscal_carryover"]
        income = T1Income(
            current_year_income=self.m(current), general_budget=self.m(gb),
            general_fiscal_resources=self.m(s["general_budget"]), general_transfer_upper=self.m(s["general_transfer_upper"]),
            gov_fund=self.m(s["gov_fund"]), gov_fund_income=self.m(s["gov_fund"]),
            fiscal_special_account=self.m(s["fiscal_special_account"]), unit_funds=self.m(s["unit_funds"]),
            other_income=self.m(s["unit_funds"]), carryover=self.m(carry), fiscal_carryover=self.m(carry),
            fiscal_carryover_general=self.m(carry))
        with_270 = self.rng.random() < 0.3
        rows = [T1ExpenseRow(code=c, name=n, amount=self.m(v["total"]) if v else None)
                for c, n, v in self._class_rows(classes, with_270)]
        total = self.m(current + carry)
        return T1(present=True, income=income, rows=rows, total=T1Total(income_total=total, expense_total=total))

    def t4(self, classes) -> T4:
        gb = sum((v["general_budget"] + v["general_transfer_upper"] for v in classes.values()), ZERO)
        gf = sum((v["gov_fund"] for v in classes.values()), ZERO)
        rows = []
        for code, name, v in self._class_rows(classes, False):
            if v is None:
                rows.append(T4Row(code=code, name=name))
                continue
            rows.append(T4Row(code=code, name=name, total=self.m(v["fiscal_subtotal"]),
                              general_budget=self.m(v["general_budget"] + v["general_transfer_upper"]),
                              gov_fund=self.m(v["gov_fund"])))
        total = T4Total(income_total=self.m(gb + gf))
        total.expense_total.total = self.m(gb + gf)
        total.expense_total.general_budget = self.m(gb)
        total.expense_total.gov_fund = self.m(gf)
        income = T4Income(fiscal_total=self.m(gb + gf), general_budget=self.m(gb), gov_fund=self.m(gf))
        return T4(present=True, income=income, rows=rows, total=total)

    # ---- 表10, 表11 ------------------------------------------------------------------------
    def t10(self) -> T10:
        econ = {c: a for c, a, _ in self.econ}
        lines = {"outbound": ZERO, "reception": econ.get("30217", ZERO), "vehicle_purchase": ZERO,
                 "vehicle_operation": econ.get("30231", ZERO)}
        lines["vehicles"] = lines["vehicle_purchase"] + lines["vehicle_operation"]
        total = lines["outbound"] + lines["reception"] + lines["vehicles"]
        order = ["outbound", "reception", "vehicles", "vehicle_purchase", "vehicle_operation"]

        def row(line: str, value: Decimal) -> T10Row:
            return T10Row(line=line, name=T10_LINE_NAMES[line], total=self.m(value), general_budget=self.m(value))

        note = None if total else f"本{self.kind}{self.year}年度无财政拨款“三公”经费支出，本表为空表。"
        return T10(present=True, empty_note=note, rows=[row(k, lines[k]) for k in order], total=row("total", total))

    def t11(self) -> T11:
        carry = [p for p in self.projects if p.source == "carry"]
        if not carry:
            return T11(present=True, empty_note=f"本{self.kind}{self.year}年度无上年度结转结余资金，本表为空表。")
        rows = [T11Row(name=p.name, total=self.m(p.amount), fiscal_total=self.m(p.amount),
                       fiscal_project=self.m(p.amount)) for p in carry]
        s = sum((p.amount for p in carry), ZERO)
        return T11(present=True, rows=rows, total=T11Row(name="合计", total=self.m(s), fiscal_total=self.m(s),
                                                         fiscal_project=self.m(s)))
