"""Row edges of ruled tables as printers draw them: double rules, and a border left open at a page break."""

from __future__ import annotations

from extractor.grid import page_grids
from extractor.pages import Page, Segment, Word

XS = (60.0, 210.0, 420.0, 530.0)


def _page(rules: list[tuple[float, float, float]], verticals: tuple[float, float], lines: list[tuple[float, list[str]]]):
    """A page of horizontal rules (y, x0, x1), column rules from verticals[0] to [1], one word per cell."""
    segments = [Segment(x0, y, x1, y) for y, x0, x1 in rules]
    segments += [Segment(x, verticals[0], x, verticals[1]) for x in XS]
    words = [Word(text, XS[c] + 5, y, XS[c] + 5 + 10 * len(text), y + 10)
             for y, texts in lines for c, text in enumerate(texts) if text]
    return Page(1, 595, 842, words=words, segments=segments)


def _rows(page: Page) -> list[list[str]]:
    (grid,) = page_grids(page)
    return [[grid.text(r, c) for c in range(grid.n_cols)] for r in range(grid.n_rows)]


def test_a_double_rule_is_one_row_edge_so_a_line_stays_one_row():
    full = lambda y: (y, XS[0], XS[-1])  # noqa: E731
    # Under the 合计 line: three hairlines 1.3 pt apart, the last drawn only over the amount
    # column; under 301: the amount column's rule 1.2 pt above the label columns'.
    rules = [full(140), full(157), full(173.4), full(174.7), (176.0, XS[2], XS[3]),
             (190.9, XS[2], XS[3]), (192.1, XS[0], XS[2]), full(209.7)]
    page = _page(rules, (140, 209.7), [(143, ["科目编码", "科目名称", "金额"]), (160, ["合计", "", "21,968.00"]),
                                       (178, ["301", "工资福利支出", "16,324.07"]), (196, ["30101", "基本工资", "2,827.41"])])
    assert _rows(page) == [["科目编码", "科目名称", "金额"], ["合计", "", "21,968.00"],
                           ["301", "工资福利支出", "16,324.07"], ["30101", "基本工资", "2,827.41"]]


def test_a_table_continued_without_its_top_border_keeps_its_first_row():
    rules = [(84.0, XS[0], XS[-1]), (98.0, XS[0], XS[-1]), (111.0, XS[0], XS[-1])]
    lines = [(72, ["", "会议费", "110.05"]), (86, ["", "会议服务", "110.05"]), (100, ["", "办公费", "10.00"])]
    assert _rows(_page(rules, (71, 111), lines))[0] == ["", "会议费", "110.05"]
    # Column rules that only poke out above the top border, with nothing printed there: no row.
    assert len(_rows(_page(rules, (71, 111), lines[1:]))) == 2


def test_distinct_rules_a_text_line_apart_stay_distinct():
    rules = [(100.0 + 12 * k, XS[0], XS[-1]) for k in range(4)]
    lines = [(101 + 12 * k, ["a", "b", str(k)]) for k in range(3)]
    assert [row[2] for row in _rows(_page(rules, (100, 136), lines))] == ["0", "1", "2"]


def _broken_column_rule(source: str, lines: list[tuple[float, list[str]]]) -> list[list[str]]:
    """A ruled table whose second column rule is lost over the middle row (a scan's broken line)."""
    rules = [(100.0 + 16 * k, XS[0], XS[-1]) for k in range(4)]
    segments = [Segment(x0, y, x1, y) for y, x0, x1 in rules]
    segments += [Segment(x, 100, x, 148) for x in (XS[0], XS[2], XS[3])]
    segments += [Segment(XS[1], 100, XS[1], 116), Segment(XS[1], 132, XS[1], 148)]
    words = [Word(text, x0, y, x0 + 10 * len(text), y + 10) for y, cells in lines for x0, text in cells]
    page = Page(1, 595, 842, words=words, segments=segments, source=source)
    return _rows(page)


def test_a_scan_that_lost_a_piece_of_a_column_rule_keeps_the_cells_either_side_apart():
    lines = [(103, [(65, "项目"), (215, "金额")]), (119, [(65, "一般公共预算"), (215, "518.80")]),
             (135, [(65, "政府性基金"), (215, "2.00")])]
    assert _broken_column_rule("ocr", lines)[1][:2] == ["一般公共预算", "518.80"]
    # Printed without that piece of rule (born digital): the cell spans both columns, as drawn.
    assert _broken_column_rule("text", lines)[1][0] == "一般公共预算518.80"


def test_a_cell_printed_across_two_columns_stays_one_when_its_rule_is_lost():
    # Text across the edge (a spanning label), or on one side only: one cell, as before.
    across = [(103, [(65, "项目"), (215, "金额")]), (119, [(150, "一般公共预算支出合计")]),
              (135, [(65, "政府性基金"), (215, "2.00")])]
    assert _broken_column_rule("ocr", across)[1][0] == "一般公共预算支出合计"
    one_side = [(103, [(65, "项目"), (215, "金额")]), (119, [(65, "小计")]),
                (135, [(65, "政府性基金"), (215, "2.00")])]
    rows = _broken_column_rule("ocr", one_side)
    assert rows[1][0] == "小计" and rows[1][1] == ""
