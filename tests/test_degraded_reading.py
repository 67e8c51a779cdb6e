"""Reading under scan damage without OCR: the 栏次 row under noise, a keystoned table's rules."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from extractor.read_tables import is_column_numbers

cv2 = pytest.importorskip("cv2")


@pytest.mark.parametrize("texts", [
    ["", "栏次", "1", "2", "3", "4", "5"],
    ["拦次", "", "1", "2", "3"],           # 栏 read as 拦
    ["甲", "乙", "1", "2", "3", "4"],
    ["", "", "1", "2", "4", "5", "6"],       # one number lost
    ["", "", "1", "2", "8", "4", "5", "6"],  # one number misread
    ["", "", "1", "2", "l", "4", "5", "6"],  # a letter for a digit
    ["", "", "1.", "2", "3", "4"],           # a speck read as a dot
])
def test_a_column_numbers_row_read_with_noise_is_header(texts):
    assert is_column_numbers(texts)


@pytest.mark.parametrize("texts", [
    ["201", "一般公共服务支出", "1", "2", "3"],  # a data row with small amounts
    ["合计", "1.5", "2", "3"],
    ["", "", "3", "5", "9", "12"],
    ["", "", "1", "1", "1", "1"],
    ["", "", "5", "6", "7", "8"],
])
def test_a_data_row_is_not_taken_for_column_numbers(texts):
    assert not is_column_numbers(texts)


def _table(w: int = 1600, h: int = 1100, cols: int = 16, rows: int = 30) -> np.ndarray:
    """A ruled table with a line of 'amounts' (short strokes) in each cell, black on white."""
    img = np.full((h, w), 255, np.uint8)
    x0, x1, y0, y1 = 80, w - 80, 80, h - 80
    xs = np.linspace(x0, x1, cols + 1).astype(int)
    ys = np.linspace(y0, y1, rows + 1).astype(int)
    for x in xs:
        cv2.line(img, (int(x), y0), (int(x), y1), 0, 2)
    for y in ys:
        cv2.line(img, (x0, int(y)), (x1, int(y)), 0, 2)
    for r in range(rows):
        for c in range(cols):
            cv2.putText(img, "12.5", (int(xs[c]) + 8, int(ys[r + 1]) - 8), cv2.FONT_HERSHEY_SIMPLEX, 0.6, 0, 1)
    return img


def _keystone(img: np.ndarray, shift: float, seed: int) -> np.ndarray:
    h, w = img.shape
    rng = np.random.default_rng(seed)
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = src + rng.uniform(-1, 1, (4, 2)).astype(np.float32) * shift * np.float32([w, h])
    return cv2.warpPerspective(img, cv2.getPerspectiveTransform(src, dst), (w, h), borderValue=255)


@pytest.mark.parametrize("seed", range(4))
def test_a_keystoned_table_keeps_all_its_column_rules(seed):
    from extractor.ocr import find_rules
    from extractor.rectify import frame_warp, straighten

    def columns(grey):
        tall = [r for r in find_rules(grey) if r[0] == r[2] and r[3] - r[1] > 0.5 * grey.shape[0]]
        return len({round(r[0] / 6) for r in tall})

    grey = _keystone(_table(), 0.02, seed)
    warp = frame_warp(grey)
    assert warp is not None
    assert columns(straighten(grey, warp)) == 17  # every rule, each once
    assert frame_warp(_table()) is None  # a square page is left alone


@pytest.mark.parametrize("text, value", [("11.85.", "11.85"), (".4.39", "4.39"), ("713:25", "713.25"), ("1.2.3", None)])
def test_specks_and_misread_points_in_amounts(text, value):
    from extractor.columns import as_money

    assert (None if as_money(text) is None else str(as_money(text))) == value


def test_a_red_seal_makes_no_rules():
    from extractor.ocr import find_rules
    from extractor.paper import neutral_ink

    img = np.full((800, 1200, 3), 255, np.uint8)
    cv2.line(img, (100, 100), (1100, 100), (0, 0, 0), 2)
    cv2.line(img, (100, 700), (1100, 700), (0, 0, 0), 2)
    # A stamp's frame and bars in red ink (RGB), as long as a rule.
    cv2.rectangle(img, (500, 200), (700, 500), (220, 30, 40), 3)
    cv2.line(img, (600, 200), (600, 500), (220, 30, 40), 3)
    verticals = [r for r in find_rules(neutral_ink(img)) if r[0] == r[2]]
    assert verticals == []
    grey = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
    assert [r for r in find_rules(grey) if r[0] == r[2]]  # read in plain grey, the seal made rules


def test_an_amount_column_whose_header_ocr_lost_is_placed_by_its_neighbours():
    from tests.test_robust_readers import make_grid

    from extractor.engines.layout import _money_fields
    from extractor.locate import Region
    from extractor.read_tables import CodedTableReader

    header = ["科目编码", "科目名称", "项目名称", "项目支出合计", "工资福利支出", "", "对个人和家庭的补助"]
    grid = make_grid(1, [header + [""] * 0,
                         ["2010301", "行政运行", "办公经费", "30.00", "10.00", "15.50", "4.50"],
                         ["2010302", "一般行政管理事务", "培训", "8.00", "", "8.00", ""]])
    rows = CodedTableReader("t7", _money_fields("t7"), None).read(Region("t7", grids=[grid]))
    assert [r.values.get("goods_services") for r in rows] == [Decimal("15.50"), Decimal("8.00")]
    assert rows[0].values["household_transfers"] == Decimal("4.50")


@pytest.mark.parametrize("text, code", [("99.", "99"), (".03", "03"), ("208.", "208"), ("2O1", "201"), ("合计", "合计")])
def test_a_speck_beside_a_code_is_not_part_of_it(text, code):
    from extractor.read_tables import code_text

    assert code_text(text) == code


@pytest.mark.parametrize("source, columns", [("ocr", 3), ("text", 4)])
def test_a_stroke_inside_a_scanned_cell_does_not_split_its_column(source, columns):
    from extractor.grid import page_grids
    from extractor.pages import Page, Segment

    xs, ys = [50, 150, 250, 350], [50, 70, 90, 110, 130]
    segments = [Segment(x, ys[0], x, ys[-1]) for x in xs] + [Segment(xs[0], y, xs[-1], y) for y in ys]
    segments.append(Segment(100, 82, 100, 97))  # a "1" or a seal's arc across a row rule, ending on none
    grid, = page_grids(Page(1, 600, 400, segments=segments, source=source))
    assert grid.n_cols == columns  # a text layer's short rule is drawn on purpose: kept there


def test_lines_that_only_look_like_a_frame_do_not_bend_a_straight_table():
    """A straight table on the upper part of the page, and a long leaning rule and a bottom rule
    below it (another part of the page): squaring those four lines would bend every column."""
    from extractor.rectify import frame_warp

    img = _table(w=1600, h=1100, cols=8, rows=12)
    page = np.full((1800, 1700), 255, np.uint8)
    page[:1100, :1600] = img
    cv2.line(page, (1560, 1020), (1640, 1700), 0, 2)  # a long rule leaning to the right
    cv2.line(page, (80, 1700), (1640, 1700), 0, 2)
    assert frame_warp(page) is None
