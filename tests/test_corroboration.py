"""Flags beyond the eleven tables: generic tables' own sums, narrative figures that agree with totals."""

from __future__ import annotations

from decimal import Decimal

import pytest

from eval.score import score_document
from extractor.checks import check_document, evaluate_all
from extractor.checks.core import Values
from extractor.confidence import amounts, evidence, flags
from schemas import Document, GenericTable, Narrative
from schemas.cells import amount_cells
from schemas.document import Provenance, RunInfo

from .conftest import DATA

CODED = GenericTable(title="财政拨款支出预算表", number="公开表五", unit="万元",
                     header=[["功能科目编码", "功能科目名称", "金额"]],
                     rows=[[None, "合计", "1,150.50"],
                           ["201", "一般公共服务支出", "1,000.00"],
                           ["20101", "人大事务", "1,000.00"],
                           ["2010101", "行政运行", "600.25"],
                           ["2010102", "一般行政管理事务", "399.75"],
                           ["221", "住房保障支出", "150.50"],
                           ["22102", "住房改革支出", "150.50"],
                           ["2210201", "住房公积金", "150.50"]])
OUTLINE = GenericTable(title="政府采购预算表", unit="万元",
                       header=[["采购品目大类", "专项名称", "经济科目", "采购物品名称", "采购组织形式", "总计"]],
                       rows=[["合计", None, None, None, None, "700.00"],
                             ["一、货物A", None, None, None, None, "200.00"],
                             [None, "设备购置费", "办公设备购置", None, None, "200.00"],
                             [None, None, None, "台式计算机", "分散自行组织", "120.00"],
                             [None, None, None, "打印设备", "分散自行组织", "80.00"],
                             ["三、服务C", None, None, None, None, "500.00"],
                             [None, "综合管理费", "物业管理费", None, None, "466.00"],
                             [None, None, None, "物业管理服务", "分散自行组织", "36.00"],
                             [None, None, None, None, "部门集中采购", "430.00"],  # the item's name merged from above
                             [None, None, "会议费", None, None, "34.00"],  # the 专项 name merged from above
                             [None, None, None, "会议服务", "分散自行组织", "34.00"]])
SUBTOTALS = GenericTable(title="收入预算总表", unit="万元", header=[["项目名称", "", "金额"]],
                         rows=[["收入总计", None, "20,849.45"],
                               ["一般公共预算资金", "小计", "20,702.25"],
                               [None, "公共财政拨款(补助)资金", "20,702.25"],
                               [None, "专项收入", None],
                               ["财政专户管理资金", "小计", "147.20"],
                               [None, "其他非税收入", "147.20"],
                               ["上年结转和结余资金", "小计", None],
                               [None, "其中：动用上年结转和结余资金", None]])
COLUMNS = GenericTable(title="支出预算表", unit="元",
                       header=[["项目", "合计", "基本支出", "基本支出", "基本支出", "项目支出"],
                               ["", "", "小计", "人员经费", "公用经费", ""]],
                       rows=[["合计", "4,300.50", "3,200.50", "3,150.25", "50.25", "1,100.00"],
                             ["行政运行", "4,300.50", "3,200.50", "3,150.25", "50.25", "1,100.00"]])


def _doc(*tables: GenericTable, narrative: Narrative | None = None, confidence: float = 0.99) -> Document:
    """A document of generic tables (and a narrative) read by OCR on page 1 at the given confidence."""
    doc = Document(doc_id="g", generic_tables=[t.model_copy(deep=True) for t in tables], narrative=narrative,
                   run=RunInfo(engine="layout", pages_ocr=[1]))
    for pointer in amounts(doc) + [f"/narrative/{k}" for k, v in (narrative or Narrative()) if v not in (None, [])]:
        doc.provenance[pointer] = Provenance(page=1, bbox=(0, 0, 10, 10), confidence=confidence)
    return doc


def _checked(doc: Document) -> Document:
    doc.findings, doc.reconcile = check_document(doc)
    return doc


def _generic_outcomes(doc: Document):
    return [o for o in evaluate_all(doc, Values(doc)) if o.identity.rule.startswith("generic.")]


@pytest.mark.parametrize("table", [CODED, OUTLINE, SUBTOTALS, COLUMNS], ids=lambda t: t.title)
def test_a_generic_table_that_adds_up_vouches_for_every_amount(table):
    doc = _checked(_doc(table))
    outcomes = _generic_outcomes(doc)
    assert outcomes and all(o.ok for o in outcomes)
    assert not [f for f in doc.findings if f.rule.startswith("generic.")]
    assert flags(doc) == {}  # OCR'd, sure, and every amount (codes too) in a sum that holds


