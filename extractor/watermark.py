"""Watermarks: words printed lighter than the print, repeated across the page at a slant or large.

Disclosures are often published with a watermark (内部资料, a unit's name, 仅供参考) in light grey
over every page. Scanned, it is ink like any other: OCR read its words with confidence, they
broke the page's own lines where they crossed them (a table's title read in pieces, so the table
was not found) and stood among the cells. Its signature is its slant: a deskewed page's own lines
lie level (or stand, for vertical text), while a watermark's lines run at one angle between the
two, several of them. Where that is found, and the watermark is lighter than the page's print,
every pixel as light as the watermark's strokes is painted paper and the page is read again;
lines that still slant are dropped. A page without such lines is left alone.

A watermark may also run level: then its sign is its size. Lines at least ``TALL`` times the
height of the page's own lines, two or more of them, lighter than the print by the same margin,
are painted out the same way; a large title as dark as the print is print and stays.

A text layer says each line's direction: a slanted line there is a watermark too. Either way the
watermark's words are kept with the document (``Source.watermarks``), not read as print.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

from .orientation import box_bounds, box_height

SLANT = (15.0, 75.0)  # degrees from level: a line between is neither the page's row nor a column
MIN_ASPECT = 2.0  # a line's length over its height: a squarer box's slant means nothing
MIN_LINES = 3  # slanted lines that agree: one or two are a seal's ring or a scribble
AGREE = 5.0  # degrees: the most the watermark's lines differ from their median slant
# Percentiles of a box's pixels (a box is mostly paper): the watermark's darker strokes, and the
# cores of the print's strokes (small print at 150 dpi is grey but for its cores).
MARK_STROKE = 5
PRINT_CORE = 2
KEEP_TEXTS = 3  # distinct texts of a page's watermark kept
TALL = 2.0  # a level watermark's lines over the median height of the page's level lines
REGION_PAD = 0.5  # of a watermark line's height: its band beyond the line's box, above and below
MIN_TALL = 2  # such lines: a watermark is tiled; one large light line may be a cover's title
MIN_GAP = 0.2  # share of the paper's brightness the print must be darker than the watermark
BESIDE = 3  # pixels: a print core's light edge
MARGIN = 0.04  # share of the paper's brightness: pixels this much darker than the watermark stay


def slant(box) -> float | None:
    """The angle (degrees, -90..90, 0 = level) of a line box's long side; None for a squarish box."""
    q = np.asarray(box, dtype=np.float64)
    if q.shape != (4, 2):
        return None
    top, side = q[1] - q[0], q[3] - q[0]
    long, short = (top, side) if np.hypot(*top) >= np.hypot(*side) else (side, top)
    if np.hypot(*long) < MIN_ASPECT * max(np.hypot(*short), 1.0):
        return None
    angle = math.degrees(math.atan2(long[1], long[0]))
    return (angle + 90.0) % 180.0 - 90.0


def slanted(angle: float) -> bool:
    """Whether a line running at ``angle`` degrees (any quadrant) is neither a row nor a column."""
    folded = abs(angle) % 180.0
    return SLANT[0] <= min(folded, 180.0 - folded) <= SLANT[1]


def _slanted(result) -> list[tuple[int, float]]:
    """(index, slant) of a reading's lines of two characters or more that run at a slant."""
    found = []
    for i, item in enumerate(result):
        angle = slant(item[0]) if len(item[1]) >= 2 else None
        if angle is not None and slanted(angle):
            found.append((i, angle))
    return found


def watermark_slant(result) -> float | None:
    """The slant of a reading's watermark: the median of at least MIN_LINES slanted lines that
    agree within AGREE degrees; None when there are fewer."""
    slanted = _slanted(result)
    if len(slanted) < MIN_LINES:
        return None
    middle = float(np.median([a for _, a in slanted]))
    agreeing = [a for _, a in slanted if abs(a - middle) <= AGREE]
    return float(np.median(agreeing)) if len(agreeing) >= MIN_LINES else None


def lines_at(result, angle: float) -> list[int]:
    """Indices of a reading's slanted lines within AGREE degrees of ``angle``."""
    return [i for i, a in _slanted(result) if abs(a - angle) <= AGREE]


def level_lines(result) -> list:
    """Boxes of a reading's level lines of two characters or more: the page's own print."""
    return [item[0] for item in result if _level(item)]


def _level(item) -> bool:
    """Whether a reading's line of two characters or more lies level."""
    return len(item[1]) >= 2 and (a := slant(item[0])) is not None and abs(a) < SLANT[0]


def watermark_height(result) -> float | None:
    """The height from which a reading's level lines are a level watermark's (``TALL`` times the
    median height of its level lines), when at least ``MIN_TALL`` lines reach it and they are
    tiled (one's text repeats in another) or lie over the print (one crosses a line of it); a
    cover's large title lines do neither. Else None."""
    heights = [box_height(box) for box in level_lines(result)]
    if len(heights) < 2 * MIN_TALL:
        return None
    tall = TALL * float(np.median(heights))
    marks = set(lines_taller(result, tall))
    if len(marks) < MIN_TALL:
        return None
    texts = [result[i][1].strip() for i in marks]
    tiled = any(a in b for j, a in enumerate(texts) for k, b in enumerate(texts) if j != k and len(a) >= 2)
    others = [box_bounds(item[0]) for i, item in enumerate(result) if i not in marks]
    over = any(_overlap(box_bounds(result[i][0]), other) for i in marks for other in others)
    return tall if tiled or over else None


def _overlap(a, b) -> bool:
    return min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])


