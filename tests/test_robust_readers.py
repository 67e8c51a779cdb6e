"""The layout readers never raise on any grid: random grids of disclosure-like words, ragged
rows (merged cells), empty cells, continuation grids with fewer columns than the header's.

Run it long once with `HYPOTHESIS_PROFILE=thorough python -m pytest tests/test_robust_readers.py`.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from extractor.checks import check
from extractor.engines.layout import LayoutEngine
from extractor.grid import Cell, Grid
from extractor.locate import Layout, Region
from extractor.pages import Word
from extractor.read_fixed import read_two_sided
from schemas import Document
from schemas.tables import TABLE_TITLES

# Words the readers look for (header labels, fixed lines, sheet labels), amounts and codes.
VOCAB = [
    "", "", "", "科目编码", "科目名称", "类", "款", "项", "功能分类科目", "经济分类科目", "项目名称",
    "合计", "总计", "小计", "收入", "支出", "本年收入", "一般公共预算", "政府性基金预算", "国有资本经营预算",
    "上级补助收入", "事业收入", "单位资金", "上年结转", "财政拨款", "基本支出", "项目支出", "人员经费",
    "公用经费", "因公出国（境）费", "公务接待费", "公务用车购置及运行费", "其中：公务用车购置费",
    "公务用车运行费", "预算单位", "单位名称", "项目负责人", "年度预算总额：", "其中：财政拨款", "其他资金：",
    "项目总体目标", "一级指标", "二级指标", "三级指标", "指标值", "分值权重", "产出指标", "≥95%", "10分",
    "是", "备注：本表为空表", "201", "20103", "2010301", "208", "2080505", "301", "30101", "一般公共服务支出",
    "行政运行", "0", "0.00", "12.50", "1,234.56", "-3.00", "100", "99999999.99", "1.234", "S11.78", "（万元）",
]
WORDS = st.sampled_from(VOCAB) | st.text("合计支出收入0123456789.,-：（）级指标\ue000\ufffd", max_size=6)
KINDS = [*TABLE_TITLES, "overall", "project", "narrative", "profile"]
# Narrative and profile sentences with the figures read_text looks for, some cut short.
LINES = st.sampled_from(VOCAB + [
    "收支总预算518.80万元", "基本支出330.39万元，项目支出", "项目支出162.2万元", "“三公”经费预算数为万元",
    "编制人数13人，实有人数12人", "当年财政拨款项目3个，涉及金额15.00万元", "政府采购预算10.00万元，其中：货物",
    "XX部门（单位）", "2024年部门预算", "不予公开项目1个，金额", "机关运行经费5.50万元"]) | st.text(max_size=30)


def make_grid(page: int, texts: list[list[str]], merges: list[tuple[int, int, int, int]] = ()) -> Grid:
    """A grid of texts with some cells merged (rows then show fewer cells: ragged rows)."""
    n_rows, n_cols = len(texts), len(texts[0])
    owner = [[-1] * n_cols for _ in range(n_rows)]
    cells: list[Cell] = []
    for r0, c0, rs, cs in merges:
        rs, cs = min(rs, n_rows - r0), min(cs, n_cols - c0)
        if any(owner[r][c] >= 0 for r in range(r0, r0 + rs) for c in range(c0, c0 + cs)):
            continue
        for r in range(r0, r0 + rs):
            for c in range(c0, c0 + cs):
                owner[r][c] = len(cells)
        cells.append(_cell(texts, r0, c0, rs, cs))
    for r in range(n_rows):
        for c in range(n_cols):
            if owner[r][c] < 0:
                owner[r][c] = len(cells)
                cells.append(_cell(texts, r, c, 1, 1))
    return Grid(page=page, bbox=(0, 0, 60.0 * n_cols, 20.0 * n_rows),
                row_edges=[20.0 * r for r in range(n_rows + 1)], col_edges=[60.0 * c for c in range(n_cols + 1)],
                cells=cells, owner=owner)


def _cell(texts: list[list[str]], r: int, c: int, rs: int, cs: int) -> Cell:
    text = texts[r][c]
    box = (60.0 * c, 20.0 * r, 60.0 * (c + cs), 20.0 * (r + rs))
    words = [Word(text, box[0] + 1, box[1] + 1, box[2] - 1, box[3] - 1)] if text else []
    return Cell(row=r, col=c, row_span=rs, col_span=cs, words=words, bbox=box)


@st.composite
def grids(draw, page: int = 1) -> Grid:
    n_rows = draw(st.integers(1, 8))
    n_cols = draw(st.integers(1, 8))
    texts = [[draw(WORDS) for _ in range(n_cols)] for _ in range(n_rows)]
    merges = draw(st.lists(st.tuples(st.integers(0, n_rows - 1), st.integers(0, n_cols - 1),
                                     st.integers(1, 3), st.integers(1, 4)), max_size=4))
    return make_grid(page, texts, merges)


@st.composite
def regions(draw) -> Region:
    kind = draw(st.sampled_from(KINDS))
    found = draw(st.lists(grids(), min_size=0, max_size=2))
    for i, grid in enumerate(found):
        grid.page = i + 1
    lines = draw(st.lists(LINES, max_size=4))
    return Region(kind=kind, title=TABLE_TITLES.get(kind, kind), pages=[g.page for g in found] or [1],
                  grids=found, lines=lines)


@given(st.lists(regions(), min_size=1, max_size=4))
def test_layout_engine_and_checker_never_raise_on_any_grid(found):
    layout = Layout(regions=found, front_lines=["2024年部门预算", "测试单位"])
    doc = LayoutEngine().fill(Document(doc_id="fuzz"), layout)
    Document.model_validate(doc.model_dump(mode="json"))  # what the engine returns stays in contract
    check(doc)


def test_two_sided_split_is_not_reused_on_a_narrower_continuation():
    """The IndexError of issue #12: t1's split column carried to a two-column continuation grid."""
    header = make_grid(1, [["收入", "", "", "支出", "", ""], ["项目", "说明", "预算数", "科目", "名称", "预算数"],
                           ["一般公共预算", "", "100.00", "201", "一般公共服务支出", "100.00"]])
    narrow = make_grid(2, [["上年结转", "5.00"], ["收入总计", "105.00"]])
    income, rows, totals, _ = read_two_sided(Region("t1", grids=[header, narrow]), "t1")
    assert income["general_budget"] == 100 and income["carryover"] == 5
    assert totals["income_total"] == 105
    assert rows[0]["code"] == "201"


