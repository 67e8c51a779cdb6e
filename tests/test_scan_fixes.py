"""Reading fixes found on the scanned samples, tested on small grids built from their text."""

from __future__ import annotations

from decimal import Decimal

import pytest

from extractor.locate import Region
from extractor.read_fixed import read_two_sided

from .conftest import SAMPLES
from .grids import grid_of


T4_HEADER = ["项目", "预算数", "功能分类科目编码", "功能分类科目名称", "合计", "一般公共预算", "政府性基金预算",
             "国有资本经营预算"]


def test_t4_blank_row_with_a_misread_code_stays_blank():
    # 001's scan reads the 类 code 234 of a blank line as "23" (its 4 under a speck).
    grid = grid_of([T4_HEADER,
                    ["一、本年收入", "7113.05", "201", "一般公共服务支出", "296.67", "296.67", "", ""],
                    ["", "", "233", "债务发行费用", "", "", "", ""],
                    ["", "", "23", "抗疫特别国债", "", "", "", ""],
                    ["", "", "229", "其他支出", "2.64", "2.64", "", ""]])
    _, rows, _, _ = read_two_sided(Region("t4", grids=[grid]), "t4")
    assert [(r["code"], r["name"]) for r in rows] == [("201", "一般公共服务支出"), ("233", "债务发行费用"),
                                                      ("229", "其他支出")]
    assert [r.get("total") for r in rows] == [Decimal("296.67"), None, Decimal("2.64")]


@pytest.fixture(scope="module")
def ocr_backend():
    pytest.importorskip("rapidocr_onnxruntime")
    from extractor.ocr_rapid import RapidOcrBackend

    return RapidOcrBackend(threads=1)


def test_lone_digits_in_cells_are_read(ocr_backend):
    # 002's scan, t2 continued (a landscape page scanned sideways): the cells "1", "3", "2" of
    # rows 2080601/2080699 stand alone in wide cells. RapidOCR turns a crop taller than wide a
    # quarter turn and read the "1" as "一" (0.40) and the "3" as "m", or dropped them.
    import numpy as np
    import pymupdf

    from extractor.ocr import pixmap_to_array
    from extractor.pages import Limits, page_pixmap

    with pymupdf.open(SAMPLES / "002_e54530e087c47278.scan.pdf") as doc:
        pix = page_pixmap(doc[4], Limits())
    upright = np.ascontiguousarray(np.rot90(pixmap_to_array(pix), k=1))
    _, _, _, result, _ = ocr_backend._read_upright(upright)
    h, w = upright.shape[:2]
    # The amount columns from the 合计 column on, over the rows 2080601 … 2080699.
    texts = [item[1] for item in result
             if 0.66 * h < item[0][0][1] < 0.83 * h and 0.42 * w < item[0][0][0] < 0.75 * w]
    assert texts.count("1") >= 2 and texts.count("3") >= 2 and "一" not in texts


def test_a_letter_misread_in_a_decimal_amount():
    from extractor.columns import as_money

    assert as_money("S11.78") == Decimal("511.78")  # 001's t5, 社会保障和就业支出 基本支出
    assert as_money("2O8") is None  # maybe a code: not an amount
    assert as_money("S") is None


def test_a_speck_beside_an_amount_is_not_part_of_it():
    from extractor.columns import as_money

    assert as_money("*7654") == Decimal("7654")  # 002's t3, 2040201 行政运行 合计
    assert as_money("12.5、") == Decimal("12.5")
    assert as_money("-3") == Decimal("-3") and as_money("*") is None


def test_one_unsure_character_does_not_drop_its_word():
    # 002's scan, project sheet on page 113: the name line reads at 0.94 with one character at
    # 0.19; the word kept the lowest character's confidence and fell under the 0.3 floor.
    from extractor.ocr_words import split_words

    name = "开发区公办和普惠幼儿园补助经费、公办幼儿园基础运营经费"
    scores = [1.0] * len(name)
    scores[20] = 0.19
    chars = [(ch, (10.0 * i, 0.0, 10.0 * i + 9, 12.0), s) for i, (ch, s) in enumerate(zip(name, scores))]
    [(text, _, conf)] = split_words(chars, [])
    assert text == name and conf >= 0.9


def _printed(*parts: tuple[str, float], height: float) -> list:
    """OCR characters of a line: (text, gap before it in points) each, 10 pt a glyph, 1 pt apart."""
    chars, x = [], 0.0
    for text, gap in parts:
        x += gap
        for ch in text:
            chars.append((ch, (x, 0.0, x + 10, height), 1.0))
            x += 11
    return chars


