"""Tables printed without rules: rows and columns from the words alone (``extractor/wordgrid.py``)."""

from __future__ import annotations

from extractor.locate import locate
from extractor.pages import Page, Word
from extractor.wordgrid import word_grid


def _line(y: float, *cells: tuple[float, str]) -> list[Word]:
    """Words on one printed line: (x, text) each, 10 pt high, 6 pt a character."""
    return [Word(text, x, y, x + 6 * len(text), y + 10) for x, text in cells]


HEADER = _line(100, (40, "项目"), (220, "金额"))


def test_an_item_with_nothing_budgeted_is_its_own_row_and_a_wrapped_name_joins_its_row():
    words = HEADER + _line(130, (40, "一、一般公共服务支出"), (220, "13,907.78")) \
        + _line(147, (40, "二、外交支出"), (220, "6,459.58")) \
        + _line(164, (40, "三、国防支出")) \
        + _line(181, (40, "四、教育支出"), (220, "121.39")) \
        + _line(198, (40, "五、社会保障和就业"), (220, "3,301.20")) + _line(210, (40, "支出"))
    grid = word_grid(1, words)
    names = [grid.text(r, 0) for r in range(1, grid.n_rows)]
    assert names == ["一、一般公共服务支出", "二、外交支出", "三、国防支出", "四、教育支出", "五、社会保障和就业支出"]
    assert grid.text(3, 1) == "" and grid.text(5, 1) == "3,301.20"


def test_rows_printed_no_taller_than_their_text_keep_every_line_with_its_figures():
    # Lines 11 pt apart: no room for a row between rows, so a line without figures is a wrap.
    words = HEADER + _line(130, (40, "一、工资福利"), (220, "10.00")) + _line(141, (40, "支出")) \
        + _line(152, (40, "二、商品和服务"), (220, "20.00"))
    grid = word_grid(1, words)
    assert [grid.text(r, 0) for r in range(1, grid.n_rows)] == ["一、工资福利支出", "二、商品和服务"]


def test_one_line_of_figures_under_its_header_is_a_table():
    words = _line(100, (40, "合计"), (140, "基本支出"), (240, "项目支出")) \
        + _line(130, (40, "18,330.37"), (140, "9,312.90"), (240, "6,459.58"))
    grid = word_grid(1, words)
    assert grid is not None and grid.row_texts(1) == ["18,330.37", "9,312.90", "6,459.58"]
    assert word_grid(1, _line(100, (40, "合计")) + _line(130, (40, "18,330.37"))) is None


def test_a_table_no_template_names_printed_without_rules_is_kept():
    words = _line(40, (200, "政府采购预算明细表")) + HEADER \
        + _line(130, (40, "办公设备"), (220, "12.00")) + _line(147, (40, "印刷服务"), (220, "3.50"))
    layout = locate([Page(1, 595, 842, words=words)])
    kept = [r for r in layout.regions if r.kind == "generic"]
    assert kept and kept[0].grids and kept[0].grids[0].text(2, 1) == "3.50"