def _sheet(rows: list[list[str]], lines: list[str] = ()) -> dict:
    from extractor.read_sheets import read_sheet

    width = max(len(r) for r in rows)
    grid = make_grid(1, [r + [""] * (width - len(r)) for r in rows])
    return read_sheet(Region("project", grids=[grid], lines=list(lines)), overall=False)


def test_project_name_is_read_however_the_form_prints_it():
    """项目名称 of a sheet with no t7 row (paid from other money) came out null (issue #12)."""
    indicators = [["一级指标", "二级指标", "三级指标", "指标值", "分值权重"], ["产出指标", "数量指标", "培训次数", "≥3次", "10"]]
    # A name that begins with a label word is still the name.
    sheet = _sheet([["项目名称", "其他资金安排的档案整理项目", "项目负责人", "张三"],
                    ["年度预算总额：", "40.00", "其中：财政拨款", "", "其他资金：", "40.00"], *indicators])
    assert sheet["project_name"] == "其他资金安排的档案整理项目" and sheet["manager"] == "张三"
    assert sheet["budget_other"] == 40 and sheet.get("budget_fiscal") is None
    # Labels on one line, their values on the line below.
    sheet = _sheet([["项目名称", "预算单位", "年度预算总额"], ["自有资金宣传项目", "测试单位", "40.00"], *indicators])
    assert (sheet["project_name"], sheet["unit_name"], sheet["budget_total"]) == ("自有资金宣传项目", "测试单位", 40)
    # The form printed as text above the indicator table.
    sheet = _sheet(indicators, lines=["项目名称：单位资金维修项目", "预算单位：测试单位"])
    assert sheet["project_name"] == "单位资金维修项目" and sheet["unit_name"] == "测试单位"
    assert len(sheet["indicators"]) == 1