def test_a_misread_generic_cell_breaks_its_sum_and_is_flagged():
    doc = _doc(CODED)
    doc.generic_tables[0].rows[3][2] = "600.85"  # 行政运行 misread
    doc = _checked(doc)
    finding = next(f for f in doc.findings if f.rule == "generic.row_sum")
    assert finding.severity == "warning" and finding.tables == ["g1"]
    assert "公开表五 20101 人大事务 · 金额" in finding.message
    flagged = flags(doc)
    assert flagged["/generic_tables/0/rows/3/2"] == "failed"
    assert "/generic_tables/0/rows/0/2" not in flagged  # the 合计 = Σ 类 still holds


def test_a_generic_cell_with_ocrs_colon_for_a_point_is_read_as_the_tables_cells_are():
    # "600:25": OCR's colon for the decimal point, which the scorer and the eleven tables read as
    # 600.25. Taken for a blank, it broke the 款's sum and flagged its correct siblings.
    doc = _doc(CODED)
    doc.generic_tables[0].rows[3][2] = "600:25"
    doc = _checked(doc)
    assert all(o.ok for o in _generic_outcomes(doc))
    assert not flags(doc)


def test_a_lost_generic_cell_fails_its_sum_and_the_scorer_counts_it_flagged():
    gold = Document(doc_id="g", generic_tables=[OUTLINE])
    pred = _doc(OUTLINE)
    pred.generic_tables[0].rows[8][5] = None  # the 430.00 line read blank
    pred = _checked(pred)
    assert "/generic_tables/0/rows/8/5" in evidence(pred).failed
    score = score_document(pred, gold)
    assert score.cells["/generic_tables/0/rows/8/5"] == "missing"
    assert score.flagged["/generic_tables/0/rows/8/5"] == "failed"
    counts = score.flags()
    assert counts.errors == counts.errors_flagged == 1
    # Its sibling is in that failed sum only: flagged too. The parent, which the 三、 line's sum vouches for, is not.
    assert {g for g, why in score.flagged.items() if score.cells[g] == "correct"} == {"/generic_tables/0/rows/7/5"}


def test_a_generic_table_without_printed_structure_stays_uncorroborated_when_ocrd():
    loose = GenericTable(title="其他表", header=[["名称", "金额"]], rows=[["甲", "12.50"], ["乙", "7.25"]])
    doc = _checked(_doc(loose))
    assert not _generic_outcomes(doc)
    assert flags(doc) == {"/generic_tables/0/rows/0/1": "uncorroborated", "/generic_tables/0/rows/1/1": "uncorroborated"}
    doc.run = RunInfo(engine="layout")  # the same table from a text layer: what the file prints
    doc.provenance = {}
    assert flags(doc) == {}


def test_a_narrative_figure_equal_to_a_total_vouches_for_both():
    operating = GenericTable(title="机关运行经费支出预算表", header=[["科目编码", "科目名称", "机关运行经费支出"]],
                             rows=[[None, "合计", "1,642.08"], ["302", "商品和服务支出", "1,642.08"]])
    doc = _checked(_doc(operating, narrative=Narrative(operating_funds=Decimal("1642.08"),
                                                        procurement_sme=Decimal("62.98"))))
    flagged = flags(doc)
    assert "/narrative/operating_funds" not in flagged
    assert flagged["/narrative/procurement_sme"] == "uncorroborated"  # nothing to agree with
    doc.narrative.operating_funds = Decimal("1642.03")  # misread: agrees with nothing, no finding either
    doc = _checked(doc)
    assert flags(doc)["/narrative/operating_funds"] == "uncorroborated"
    assert not any(f.tables == ["narrative"] for f in doc.findings)


def test_round_figures_do_not_vouch_by_agreeing():
    operating = GenericTable(title="表", header=[["科目编码", "科目名称", "金额"]],
                             rows=[[None, "合计", "100.00"], ["302", "商品和服务支出", "100.00"]])
    doc = _checked(_doc(operating, narrative=Narrative(operating_funds=Decimal("100.00"))))
    assert flags(doc)["/narrative/operating_funds"] == "uncorroborated"


def test_narrative_project_figures_are_vouched_for_by_the_sheets():
    gold = Document.model_validate_json((DATA / "000_5dac6d90f1d45d5f" / "gold.json").read_text(encoding="utf-8"))
    gold.run = RunInfo(engine="layout", pages_ocr=list(range(1, 100)))
    read = [p for p, _ in amount_cells(gold)] + [f"/narrative/{k}" for k, v in gold.narrative if isinstance(v, (int, Decimal))]
    gold.provenance = {p: Provenance(page=1, bbox=(0, 0, 1, 1), confidence=0.99) for p in read}
    _checked(gold)
    flagged = flags(gold)
    for name in ("performance_project_count", "performance_project_amount"):
        assert f"/narrative/{name}" not in flagged
    gold.narrative.performance_project_amount += Decimal("10")
    _checked(gold)
    assert flags(gold)["/narrative/performance_project_amount"] == "failed"  # the finding names it


