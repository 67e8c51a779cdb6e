"""Tables printed without rules: rows and columns from the words alone (``extractor/wordgrid.py``)."""

from __future__ import annotations

from extractor.locate import locate
from extractor.pages import Page, Segment, Word
from extractor.wordgrid import word_grid


def _line(y: float, *cells: tuple[float, str]) -> list[Word]:
    """Words on one printed line: (x, text) each, 10 pt high, 6 pt a character."""
    return [Word(text, x, y, x + 6 * len(text), y + 10) for x, text in cells]


def _printed(y: float, *cells: tuple[float, str], high: float = 10.0, size: float = 10.0) -> list[Word]:
    """Words as a Chinese font prints them: a full-width character ``size`` wide, any other half
    that, in boxes ``high`` tall (OCR's boxes stand taller than the print)."""
    return [Word(text, x, y, x + sum(size if c >= "\u3000" else size / 2 for c in text), y + high)
            for x, text in cells]


HEADER = _line(100, (40, "项目"), (220, "金额"))


def test_an_item_with_nothing_budgeted_is_its_own_row_and_a_wrapped_name_joins_its_row():
    words = HEADER + _printed(130, (40, "一、一般公共服务支出"), (220, "13,907.78")) \
        + _printed(147, (40, "二、外交支出"), (220, "6,459.58")) \
        + _printed(164, (40, "三、国防支出")) \
        + _printed(181, (40, "四、教育支出"), (220, "121.39")) \
        + _printed(198, (40, "五、社会保障和就业"), (220, "3,301.20")) + _printed(210, (40, "支出"))
    grid = word_grid(1, words)
    names = [grid.text(r, 0) for r in range(1, grid.n_rows)]
    assert names == ["一、一般公共服务支出", "二、外交支出", "三、国防支出", "四、教育支出", "五、社会保障和就业支出"]
    assert grid.text(3, 1) == "" and grid.text(5, 1) == "3,301.20"


def test_rows_printed_no_taller_than_their_text_keep_every_line_with_its_figures():
    # Lines 11 pt apart: no room for a row between rows, so a line without figures is a wrap.
    words = HEADER + _printed(130, (40, "一、工资福利"), (220, "10.00")) + _printed(141, (40, "支出")) \
        + _printed(152, (40, "二、商品和服务"), (220, "20.00"))
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


def _header_rows(grid) -> int:
    """Rows above the first with a figure in it."""
    return next(r for r in range(grid.n_rows) if any(c[:1].isdigit() for c in grid.row_texts(r)))


def _headers(grid) -> list[str]:
    """Each column's header, its group labels first."""
    out = []
    for c in range(grid.n_cols):
        cells = dict.fromkeys(grid.owner[r][c] for r in range(_header_rows(grid)))
        out.append("".join(grid.cells[i].text for i in cells))
    return out


def test_rules_printed_across_keep_rows_without_figures_apart():
    # Rows 12 pt apart, no taller than their text, a rule under each: by spacing alone a line
    # without figures is a wrapped name's next line; the rules say it is a row of its own.
    names = ["合计", "因公出国（境）费", "公务接待费", "公务用车购置及运行费（小计）", "其中：公务用车购置费", "公务用车运行费"]
    words = _line(100, (40, "项目"), (220, "合计"))
    for i, name in enumerate(names):
        figures = [(220, "1.22")] if name in ("合计", "公务接待费") else []
        words += _printed(130 + 12 * i, (40, name), *figures)
    rules = [Segment(30, 129 + 12 * i, 300, 129 + 12 * i) for i in range(len(names) + 1)]
    grid = word_grid(1, words, rules)
    assert [grid.text(r, 0) for r in range(1, grid.n_rows)] == names
    assert word_grid(1, words).n_rows == 3  # without the rules: each name joins a row with figures


def test_rows_without_figures_a_rows_pitch_apart_are_rows_without_rules_too():
    # Rows 16 pt apart: two lines further apart than a wrapped name's lines set the pitch of rows,
    # though the two lines with figures are two rows apart.
    names = ["合计", "因公出国（境）费", "公务接待费", "公务用车购置及运行费（小计）"]
    words = _line(100, (40, "项目"), (220, "合计"))
    for i, name in enumerate(names):
        words += _line(130 + 16 * i, (40, name), *([(220, "1.22")] if i in (0, 2) else []))
    grid = word_grid(1, words)
    assert [grid.text(r, 0) for r in range(1, grid.n_rows)] == names


