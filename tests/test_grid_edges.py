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


def _columns_lost_below(source: str, gap_before_last: float = 0.0) -> list:
    """A scanned table of eight rows whose column rules survive over its first four rows only
    (the rest broke into pieces too short to be rules); every row rule runs across."""
    ys = [100.0 + 16 * k for k in range(9)]
    ys[-1] += gap_before_last
    segments = [Segment(XS[0], y, XS[-1], y) for y in ys]
    segments += [Segment(x, ys[0], x, ys[4]) for x in XS]
    lines = [(y + 3, [f"20{k}", f"支出{k}", f"{k}.00"]) for k, y in enumerate(ys[:-1])]
    words = [Word(text, XS[c] + 5, y, XS[c] + 5 + 10 * len(text), y + 10)
             for y, texts in lines for c, text in enumerate(texts)]
    return page_grids(Page(1, 595, 842, words=words, segments=segments, source=source))


def test_a_scan_that_lost_the_lower_column_rules_keeps_the_rows_below_in_the_table():
    (grid,) = _columns_lost_below("ocr")
    assert grid.n_rows == 8
    assert [grid.text(r, 2) for r in range(8)] == [f"{k}.00" for k in range(8)]
    assert grid.text(7, 0) == "207" and grid.text(7, 1) == "支出7"


def test_rules_a_title_apart_or_born_digital_stay_apart():
    # A born-digital page draws what it prints: rows under no column rule are not the table's.
    (grid,) = _columns_lost_below("text")
    assert grid.n_rows == 4
    # A rule further off than a row's pitch (a title between two tables) joins nothing.
    (grid,) = _columns_lost_below("ocr", gap_before_last=30)
    assert grid.n_rows == 7


def _worn() -> Page:
    """A scanned table whose row rules a worn drum left in pieces: under the header, and between
    body rows, each rule is drawn over its left half only (the label column, half the amounts)."""
    xs = (60.0, 200.0, 300.0, 400.0)
    ys = [100.0, 116.0, 132.0, 148.0, 164.0]
    segments = [Segment(xs[0], ys[0], xs[-1], ys[0]), Segment(xs[0], ys[-1], xs[-1], ys[-1])]
    segments += [Segment(xs[0], y, 240.0, y) for y in ys[1:-1]]
    segments += [Segment(x, ys[0], x, ys[-1]) for x in xs]
    cells = [(103, ["科目名称", "合计", "基本支出"]), (119, ["工资福利支出", "150.80", "150.80"]),
             (135, ["基本工资", "22.85", "22.85"]), (151, ["津贴补贴", "27.89", ""])]
    words = [Word(text, xs[c] + 5, y, xs[c] + 5 + 10 * len(text), y + 10)
             for y, texts in cells for c, text in enumerate(texts) if text]
    return Page(1, 595, 842, words=words, segments=segments, source="ocr")


def test_a_scan_that_lost_pieces_of_its_row_rules_keeps_its_rows_apart():
    assert _rows(_worn()) == [["科目名称", "合计", "基本支出"], ["工资福利支出", "150.80", "150.80"],
                              ["基本工资", "22.85", "22.85"], ["津贴补贴", "27.89", ""]]


def test_a_header_label_wrapped_across_a_lost_rule_stays_one_cell():
    # A header cell spanning two header rows, its label on two lines either side of the edge the
    # neighbouring column's rule draws: no figure beside it, so it is one cell as printed.
    xs = (60.0, 200.0, 300.0)
    segments = [Segment(xs[0], 100, xs[-1], 100), Segment(200, 116, 300, 116), Segment(xs[0], 132, xs[-1], 132),
                Segment(xs[0], 148, xs[-1], 148)] + [Segment(x, 100, x, 148) for x in xs]
    words = [Word("财政专户", 65, 105, 105, 114), Word("（教育收费）", 65, 118, 125, 127), Word("合计", 205, 103, 225, 113),
             Word("小计", 205, 119, 225, 129), Word("一般公共预算", 65, 135, 125, 145), Word("518.80", 205, 135, 235, 145)]
    (grid,) = page_grids(Page(1, 595, 842, words=words, segments=segments, source="ocr"))
    assert grid.text(0, 0) == "财政专户（教育收费）" and grid.text(2, 1) == "518.80"


