"""The paper under a scan: a dark backdrop around the sheet is cleared, a dim grey page made white."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from extractor.ocr import find_rules
from extractor.paper import clear_backdrop, level_paper
from extractor.rectify import estimate_skew, rotate_image
from tests.scan_support import full_rows, table_page


def dim(page: np.ndarray, paper: int = 150, print_: int = 60) -> np.ndarray:
    """A dark grey scan of the page: its paper at paper, its print at print_."""
    return (print_ + page.astype(np.float32) / 255 * (paper - print_)).astype(np.uint8)


def on_glass(page: np.ndarray, angle: float, at=(0.05, 0.05), grow: float = 1.12, dark: int = 35) -> np.ndarray:
    """The page laid turned by angle degrees on a darker glass grow times its size."""
    h, w = page.shape[:2]
    big = (int(h * grow), int(w * grow))
    canvas = np.full(big + page.shape[2:], dark, np.uint8)
    y, x = int(at[0] * h), int(at[1] * w)
    canvas[y:y + h, x:x + w] = page
    turn = cv2.getRotationMatrix2D((big[1] / 2, big[0] / 2), angle, 1)
    fill = (dark,) * (page.shape[2] if page.ndim == 3 else 1)
    return cv2.warpAffine(canvas, turn, (big[1], big[0]), borderValue=fill)


def test_the_glass_around_a_crooked_sheet_is_cleared():
    scan = on_glass(table_page(), 2.0)
    cleared = clear_backdrop(scan)
    assert cleared is not scan and cleared.shape == scan.shape
    # The glass was dark at every corner; now the corners are paper.
    for corner in (cleared[:20, :20], cleared[:20, -20:], cleared[-20:, :20], cleared[-20:, -20:]):
        assert corner.min() > 200
    # Turned level, the sheet's edges were four long "rules" framing the table (its columns and
    # rows bounded by them); cleared, only the table's own rules are left.
    assert len(longer_than_the_table(scan)) == 4
    assert longer_than_the_table(cleared) == []
    level = rotate_image(cleared, estimate_skew(cleared))
    assert full_rows(level) == 26


def longer_than_the_table(scan: np.ndarray) -> list:
    """Rules found on the scan turned level that are longer than the table's (1100 x 1500 px)."""
    level = rotate_image(scan, estimate_skew(scan))
    return [r for r in find_rules(level) if max(r[2] - r[0], r[3] - r[1]) > (1150 if r[1] == r[3] else 1550)]


def test_a_sheet_in_a_corner_of_the_glass_in_colour():
    page = cv2.cvtColor(table_page(), cv2.COLOR_GRAY2RGB)
    page[:] = (page.astype(np.float32) * [0.97, 0.95, 0.85]).astype(np.uint8)  # yellowed paper
    scan = on_glass(page, -1.0, at=(0.0, 0.0), grow=1.08)
    cleared = clear_backdrop(scan)
    assert cleared is not scan
    assert (cleared[-15:, -15:] == cleared[-15:, -15:].reshape(-1, 3)[0]).all()  # one paper colour
    assert cleared[-15:, -15:].reshape(-1, 3)[0][2] < 240  # the paper's yellow, not white


@pytest.mark.parametrize("make", [
    lambda: table_page(),  # white paper, black print
    lambda: dim(table_page()),  # a dark grey scan
    lambda: cv2.rectangle(table_page(), (0, 0), (1399, 1999), 0, 3),  # a frame along the edges
    lambda: cv2.rectangle(table_page(), (0, 0), (1399, 12), 0, -1),  # a scanner's shadow line
    lambda: np.zeros((3, 2, 3), np.uint8),  # a page of a few pixels
    lambda: (table_page() * np.clip(0.5 + np.arange(1400) / 600, 0, 1)).astype(np.uint8),  # light falling off
])
def test_a_page_without_a_backdrop_is_left_alone(make):
    page = make()
    assert clear_backdrop(page) is page


def test_a_dim_grey_scan_is_stretched_to_white_paper_and_black_print():
    scan = dim(table_page())
    levelled = level_paper(scan)
    assert levelled is not scan
    assert np.percentile(levelled, 90) == 255 and levelled.min() == 0
    # Order kept: what was darker is not lighter now.
    ordered = np.argsort(scan.ravel()[::997], kind="stable")
    assert (np.diff(levelled.ravel()[::997][ordered].astype(int)) >= 0).all()
    colour = level_paper(cv2.cvtColor(scan, cv2.COLOR_GRAY2RGB))
    assert colour.shape == scan.shape + (3,) and (colour[..., 0] == levelled).all()


@pytest.mark.parametrize("make", [
    lambda: table_page(),
    lambda: dim(table_page(), paper=230, print_=20),  # the eval scans' darkest paper
    lambda: dim(table_page(), paper=254, print_=180),  # toner running out on white paper
    lambda: np.full((400, 300), 120, np.uint8),  # a grey page with nothing printed
    lambda: np.zeros((3, 2, 3), np.uint8),  # a page of a few pixels
])
def test_light_paper_or_a_blank_page_is_left_alone(make):
    page = make()
    assert level_paper(page) is page