def test_a_column_without_figures_keeps_its_label_from_its_neighbours_figures():
    # Figures right-aligned in their cells reach towards the next label; the empty column
    # (上级转移支付) stays a column of its own instead of lending its label to them.
    words = _line(100, (60, "项目"), (200, "合计"), (245, "一般公共预算"), (305, "上级转移支付"), (365, "政府性基金")) \
        + _line(130, (60, "事业运行"), (194, "330.39"), (254, "330.39")) \
        + _line(147, (60, "住房公积金"), (200, "9.87"), (260, "9.87"))
    grid = word_grid(1, words)
    assert _headers(grid) == ["项目", "合计", "一般公共预算", "上级转移支付", "政府性基金"]
    assert grid.row_texts(1) == ["事业运行", "330.39", "330.39", "", ""]


def test_a_narrow_figure_right_aligned_under_a_spaced_label_takes_that_label():
    # "合 计" printed letter by letter, its figures right-aligned in a wide cell, past the label.
    words = _line(100, (40, "内容"), (150, "合"), (162, "计"), (230, "一般公共预算")) \
        + _line(130, (40, "公务接待费"), (176, "1.22"), (242, "1.22"))
    grid = word_grid(1, words)
    assert _headers(grid) == ["内容", "合计", "一般公共预算"]
    assert grid.row_texts(1) == ["公务接待费", "1.22", "1.22"]


def test_a_group_label_over_the_gap_between_its_columns_is_not_a_column():
    # "本年收入" heads 项目 and 预算数, centred over the space between them, a line higher.
    words = _line(85, (105, "本年收入")) + _line(100, (40, "项目"), (200, "预算数")) \
        + _line(130, (40, "一、财政拨款收入"), (194, "518.80")) + _line(147, (40, "二、事业收入"), (200, "12.00"))
    grid = word_grid(1, words)
    assert grid.n_cols == 2 and grid.row_texts(_header_rows(grid)) == ["一、财政拨款收入", "518.80"]
    assert any("本年收入" in label for label in _headers(grid))


def test_lines_above_the_top_rule_and_a_note_below_are_not_the_table():
    # A preamble wrapped onto a second line above the table's top rule, and a note's lines
    # under it running across every column, would make header labels and one band of it all.
    words = _line(70, (40, "院"), (220, "单位：万元")) + HEADER \
        + _line(130, (40, "办公费"), (220, "315.00")) + _line(147, (40, "水费"), (220, "34.00")) \
        + _line(170, (40, "注：1.机关运行经费指行政单位的日常公用经费支出")) \
        + _line(183, (40, "包括办公及印刷费、邮电费、差旅费、会议费等等等"))
    grid = word_grid(1, words, [Segment(30, 90, 300, 90), Segment(30, 160, 300, 160)])
    assert _headers(grid) == ["项目", "金额"]
    assert [grid.row_texts(r) for r in range(1, grid.n_rows)] == [["办公费", "315.00"], ["水费", "34.00"]]


def test_group_labels_side_by_side_head_every_column_of_their_side():
    # 本年收入 | 本年支出 on the top line, each centred over its side: the expense side begins at
    # its own 项目 column (the two-sided reader splits there), not at the column under its label.
    words = _line(80, (113, "本年收入"), (398, "本年支出")) \
        + _line(100, (60, "项目"), (160, "预算数"), (250, "项目"), (360, "合计"), (440, "人员经费"), (520, "公用经费")) \
        + _line(130, (60, "一、财政拨款收入"), (154, "518.80"), (250, "一、一般公共服务支出"), (354, "492.59"),
                (442, "400.00"), (522, "92.59")) \
        + _line(147, (60, "二、事业收入"), (166, "1.00"), (250, "二、教育支出"), (366, "1.00"), (454, "1.00"))
    grid = word_grid(1, words)
    headers = _headers(grid)
    assert ["本年收入" in h for h in headers] == [True, True, False, False, False, False]
    assert ["本年支出" in h for h in headers] == [False, False, True, True, True, True]
    # Each group label is a header cell of its own across its side, as in a ruled header.
    assert (grid.cell(0, 0).text, grid.cell(0, 0).col_span) == ("本年收入", 2)
    assert (grid.cell(0, 2).text, grid.cell(0, 2).col_span) == ("本年支出", 4)
    assert grid.cell(1, 2).text == "项目" and grid.row_texts(2)[2] == "一、一般公共服务支出"