def test_two_cells_printed_close_without_a_rule_are_two_words():
    # 004's sheet printed without column rules, scanned: 项目负责人 | 李阳 six points apart (half a
    # character) came back as one word; a comma's glyph leaves as wide a gap before the next word.
    from extractor.ocr_words import split_words

    def line(*parts: tuple[str, float]) -> list:
        return _printed(*parts, height=12.0)

    assert [w[0] for w in split_words(line(("项目负责人", 0), ("李阳", 7)), [])] == ["项目负责人", "李阳"]
    assert [w[0] for w in split_words(line(("0.84", 0), ("其他资金：", 8)), [])] == ["0.84", "其他资金："]
    assert [w[0] for w in split_words(line(("收入预算518.8万元，", 0), ("其中", 7)), [])] == ["收入预算518.8万元，其中"]


def test_an_amount_the_recogniser_spaced_after_its_separators_is_one_word():
    # sh12's t6 continuation page, scanned without column rules: "80, 000. 00" came back as three
    # words, and the word grid took the pieces for columns of their own.
    from extractor.ocr_words import split_words

    def line(text: str) -> list:
        chars, x = [], 0.0
        for ch in text:
            chars.append((ch, (x, 0.0, x + (4 if ch == " " else 10), 40.0), 1.0))
            x += 5 if ch == " " else 11
        return chars

    assert [w[0] for w in split_words(line("80, 000. 00"), [])] == ["80,000.00"]
    assert [w[0] for w in split_words(line("合计 1, 449, 536.00"), [])] == ["合计", "1,449,536.00"]
    assert [w[0] for w in split_words(line("一、 财政拨款"), [])] == ["一、", "财政拨款"]  # no amount: as read
    assert [w[0] for w in split_words(line("2. 00"), [])] == ["2.00"]


def test_an_amount_and_the_next_cells_label_printed_close_are_two_words():
    # sh11's 收支总表 printed without column rules, scanned: the income amount and the expense
    # label beside it, 0.43 of a character apart, came back as "91,016,775.35一、一般公共服务支出".
    from extractor.ocr_words import split_words

    def line(*parts: tuple[str, float]) -> list:
        return _printed(*parts, height=30.0)

    assert [w[0] for w in split_words(line(("91,016,775.35", 0), ("一、一般公共服务支出", 13)), [])] \
        == ["91,016,775.35", "一、一般公共服务支出"]
    assert [w[0] for w in split_words(line(("518.80", 0), ("万元", 13)), [])] == ["518.80万元"]  # its unit
    assert [w[0] for w in split_words(line(("518.80万元", 0)), [])] == ["518.80万元"]
    assert [w[0] for w in split_words(line(("第2", 0), ("项", 13)), [])] == ["第2项"]  # no decimals: as before


def test_cells_the_recogniser_read_as_one_word_come_apart():
    # sh11's tables printed with row rules only, scanned: two amounts of a row came back as
    # "82,096,797.4282,096,797.42", and the 收支总表's first row as one word from the income label
    # over its amount to the expense label, the characters no further apart than in a word.
    from extractor.ocr_words import split_words

    def line(*parts: tuple[str, float]) -> list:
        return [w[0] for w in split_words(_printed(*parts, height=30.0), [])]

    assert line(("82,096,797.4282,096,797.42", 0)) == ["82,096,797.42", "82,096,797.42"]
    assert line(("12,029.501,234.50", 0)) == ["12,029.50", "1,234.50"]
    assert line(("1,234.5612,34.5", 0)) == ["1,234.5612,34.5"]  # no second amount of 1 decimal
    assert line(("2024.01.15", 0)) == ["2024.01.15"]
    assert line(("一、一般公共预算资金91,016,775.35一、一般公共服务支出", 0)) \
        == ["一、一般公共预算资金", "91,016,775.35", "一、一般公共服务支出"]
    # A label then its amount: apart only when they stand further apart than a word's characters.
    assert line(("一般公共预算资金", 0), ("91,016,775.35", 12)) == ["一般公共预算资金", "91,016,775.35"]
    assert line(("一般公共预算资金91,016,775.35", 0)) == ["一般公共预算资金91,016,775.35"]
    # An amount beginning the word, then the next cell's label (js03's 财政拨款收支总表, no rules).
    assert line(("18,330.37一、基本支出", 0)) == ["18,330.37", "一、基本支出"]
    assert line(("2.1项目概况", 0)) == ["2.1项目概况"]  # a section's number, no amount
    # Running text: a measure or a unit after the amount.
    assert line(("比上年增长1.15个百分点", 0)) == ["比上年增长1.15个百分点"]
    assert line(("收入预算518.80万元，其中", 0)) == ["收入预算518.80万元，其中"]
    # A line read without character boxes (sh11's, read a second time) comes apart at characters
    # placed by their width; one with nothing glued stays as read.
    words = split_words([("资金91,016,775.35一、", (0.0, 0.0, 200.0, 20.0), 0.9)], [])
    assert [w[0] for w in words] == ["资金", "91,016,775.35", "一、"]
    assert [round(w[1][0]) for w in words] == [0, 38, 162] and round(words[2][1][2]) == 200
    assert split_words([("合 计", (0.0, 0.0, 50.0, 20.0), 0.9)], []) == [("合 计", (0.0, 0.0, 50.0, 20.0), 0.9)]