def test_a_header_spanning_sub_columns_stays_apart_from_theirs_where_a_scan_lost_the_rule():
    # 财政拨款 spans three sub-columns; the scan lost the rule under it over the first two (the
    # sub-columns' rules start under it). A printed cell is a rectangle: the group is not joined
    # to one sub-column's header. 合计 spans both header rows, as wide in each: one cell.
    xs = (20.0, 60.0, 160.0, 260.0, 360.0)
    segments = [Segment(xs[0], 100, xs[-1], 100), Segment(250, 116, xs[-1], 116),
                Segment(xs[0], 132, xs[-1], 132), Segment(xs[0], 148, xs[-1], 148)]
    segments += [Segment(x, 100 if x in (xs[0], xs[1], xs[-1]) else 116, x, 148) for x in xs]
    words = [Word("合计", 25, 112, 45, 122), Word("财政拨款", 190, 103, 230, 113), Word("小计", 65, 119, 85, 129),
             Word("一般公共预算", 165, 119, 225, 129), Word("政府性基金", 265, 119, 315, 129),
             Word("518.80", 25, 135, 55, 145), Word("518.80", 65, 135, 95, 145), Word("518.80", 165, 135, 195, 145)]
    (grid,) = page_grids(Page(1, 595, 842, words=words, segments=segments, source="ocr"))
    assert [grid.text(1, c) for c in range(1, 4)] == ["小计", "一般公共预算", "政府性基金"]
    assert grid.text(0, 1) == "财政拨款" and grid.cell(0, 1).col_span == 3
    assert grid.cell(0, 0).row_span == 2 and grid.text(0, 0) == "合计"


def test_a_blank_beside_an_amount_does_not_join_it_to_the_next_rows_where_a_scan_lost_rules():
    # The rule between 人员经费 and a blank 公用经费 is lost over two rows, and the rule between
    # the two blanks too: joined, the blanks would carry 150.8 and 22.85 into one cell.
    xs = (60.0, 200.0, 300.0, 400.0)
    segments = [Segment(xs[0], y, xs[-1], y) for y in (100.0, 116.0, 148.0)] + [Segment(xs[0], 132, 300, 132)]
    segments += [Segment(x, 100, x, 148) for x in (xs[0], xs[1], xs[3])] + [Segment(300, 100, 300, 116)]
    words = [Word("科目名称", 65, 103, 105, 113), Word("人员经费", 205, 103, 245, 113), Word("公用经费", 305, 103, 345, 113),
             Word("工资福利支出", 65, 119, 125, 129), Word("150.8", 255, 119, 295, 129),
             Word("基本工资", 65, 135, 105, 145), Word("22.85", 255, 135, 295, 145)]
    assert _rows(Page(1, 595, 842, words=words, segments=segments, source="ocr")) == [
        ["科目名称", "人员经费", "公用经费"], ["工资福利支出", "150.8", ""], ["基本工资", "22.85", ""]]


def _fax_purchase_table(source: str) -> list[list[str]]:
    """Sample js20's 政府采购 table as a standard-mode fax printed it: the rule under 合计 lost
    whole, the one under 办公设备购置 kept only as dots between the column rules (pieces that touch
    no column rule)."""
    segments = [Segment(XS[0], y, XS[-1], y) for y in (100.0, 130.0, 146.0)]
    segments += [Segment(a, 162.0, b, 162.0) for a, b in ((75, 120), (130, 200), (228, 300), (350, 400), (432, 515))]
    segments += [Segment(XS[0], 178.0, XS[-1], 178.0)]
    segments += [Segment(x, 100, x, 178) for x in XS]
    cells = [(102, ["合计", "", "5,227.59"]), (116, ["一、货物A", "", "1,637.72"]),
             (133, ["", "办公设备购置", "9.00"]), (164, ["", "", "9.00"]), (149, ["", "", ""])]
    words = [Word(text, XS[c] + 5, y, XS[c] + 5 + 10 * len(text), y + 10)
             for y, texts in cells for c, text in enumerate(texts) if text]
    words.append(Word("家具用具", XS[1] + 5, 165, XS[1] + 45, 175))
    return _rows(Page(1, 595, 842, words=words, segments=segments, source=source))


def test_a_scan_that_lost_a_row_rule_keeps_its_two_rows():
    rows = _fax_purchase_table("ocr")
    assert rows[:2] == [["合计", "", "5,227.59"], ["一、货物A", "", "1,637.72"]]
    # The dotted rule parts 办公设备购置 from the row under it: no cell spans the two.
    assert rows[2:] == [["", "办公设备购置", "9.00"], ["", "家具用具", "9.00"]]
    # A text layer draws every rule it prints: two amounts in one of its cells are what it prints.
    assert _fax_purchase_table("text")[0][2] == "5,227.591,637.72"
