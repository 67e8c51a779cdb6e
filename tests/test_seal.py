"""A round seal stamped over a grey scan (extractor/seal.py): found by its ring, painted out where
the print is darker, its words kept aside (Source.seals), the rules across it kept."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import cv2
import numpy as np
import pymupdf
import pytest

from extractor.seal import clear_seals, find_seals, seal_words
from tests.scan_support import full_rows, stamp_seal, table_page

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
CENTRE, RADIUS = (950, 900), 160


def _sealed(tone: int = 85, page: np.ndarray | None = None) -> np.ndarray:
    """The ruled table page with a grey seal over its right columns: ring, star, a word band."""
    page = table_page() if page is None else page.copy()
    stamp = np.full_like(page, 255)
    cv2.circle(stamp, CENTRE, RADIUS, 0, 8)
    cv2.fillPoly(stamp, [np.array([(950, 860), (975, 930), (915, 885), (985, 885), (925, 930)])], 0)
    for k in range(8):  # the words along the top of the ring: short strokes in the band
        a = np.radians(200 + k * 20)
        x, y = int(950 + 120 * np.cos(a)), int(900 + 120 * np.sin(a))
        cv2.rectangle(stamp, (x - 12, y - 12), (x + 12, y + 12), 0, 4)
    # Multiplied, as ink on ink: where the seal crosses print the print stays as dark.
    return np.minimum(page, np.where(stamp == 0, tone, 255)).astype(np.uint8)


def _reading(page: np.ndarray) -> list:
    """A reading's level lines of print away from the seal (what ``clear_seals`` measures)."""
    return [[[[160, y + 10], [480, y + 10], [480, y + 50], [160, y + 50]], "1,234.56", 0.99]
            for y in range(300, 1801, 60)]


def test_a_grey_ring_over_a_table_is_found_where_it_was_stamped():
    (seal,) = find_seals(_sealed())
    assert abs(seal.cx - CENTRE[0]) <= 4 and abs(seal.cy - CENTRE[1]) <= 4 and abs(seal.r - RADIUS) <= 4
    assert 75 <= seal.tone <= 95


@pytest.mark.parametrize("mark", ["none", "black ring", "grey disk", "grey frame", "tiny"])
def test_no_seal_where_there_is_no_grey_ring(mark):
    page = table_page()
    if mark == "black ring":  # a ring as dark as the print is print (a circled figure, a logo)
        cv2.circle(page, CENTRE, RADIUS, 0, 8)
    elif mark == "grey disk":  # a shaded patch: grey inside and outside its edge
        cv2.circle(page, CENTRE, RADIUS, 180, -1)
    elif mark == "grey frame":
        cv2.rectangle(page, (800, 750), (1100, 1050), 85, 8)
    elif mark == "tiny":
        page = page[:40, :40]
    assert find_seals(page) == []


def test_a_seal_lighter_than_the_print_is_painted_out_whole_and_the_rules_across_it_stay():
    page = _sealed(tone=110)
    seals = find_seals(page)
    cleared, whole, distinct = clear_seals(page, seals, _reading(page))
    assert whole and distinct
    disk = np.zeros_like(page)
    cv2.circle(disk, CENTRE, RADIUS + 6, 255, -1)
    # Where it crosses the print, a pixel or two of the seal beside the print's strokes stays.
    clear = (disk > 0) & (cv2.dilate((table_page() < 128).astype(np.uint8), np.ones((9, 9), np.uint8)) == 0)
    assert ((page == 110) & clear).sum() > 3000
    assert ((cleared == 110) & clear).sum() < 0.02 * ((page == 110) & clear).sum()
    assert full_rows(cleared) == full_rows(table_page())
    dark = page < 60
    assert (cleared[dark] == page[dark]).all()  # print and rules untouched


def test_a_seal_as_dark_as_the_print_loses_only_its_ring():
    page = table_page()
    page[:, 160:490][page[:, 160:490] < 128] = 70  # grey figures (the rules stay black)
    page = _sealed(tone=85, page=page)
    seals = find_seals(page)
    assert seals
    cleared, whole, distinct = clear_seals(page, seals, _reading(page))
    assert not whole and not distinct
    ring = np.zeros_like(page)
    cv2.circle(ring, CENTRE, RADIUS, 255, 8)
    assert (cleared[ring > 0] < 100).mean() < 0.2  # the ring is gone (but where rules cross it)
    assert (cleared[(ring == 0) & (page == 85)] == 85).all()  # its star and words are left
    assert full_rows(cleared) == full_rows(table_page())


def test_a_seals_words_are_dropped_but_figures_and_darker_print_under_it_are_not():
    page = _sealed(tone=110)
    (seal,) = find_seals(page)
    x, y = int(seal.cx), int(seal.cy - 0.75 * seal.r)  # in the band of the seal's words
    page[y - 12:y + 12, x - 12:x + 12] = 110  # a character as light as the seal
    page[y - 12:y + 12, x + 16:x + 28] = 30  # a figure printed beside it
    inside = [("办", (x - 12, y - 12, x + 12, y + 12), 0.9), ("8", (x + 14, y - 12, x + 30, y + 12), 0.9)]
    outside = [("支", (200, 200, 224, 224), 0.9)]
    kept, dropped = seal_words([inside, outside], [seal], page)
    assert dropped == "办" and [c[0] for c in kept[0]] == ["8"] and kept[1] == outside
    kept, dropped = seal_words([inside, outside], [seal], page, words=False)  # painted out already
    assert dropped == "" and kept == [inside, outside]
    page[y - 4:y + 4, x - 12:x + 12] = 20  # printed, darker than the seal
    kept, dropped = seal_words([inside, outside], [seal], page)
    assert dropped == "" and [c[0] for c in kept[0]] == ["办", "8"]


