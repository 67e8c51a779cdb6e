"""The scorer on hand-made prediction/gold pairs with exactly computed metrics."""

from __future__ import annotations

from decimal import Decimal

import pytest

from eval.score import score_document, summarise
from schemas import Document, Finding, Indicator, ProjectSheet
from schemas.tables import BasicProjectRow

from .conftest import small_document


def _gold() -> Document:
    doc = small_document("g")
    doc.performance.projects = [
        ProjectSheet(project_name="党建工作经费", budget_total="40", budget_fiscal="40", budget_other="0",
                     indicators=[Indicator(level1="产出指标", level2="数量指标", level3="培训次数",
                                           target_raw=">=3次", weight=20)]),
    ]
    return doc


def _score(pred: Document, gold: Document | None = None, **kw):
    gold = gold or _gold()
    return summarise([score_document(pred, gold, **kw)])


def test_identical_prediction_scores_perfectly():
    report = _score(_gold())
    assert report["overall"]["cell_exact"] == 1.0
    assert report["sheets"]["sheet_recall"] == 1.0 and report["sheets"]["target_exact"] == 1.0


def test_cell_count_of_gold():
    # t3 rows: 2+2+2, t3 total: 3, t7 row: 2 → 11 cells; sheets are scored apart.
    report = _score(_gold())
    assert report["tables"]["t3"]["correct"] == 9
    assert report["tables"]["t7"]["correct"] == 2
    assert report["overall"]["correct"] == 11


def test_missing_row():
    pred = _gold()
    del pred.tables.t3.rows[2]
    m = _score(pred)["tables"]["t3"]
    assert (m["correct"], m["missing"], m["extra"], m["wrong"]) == (7, 2, 0, 0)
    assert m["cell_precision"] == 1.0
    assert m["cell_recall"] == pytest.approx(7 / 9, abs=1e-6)


def test_extra_row():
    pred = _gold()
    pred.tables.t3.rows.append(BasicProjectRow(code="2080505", name="养老", total="8.36", basic="8.36"))
    m = _score(pred)["tables"]["t3"]
    assert (m["correct"], m["extra"]) == (9, 2)
    assert m["cell_precision"] == pytest.approx(9 / 11, abs=1e-6)
    assert m["cell_recall"] == 1.0
    assert m["cell_exact"] == pytest.approx(9 / 11, abs=1e-6)


def test_wrong_digit_counts_as_fp_and_fn():
    pred = _gold()
    pred.tables.t3.rows[0].total = Decimal("330.89")
    m = _score(pred)["tables"]["t3"]
    assert (m["correct"], m["wrong"]) == (8, 1)
    assert m["cell_precision"] == pytest.approx(8 / 9, abs=1e-6)
    assert m["cell_recall"] == pytest.approx(8 / 9, abs=1e-6)


def test_swapped_columns():
    pred = _gold()
    row = pred.tables.t3.rows[1]
    row.basic, row.project = row.project, row.basic  # 162.2 read into basic
    m = _score(pred)["tables"]["t3"]
    # project: gold 162.2, pred None → missing; basic: gold None, pred 162.2 → extra.
    assert (m["correct"], m["missing"], m["extra"]) == (8, 1, 1)


def test_missing_table():
    pred = _gold()
    pred.tables.t7.present = False
    pred.tables.t7.rows = []
    report = _score(pred)
    assert report["tables"]["t7"]["missing"] == 2
    assert report["tables"]["t7"]["presence_accuracy"] == 0.0
    assert report["overall"]["correct"] == 9


def test_fuzzy_project_name_is_matched_and_reported():
    pred = _gold()
    pred.tables.t7.rows[0].project_name = "党建工作经费项目"
    pred.performance.projects[0].project_name = "党建工作经费项目"
    report = _score(pred)
    assert report["tables"]["t7"]["correct"] == 2
    doc = report["documents"]["g"]
    assert doc["fuzzy_matches"] and doc["fuzzy_matches"][0][2] == "党建工作经费项目"
    assert report["sheets"]["sheet_recall"] == 1.0
    assert doc["sheets"]["fuzzy_sheet_matches"] == [("党建工作经费", "党建工作经费项目")]


