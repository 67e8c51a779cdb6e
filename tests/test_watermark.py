"""Watermarks: slanted light text across a page is kept aside, not read as the page's print."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import cv2
import numpy as np
import pymupdf
import pytest

from extractor.pages import load_page
from extractor.pipeline import Options, extract
from extractor.watermark import (clear_watermark, lines_at, slant, slanted, watermark_height, watermark_slant,
                                 watermark_text, without_level_watermark)
from tests.scan_support import stamp_level_watermark, stamp_watermark

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def _line(cx: float, cy: float, angle: float, text: str = "内部资料", length: float = 200, height: float = 30):
    """A reading's line: a box of ``length`` × ``height`` centred at (cx, cy), turned by ``angle``."""
    box = cv2.boxPoints(((cx, cy), (length, height), angle))
    return [box.tolist(), text, 0.95]


@pytest.mark.parametrize("angle, expected", [(0, 0), (35, 35), (-35, -35), (90, -90), (180, 0)])
def test_a_line_box_slant_is_its_long_side(angle, expected):
    found = slant(_line(500, 500, angle)[0])
    assert abs((found - expected + 90) % 180 - 90) < 0.5  # -90 and 90 are one direction


def test_a_square_box_has_no_slant():
    assert slant(_line(500, 500, 30, length=40, height=36)[0]) is None


@pytest.mark.parametrize("angle, expected", [(0, False), (5, False), (35, True), (-35, True), (145, True),
                                             (88, False), (-90, False), (180, False)])
def test_only_lines_neither_level_nor_standing_are_slanted(angle, expected):
    assert slanted(angle) is expected


def test_three_lines_at_one_slant_are_a_watermark():
    page = [_line(200, 100, 0, "一般公共预算支出情况表"), _line(300, 300, -35), _line(700, 300, -34),
            _line(500, 700, -36), _line(400, 900, 0, "合计")]
    angle = watermark_slant(page)
    assert angle == pytest.approx(-35, abs=1)
    assert lines_at(page, angle) == [1, 2, 3]


@pytest.mark.parametrize("angles", [[-35, -35], [20, -50, 70], [0, 90, 0]])
def test_two_slanted_lines_or_disagreeing_ones_are_no_watermark(angles):
    # Two lines, or the words round a seal's ring (every slant), or level and standing text.
    page = [_line(200 + 150 * i, 300, a, "财务专用章") for i, a in enumerate(angles)]
    assert watermark_slant(page) is None


def test_a_watermark_text_is_its_distinct_lines_most_repeated_first():
    assert watermark_text(["注意保存", "内部资料", "内部资料", "", "内部资科 "]) == "内部资料 / 注意保存 / 内部资科"


def _page_with_watermark(print_tone: int):
    """A grey page: a dark level line of print, and a light slanted watermark line over paper."""
    page = np.full((600, 800), 250, np.uint8)
    print_box = np.array([[100, 80], [500, 80], [500, 120], [100, 120]])
    cv2.putText(page, "1,234.56", (110, 115), cv2.FONT_HERSHEY_SIMPLEX, 1.2, print_tone, 3)
    mark = cv2.boxPoints(((400, 350), (420, 60), -35))
    strokes = np.full_like(page, 255)
    for k in range(6):  # the watermark's strokes: short bars along the slant
        cx, cy = 400 + (k - 2.5) * 60 * np.cos(np.radians(-35)), 350 + (k - 2.5) * 60 * np.sin(np.radians(-35))
        cv2.line(strokes, (int(cx - 15), int(cy)), (int(cx + 15), int(cy - 20)), 0, 5)
    page[strokes == 0] = 180
    return page, mark.tolist(), print_box.tolist()


def test_a_watermark_lighter_than_the_print_is_painted_paper():
    page, mark, print_box = _page_with_watermark(print_tone=30)
    cleared = clear_watermark(page, [mark] * 3, [print_box])
    assert cleared is not None
    # The watermark is gone but for a pixel or two beside the print (kept: a print stroke's edge).
    assert (page == 180).sum() > 500 and (cleared == 180).sum() <= 5
    dark = page < 100
    assert dark.sum() > 300 and (cleared[dark] == page[dark]).all()  # the print's strokes are untouched


