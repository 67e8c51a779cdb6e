"""Synthetic disclosures: new, internally consistent Documents with a few planted source errors.

``synth(n, seed)`` returns (Document, expected findings) pairs. A unit's money is drawn item by
item (economic items of its basic spending, projects with their function codes and funding
sources), and every table is derived from those items, so each identity of domain.md holds
exactly in Decimal; then 1–3 inconsistencies of the kinds the seeds really have are planted, and
the identity oracle lists every finding they cause.
"""

from __future__ import annotations

import random
from collections import defaultdict
from decimal import Decimal

from schemas import Document, Finding, Source, Staffing, Tables

from . import codes
from .identities import check
from .synth_parts import build_narrative, build_performance, plant
from .synth_tables import Plan

Q = Decimal("0.01")
ZERO = Decimal(0)
SOURCES = ("basic", "personnel", "public", "gb", "gtu", "gf", "special", "unit", "carry")


def synth(n: int, seed: int = 0) -> list[tuple[Document, list[Finding]]]:
    """n synthetic documents with their expected (planted) findings; deterministic in seed."""
    return [synth_one(seed, i) for i in range(n)]


def synth_one(seed: int, index: int, plants: bool = True) -> tuple[Document, list[Finding]]:
    rng = random.Random(f"synth-{seed}-{index}")
    plan = _plan(rng, f"synth_{seed}_{index:03d}")
    doc = _document(plan, rng)
    if not plants:
        return doc, check(doc)
    suspects = plant(doc, rng)
    findings = check(doc)
    for f in findings:
        f.suspect = next((p for p in suspects if p in f.locations), None)
    return doc, findings


def _amount(rng: random.Random, lo: float, hi: float) -> Decimal:
    return (Decimal(rng.randint(int(lo * 100), int(hi * 100))) / 100).quantize(Q)


def _plan(rng: random.Random, doc_id: str) -> Plan:
    """Draw the unit and its money item by item."""
    main, project_codes = rng.choice(codes.FAMILIES)
    p = Plan(doc_id=doc_id, rng=rng, main=main, trim=rng.random() < 0.5)
    p.unit = rng.choice(codes.REGIONS) + rng.choice(codes.ORGS)
    p.kind = rng.choice(["单位", "部门"])
    p.year = rng.choice([2022, 2023, 2024, 2024, 2025])
    staff = rng.randint(4, 60)
    retired = rng.choice([0, 0, 1, 2, 5])
    p.staffing = Staffing(authorized=staff + rng.randint(-3, 5) if staff > 3 else staff, actual=staff + retired,
                          in_service=staff, retired=retired, separated=0)
    wage = Decimal(staff)
    items: list[tuple[str, Decimal, str]] = [  # (economic code, amount, function code)
        ("30101", wage * _amount(rng, 1.5, 3), main), ("30102", wage * _amount(rng, 1.5, 3), main),
        ("30103", wage * _amount(rng, 0.3, 0.6), main)]
    if rng.random() < 0.5:
        items.append(("30107", wage * _amount(rng, 0.5, 1.5), main))
    wages = sum(a for _, a, _ in items)
    medical = "2101102" if main.endswith("50") else "2101101"
    items += [("30108", wages * Decimal("0.16"), "2080505"), ("30109", wages * Decimal("0.08"), "2080506"),
              ("30110", wages * Decimal("0.07"), medical), ("30113", wages * Decimal("0.12"), "2210201")]
    for code, prob, lo, hi in (("30112", 0.7, 0.2, 2), ("30199", 0.5, 5, 80), ("30305", 0.3, 1, 30)):
        if rng.random() < prob:
            items.append((code, _amount(rng, lo, hi), main))
    if retired:
        items.append(("30302", retired * _amount(rng, 0.5, 1), "2080501"))
    items.append(("30201", wage * _amount(rng, 0.2, 0.5), main))
    for code, prob, lo, hi in (("30205", 0.5, 0.3, 3), ("30206", 0.6, 1, 12), ("30207", 0.6, 0.1, 2),
                               ("30211", 0.8, 1, 15), ("30213", 0.4, 0.5, 5), ("30216", 0.4, 0.5, 5),
                               ("30217", 0.6, 0.2, 3), ("30229", 0.5, 0.5, 4), ("30231", 0.4, 2, 12),
                               ("30299", 0.5, 1, 40)):
        if rng.random() < prob:
            items.append((code, _amount(rng, lo, hi), main))
    items.append(("30228", (wages * Decimal("0.02")), main))
    p.econ = sorted((c, a.quantize(Q), f) for c, a, f in items)
    transfers = rng.random() < 0.3
    for _ in range(rng.randint(2, 7)):
        source = "gtu" if transfers and rng.random() < 0.4 else "gb"
        p.add_project(rng.choice(project_codes), _project_name(rng, p), _amount(rng, 1, 300), source)
    if rng.random() < 0.25:
        for _ in range(rng.randint(1, 2)):
            p.add_project(rng.choice(codes.GOV_FUND_CODES), _project_name(rng, p), _amount(rng, 10, 500), "gf")
    if rng.random() < 0.2:
        p.special_label = rng.choice(["教育收费", "援疆资金"])
        p.add_project(rng.choice(project_codes), _project_name(rng, p), _amount(rng, 5, 150), "special")
    if rng.random() < 0.2:
        p.add_project(rng.choice(project_codes), _project_name(rng, p), _amount(rng, 0.2, 30), "unit")
    if rng.random() < 0.3:
        for _ in range(rng.randint(1, 3)):
            name = f"{p.year - 1}年" + _project_name(rng, p).split("-")[-1].removeprefix(f"{p.year}年")
            p.add_project(rng.choice(project_codes), name, _amount(rng, 0.5, 20), "carry")
    return p