def test_a_total_printed_across_two_text_columns_keeps_them_apart():
    # 004's t7 printed without column rules: 总计 centred over 科目名称 and 项目名称 (a merged
    # cell) bridged the two columns of names, which came back as one; the total row lost its name.
    words = _line(100, (40, "编码"), (90, "科目名称"), (150, "项目名称"), (300, "合计")) \
        + _line(130, (120, "总计"), (300, "185.30")) \
        + _line(147, (40, "201"), (90, "一般公共服务"), (300, "180.70")) \
        + _line(164, (40, "20101"), (90, "人大事务"), (130, "部门专项-代表活动经费"), (300, "1.54")) \
        + _line(181, (40, "2010108"), (90, "代表工作"), (130, "部门专项-代表履职经费"), (306, "0.96")) \
        + _line(198, (40, "20132"), (90, "组织事务"), (130, "部门专项-为民办实事"), (300, "50.00")) \
        + _line(215, (40, "2013299"), (90, "其他组织事务"), (130, "部门专项-党建经费"), (300, "50.00"))
    grid = word_grid(1, words)
    assert _headers(grid) == ["编码", "科目名称", "项目名称", "合计"]
    assert grid.row_texts(1) == ["", "总计", "", "185.30"]
    assert grid.row_texts(4) == ["2010108", "代表工作", "部门专项-代表履职经费", "0.96"]
    # Two words across the gap among four on a side join the columns: one band, as before.
    joined = word_grid(1, words + _line(232, (120, "合计"), (300, "1.00")))
    assert "人大事务部门专项-代表活动经费" in joined.row_texts(3)


def test_a_table_ruled_down_only_is_read_by_its_words():
    # Column rules and the table's frame, no rule between rows (js03's 收支总表 with its row
    # rules gone): the ruled grid is one row whose cells glue every row's amounts together
    # ("18,330.3718,330.37"); its words are read as a table printed without rules instead.
    words = _line(40, (200, "收支预算总表")) + _line(100, (40, "项目"), (220, "合计"), (320, "一般公共预算")) \
        + _line(130, (40, "一、财政拨款"), (220, "18,330.37"), (320, "18,330.37")) \
        + _line(147, (40, "1.一般公共预算"), (220, "18,330.37"), (320, "18,330.37")) \
        + _line(164, (40, "2.政府性基金预算")) + _line(181, (40, "当年收入小计"), (220, "18,330.37"), (320, "18,330.37"))
    frame = [Segment(35, 95, 400, 95), Segment(35, 195, 400, 195)]
    down = [Segment(x, 95, x, 195) for x in (35, 200, 300, 400)]
    layout = locate([Page(1, 595, 842, words=words, segments=frame + down)])
    grids = [g for r in layout.regions for g in r.grids]
    assert len(grids) == 1 and grids[0].n_rows == 5
    assert [grids[0].row_texts(r) for r in (1, 3)] == [["一、财政拨款", "18,330.37", "18,330.37"],
                                                      ["2.政府性基金预算", "", ""]]


def test_a_preamble_wrapped_beside_the_unit_is_not_the_header():
    # js20 printed without rules: "部门名称：江苏省高级人民法" wraps its 院 onto the line that
    # states the unit; 院 and 单位：万元 were taken for column labels and 金额 lost its figures.
    words = _line(100, (40, "部门名称：江苏省高级人民法")) + _line(113, (40, "院"), (300, "单位：万元")) \
        + _line(135, (60, "功能科目编码"), (160, "功能科目名称"), (270, "金额")) \
        + _line(160, (160, "合计"), (300, "37,188.34")) \
        + _line(177, (60, "204"), (160, "公共安全支出"), (300, "27,488.23"))
    grid = word_grid(1, words)
    assert _headers(grid) == ["功能科目编码", "功能科目名称", "金额"]
    assert grid.row_texts(2) == ["204", "公共安全支出", "27,488.23"]


def test_a_continuation_page_without_a_header_keeps_the_first_pages_columns():
    # js20's 政府采购 table printed without rules: its first column (采购品目大类) is filled on the
    # first page only; the next page came back one column short, every value a column to the left.
    first = word_grid(1, _line(100, (40, "品目大类"), (120, "经济科目"), (200, "采购物品"), (300, "总计"))
                      + _line(130, (40, "货物"), (300, "53.10"))
                      + _line(147, (120, "办公设备购置"), (300, "53.10"))
                      + _line(164, (200, "台式计算机"), (300, "17.92")))
    page2 = _line(60, (120, "会议费"), (300, "110.05")) + _line(77, (200, "会议服务"), (300, "110.05"))
    grid = word_grid(2, page2, like=first)
    assert grid.n_cols == first.n_cols == 4
    assert [grid.row_texts(r) for r in range(grid.n_rows)] == [["", "会议费", "", "110.05"], ["", "", "会议服务", "110.05"]]