def test_unrelated_name_is_not_matched():
    pred = _gold()
    pred.tables.t7.rows[0].project_name = "宣传文化服务费"
    m = _score(pred)["tables"]["t7"]
    assert (m["missing"], m["extra"]) == (2, 2)


def test_indicator_target_and_weight_compared():
    pred = _gold()
    ind = pred.performance.projects[0].indicators[0]
    pred.performance.projects[0].indicators[0] = Indicator(
        level1=ind.level1, level2=ind.level2, level3=ind.level3, target_raw=">=4次", weight=20)
    s = _score(pred)["sheets"]
    assert s["indicator_recall"] == 1.0 and s["target_exact"] == 0.0 and s["weight_exact"] == 1.0


def test_findings_precision_recall():
    expected = [Finding(rule="t3.row_total", locations=["/tables/t3/rows/0/total"]),
                Finding(rule="t7.total_sum", locations=["/tables/t7/total/total"])]
    pred = _gold()
    pred.findings = [Finding(rule="t3.row_total", locations=["/tables/t3/rows/0/total", "/tables/t3/rows/0/basic"]),
                     Finding(rule="t6.hierarchy", locations=["/tables/t6/rows/0/total"])]
    f = _score(pred, expected=expected)["findings"]
    assert (f["precision"], f["recall"]) == (0.5, 0.5)


def test_same_code_with_a_misread_name_is_matched_fuzzily():
    pred = _gold()
    pred.tables.t3.rows[2].name = "住房公积全"  # one character misread by OCR
    report = _score(pred)
    assert report["tables"]["t3"]["correct"] == 9
    assert report["documents"]["g"]["fuzzy_matches"][0][1:] == ("住房公积金", "住房公积全")


def test_same_code_but_another_name_is_not_matched():
    pred = _gold()
    pred.tables.t3.rows[2].name = "其他支出"
    m = _score(pred)["tables"]["t3"]
    assert (m["missing"], m["extra"]) == (2, 2)


def test_extra_columns_and_generic_tables_are_scored():
    from schemas import Document
    from schemas.tables import GenericTable

    gold = Document(doc_id="g")
    gold.tables.t2.present = True
    gold.tables.t2.rows = [{"code": "201", "name": "一般公共服务支出", "total": "12.00", "extra": {"事业收入": "2.00"}}]
    gold.tables.t10.present = True
    gold.tables.t10.extra = {"机关运行经费预算数": "213.28"}
    gold.generic_tables = [GenericTable(title="政府采购支出预算表", number="公开表十二",
                                        rows=[["合计", None, "5.00"], ["货物", "电脑", "3.00"], ["服务", "会议", "2.00"]])]
    pred = gold.model_copy(deep=True)
    pred.tables.t2.rows[0].extra = {}                                   # a printed column lost
    pred.generic_tables[0].rows = [["合计", None, "5.00"], ["服务", "会议", "2.50"]]  # a row dropped, one misread
    score = score_document(pred, gold)
    assert score.tables["t2"].missing == 1 and score.tables["t2"].correct == 1
    assert score.tables["t10"].correct == 1
    generic = score.tables["generic"]
    # The dropped row does not shift the rows after it: 合计 right, 货物 missing, 服务 wrong.
    assert (generic.correct, generic.missing, generic.wrong) == (1, 1, 1)


def test_a_generic_table_whose_number_was_misread_is_matched_by_its_title():
    from schemas.tables import GenericTable

    gold = Document(doc_id="g")
    gold.generic_tables = [GenericTable(title="公开表六 财政拨款基本支出预算表", number="公开表六",
                                        rows=[["合计", None, "9.00"], ["301", "工资福利支出", "9.00"]])]
    pred = gold.model_copy(deep=True)
    pred.generic_tables[0].number, pred.generic_tables[0].title = "公开表大", "公开表大 财政拨款基本支出预算表"
    assert score_document(pred, gold).tables["generic"].correct == 3  # the code counts too
    pred.generic_tables[0].title = "公开表大 政府采购预算表"  # another table: nothing matches
    assert score_document(pred, gold).tables["generic"].missing == 3
