"""Cells lost under seals at moderate severity, second round (README, "Moderate severity: what was lost")."""

from __future__ import annotations

import cv2
import numpy as np

from extractor.columns import as_money
from extractor.grid import page_grids
from extractor.pages import Page, Segment, Word


def _ringed_table(ring: bool) -> np.ndarray:
    """A grey page: five column rules, row rules, and a grey seal's ring whose side runs along
    the middle column rule (a grey seal: no colour tells it from print)."""
    img = np.full((900, 1200), 245, np.uint8)
    for y in range(100, 801, 50):
        img[y:y + 3, 100:1100] = 30
    for x in (100, 350, 600, 850, 1097):
        img[100:803, x:x + 3] = 30
    if ring:
        cv2.circle(img, (603 + 250, 650), 250, 110, 8)  # a thick grey ring touching the rule at x=600
    return img


def test_a_rule_a_seal_ring_runs_along_is_still_a_rule():
    from extractor.ocr import find_rules

    def columns(img):
        return sorted(round(x0 / 10) * 10 for x0, y0, x1, y1 in find_rules(img) if x0 == x1 and y1 - y0 > 500)

    assert columns(_ringed_table(False)) == [100, 350, 600, 850, 1100]
    assert columns(_ringed_table(True)) == [100, 350, 600, 850, 1100]


def _sealed_page(arc: bool) -> Page:
    """项目 | 总计 | 合计 | 项目支出, with a seal's arc piece 4 pt right of the 合计|项目支出 rule in
    one row; the 合计 column's amounts printed right-aligned against that rule."""
    xs = [60.0, 300.0, 380.0, 460.0, 540.0]
    ys = [100.0 + 18 * k for k in range(6)]
    segments = [Segment(xs[0], y, xs[-1], y) for y in ys]
    segments += [Segment(x, ys[0], x, ys[-1]) for x in xs]
    if arc:
        segments.append(Segment(456.0, ys[3] - 2, 456.0, ys[4]))  # ends on a row rule: anchored
    rows = [["项目", "总计", "合计", "项目支出"], ["甲项目", "3590", "3590", "3590"], ["乙项目", "23", "23", "23"],
            ["丙项目", "3", "3", "3"], ["丁项目", "100", "100", "100"]]
    words = []
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            x1 = xs[c + 1] - 2  # right-aligned: the last digit touches the rule
            words.append(Word(text, x1 - 6 * len(text), ys[r] + 4, x1, ys[r] + 14))
    return Page(1, 595, 842, words=words, segments=segments, source="ocr")


def test_a_seal_arc_beside_a_rule_makes_no_column():
    for arc in (False, True):
        (grid,) = page_grids(_sealed_page(arc))
        assert grid.n_cols == 4
        assert [grid.text(r, 2) for r in range(grid.n_rows)] == ["合计", "3590", "23", "3", "100"]


def test_an_amount_whose_thousands_separator_ocr_lost():
    assert str(as_money("1097,073.43")) == "1097073.43"  # "1,097,073.43" with its first comma under a seal
    assert str(as_money("1,097073.43")) == "1097073.43"
    assert str(as_money("3,609,125.22")) == "3609125.22"
    assert as_money("1097,07.43") is None  # not where thousands go: no amount
    assert as_money("12,3456.00") is None


def test_the_widened_crop_stops_at_the_cells_rule():
    """"一、基本支出" with the detector's line starting at 基本: the crop widened to the left must
    not take in the cell's rule, which the recogniser reads as a character ("7一、基本支出")."""
    from extractor.ocr_mend import mend_numerals

    img = np.full((100, 400, 3), 255, np.uint8)
    img[:, 95:98] = 0  # the column rule, just left of the "一"
    img[48:52, 102:116] = 0  # "一"
    box = [(120, 40), (220, 40), (220, 60), (120, 60)]
    crops = []

    def recognise(batch):
        crops.extend(batch)
        return [("7一、基本支出" if (c < 128).all(axis=0).any() else "一、基本支出", 0.99) for c in batch]

    (mended,) = mend_numerals(img, [[box, "基本支出", 0.99]], recognise)
    assert mended[1] == "一、基本支出"
    assert min(p[0] for p in mended[0]) > 97  # the box does not reach over the rule