def test_a_group_label_heads_the_columns_whose_labels_stand_centred_below_it():
    # Labels centred in their cells, no rules: 合计 and 会议费 stand centred in the header's whole
    # height, the four under “三公”经费 in what is left below it. The group label covers none of its
    # columns; by overlap alone it headed the one nearest its centre.
    def at(x: float, text: str, y: float) -> Word:
        return Word(text, x, y, x + 6 * len(text), y + 10)

    words = [at(203, "三公经费", 100), at(40, "合计", 117.5), at(380, "会议费", 117.5),
             at(100, "小计", 122.5), at(160, "因公出国", 122.5), at(230, "公务用车", 122.5),
             at(300, "公务接待费", 122.5)] \
        + _line(155, (28, "767.60"), (94, "199.25"), (160, "50.00"), (230, "100.00"), (294, "18.35"),
                (380, "20.00"))
    grid = word_grid(1, words)
    assert ["三公经费" in h for h in _headers(grid)] == [False, True, True, True, True, False]
    # Raised by the same height, 合计 and 会议费 stand as centred under the group: no cue, as before.
    raised = [at(w.x0, w.text, 122.5) if w.text in ("合计", "会议费") else w for w in words]
    assert sum("三公经费" in h for h in _headers(word_grid(1, raised))) == 1


def test_labels_of_merged_cells_across_names_and_amounts_keep_the_two_columns():
    # 当年支出小计 centred over 功能科目名称 | 金额 | 项目名称 crosses from the names into the amounts,
    # whose column holds four figures: by crossings alone the two were one band.
    words = _line(100, (40, "功能科目名称"), (150, "金额"), (220, "项目名称"), (320, "金额")) \
        + _line(130, (40, "一、一般公共服务支出"), (220, "一、基本支出"), (310, "21,968.00")) \
        + _line(147, (40, "四、公共安全支出"), (125, "27,488.23"), (220, "二、项目支出"), (310, "10,208.94")) \
        + _line(164, (40, "八、社会保障和就业支出"), (131, "2,355.65")) \
        + _line(181, (40, "十八、住房保障支出"), (131, "7,344.46")) \
        + _line(198, (40, "二十一、其他支出"), (143, "1.00")) \
        + _line(215, (95, "当年支出小计"), (310, "37,189.34")) + _line(232, (95, "结转下年资金"))
    grid = word_grid(1, words)
    assert grid.n_cols == 4 and grid.row_texts(2)[:2] == ["四、公共安全支出", "27,488.23"]
    # The merged cell's label goes to its first column, as a ruled grid gives it.
    assert grid.row_texts(6) == ["当年支出小计", "", "", "37,189.34"]


def test_a_total_of_nothing_under_its_header_is_a_table():
    words = _line(100, (40, "功能科目编码"), (140, "功能科目名称"), (260, "金额")) \
        + _line(130, (100, "合"), (116, "计"), (266, "0"))
    grid = word_grid(1, words)
    assert grid is not None and grid.row_texts(1)[-1] == "0" and "合计" in grid.row_texts(1)


def test_a_name_read_a_little_into_the_codes_stays_a_name():
    # OCR's box for a name starts inside the code column ("3代表工作", the code's last digit
    # read twice); its centre is among the names, and there it stays.
    words = _line(100, (40, "科目编码"), (90, "科目名称"), (220, "合计")) \
        + _line(130, (40, "201"), (90, "一般公共服务支出"), (214, "1664.74")) \
        + _line(147, (40, "20101"), (90, "人大事务"), (226, "5.14")) \
        + _line(164, (40, "2010108"), (80, "3代表工作"), (226, "4.14")) \
        + _line(181, (40, "2010199"), (90, "其他人大事务支出"), (226, "1.00")) \
        + _line(198, (40, "20103"), (90, "政府办公厅"), (214, "1548.06"))
    grid = word_grid(1, words)
    assert grid.row_texts(3) == ["2010108", "3代表工作", "4.14"]


def test_a_rule_between_two_labels_keeps_a_group_apart_from_its_columns_label():
    # js20's 收支总表 scanned: OCR's boxes stand taller than the print, so 功能分类 over 功能科目名称
    # lay as close as a wrapped label's two lines and were read as one label (the reader then took
    # the expense by use for a second function column). The rule printed between them parts them.
    words = _line(100, (160, "功能分类")) \
        + _line(115, (40, "项目"), (100, "金额"), (154, "功能科目名称"), (240, "金额")) \
        + _line(140, (40, "一、财政拨款"), (96, "18.00"), (154, "一、一般公共服务"), (236, "13.00")) \
        + _line(157, (40, "二、其他"), (100, "5.00"), (154, "二、外交"), (236, "10.00"))
    rules = [Segment(30, 95, 300, 95), Segment(140, 112.5, 300, 112.5), Segment(30, 135, 300, 135)]
    ruled = word_grid(1, words, rules)
    assert [ruled.cell(r, 2).text for r in range(_header_rows(ruled))] == ["功能分类", "功能科目名称"]
    assert ruled.row_texts(_header_rows(ruled))[2] == "一、一般公共服务"
    # Without the rule between them the two lines are one label wrapped, as before.
    unruled = word_grid(1, words, [rules[0], rules[2]])
    assert unruled.cell(_header_rows(unruled) - 1, 2).text == "功能分类功能科目名称"


