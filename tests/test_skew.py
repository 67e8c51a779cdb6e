"""Skew is found by its rows, within the usual few degrees and for a sheet fed crooked."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from extractor.rectify import SKEW_USUAL, estimate_skew, rotate_image


def table_page() -> np.ndarray:
    """A ruled portrait page of figures in grey, with a title and a wide white margin."""
    page = np.full((1400, 1000), 255, np.uint8)
    cv2.putText(page, "2024 BUDGET SUMMARY", (220, 110), cv2.FONT_HERSHEY_SIMPLEX, 1.4, 0, 3, cv2.LINE_AA)
    for y in range(200, 1240, 40):
        cv2.line(page, (120, y), (880, y), 0, 2)
        cv2.putText(page, f"{y * 37:,}.{y % 100:02d}", (150, y + 30), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 0, 2,
                    cv2.LINE_AA)
        cv2.putText(page, f"{y * 11:,}.00", (560, y + 30), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 0, 2, cv2.LINE_AA)
    for x in (120, 500, 880):
        cv2.line(page, (x, 200), (x, 1240), 0, 2)
    return page


@pytest.mark.parametrize("lean", [-10.0, -7.5, -5.0, -2.0, 0.0, 1.3, 3.5, 6.5, 11.0])
def test_the_lean_is_found_and_undone(lean):
    crooked = rotate_image(table_page(), lean)
    found = estimate_skew(crooked)
    assert found == pytest.approx(-lean, abs=0.2)
    # Turned back by what was found, the rows are level again.
    assert estimate_skew(rotate_image(crooked, found)) == pytest.approx(0.0, abs=0.2)


@pytest.mark.parametrize("lean", [-3.0, -0.6, 2.4])
def test_a_usual_lean_is_found_as_by_the_usual_search_alone(lean):
    crooked = rotate_image(table_page(), lean)
    assert estimate_skew(crooked) == estimate_skew(crooked, limit=SKEW_USUAL)


def test_a_blank_page_is_left_level():
    assert estimate_skew(np.full((1400, 1000), 250, np.uint8)) == 0.0