def lines_taller(result, height: float) -> list[int]:
    """Indices of a reading's level lines of two characters or more at least ``height`` high."""
    return [i for i, item in enumerate(result) if _level(item) and box_height(item[0]) >= height]




def watermark_text(lines) -> str:
    """A page's watermark as one string: its lines' distinct texts, the most repeated first
    (OCR reads the same tile a character off now and then), at most KEEP_TEXTS of them."""
    counts = Counter(t for t in (line.strip() for line in lines) if t)
    return " / ".join(text for text, _ in counts.most_common(KEEP_TEXTS))


def box_tone(grey: np.ndarray, box, percentile: float) -> float | None:
    """A percentile of the tones inside a box's polygon."""
    import cv2

    points = np.asarray(box, dtype=np.int32)
    x0, y0 = np.maximum(points.min(axis=0), 0)
    x1, y1 = points.max(axis=0) + 1
    patch = grey[y0:y1, x0:x1]
    if not patch.size:
        return None
    mask = np.zeros(patch.shape, np.uint8)
    cv2.fillPoly(mask, [points - [x0, y0]], 255)
    values = patch[mask > 0]
    return float(np.percentile(values, percentile)) if values.size else None


def rect_tone(grey: np.ndarray, rect, percentile: float) -> float | None:
    """A percentile of the tones inside an upright rectangle (x0, y0, x1, y1)."""
    x0, y0, x1, y1 = rect
    return box_tone(grey, [(x0, y0), (x1, y0), (x1, y1), (x0, y1)], percentile)


def clear_watermark(grey: np.ndarray, watermark_boxes, print_boxes, region: np.ndarray | None = None) -> np.ndarray | None:
    """The grey page with the watermark painted paper, or None when the print is not clearly
    darker than the watermark.

    A pixel as light as the watermark's strokes is painted, but not beside a core of print
    (darker than half way from the print to the watermark): small print at 150 dpi is grey but
    for its cores, and a page-wide cut thinned its digits (001's 款 and 项 codes were lost).
    The whole page, not only the watermark's line boxes: where it runs over a table the detector
    does not find it as lines. ``region``: a mask to paint within instead of the whole page."""
    marks = [t for t in (box_tone(grey, b, MARK_STROKE) for b in watermark_boxes) if t is not None]
    prints = [t for t in (box_tone(grey, b, PRINT_CORE) for b in print_boxes) if t is not None]
    if not marks or not prints:
        return None
    paper = float(np.percentile(grey, 90))
    mark, ink = float(np.median(marks)), float(np.median(prints))
    if mark - ink < MIN_GAP * paper:
        return None
    return paint_lighter(grey, mark, (mark + ink) / 2, paper, region)


def paint_lighter(grey: np.ndarray, mark: float, core: float, paper: float,
                  region: np.ndarray | None = None) -> np.ndarray:
    """The grey page with pixels as light as a mark's strokes (tone ``mark``) painted ``paper``,
    but not beside a core of print (darker than ``core``), within ``region`` (a mask) or the
    whole page."""
    import cv2

    cores = (grey < core).astype(np.uint8)
    beside = cv2.dilate(cores, np.ones((2 * BESIDE + 1, 2 * BESIDE + 1), np.uint8))
    paint = (beside == 0) & (grey >= mark - MARGIN * paper)
    if region is not None:
        paint &= region
    cleared = grey.copy()
    cleared[paint] = int(paper)
    return cleared


def without_watermark(grey: np.ndarray, result: list, angle: float, recognise) -> tuple[list, np.ndarray, str]:
    """A reading without its watermark, the grey its rules are found in, and the watermark's
    text: the page read again (``recognise``, grey → reading) with the watermark painted paper,
    when its print is darker (a watermark's strokes made short "rules" that split columns);
    lines that still slant are dropped."""
    marks = lines_at(result, angle)
    text = watermark_text(result[i][1] for i in marks)
    cleared = clear_watermark(grey, [result[i][0] for i in marks], level_lines(result))
    if cleared is not None:
        result, grey = recognise(cleared), cleared
    marked = set(lines_at(result, angle))
    return [item for i, item in enumerate(result) if i not in marked], grey, text


def without_level_watermark(grey: np.ndarray, result: list, height: float, recognise) -> tuple[list, np.ndarray, str]:
    """Like ``without_watermark`` for a level watermark, its lines told by their ``height``;
    only when they are lighter than the print (else nothing changes and no text is returned).
    Lines still that high and as light after the page is read again are dropped."""
    marks = set(lines_taller(result, height))
    print_boxes = [item[0] for i, item in enumerate(result) if i not in marks and _level(item)]
    # Painted only in the bands its lines run along (the whole width: a character of it the
    # detector joined to a line of print is in the band too): small print's anti-aliased edges
    # are as light as a watermark, and a page-wide paint thinned digits (12.54 read 12.34).
    region = np.zeros(grey.shape, bool)
    for i in marks:
        _, y0, _, y1 = box_bounds(result[i][0])
        pad = REGION_PAD * (y1 - y0)
        region[max(0, int(y0 - pad)):max(0, int(y1 + pad) + 1)] = True
    cleared = clear_watermark(grey, [result[i][0] for i in marks], print_boxes, region)
    if cleared is None:
        return result, grey, ""
    text = watermark_text(result[i][1] for i in sorted(marks))
    tones = [t for t in (box_tone(grey, result[i][0], MARK_STROKE) for i in marks) if t is not None]
    result = recognise(cleared)
    light = min(tones) - MARGIN * float(np.percentile(grey, 90))
    left = {i for i in lines_taller(result, height) if (box_tone(cleared, result[i][0], MARK_STROKE) or 0) >= light}
    return [item for i, item in enumerate(result) if i not in left], cleared, text