def test_print_as_light_as_the_watermark_is_left_alone():
    page, mark, print_box = _page_with_watermark(print_tone=170)
    assert clear_watermark(page, [mark] * 3, [print_box]) is None


def _stamped(src: Path, pages=None) -> bytes:
    with pymupdf.open(src) as doc:
        for number, page in enumerate(doc):
            if pages is None or number in pages:
                stamp_watermark(page)
        return doc.tobytes()


def test_a_text_layer_watermark_is_not_among_the_words(tmp_path):
    path = tmp_path / "stamped.pdf"
    path.write_bytes(_stamped(SAMPLES / "000_5dac6d90f1d45d5f.pdf", pages={4}))
    with pymupdf.open(SAMPLES / "000_5dac6d90f1d45d5f.pdf") as clean, pymupdf.open(path) as doc:
        before = load_page(clean, 4, path, Options().limits)
        after = load_page(doc, 4, path, Options().limits)
    assert [w.text for w in after.words] == [w.text for w in before.words]
    # The most repeated first; tiles the page's edge cuts come after (内, 内部).
    assert after.watermark.startswith("内部资料 注意保存") and before.watermark == ""


def test_a_born_digital_document_reads_the_same_under_a_watermark(tmp_path):
    path = tmp_path / "000_stamped.pdf"
    path.write_bytes(_stamped(SAMPLES / "000_5dac6d90f1d45d5f.pdf"))
    clean = extract(SAMPLES / "000_5dac6d90f1d45d5f.pdf", Options())
    stamped = extract(path, Options())
    assert stamped.tables.model_dump() == clean.tables.model_dump()
    assert stamped.generic_tables == clean.generic_tables
    marks = stamped.source.watermarks
    assert len(marks) == clean.source.page_count
    assert all(m.text.startswith("内部资料 注意保存") for m in marks)
    assert not clean.source.watermarks


def _read_stamped(monkeypatch, number: int, stamp, step: str):
    """Sample 000's page ``number`` read at 150 dpi: clean, stamped, and stamped without the
    step ``step`` of ``extractor.ocr`` (the watermark read as print, as before it)."""
    pytest.importorskip("rapidocr_onnxruntime", reason="the ocr extra is not installed")
    import extractor.ocr
    from extractor.ocr_rapid import RapidOcrBackend

    backend = RapidOcrBackend(threads=1)
    with pymupdf.open(SAMPLES / "000_5dac6d90f1d45d5f.pdf") as doc:
        page = doc[number]
        clean = page.get_pixmap(dpi=150, colorspace=pymupdf.csRGB, alpha=False)
        stamp(page)
        stamped = page.get_pixmap(dpi=150, colorspace=pymupdf.csRGB, alpha=False)
        size = page.rect.width, page.rect.height
    before, after = backend.read(clean, *size), backend.read(stamped, *size)
    monkeypatch.setattr(extractor.ocr, step, lambda result: None)
    return before, after, backend.read(stamped, *size)


def test_a_scanned_watermark_is_cleared_and_its_words_kept_aside(monkeypatch):
    before, after, left = _read_stamped(monkeypatch, 4, stamp_watermark, "watermark_slant")

    def figures(ocr_page) -> Counter:
        return Counter(w.text for w in ocr_page.words if re.fullmatch(r"[\d,.]*\d", w.text))

    def words_of_the_watermark(ocr_page) -> int:
        return sum(bool(re.search("内部|资料|注意|保存", w.text)) for w in ocr_page.words)

    right = sum((figures(after) & figures(before)).values())
    assert sum(figures(before).values()) > 20
    assert right >= sum((figures(left) & figures(before)).values())
    assert right >= 0.85 * sum(figures(before).values())
    assert words_of_the_watermark(left) > 5 and words_of_the_watermark(after) == words_of_the_watermark(before) == 0
    assert "内部资料" in after.watermark and before.watermark == ""