def test_the_detectors_own_box_over_a_mended_numeral_is_dropped():
    """The detector boxed "二、" apart (read "三、") and the line from 、: the line is mended from
    the widened crop, and the numeral's own box is the same print read twice."""
    from extractor.ocr_mend import mend_numerals

    img = np.full((100, 400, 3), 255, np.uint8)
    line = [(120, 40), (240, 40), (240, 60), (120, 60)]
    numeral = [(100, 41), (126, 41), (126, 59), (100, 59)]
    amount = [(300, 40), (360, 40), (360, 60), (300, 60)]
    result = [[numeral, "三、", 0.88], [line, "、公共安全支出", 0.99], [amount, "1,252,300", 0.99]]
    out = mend_numerals(img, result, lambda batch: [("二、公共安全支出", 0.99)] * len(batch))
    assert [item[1] for item in out] == ["二、公共安全支出", "1,252,300"]


def test_a_class_code_with_a_specks_dot_is_no_amount():
    """t1's expense side "211. | 节能环保支出 | 416": the code read with a speck is still the code,
    not the row's amount (which pushed 416 into an extra column)."""
    from decimal import Decimal

    from extractor.read_fixed import label_and_amounts

    assert label_and_amounts(["211.", "节能环保支出", "416"]) == ("211节能环保支出", [Decimal("416")])
    assert label_and_amounts(["211", "节能环保支出", "416"]) == ("211节能环保支出", [Decimal("416")])
    assert label_and_amounts(["合计", "21."]) == ("合计", [Decimal("21")])