def test_a_line_inside_a_seal_as_light_as_it_is_a_piece_of_the_seal():
    page = _sealed(tone=110)
    (seal,) = find_seals(page)
    x, y = int(seal.cx), int(seal.cy + 0.3 * seal.r)
    page[y - 12:y + 12, x - 4:x + 4] = 112  # a stroke of the seal, read as "1"
    page[y - 12:y + 12, x + 40:x + 48] = 30  # a "1" printed under the seal
    piece, printed = [("1", (x - 6, y - 14, x + 6, y + 14), 0.8)], [("1", (x + 38, y - 14, x + 50, y + 14), 0.9)]
    assert seal_words([piece, printed], [seal], page)[0] == [[], printed]
    # Where the print is as light as the seal, no line is taken for a piece of it.
    assert seal_words([piece, printed], [seal], page, pieces=False)[0] == [piece, printed]


@pytest.mark.parametrize("tone", [0.33, 0.55])  # about as dark as 150 dpi print; clearly lighter
def test_a_scanned_page_under_a_grey_seal_keeps_its_rules_and_sets_the_seals_words_aside(monkeypatch, tone):
    pytest.importorskip("rapidocr_onnxruntime", reason="the ocr extra is not installed")
    import extractor.ocr
    from extractor.ocr_rapid import RapidOcrBackend

    backend = RapidOcrBackend(threads=1)
    with pymupdf.open(SAMPLES / "000_5dac6d90f1d45d5f.pdf") as doc:
        page = doc[4]  # t2: amounts in the columns 240-370 pt from the left
        clean = page.get_pixmap(dpi=150, colorspace=pymupdf.csRGB, alpha=False)
        stamp_seal(page, (300, 250), grey=tone)
        stamped = page.get_pixmap(dpi=150, colorspace=pymupdf.csRGB, alpha=False)
        size = page.rect.width, page.rect.height
    before, after = backend.read(clean, *size), backend.read(stamped, *size)
    monkeypatch.setattr(extractor.ocr, "find_seals", lambda grey: [])
    left = backend.read(stamped, *size)  # the seal read as print, as before

    def columns(ocr_page) -> set[int]:
        """Where vertical rules stand across the seal's box (points, rounded)."""
        return {round(s.x0) for s in ocr_page.segments
                if abs(s.x0 - s.x1) < 1 and 230 < s.x0 < 370 and s.y1 > 190 and s.y0 < 310}

    def figures(ocr_page) -> Counter:
        return Counter(w.text for w in ocr_page.words if re.fullmatch(r"[\d,.]*\d", w.text))

    def seal_words_read(ocr_page) -> int:
        return sum(bool(re.search("[市普陀区政府办公室财务专用章]", w.text)) for w in ocr_page.words
                   if 230 < w.x0 < 370 and 180 < w.y0 < 320)

    # Its ring's sides were read as column rules, its words as cells' text.
    assert columns(left) - columns(before) and seal_words_read(left) > 0
    assert columns(after) == columns(before) and seal_words_read(after) == seal_words_read(before) == 0
    # Figures it crossed stay as hard to read: a painted stroke beside the print may cost one.
    assert sum((figures(after) & figures(before)).values()) >= sum((figures(left) & figures(before)).values()) - 1
    (seal,) = after.seals
    assert seal.x0 < 300 < seal.x1 and seal.y0 < 250 < seal.y1 and re.search("[普陀]", seal.text)
    assert before.seals == left.seals == []


def test_a_scanned_documents_seal_is_kept_in_its_source(tmp_path):
    pytest.importorskip("rapidocr_onnxruntime", reason="the ocr extra is not installed")
    from extractor.pipeline import Options, extract
    from schemas import Document

    with pymupdf.open(SAMPLES / "000_5dac6d90f1d45d5f.pdf") as doc:
        page = doc[4]
        stamp_seal(page, (300, 250), grey=0.55)
        pix = page.get_pixmap(dpi=150, colorspace=pymupdf.csRGB, alpha=False)
        with pymupdf.open() as scan:  # an image-only page, as a scanner makes it
            scan.new_page(width=page.rect.width, height=page.rect.height).insert_image(page.rect, pixmap=pix)
            scan.save(tmp_path / "sealed.pdf")
    read = extract(tmp_path / "sealed.pdf", Options())
    (seal,) = read.source.seals
    x0, y0, x1, y1 = seal.box
    assert seal.page == 1 and x0 < 300 < x1 and y0 < 250 < y1 and 100 < x1 - x0 < 140
    assert Document.model_validate_json(read.model_dump_json()).source.seals == read.source.seals
