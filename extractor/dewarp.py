"""Flatten a bowed page: a curled sheet photographed or scanned bows its rows and rules.

Straight rules are what the grid reader stands on; a row rule that bows by more than a row's
height is found only in pieces, and rows drift across the page's lines. The bow is measured on
the page's own long horizontal rules (each fitted as a smooth curve) and undone by moving every
column of pixels up or down, interpolated between the rules. A page whose rules are straight
(deskewed and squared already) is left alone.
"""

from __future__ import annotations

import numpy as np

from .rectify import ink

MIN_RULE = 0.4  # share of the page's width a rule must span to be measured
MIN_BOW = 0.004  # share of the page's height: a bow this small is within the grid's tolerance
MAX_BOW = 0.08  # a larger "bow" is no curled rule (a drawing, a chart)
DEGREE = 3  # a curl's rule is smooth: a cubic through its points
MIN_RULES = 3  # a table's frame and header rules at least; fewer bowing lines are no table
EDGE = 0.02  # share of the height: a line this near the top or bottom is the sheet's edge


def bowed_rules(grey: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """The page's long horizontal rules as curves: (x samples, y at each), only when they bow."""
    import cv2

    # Measured at half size (a quarter of the work: ~0.03 CPU s a page that does not bow).
    small = cv2.resize(grey, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    h, w = small.shape
    # Short pieces of rule survive an opening whatever their slope along the bow.
    pieces = cv2.morphologyEx(ink(small), cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (13, 1)))
    joined = cv2.dilate(pieces, cv2.getStructuringElement(cv2.MORPH_RECT, (9, 3)))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(joined)
    curves, bows = [], []
    for i in range(1, count):
        x, y, cw, ch = stats[i, :4]
        if cw < MIN_RULE * w or ch > MAX_BOW * h + 5 or y < EDGE * h or y + ch > (1 - EDGE) * h:
            continue
        ys, xs = np.nonzero((labels[y:y + ch, x:x + cw] == i) & (pieces[y:y + ch, x:x + cw] > 0))
        if len(xs) < 0.5 * cw:
            continue
        columns = np.bincount(xs, minlength=cw)
        mean_y = np.bincount(xs, weights=ys, minlength=cw)[columns > 0] / columns[columns > 0]
        at = np.flatnonzero(columns > 0)
        fit = np.polyfit(at, mean_y, DEGREE)
        samples = np.arange(0, cw, 4)
        curve = np.polyval(fit, samples)
        bows.append(float(np.ptp(curve - np.polyval(np.polyfit(samples, curve, 1), samples))))
        curves.append((2.0 * (samples + x), 2.0 * (curve + y)))
    if len(curves) < MIN_RULES or float(np.median(bows)) < MIN_BOW * h:
        return []
    return curves


def flatten(img: np.ndarray, curves: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """The page with each curve laid level at its mean height, the pixels between moved with them."""
    import cv2

    h, w = img.shape[:2]
    xs = np.arange(0, w, 8, dtype=np.float32)
    levels, shifts = [], []
    for cx, cy in sorted(curves, key=lambda c: float(np.mean(c[1]))):
        level = float(np.mean(cy))
        # Beyond a rule's ends its bow is held at the end's value.
        shifts.append(np.interp(xs, cx, cy) - level)
        levels.append(level)
    levels_arr, shifts_arr = np.asarray(levels), np.asarray(shifts)  # (rules,), (rules, columns)
    rows = np.arange(h, dtype=np.float32)
    coarse = np.empty((h, len(xs)), np.float32)
    for j in range(len(xs)):
        coarse[:, j] = np.interp(rows, levels_arr, shifts_arr[:, j])
    shift = cv2.resize(coarse, (w, h), interpolation=cv2.INTER_LINEAR)
    map_x = np.broadcast_to(np.arange(w, dtype=np.float32), (h, w))
    map_y = rows[:, None] + shift
    border = (255, 255, 255) if img.ndim == 3 else 255
    return cv2.remap(img, np.ascontiguousarray(map_x), map_y, cv2.INTER_LINEAR, borderValue=border)
