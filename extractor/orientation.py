"""Which way up a scanned page is read: votes and measures over a reading's line boxes."""

from __future__ import annotations

from .hanzi import count_han


def box_width(box) -> float:
    """The width of a box given by its points."""
    return max(p[0] for p in box) - min(p[0] for p in box)


def box_height(box) -> float:
    """The height of a box given by its points."""
    return float(max(p[1] for p in box) - min(p[1] for p in box))


def box_bounds(box) -> tuple[float, float, float, float]:
    """The upright rectangle (x0, y0, x1, y1) around a box given by its points."""
    xs, ys = [p[0] for p in box], [p[1] for p in box]
    return min(xs), min(ys), max(xs), max(ys)


def line_lengths(boxes) -> tuple[float, float]:
    """Summed length of the clearly lying and the clearly standing lines among boxes (a lone
    digit's box is taller than wide, a short word's nearly square after unclipping)."""
    lying = standing = 0.0
    for box in boxes:
        w = max(p[0] for p in box) - min(p[0] for p in box)
        h = max(p[1] for p in box) - min(p[1] for p in box)
        lying += w if w > 2 * h else 0.0
        standing += h if h > 2 * w else 0.0
    return lying, standing


def upright_vote(labels) -> float:
    """Confidence-weighted vote of the line classifier: positive for upright, negative for 180°."""
    return sum(score if "180" not in label else -score for label, score in labels)


def readability(result) -> float:
    """Confidence-weighted count of CJK characters read: high only for text the right way up."""
    return sum(float(item[2]) * count_han(item[1]) for item in result)


def mostly_tall(result) -> bool:
    """True when most recognised boxes stand upright (text running down the page)."""
    tall = wide = 0
    for item in result:
        box = item[0]
        w = abs(box[1][0] - box[0][0])
        h = abs(box[2][1] - box[0][1])
        if len(item[1]) >= 2:  # a single character is square either way
            tall += h > 1.5 * w
            wide += w > 1.5 * h
    return tall > wide