@pytest.mark.parametrize("doc_id", ["js03", "js20"])
def test_real_generic_tables_add_up_as_read(doc_id):
    """The Jiangsu disclosures' generic tables (codes, procurement outline, 收入 小计): every sum holds and
    every amount (and code) of them is vouched for."""
    gold = Document.model_validate_json((DATA / doc_id / "gold.json").read_text(encoding="utf-8"))
    assert gold.generic_tables
    outcomes = _generic_outcomes(gold)
    assert len(outcomes) >= 20 and all(o.ok for o in outcomes)
    proof = evidence(gold)
    assert [p for p in amounts(gold) if p.startswith("/generic_tables/") and p not in proof.held] == []


def test_a_generic_table_printed_in_whole_units_adds_up_within_their_rounding():
    whole = GenericTable(title="表", header=[["科目编码", "科目名称", "金额"]],
                         rows=[[None, "合计", "3"], ["301", "工资福利支出", "1"], ["302", "商品和服务支出", "1"],
                               ["303", "对个人和家庭的补助", "1"]])  # 0.8 + 0.9 + 1.3 printed rounded: 3.0
    doc = _checked(_doc(whole))
    assert all(o.ok for o in _generic_outcomes(doc)) and flags(doc) == {}
    whole.rows[0][2] = "5"  # two units off is no rounding
    assert not all(o.ok for o in _generic_outcomes(_doc(whole)))


def test_a_lost_generic_row_counts_as_flagged_by_its_tables_failed_sum():
    """A row the prediction lost has no predicted cell; its table's sum that fails tells the user, even when
    the stored findings predate the generic sums."""
    gold = Document(doc_id="g", generic_tables=[CODED])
    pred = _doc(CODED)
    del pred.generic_tables[0].rows[4]  # 2010102 一般行政管理事务 399.75 lost
    pred.findings = []  # as an output made before the checker read generic tables
    score = score_document(pred, gold)
    assert score.cells["/generic_tables/0/rows/4/2"] == "missing"
    assert score.flagged["/generic_tables/0/rows/4/2"] == "table_finding"


def test_failures_that_meet_in_one_lost_cell_vouch_for_their_other_cells():
    # 221 住房保障支出 read blank: its own sum (221 = 22102) and the 合计 (201 + 221) fail, and
    # only that cell, given a value, makes both hold. The 合计 is in no identity that holds, yet
    # it adds up with the lost cell's value: it is not flagged; the lost cell is the one failed.
    gold = Document(doc_id="g", generic_tables=[CODED])
    pred = _doc(CODED)
    pred.generic_tables[0].rows[5][2] = None
    pred = _checked(pred)
    proof = evidence(pred)
    assert "/generic_tables/0/rows/5/2" in proof.failed
    assert "/generic_tables/0/rows/0/2" not in flags(pred, proof=proof)
    score = score_document(pred, gold)
    counts = score.flags()
    assert counts.errors == counts.errors_flagged == 1 and counts.false_alarms == 0


def test_one_failure_alone_is_not_put_down_to_one_cell():
    doc = _doc(CODED)
    doc.generic_tables[0].rows[6][2] = "150.80"  # 22102 misread: breaks 221 = 22102 and 22102 = 2210201
    doc.generic_tables[0].rows[3][2] = "600.95"  # and, apart, 行政运行: 20101's sum fails alone
    doc = _checked(doc)
    flagged = flags(doc)
    assert flagged["/generic_tables/0/rows/6/2"] == "failed"
    # The lone failure names no culprit: its cells stay flagged (20101 itself is vouched for by 201's sum).
    assert {"/generic_tables/0/rows/3/2", "/generic_tables/0/rows/4/2"} <= {p for p, why in flagged.items() if why == "failed"}


def test_the_year_is_vouched_for_by_a_table_title_read_on_another_page():
    doc = Document(doc_id="y", year=2025, run=RunInfo(engine="layout", pages_ocr=[1, 2]))
    doc.provenance["/year"] = Provenance(page=1, bbox=(0, 0, 10, 10), confidence=0.99)
    doc.tables.t1.present, doc.tables.t1.title, doc.tables.t1.pages = True, "2025年部门财务收支预算总表", [1]
    assert flags(doc).get("/year") == "uncorroborated"  # the title on its own page may be where it was read
    doc.tables.t4.present, doc.tables.t4.title, doc.tables.t4.pages = True, "2025年部门财政拨款收支预算总表", [2]
    assert "/year" not in flags(doc)
    doc.tables.t4.title = "2024年部门财政拨款收支预算总表"  # another year: no agreement
    assert flags(doc).get("/year") == "uncorroborated"