def test_a_numbered_item_a_lines_height_from_the_rows_is_a_row_of_its_own():
    # js03's 收支总表 printed without rules, scanned: OCR's boxes stand 14 pt tall on rows printed
    # 16.5 pt apart, so by spacing the items with nothing budgeted were a wrapped name's next
    # lines ("十二、农林水支出十三、交通运输支出…" one row). A wrapped name's line begins no item.
    def line(y: float, *cells: tuple[float, str]) -> list[Word]:
        return _printed(y, *cells, high=14.0)

    names = ["一、一般公共服务支出", "二、外交支出", "三、国防支出", "四、公共安全支出", "五、教育支出"]
    words = line(100, (40, "项目"), (220, "金额"))
    for i, name in enumerate(names):
        words += line(130 + 16.5 * i, (40, name), *([(220, "1.22")] if i in (0, 1, 4) else []))
    grid = word_grid(1, words)
    assert [grid.text(r, 0) for r in range(1, grid.n_rows)] == names
    # A name's wrapped line, no item of its own, still joins its row.
    wrapped = line(100, (40, "项目"), (220, "金额")) + line(130, (40, "一、社会保障和"), (220, "1.22")) \
        + line(143, (40, "就业支出")) + line(163, (40, "二、教育支出"), (220, "2.00"))
    assert [word_grid(1, wrapped).text(r, 0) for r in range(1, 3)] == ["一、社会保障和就业支出", "二、教育支出"]


def test_lines_a_rows_pitch_apart_are_rows_though_ocrs_boxes_stand_taller_than_the_print():
    # Sample 000's 三公 table printed without rules, scanned: 8 pt characters in 13 pt boxes on rows
    # 16 pt apart. By the boxes' height the lines without figures lay as close as a wrapped name's
    # and the five items were one row; by the characters' width (8 pt) they are a row's pitch apart.
    names = ["合计", "因公出国（境）费", "公务接待费", "公务用车购置及运行费（小计）", "其中：公务用车购置费", "公务用车运行费"]
    words = _printed(100, (40, "项目"), (220, "合计"), high=13.0, size=8.0)
    for i, name in enumerate(names):
        words += _printed(130 + 16 * i, (40, name), *([(220, "1.22")] if i in (0, 2) else []), high=13.0, size=8.0)
    grid = word_grid(1, words)
    assert [grid.text(r, 0) for r in range(1, grid.n_rows)] == names
    assert grid.row_texts(3) == ["公务接待费", "1.22"]
    # A wrapped name's lines, 1.2 characters apart, are still one row.
    wrapped = _printed(100, (40, "项目"), (220, "合计"), high=13.0, size=8.0) \
        + _printed(130, (40, "公务用车购置及"), (220, "1.22"), high=13.0, size=8.0) \
        + _printed(139.6, (40, "运行费"), high=13.0, size=8.0) \
        + _printed(158, (40, "公务接待费"), (220, "2.00"), high=13.0, size=8.0)
    assert [word_grid(1, wrapped).text(r, 0) for r in range(1, 3)] == ["公务用车购置及运行费", "公务接待费"]


def test_a_total_label_reaching_both_columns_of_names_keeps_them_apart():
    # Sample 000's t7 printed without rules, scanned: 合计 centred under 科目名称 | 项目名称 in a box
    # OCR drew wider than the print touches both columns' words, and three rows of each were one band.
    words = _line(100, (40, "编码"), (90, "科目名称"), (120, "项目名称"), (300, "合计"))
    for i, project in enumerate(["党建工作经费", "宣传文化服务费", "驻村工作经费"]):
        words += _line(130 + 17 * i, (40, "2010399"), (90, "其他事务"), (120, project), (300, "40.00"))
    words += _line(181, (110, "合计"), (300, "120.00"))
    grid = word_grid(1, words)
    assert grid.n_cols == 4
    assert grid.row_texts(2) == ["2010399", "其他事务", "宣传文化服务费", "40.00"]
    assert grid.row_texts(4) == ["", "合计", "", "120.00"]