def _level_page(*heights: float) -> list:
    """A reading of level lines: eight of print 30 high, then one of each given height."""
    lines = [_line(300, 60 + 40 * i, 0, "一般公共服务支出") for i in range(8)]
    return lines + [_line(400, 500 + 150 * i, 0, "内部资料", length=500, height=h) for i, h in enumerate(heights)]


def test_two_level_lines_far_taller_than_the_print_are_a_watermark():
    page = _level_page(120, 118)
    tall = watermark_height(page)
    assert tall == pytest.approx(60, abs=1)
    assert [i for i, item in enumerate(page) if item[1] == "内部资料"] == [8, 9]
    assert watermark_height(_level_page(120)) is None  # one large line: a cover's title, perhaps
    assert watermark_height(_level_page(54, 54)) is None  # headings under twice the print's height


def test_large_level_lines_neither_tiled_nor_over_the_print_are_a_title():
    page = _level_page(120, 118)
    page[8][1], page[9][1] = "某某局", "2024年部门预算"  # a cover: two large lines, apart
    assert watermark_height(page) is None
    page.append(_line(400, 500, 0, "一般公共服务支出"))  # a line of print under the first
    assert watermark_height(page) is not None


def _grey_with_level_lines(mark_tone: int):
    """A grey page: a dark line of print and two large level lines of ``mark_tone``."""
    page = np.full((700, 800), 250, np.uint8)
    cv2.putText(page, "1,234.56", (110, 115), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 30, 3)
    for i in range(3):
        cv2.putText(page, "12.5", (110, 150 + 20 * i), cv2.FONT_HERSHEY_SIMPLEX, 0.5, 30, 2)
    for y in (350, 600):
        cv2.putText(page, "MARK", (150, y), cv2.FONT_HERSHEY_SIMPLEX, 5, mark_tone, 20)
    reading = [[[[100, 80], [500, 80], [500, 120], [100, 120]], "1,234.56", 0.99]]
    reading += [[[[150, y - 130], [650, y - 130], [650, y + 10], [150, y + 10]], "内部资料", 0.95] for y in (350, 600)]
    reading += [[[[100, 138 + 20 * i], [300, 138 + 20 * i], [300, 153 + 20 * i], [100, 153 + 20 * i]], "合计", 0.99]
                for i in range(3)]
    return page, reading


def test_a_light_level_watermark_is_painted_out_and_its_words_kept_aside():
    page, reading = _grey_with_level_lines(185)
    reread = []

    def recognise(grey):
        reread.append(grey)
        return [item for item in reading if item[1] != "内部资料"]

    result, grey, text = without_level_watermark(page, reading, 60, recognise)
    assert text == "内部资料" and [item[1] for item in result] == ["1,234.56", "合计", "合计", "合计"]
    assert (page == 185).sum() > 5000 and (grey == 185).sum() < 50 and reread
    assert (grey[page < 100] == page[page < 100]).all()  # the print untouched


def test_a_large_title_as_dark_as_the_print_stays():
    page, reading = _grey_with_level_lines(30)
    result, grey, text = without_level_watermark(page, reading, 60, lambda grey: pytest.fail("read again"))
    assert result == reading and grey is page and text == ""


def test_a_scanned_level_watermark_is_cleared_and_its_words_kept_aside(monkeypatch):
    # Page 3 is t1: two columns of names and amounts, crossed by three rows of the watermark.
    before, after, left = _read_stamped(monkeypatch, 3, stamp_level_watermark, "watermark_height")

    def characters(ocr_page) -> Counter:  # words split or joined at a gap differently still count
        return Counter("".join(w.text for w in ocr_page.words))

    def of_the_watermark(ocr_page) -> int:
        return sum(bool(re.search("内部|资料|仅供|参考", w.text)) for w in ocr_page.words)

    assert of_the_watermark(left) >= 3 and of_the_watermark(after) == of_the_watermark(before) == 0
    printed = sum(characters(before).values())
    assert printed > 500
    assert sum((characters(after) & characters(before)).values()) >= 0.99 * printed
    assert sum((characters(after) - characters(before)).values()) <= 2 < sum((characters(left) - characters(before)).values())
    assert "资料" in after.watermark and before.watermark == ""
