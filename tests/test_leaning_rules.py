"""A table photographed at an angle: its column rules converge, and the frame is still squared."""

from __future__ import annotations

import cv2
import numpy as np

from extractor.rectify import frame_warp, long_rules, straighten


def table_page() -> np.ndarray:
    page = np.full((2000, 2800), 255, np.uint8)
    for y in range(300, 1701, 50):
        cv2.line(page, (200, y), (2600, y), 0, 1)
    for x in (200, 700, 1200, 1700, 2200, 2600):
        cv2.line(page, (x, 300), (x, 1700), 0, 1)
    return page


def at_an_angle(page: np.ndarray) -> np.ndarray:
    """The top edge pulled in from the left by 8% of the width: the column rules converge, the
    leftmost leaning ~8°, and the rows stay level."""
    h, w = page.shape
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = np.float32([[0.08 * w, 0], [w - 0.01 * w, 0], [w, h], [0, h]])
    return cv2.warpPerspective(page, cv2.getPerspectiveTransform(src, dst), (w, h), borderValue=255)


def upright(grey: np.ndarray) -> list[float]:
    """Where the column rules found by an upright opening are (x at their middle)."""
    return sorted(float(line[0]) for line, _ in long_rules(grey, horizontal=False))


def test_converging_column_rules_are_found_and_squared():
    photo = at_an_angle(table_page())
    assert min(upright(photo), default=2800) > 400  # leaning ~8°, the left frame rule is not found
    warp = frame_warp(photo)
    assert warp is not None
    squared = straighten(photo, warp)
    assert len(upright(squared)) == 6  # every column rule upright again
    for (x0, y0, vx, vy), _ in long_rules(squared, horizontal=False):
        assert abs(vx / vy) < 0.01


def test_a_square_table_is_left_alone():
    assert frame_warp(table_page()) is None
