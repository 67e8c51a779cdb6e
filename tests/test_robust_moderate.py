"""Causes of cells lost on real layouts scanned at moderate severity (README, "Robustness on degraded real layouts")."""

from __future__ import annotations

from extractor.columns import key_role, money_role
from extractor.grid import page_grids
from extractor.pages import Page, Segment, Word


def test_a_header_ocr_read_with_a_lookalike_character_still_names_its_column():
    assert money_role("t3", "项目支出") == "project"
    assert money_role("t3", "项自支出") == "project"  # 目 read 自
    assert money_role("t3", "基本支出") == "basic"
    assert money_role("t3", "自筹资金") is None  # a lookalike alone names nothing


def test_a_line_label_read_with_a_lookalike_character_still_names_its_field():
    # 004's scan reads t4's 一、财政拨款（补助） as 财政援款: the line went to extra, and its field,
    # optional in the income identity, was lost without a flag.
    from extractor import templates

    rules = templates.default().line_rules("t4_income")
    assert templates.match_words("一、财政援款（补助）", rules) == "fiscal_total"
    assert templates.match_words("一、财政拨款（补助）", rules) == "fiscal_total"
    assert templates.match_words("救援款", rules) is None


def test_a_line_whose_one_stroke_a_scan_lost_is_still_named():
    # 一 is one thin stroke: a black-and-white scan drops it or leaves a dot.
    from extractor import templates

    rules = templates.default().line_rules("t1_current")
    for label in ("其中：一般财力", "其中：般财力", "其中：·般财力"):
        assert templates.match_words(label, rules) == "general_fiscal_resources", label
    assert templates.match_words("一、本年收入", rules) == "current_year_income"
    assert templates.match_words("其中：财力", rules) is None


def test_a_code_column_headed_daima_is_the_code():
    assert key_role("t5", "功能科目代码") == "code"
    assert key_role("t5", "科目编码") == "code"
    assert key_role("t5", "功能科目名称") == "name"


def _table(left_border: bool) -> Page:
    """科目编码 | 科目名称 | 金额 with row rules from x=80 to 540; the left border drawn or lost."""
    xs = [80.0, 240.0, 396.0, 540.0] if left_border else [240.0, 396.0, 540.0]
    ys = [225.0 + 20 * k for k in range(6)]
    segments = [Segment(80.0 - k * 0.4, y, 540.0, y) for k, y in enumerate(ys)]  # ends lean a little
    segments += [Segment(x, ys[0], x, ys[-1]) for x in xs]
    rows = [["科目编码", "科目名称", "金额"], ["", "合计", "7,877.76"], ["301", "工资福利支出", "5,469.17"],
            ["30101", "基本工资", "1,186.73"], ["30102", "津贴补贴", "2,752.80"]]
    words = [Word(text, (90.0, 250.0, 480.0)[c], ys[r] + 5, (90.0, 250.0, 480.0)[c] + 9 * len(text), ys[r] + 15)
             for r, row in enumerate(rows) for c, text in enumerate(row) if text]
    return Page(1, 595, 842, words=words, segments=segments, source="ocr")


def test_a_lost_left_border_is_where_the_row_rules_end():
    for drawn in (True, False):
        (grid,) = page_grids(_table(drawn))
        assert [grid.text(r, 0) for r in range(grid.n_rows)] == ["科目编码", "", "301", "30101", "30102"]
        assert grid.n_cols == 3


def test_row_rules_running_past_a_border_with_nothing_there_add_no_column():
    page = _table(False)
    page.words = [w for w in page.words if w.x0 > 200]
    (grid,) = page_grids(page)
    assert grid.n_cols == 2


def _ruled_page():
    """A white page with a long row rule, a column rule, a short "一" stroke beside it, and a red blot."""
    import numpy as np

    img = np.full((400, 600, 3), 255, np.uint8)
    img[100:103, 20:580] = 0  # a row rule
    img[20:380, 50:53] = 0  # a column rule
    img[200:203, 60:80] = 0  # "一" right of the column rule: 20 px, a character's stroke
    img[250:290, 300:340] = (220, 30, 30)  # a red seal's ink
    img[265:270, 310:330] = (40, 0, 0)  # black print under it
    return img


def test_text_is_recognised_without_seal_colour():
    import numpy as np

    from extractor.ocr import PaddleOcrReader

    seen = []

    class Spy(PaddleOcrReader):
        def _ocr(self, img, text_score):
            seen.append(img)
            return []

    Spy()._read_upright(_ruled_page())
    (img,) = seen
    assert img[101, 300].max() < 60 and img[201, 70].max() < 60  # rules and strokes stay
    assert img[255, 305].min() > 200  # the seal's red is paper
    assert img[267, 320].max() < 80  # the print under it stays
    assert np.ptp(img, axis=2).max() == 0  # grey


def test_rules_are_painted_white_for_the_unread_ink_but_strokes_stay():
    from extractor.rectify import without_rules

    grey = _ruled_page().max(axis=2)
    clean = without_rules(grey)
    assert clean[101, 300] > 200 and clean[200, 51] > 200 and clean[201, 70] < 60


def test_rules_on_grey_paper_leave_no_unread_ink_beside_them():
    # A dim scan of grey paper: painted white, a rule left a stripe that made the paper beside it
    # look like ink to the local threshold, read as digits along every column rule.
    import numpy as np

    from extractor.ocr_mend import free_ink, printed_ink
    from extractor.rectify import without_rules

    rng = np.random.default_rng(0)
    grey = np.clip(rng.normal(150, 2, (400, 600)), 0, 255).astype(np.uint8)
    grey[100:103, 20:580] = 20
    grey[20:380, 300:303] = 20  # a column rule
    grey[200:203, 310:330] = 20  # "一" beside it
    grey[250:262, 320:328] = 20  # a digit's ink
    binary = free_ink(printed_ink(grey, without_rules(grey)), [])
    assert not binary[:, 280:306].any()
    assert binary[196:208, 308:334].sum() >= 255 * 40 and binary[246:266, 316:332].sum() >= 255 * 60  # print stays


