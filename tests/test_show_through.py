"""The back page seen through thin paper (extractor/show_through.py): light lines that read surer
mirrored are dropped, and light Chinese characters read into the page's own lines with them."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import numpy as np
import pymupdf
import pytest

from extractor.show_through import ghost_lines, without_light_characters, without_light_rules

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def _front_and_back(front: int, back: int, dpi: int) -> tuple[np.ndarray, np.ndarray, tuple[float, float]]:
    """Sample 000's page ``front`` in grey, its page ``back`` mirrored to the same size (0-255,
    float), and the front page's size in points."""
    import cv2

    with pymupdf.open(SAMPLES / "000_5dac6d90f1d45d5f.pdf") as doc:
        def grey(number: int) -> np.ndarray:
            pix = doc[number].get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY, alpha=False)
            return np.frombuffer(pix.samples, np.uint8).reshape(pix.h, pix.w).astype(np.float32)

        image = grey(front)
        return image, cv2.resize(grey(back), image.shape[::-1])[:, ::-1], (doc[front].rect.width, doc[front].rect.height)


def _pixmap(img: np.ndarray):
    rgb = np.ascontiguousarray(np.repeat(img.astype(np.uint8)[:, :, None], 3, axis=2))
    return pymupdf.Pixmap(pymupdf.csRGB, rgb.shape[1], rgb.shape[0], rgb.tobytes(), False)


def _page(tones: list[int]) -> tuple[np.ndarray, list]:
    """A grey page with one line of ink per tone, and its reading (box, text, score)."""
    page = np.full((60 * len(tones) + 40, 400), 250, np.uint8)
    result = []
    for k, tone in enumerate(tones):
        y = 30 + 60 * k
        page[y + 10:y + 30, 40:300:12] = tone  # strokes
        result.append([[[30, y], [310, y], [310, y + 40], [30, y + 40]], f"line{k}", 0.7])
    return page, result


def test_light_lines_that_read_surer_mirrored_are_the_other_side():
    page, result = _page([20, 25, 30, 200, 210, 205])
    asked = []

    def read_mirrored(boxes):
        asked.extend(boxes)
        return [("因公出国", 0.95), ("费预算数", 0.9), ("费", 0.6)]  # two read better mirrored, one worse

    ghosts, light_from = ghost_lines(page, result, read_mirrored)
    assert ghosts == {3, 4}
    assert asked == [result[3][0], result[4][0], result[5][0]]  # only the light lines are read again
    assert 150 < light_from < 200  # nearly as light as the ghost lines
    # One ghost line is evidence against itself, not against the page's light characters.
    assert ghost_lines(page, result, lambda boxes: [("因公出国", 0.95), ("费", 0.6), ("费", 0.6)]) == ({3}, None)


def test_a_page_without_light_lines_or_too_few_lines_is_left_alone():
    def read_mirrored(boxes):
        raise AssertionError("nothing to read mirrored")

    page, result = _page([20, 25, 30, 60])
    assert ghost_lines(page, result, read_mirrored) == (set(), None)
    page, result = _page([20, 200])
    assert ghost_lines(page, result, read_mirrored) == (set(), None)


def test_no_ghost_when_the_mirrored_reading_is_no_surer_or_proves_nothing():
    page, result = _page([20, 25, 30, 200])
    assert ghost_lines(page, result, lambda boxes: [("因公出国", 0.72)]) == (set(), None)  # no surer
    result[3][1] = "0.00"  # a light figure of the page's own reads the same both ways
    assert ghost_lines(page, result, lambda boxes: [("0.00", 0.99)]) == (set(), None)
    assert ghost_lines(page, result, lambda boxes: [("目", 0.99)]) == (set(), None)  # a lone glyph


def test_a_light_chinese_character_read_into_a_line_is_dropped_but_not_figures_or_dark_ones():
    page = np.full((100, 300), 250, np.uint8)
    page[20:40, 10:30] = 210  # a ghost character
    page[20:40, 40:60] = 30  # the page's own figure
    page[20:40, 70:90] = 210  # a light figure: never dropped
    page[20:40, 100:120] = 30  # a dark character
    line = [("目", (10, 15, 30, 45), 0.9), ("2", (40, 15, 60, 45), 0.9), ("1", (70, 15, 90, 45), 0.9),
            ("支", (100, 15, 120, 45), 0.9)]
    (kept,) = without_light_characters([line], page, light_from=180)
    assert [c[0] for c in kept] == ["2", "1", "支"]


