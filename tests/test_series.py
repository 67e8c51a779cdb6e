"""Table numbers a scan misread are mended from the series the document prints them in."""

from __future__ import annotations

from extractor.series import mend_numbers

# js03 faxed in standard mode, its tables in page order as read: 一 and 六, 八, 十一 lost, 五 read
# 丘, 十二 read 十 (the thin strokes of the numerals gone).
FAXED = [None, "公开表二", "公开表三", "公开表四", "公开表丘", None, "公开表七", None, "公开表九", "公开表十",
         None, "公开表十"]
PRINTED = ["公开表" + n for n in "一 二 三 四 五 六 七 八 九 十 十一 十二".split()]


def test_numbers_between_two_read_take_their_places():
    mended = mend_numbers(FAXED, [True] * 12)
    assert mended[:10] == PRINTED[:10]
    assert mended[10:] == [None, "公开表十"], "past the last number read, nothing bounds the series"


def test_the_familys_count_bounds_the_series_past_the_last_number():
    assert mend_numbers(FAXED, [True] * 12, numbered=12) == PRINTED


def test_a_text_layer_number_is_what_the_file_prints():
    scanned = [i != 5 for i in range(12)]
    assert mend_numbers(FAXED, scanned, numbered=12)[5] is None


def test_a_run_whose_count_does_not_match_is_left_alone():
    # Three tables between 四 and 七 (one unnumbered continuation, or an extra table): which is 五?
    read = ["公开表三", "公开表四", None, "公开表丘", None, "公开表七"]
    assert mend_numbers(read, [True] * 6) == read


def test_padded_digits_keep_their_width():
    read = ["公开01表", None, "公开03表", "公开04表", None, "公开06表", None, None, None, "公开10表"]
    assert mend_numbers(read, [True] * 10) == [f"公开{n:02d}表" for n in range(1, 11)]
