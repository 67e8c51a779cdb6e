"""Dithered pages (a fax, a one-bit scan of grey paper) are smoothed back to grey before OCR."""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

from extractor.rectify import descreen, dithered


def table_page(paper: int = 255) -> np.ndarray:
    """A ruled page of figures in grey, print anti-aliased."""
    page = np.full((700, 500), paper, np.uint8)
    for y in range(60, 660, 40):
        cv2.line(page, (40, y), (460, y), 0, 2)
        cv2.putText(page, f"{y * 37:,}.{y % 100:02d}", (60, y + 30), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 0, 2,
                    cv2.LINE_AA)
    for x in (40, 250, 460):
        cv2.line(page, (x, 60), (x, 660), 0, 2)
    return page


def one_bit(grey: np.ndarray, dither: bool) -> np.ndarray:
    img = Image.fromarray(grey).convert("1", dither=Image.Dither.FLOYDSTEINBERG if dither else Image.Dither.NONE)
    return np.asarray(img.convert("L"))


def test_a_dithered_page_is_told_from_a_thresholded_or_speckled_one():
    grey = table_page(paper=225)  # dull paper: the dither spreads its grey as dots
    assert dithered(one_bit(grey, dither=True))
    assert not dithered(one_bit(grey, dither=False))
    assert not dithered(grey)
    speckled = one_bit(table_page(), dither=False).copy()
    rng = np.random.default_rng(0)
    speckled[rng.random(speckled.shape) < 0.003] = 0  # salt and pepper over the page
    assert not dithered(speckled)
    assert not dithered(np.full((50, 50), 255, np.uint8))


def test_only_a_dithered_page_is_smoothed():
    grey = table_page(paper=225)
    plain = cv2.cvtColor(one_bit(grey, dither=False), cv2.COLOR_GRAY2RGB)
    assert descreen(plain) is plain
    dots = cv2.cvtColor(one_bit(grey, dither=True), cv2.COLOR_GRAY2RGB)
    smooth = descreen(dots)
    assert smooth.shape == dots.shape
    # The paper's dots become an even grey: far fewer lone dark pixels.
    assert not dithered(smooth)