def test_a_scanned_page_with_its_back_showing_through_reads_its_own_print(monkeypatch):
    pytest.importorskip("rapidocr_onnxruntime", reason="the ocr extra is not installed")
    import cv2

    import extractor.ocr
    from extractor.ocr_rapid import RapidOcrBackend

    backend = RapidOcrBackend(threads=1)
    front, back, size = _front_and_back(4, 2, dpi=200)  # a page of text behind, mirrored
    back = cv2.GaussianBlur(255 - 0.2 * (255 - back), (0, 0), 1.2)
    pixmap = _pixmap

    before = backend.read(pixmap(front), *size)
    after = backend.read(pixmap(front * back / 255), *size)
    monkeypatch.setattr(extractor.ocr, "ghost_lines", lambda grey, result, read: (set(), None))
    left = backend.read(pixmap(front * back / 255), *size)  # the back read as print, as before

    def words(ocr_page) -> Counter:
        return Counter(w.text for w in ocr_page.words)

    def figures(ocr_page) -> Counter:
        return Counter(w.text for w in ocr_page.words if re.fullmatch(r"[\d,.]*\d", w.text))

    # The back's lines were read as words; now the page reads its own words and no others.
    ghosts_left = sum((words(left) - words(before)).values())
    assert ghosts_left >= 6
    assert sum((words(after) - words(before)).values()) <= ghosts_left / 2
    assert sum((figures(after) & figures(before)).values()) >= sum((figures(left) & figures(before)).values())


def test_rules_as_light_as_the_other_side_are_dropped_not_the_pages_own():
    page = np.full((200, 400), 250, np.uint8)
    page[40, 20:380] = 40  # the page's own rule
    page[100:102, 20:380] = 205  # the back page's rule seen through, two pixels thick
    page[96:106, 150:160] = 30  # a character of the page's print it runs through
    page[20:180, 60] = 200  # a ghost column rule
    page[20:180, 300] = 60  # and the page's own
    rules = [(20, 40, 380, 40), (20, 101, 380, 101), (60, 20, 60, 180), (300, 20, 300, 180)]
    assert without_light_rules(rules, page, light_from=190.0) == [(20, 40, 380, 40), (300, 20, 300, 180)]
    # Light rules of the page's own print are kept where no ghost set the bar so low.
    assert without_light_rules(rules, page, light_from=215.0) == rules


def test_a_table_behind_a_table_does_not_split_its_columns(monkeypatch):
    # The back page's grid, seen through unblurred, was found as rules: 000's tables read 65 % of
    # their cells at 150 dpi, 001's 9 %. On a page with ghost lines, rules as light go too.
    pytest.importorskip("rapidocr_onnxruntime", reason="the ocr extra is not installed")
    import extractor.ocr
    from extractor.ocr_rapid import RapidOcrBackend

    backend = RapidOcrBackend(threads=1)
    front, back, size = _front_and_back(4, 5, dpi=150)  # t2 (its columns ruled), t3 behind it
    pixmap = _pixmap

    def columns(ocr_page) -> int:
        return sum(1 for s in ocr_page.segments if s.x0 == s.x1)

    def rows(ocr_page) -> int:
        return sum(1 for s in ocr_page.segments if s.y0 == s.y1)

    shown = front * (1 - 0.2 * (1 - back / 255))
    before = backend.read(pixmap(front), *size)
    after = backend.read(pixmap(shown), *size)
    monkeypatch.setattr(extractor.ocr, "without_light_rules", lambda rules, grey, light_from: rules)
    left = backend.read(pixmap(shown), *size)
    # The back's grid read as rules, as before (measured: 17 columns and 12 rows read as 33 and 61).
    assert columns(left) >= columns(before) + 5 and rows(left) >= rows(before) + 10
    assert columns(after) <= columns(before) + 1 and rows(after) <= rows(before) + 1