def _project_name(rng: random.Random, p: Plan) -> str:
    # Distinct stems: sheets are matched to t7 rows by fuzzy name, so near-twins would be ambiguous.
    used = {q.name.split("-")[-1].removeprefix(f"{p.year}年").removeprefix(f"{p.year - 1}年") for q in p.projects}
    stems = [s for s in codes.PROJECT_STEMS if s not in used] or codes.PROJECT_STEMS
    return rng.choice(["", "部门专项-", f"{p.year}年"]) + rng.choice(stems)


def _document(p: Plan, rng: random.Random) -> Document:
    by_code: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for econ, amount, code in p.econ:
        by_code[code]["basic"] += amount
    for proj in p.projects:
        by_code[proj.code][proj.source] += proj.amount
    subtotals = rng.random() < 0.75
    t = Tables()
    t2 = {c: {"general_budget": v["basic"] + v["gb"], "general_transfer_upper": v["gtu"], "gov_fund": v["gf"],
              "fiscal_special_account": v["special"], "unit_funds": v["unit"], "fiscal_carryover": v["carry"]}
          for c, v in by_code.items()}
    for v in t2.values():
        v["fiscal_subtotal"] = v["general_budget"] + v["general_transfer_upper"] + v["gov_fund"]
        v["total"] = v["fiscal_subtotal"] + v["fiscal_special_account"] + v["unit_funds"] + v["fiscal_carryover"]
    t3 = {c: {"basic": v["basic"], "project": sum((v[s] for s in ("gb", "gtu", "gf", "special", "unit", "carry")), ZERO)}
          for c, v in by_code.items()}
    t5 = {c: {"basic": v["basic"], "project": v["gb"] + v["gtu"]} for c, v in by_code.items()
          if v["basic"] + v["gb"] + v["gtu"]}
    t8 = {c: {"basic_personnel": ZERO, "basic_public": ZERO, "project": v["gf"]} for c, v in by_code.items() if v["gf"]}
    for table in (t3, t5, t8):
        for v in table.values():
            v["total"] = sum(v.values(), ZERO)
    t.t2 = p.coded_table("t2", t2, subtotals, special_account_label=p.special_label)
    t.t3 = p.coded_table("t3", t3, subtotals)
    t.t5 = p.coded_table("t5", t5, subtotals)
    t.t8 = p.coded_table("t8", t8, subtotals, note=f"本{p.kind}{p.year}年度无政府性基金预算支出，本表为空表。")
    t.t9 = p.coded_table("t9", {}, subtotals, note=f"本{p.kind}{p.year}年度无国有资本经营预算支出，本表为空表。")
    t.t6 = p.t6()
    t.t7 = p.t7(subtotals)
    classes = p.class_sums(t2)
    t.t1 = p.t1(classes, t2)
    t.t4 = p.t4(classes)
    t.t10 = p.t10()
    t.t11 = p.t11()
    doc = Document(doc_id=p.doc_id, source=Source(file=f"{p.doc_id}.pdf"), unit_name=p.unit, unit_kind=p.kind,
                   year=p.year, staffing=p.staffing, tables=t)
    doc.performance = build_performance(doc, p)
    doc.narrative = build_narrative(doc, p)
    return Document.model_validate(doc.model_dump())
