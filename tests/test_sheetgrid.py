"""Performance sheets printed without column rules: their words back in a grid (``extractor/sheetgrid.py``)."""

from __future__ import annotations

from extractor import templates
from extractor.pages import Segment, Word
from extractor.read_sheets import read_sheet
from extractor.locate import Region
from extractor.sheetgrid import sheet_grids

# Columns of an indicator table as a spreadsheet prints them (x of each cell's text).
X = {"level1": 40, "level2": 100, "level3": 160, "target": 280, "weight": 350, "rule": 400}


def _word(x: float, y: float, text: str, right: float | None = None) -> Word:
    """A word 10 pt high, 6 pt a character; right-aligned at ``right`` when given."""
    width = 6 * len(text)
    x0 = right - width if right is not None else x
    return Word(text, x0, y, x0 + width, y + 10)


HEADER = [_word(X["level1"], 100, "一级指标"), _word(X["level2"], 100, "二级指标"), _word(X["level3"], 100, "三级指标"),
          _word(X["target"], 100, "指标值"), _word(X["weight"], 100, "分值"), _word(X["rule"], 100, "评分标准")]


def _row(y: float, level3: str | list[str], target: str, weight: str, rule: str = "完成得分") -> list[Word]:
    """One indicator row at y: a level3 name (wrapped over lines 10 pt apart when a list), the
    other cells centred beside it on one line; the weight right-aligned in its cell."""
    names = [level3] if isinstance(level3, str) else level3
    mid = y + 5 * (len(names) - 1)
    return [_word(X["level3"], y + 10 * i, n) for i, n in enumerate(names)] + [
        _word(X["target"], mid, target), _word(0, mid, weight, right=392), _word(X["rule"], mid, rule)]


def _indicators(words: list[Word], rules: list[Segment] = ()) -> list[dict]:
    grids = sheet_grids(1, words, list(rules), templates.default())
    region = Region(kind="project", title="项目支出绩效目标表", grids=grids)
    return read_sheet(region, overall=False)["indicators"]


def test_a_wrapped_name_is_one_cell_and_rows_printed_close_stay_apart():
    # Rows 14 pt apart (4 pt of padding) and a name's lines 10 pt apart: alignment and the
    # padding tell a wrapped line from the next row's.
    words = HEADER + _row(120, ["发放非公企业党建", "工作经费的次数"], ">=1次", "6") \
        + _row(144, "党建业务工作种类", ">=2种", "6") + _row(158, "资金拨付及时率", ">=95%", "8")
    words += [_word(X["level1"], 149, "产出指标"), _word(X["level2"], 149, "数量指标")]
    got = _indicators(words)
    assert [i["level3"] for i in got] == ["发放非公企业党建工作经费的次数", "党建业务工作种类", "资金拨付及时率"]
    assert [i["target_raw"] for i in got] == [">=1次", ">=2种", ">=95%"]


def test_a_weight_right_aligned_far_from_its_label_stays_in_its_column():
    words = HEADER + _row(120, "党建业务工作种类", ">=2种", "6") + [_word(X["level1"], 120, "产出指标")]
    got = _indicators(words)
    assert got[0]["weight"] == 6 and got[0]["scoring_rule"] == "完成得分"


def test_a_level_label_centred_over_its_rows_heads_each_of_them():
    # 产出指标 printed once, in the middle of its three rows; 效益指标 over one row.
    words = HEADER + _row(120, "甲", "1", "10") + _row(140, "乙", "2", "10") + _row(160, "丙", "3", "10") \
        + _row(180, "丁", "4", "20")
    words += [_word(X["level1"], 140, "产出指标"), _word(X["level2"], 130, "数量指标"), _word(X["level2"], 160, "质量指标"),
              _word(X["level1"], 180, "效益指标"), _word(X["level2"], 180, "社会效益")]
    got = _indicators(words)
    assert [(i["level1"], i["level2"]) for i in got] == [
        ("产出指标", "数量指标"), ("产出指标", "数量指标"), ("产出指标", "质量指标"), ("效益指标", "社会效益")]


def test_rules_across_a_level_column_bound_its_labels():
    # A label printed at its cell's top (not centred): the rules across its column say how far it reaches.
    words = HEADER + _row(120, "甲", "1", "10") + _row(140, "乙", "2", "10") + _row(160, "丙", "3", "10")
    words += [_word(X["level1"], 120, "产出指标"), _word(X["level2"], 120, "数量指标"), _word(X["level2"], 160, "质量指标")]
    rules = [Segment(30, y, 460, y) for y in (115, 175)] + [Segment(95, 155, 460, 155), Segment(155, 135, 460, 135)]
    got = _indicators(words, rules)
    assert [(i["level1"], i["level2"]) for i in got] == [
        ("产出指标", "数量指标"), ("产出指标", "数量指标"), ("产出指标", "质量指标")]


def test_the_form_above_reads_label_and_value_pairs_with_wrapped_labels():
    form = [_word(40, 60, "项目名称"), _word(120, 60, "党建工作项目"), _word(300, 56, "项目负责"), _word(300, 66, "人"),
            _word(340, 60, "赵存杰"),
            _word(40, 80, "年度预算总额："), _word(0, 80, "40", right=200), _word(210, 76, "其中：财政"),
            _word(210, 86, "拨款"), _word(0, 80, "40", right=290), _word(300, 80, "其他资金："), _word(0, 80, "0", right=440)]
    grids = sheet_grids(1, form + HEADER + _row(120, "甲", "1", "10") + [_word(X["level1"], 120, "产出指标")], [],
                        templates.default())
    data = read_sheet(Region(kind="project", title="项目支出绩效目标表", grids=grids), overall=False)
    assert (data["project_name"], data["manager"]) == ("党建工作项目", "赵存杰")
    assert [str(data[k]) for k in ("budget_total", "budget_fiscal", "budget_other")] == ["40", "40", "0"]


def test_a_table_continued_on_the_next_page_keeps_its_columns():
    first = sheet_grids(1, HEADER + _row(120, "甲", "1", "10") + [_word(X["level1"], 120, "产出指标")], [],
                        templates.default())
    # Page 2 has no header; its weight sits nearer the rule column's label than its own.
    second = sheet_grids(2, _row(60, "乙", "2", "20") + [_word(X["level1"], 60, "效益指标")], [], templates.default(),
                         first)
    region = Region(kind="project", title="项目支出绩效目标表", grids=first + second)
    got = read_sheet(region, overall=False)["indicators"]
    assert [(i["level1"], i["level3"], i["target_raw"], i["weight"]) for i in got] == [
        ("产出指标", "甲", "1", 10), ("效益指标", "乙", "2", 20)]