def test_print_under_a_red_seal_stays_dark_after_jpeg():
    """Blur and JPEG spread the seal's colour into the thin black strokes under it; taking every coloured
    pixel for paper cut holes in the digits there ("30206" read "216", "18770" lost)."""
    from extractor.paper import neutral_ink

    img = np.full((120, 200, 3), 240, np.uint8)
    strokes = np.zeros(img.shape[:2], bool)
    for x in range(40, 160, 12):
        img[40:80, x:x + 2] = 25  # thin strokes of print
        strokes[42:78, x:x + 2] = True
    red = np.array([215, 30, 40], np.float32) / 255  # stamp-pad red (RGB), multiplied over the page
    img[20:100, 30:170] = np.clip(img[20:100, 30:170] * (0.1 + 0.9 * red), 0, 255).astype(np.uint8)
    img = cv2.GaussianBlur(img, (0, 0), 0.8)  # the scanner's blur mixes the red into the strokes
    _, buf = cv2.imencode(".jpg", cv2.cvtColor(img, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 70])
    grey = neutral_ink(cv2.cvtColor(cv2.imdecode(buf, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB))
    assert (grey[strokes] < 120).mean() > 0.98  # the print, whole
    assert (grey[25:35, 35:165] > 200).all()  # the seal over paper, gone


def test_a_digit_two_overlapping_boxes_both_read_counts_once():
    """The detector split "695,520" into "695,5" and "520", overlapping over the middle 5: the
    cell read "695,5520" (no amount). Boxes that merely touch keep their characters."""
    from extractor.ocr_mend import drop_doubled

    def line(x0, x1, text, y=363.0):
        return [[(x0, y), (x1, y), (x1, y + 14), (x0, y + 14)], text, 0.95]

    out = drop_doubled([line(731.6, 759.3, "695,5"), line(755.7, 774.1, "520"), line(780, 800, "0")])
    assert "".join(item[1] for item in out) == "695,5200"
    assert out[1][1] == "20" and min(p[0] for p in out[1][0]) > 755.7
    two_rows = drop_doubled([line(731.6, 759.3, "695,5"), line(755.7, 774.1, "520"),
                             line(732.0, 759.7, "691,6", y=412.0), line(755.7, 774.4, "680", y=412.0)])
    assert [item[1] for item in two_rows] == ["695,5", "20", "691,6", "80"]
    apart = drop_doubled([line(731.6, 759.3, "695,5"), line(761.0, 780.0, "520")])
    assert [item[1] for item in apart] == ["695,5", "520"]
    other_row = drop_doubled([line(731.6, 759.3, "695,5"), line(755.7, 774.1, "520", y=390.0)])
    assert [item[1] for item in other_row] == ["695,5", "520"]


def test_a_character_the_detector_took_into_the_next_cells_line_goes_back():
    """A header printed without rules: the detector read 一般公共预算's line "共预算" on past its
    cell into the next label's first character ("共预算安") while also reading that label's line
    whole ("安排的转"). The doubled 安 stands a word's gap from 共预算 and close to 排: it is
    the second line's, not the first's (the first losing it, the label stays whole)."""
    from extractor.ocr_mend import drop_doubled

    def line(x0, text, gaps, y=262.0, w=22.0, h=32.0):
        boxes, x = [], x0
        for gap in gaps + [0.0]:
            boxes.append([(x, y), (x + w, y), (x + w, y + h), (x, y + h)])
            x += w + gap
        return [[(x0, y), (x - gap, y), (x - gap, y + h), (x0, y + h)], text, 0.95, boxes, [], [0.95] * len(text)]

    glued = line(947.0, "共预算安", [0.0, 6.0, 21.0])
    whole = line(1039.0, "安排的转", [0.0, 1.0, 1.0])
    out = drop_doubled([glued, whole])
    assert [item[1] for item in out] == ["共预算", "安排的转"]
    assert max(p[0] for p in out[0][0]) == 1019.0 and len(out[0][3]) == 3  # ends where 算 does
    # The lines' boxes overlap by less than half a character, the doubled 安's boxes by most of it.
    near = line(941.0, "共预算安", [0.0, 0.0, 15.0], w=23.0)  # 安 at 1025-1048: cut short by the box
    near[3][-1] = [(1032.0, 262.0), (1048.0, 262.0), (1048.0, 294.0), (1032.0, 294.0)]
    out = drop_doubled([near, line(1037.0, "安排的转", [0.0, 1.0, 1.0])])
    assert [item[1] for item in out] == ["共预算", "安排的转"]
    # Characters evenly spaced in both: the second line loses the doubled one, as before.
    out = drop_doubled([line(947.0, "共预算安", [1.0, 1.0, 1.0]), line(1026.0, "安排的转", [1.0, 1.0, 1.0])])
    assert [item[1] for item in out] == ["共预算安", "排的转"]


def test_a_blank_column_a_seal_drew_stays_off_t1s_expense_side():
    """A seal's arcs drew a blank column between the income amounts and the expense codes: the
    expense side began there, the name column was taken for a second label block, and every
    expense row's name and amount went to extra lines."""
    from tests.test_robust_readers import make_grid

    from extractor.read_fixed import _split_column

    rows = [["收入", "", "", "支出", "", ""],
            ["项目", "预算数", "", "功能分类科目编码", "功能分类科目名称", "预算数"],
            ["一、本年收入", "61759", "", "201", "一般公共服务支出", "5957"],
            ["1.一般公共预算拨款", "60395", "", "202", "外交支出", ""]]
    grid = make_grid(1, rows, merges=[(0, 0, 1, 3), (0, 3, 1, 3)])
    assert _split_column(grid, 2) == 3
    rows[2][2] = "201"  # an unlabelled code column (an unruled table's 类) is on the expense side
    rows[3][2] = "202"
    grid = make_grid(1, rows, merges=[(0, 0, 1, 2), (0, 2, 1, 4)])
    assert _split_column(grid, 2) == 2
