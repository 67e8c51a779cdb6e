"""Scanner streaks: thin edge-to-edge lines from a sheet feeder are painted out, not read as rules."""

from __future__ import annotations

from collections import Counter

import numpy as np

from extractor.ocr import find_rules
from extractor.streaks import without_streaks
from tests.scan_support import as_pixmap, draw_streaks, ocr_backend, sample_t1_page, table_page


def _verticals_at(grey: np.ndarray, x: int) -> int:
    return sum(1 for x0, y0, x1, y1 in find_rules(grey) if x0 == x1 and abs(x0 - x) <= 3)


def test_streaks_through_a_table_are_painted_out_and_its_rules_kept():
    page = table_page()
    streaked = draw_streaks(page, [330, 1320])
    assert _verticals_at(streaked, 331) >= 1  # read as a rule splitting the figures' column

    cleaned, found = without_streaks(streaked, dpi=200)
    assert found == 2
    assert _verticals_at(cleaned, 331) == 0 and _verticals_at(cleaned, 1321) == 0
    assert (cleaned[100, 325:338] > 230).all()  # the margin above the table is paper again
    assert (cleaned[300:1800, 500] < 128).all()  # the table's own rules stay whole
    assert (cleaned[600, 320:340] < 128).all()  # where the streak crosses a row rule, the rule stays


def test_two_streaks_side_by_side_are_lifted_together():
    # Each one's paper beside it is the other: lifted apart, neither had bare paper to measure by.
    cleaned, found = without_streaks(draw_streaks(table_page(), [330, 333]), dpi=200)
    assert found == 1 and _verticals_at(cleaned, 332) == 0 and (cleaned[100, 325:340] > 230).all()


def test_a_page_without_streaks_comes_back_as_it_was():
    page = table_page()
    cleaned, found = without_streaks(page, dpi=200)
    assert found == 0 and cleaned is page


def test_a_rule_inside_the_margins_and_a_dark_band_are_not_streaks():
    page = table_page()
    page[60:1940, 700:702] = 0  # a rule from 3% to 97% of the page: printed, not the scanner's
    page[:, 1360:1400] = 40  # a dark band 40 px wide along an edge (a shadow, not dust)
    cleaned, found = without_streaks(page, dpi=200)
    assert found == 0 and (cleaned == page).all()


def test_a_streak_across_a_page_stored_turned_is_found():
    turned = np.ascontiguousarray(draw_streaks(table_page(), [330]).T)
    cleaned, found = without_streaks(turned, dpi=200)
    assert found == 1 and (cleaned[325:338, 100] > 230).all()


def test_colour_pages_are_painted_in_every_channel():
    page = np.repeat(table_page()[:, :, None], 3, axis=2)
    cleaned, found = without_streaks(draw_streaks(page, [330]), dpi=200)
    assert found == 1 and (cleaned[100, 325:338] > 230).all()


def test_a_streaked_scan_reads_as_the_clean_one(monkeypatch):
    import extractor.ocr

    backend = ocr_backend()
    arr, size = sample_t1_page()
    clean = as_pixmap(arr)
    xs = [int(clean.w * share) for share in (0.3, 0.62, 0.9)]
    streaked = as_pixmap(draw_streaks(arr, xs))
    scale = size[0] / clean.w

    def at_streaks(ocr_page) -> int:
        return sum(1 for s in ocr_page.segments if s.x0 == s.x1 and min(abs(s.x0 - x * scale) for x in xs) < 2)

    before, after = backend.read(clean, *size), backend.read(streaked, *size)
    monkeypatch.setattr(extractor.ocr, "without_streaks", lambda img, dpi: (img, 0))
    left = backend.read(streaked, *size)
    assert at_streaks(left) >= 3 and at_streaks(after) == at_streaks(before) == 0
    printed, read = Counter("".join(w.text for w in before.words)), Counter("".join(w.text for w in after.words))
    assert sum(printed.values()) > 500
    assert sum((read & printed).values()) >= 0.99 * sum(printed.values()) and sum((read - printed).values()) <= 2