def test_a_line_cut_after_its_numeral_is_read_again_widened():
    import numpy as np

    from extractor.ocr_mend import mend_numerals

    img = np.full((100, 400, 3), 255, np.uint8)
    box = [(100, 40), (200, 40), (200, 60), (100, 60)]
    crops = []

    def reads(text):
        def recognise(batch):
            crops.extend(batch)
            return [(text, 0.95)] * len(batch)
        return recognise

    (mended,) = mend_numerals(img, [[box, "、财政拨款", 0.99]], reads("一、财政拨款"))
    assert mended[1] == "一、财政拨款" and min(p[0] for p in mended[0]) < 100
    assert crops[0].shape[1] > 100  # the crop reached left of the old box
    assert mend_numerals(img, [[box, "、财政拨款", 0.99]], reads("|二、财政拨款"))[0][1] == "二、财政拨款"
    assert mend_numerals(img, [[box, "、财政拨款", 0.99]], reads("财政拨款"))[0][1] == "、财政拨款"
    assert mend_numerals(img, [[box, "财政拨款", 0.99]], reads("一、财政拨款"))[0][1] == "财政拨款"  # not cut


def test_a_lone_digit_the_detector_passed_over_is_read_from_its_ink():
    import cv2
    import numpy as np

    from extractor.ocr_mend import read_unread_ink

    img = np.full((300, 600, 3), 255, np.uint8)
    result = []
    for k in range(6):  # six lines the detector found, 20 px high
        y = 20 + 40 * k
        cv2.putText(img, "183.60", (40, y + 17), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (0, 0, 0), 2)
        result.append([[(38, y), (110, y), (110, y + 20), (38, y + 20)], "183.60", 0.99])
    cv2.putText(img, "0", (300, 77), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (0, 0, 0), 2)  # passed over
    cv2.putText(img, "7", (450, 157), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (215, 215, 215), 2)  # the other side's, faint
    rng = np.random.default_rng(0)
    img[rng.integers(0, 300, 200), rng.integers(150, 600, 200)] = 0  # speckle: single pixels
    asked = []

    def recognise(crops):
        asked.extend(crops)
        return [("0", 0.97)] * len(crops)

    out = read_unread_ink(img, result, recognise)
    assert len(asked) == 1 and len(out) == 7
    box, text, _ = out[-1]
    assert text == "0" and 290 <= box[0][0] <= 302 and 55 <= box[0][1] <= 66
    unsure = read_unread_ink(img, result, lambda crops: [("0", 0.6)] * len(crops))
    assert len(unsure) == 6  # an unsure reading of stray ink is no value


def test_a_character_stroke_inside_a_header_word_is_no_column_rule():
    page = _table(True)
    # The long strokes of 科 and 目 left by the text mask: verticals through the word 科目名称, one row high.
    page.segments += [Segment(262.0, 226.0, 262.0, 244.0), Segment(275.0, 226.0, 275.0, 244.0)]
    (grid,) = page_grids(page)
    assert grid.n_cols == 3 and grid.text(0, 1) == "科目名称"


def test_a_numeral_lost_with_its_comma_is_found_by_the_ink_left_of_the_line():
    import numpy as np

    from extractor.ocr_mend import mend_numerals

    img = np.full((100, 400, 3), 255, np.uint8)
    box = [(100, 40), (220, 40), (220, 60), (100, 60)]
    reread = lambda crops: [("一、财政拨款收入", 0.9)] * len(crops)  # noqa: E731
    assert mend_numerals(img, [[box, "财政拨款收入", 0.99]], reread)[0][1] == "财政拨款收入"  # blank paper
    img[48:52, 75:92] = 0  # the "一" the detector passed over
    assert mend_numerals(img, [[box, "财政拨款收入", 0.99]], reread)[0][1] == "一、财政拨款收入"
    misread = lambda crops: [("一、财政拨款收人", 0.9)] * len(crops)  # noqa: E731
    assert mend_numerals(img, [[box, "财政拨款收入", 0.99]], misread)[0][1] == "一、财政拨款收入"  # old text kept


def test_a_grouped_amount_whose_point_reads_as_a_colon():
    from decimal import Decimal

    from extractor.columns import as_money

    assert as_money("1,068:78") == Decimal("1068.78")
    assert as_money("1,068.78") == Decimal("1068.78")
    assert as_money("91,016.775.35") == Decimal("91016775.35")  # a comma read as a point
    assert as_money("1.2.3") is None


def test_a_grouped_amount_whose_point_reads_as_a_comma():
    from decimal import Decimal

    from extractor.columns import as_money

    # js20 faxed: "2,827.41" read "2,827,41". After groups of three, two digits are cents.
    assert as_money("2,827,41") == Decimal("2827.41")
    assert as_money("1,234,567") == Decimal("1234567")  # groups of three stay thousands


def test_a_lost_yi_of_yibān_is_mended_without_a_numbering_comma():
    import numpy as np

    from extractor.ocr_mend import mend_numerals

    img = np.full((100, 400, 3), 255, np.uint8)
    img[48:52, 75:92] = 0
    box = [(100, 40), (220, 40), (220, 60), (100, 60)]
    reread = lambda crops: [("一般公共预算", 0.9)] * len(crops)  # noqa: E731
    assert mend_numerals(img, [[box, "般公共预算", 0.99]], reread)[0][1] == "一般公共预算"