def test_a_space_read_before_an_opening_bracket_parts_no_word():
    # js20's 三公 table scanned: "因公出国（境）费" wrapped over three lines, the middle one read
    # "国 (境)": the bracket's glyph stands at the right of its box, and the recogniser put a space
    # in the gap; as two words the wrapped label came apart.
    from extractor.ocr_words import split_words

    def line(text: str, space: float) -> list:
        chars, x = [], 0.0
        for ch in text:
            chars.append((ch, (x, 0.0, x + (space if ch == " " else 10), 30.0), 1.0))
            x += (space if ch == " " else 10) + 1
        return [w[0] for w in split_words(chars, [])]

    assert line("国 (境)", 5) == ["国(境)"]
    assert line("国 (境)", 40) == ["国", "(境)"]  # further apart than a character: two cells
    assert line("合计 一般", 5) == ["合计", "一般"]  # a space elsewhere parts words as before


def test_a_piece_of_a_rule_read_as_a_one_is_no_word():
    # js03's t6 printed with pieces of its column rules, scanned black and white: a piece running
    # into the header line read as "1" between 科目编码 and 科目名称; taken for a figure, it made the
    # header line the table's first row and the amounts lost their column.
    from extractor.ocr_words import split_words

    one = _printed(("1", 0), height=12.0)
    box = one[0][1]
    through = ((box[0] + box[2]) / 2, box[3] - 2, (box[0] + box[2]) / 2, box[3] + 60)
    assert split_words(one, [through]) == []
    # A "1" beside a rule (a figure right-aligned against it) stays, and so does a "1" in a word.
    beside = (box[2] + 1, box[1] - 20, box[2] + 1, box[3] + 60)
    assert [w[0] for w in split_words(one, [beside])] == ["1"]
    year = _printed(("2019", 0), height=12.0)
    assert [w[0] for w in split_words(year, [((year[1][1][0] + year[1][1][2]) / 2, 0, 0, 60)])] == ["2019"]


def test_a_class_line_read_a_character_off_stays_a_class_line():
    # js20 faxed: 四、公共安全支出 read 四，公共安全支山 (出's stroke lost, 、 read ，): a 类 line, not a
    # line of its own beside the expense lines; 二、项目支出 and 当年支出小计 stay lines of their own.
    from extractor import templates

    grid = grid_of([["收入", "", "支出", ""], ["项目", "预算数", "项目", "预算数"],
                    ["一、财政拨款", "37188.34", "一、一般公共服务支出", "8640.22"],
                    ["", "", "四，公共安全支山", "27488.23"],
                    ["", "", "二、项目支出", "10208.94"],
                    ["", "", "当年支出小计", "37188.34"]])
    _, rows, _, extra = read_two_sided(Region("t1", grids=[grid]), "t1", template=templates.load("jiangsu-2017"))
    assert [(r["name"], r["amount"]) for r in rows] == [("一、一般公共服务支出", Decimal("8640.22")),
                                                        ("四，公共安全支山", Decimal("27488.23"))]
    assert {"二、项目支出", "当年支出小计"} <= set(extra)


def test_a_total_line_whose_comma_reads_as_a_point_is_data_not_header():
    # A fax's 3,580.05 read "3.580.05": taken for header, the 合计 line was lost without a word.
    from extractor.columns import is_amount
    from extractor.read_tables import header_split

    assert is_amount("3.580.05") and is_amount("2,827,41") and is_amount("12.50")
    assert not is_amount("201") and not is_amount("1.2.3") and not is_amount("机关运行经费支出")
    grid = grid_of([
        ["科目编码", "科目名称", "机关运行经费支出"],
        ["合计", "", "3.580.05"],
        ["302", "商品和服务支出", "3,580.05"],
    ])
    assert header_split(grid) == 1


def test_a_total_line_read_under_a_garbled_label_is_the_total_where_it_sums_the_classes():
    """A fax read 合计 as 个计: the total became a row of its own and the table lost its total."""
    from extractor.read_tables import CodedTableReader

    def read(last: str, amounts=("14.00", "10.00", "4.00")):
        grid = grid_of([
            ["科目编码", "科目名称", "合计", "基本支出", "项目支出"],
            ["201", "一般公共服务支出", "10.00", "6.00", "4.00"],
            ["20101", "人大事务", "10.00", "6.00", "4.00"],
            ["208", "社会保障和就业支出", "4.00", "4.00", ""],
            ["", last, *amounts],
        ])
        return CodedTableReader("t3", ["total", "basic", "project"]).read(Region("t3", grids=[grid]))

    rows = read("个计")
    assert rows[-1].is_total and rows[-1].values["name"] == "合计" and not any(r.is_total for r in rows[:-1])
    assert not read("小计")[-1].is_total  # a subtotal, one character off 合计
    assert not read("个计", ("14.00", "10.00", "3.00"))[-1].is_total  # sums no column of the 类 lines
    assert not read("行政运行", ("14.00", "10.00", "4.00"))[-1].is_total
