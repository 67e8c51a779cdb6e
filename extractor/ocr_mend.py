"""Second looks at OCR lines that are certainly cut short.

The text detector misses a thin leading stroke: "一、财政拨款" comes back as "、财政拨款" (the
"一" a single horizontal stroke, "二" two), which no Chinese text begins with. Such a line is
read again from a crop widened to the left by a few characters' height; the new reading is kept
when it is the old one with a numeral in front.
"""

from __future__ import annotations

import numpy as np

NUMERALS = "一二三四五六七八九十"
WIDEN = 1.6  # line heights added on the left: room for "一" or "十一" beside the 、
_RULE_MARKS = "|丨l1I[]"  # a cell's rule caught at the crop's left edge, read as a mark


def cut_lines(result: list) -> list[int]:
    """Indexes of recognised lines that begin with an enumeration comma: their numeral was lost."""
    return [i for i, item in enumerate(result) if str(item[1]).startswith("、") and len(item[1]) > 1]


def mend_numerals(img: np.ndarray, result: list, recognise) -> list:
    """result with each cut line read again from a widened crop; recognise(crops) → [(text, score)]."""
    cut = cut_lines(result)
    if not cut:
        return result
    h_img, w_img = img.shape[:2]
    crops, boxes = [], []
    for i in cut:
        xs, ys = [p[0] for p in result[i][0]], [p[1] for p in result[i][0]]
        x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
        left = max(0, int(x0 - WIDEN * (y1 - y0)))
        crops.append(np.ascontiguousarray(img[max(0, int(y0)):min(h_img, int(y1) + 1), left:min(w_img, int(x1) + 1)]))
        boxes.append((left, y0, x1, y1))
    out = list(result)
    for i, box, (text, score) in zip(cut, boxes, recognise(crops)):
        text = text.lstrip(_RULE_MARKS)
        old = str(result[i][1])
        if len(text) >= 2 and text[0] in NUMERALS and text.lstrip(NUMERALS) == old:
            # The widened box holds the numeral; the old box's right edge and height are kept.
            x0 = box[2] - (box[2] - min(p[0] for p in result[i][0])) * len(text) / len(old)
            out[i] = [[(x0, box[1]), (box[2], box[1]), (box[2], box[3]), (x0, box[3])], text,
                      min(float(score), float(result[i][2]))]
    return out


MIN_HEIGHT = 0.6  # of the page's median line height: a digit, not a speck
MAX_HEIGHT = 1.6  # taller is a drawing or a seal's remains, not one line of print
KEEP_INK = 0.85  # a reading of ink the detector passed over is kept only this sure


def unread_ink(grey: np.ndarray, result: list) -> list[tuple[int, int, int, int]]:
    """Boxes (x0, y0, x1, y1) of printed marks no recognised line covers, sized like a line of text.

    The detector passes over a lone "0" in a cell (a ring of ink too small to score as text):
    the cell reads blank, and a blank adds nothing, so no identity breaks. grey has its rules
    and seals taken out already.
    """
    import cv2

    from .rectify import ink

    heights = sorted(max(p[1] for p in item[0]) - min(p[1] for p in item[0]) for item in result)
    if len(heights) < 5:
        return []
    line = heights[len(heights) // 2]
    binary = ink(grey)
    for item in result:  # what was read is not unread
        xs, ys = [p[0] for p in item[0]], [p[1] for p in item[0]]
        binary[max(0, int(min(ys)) - 2):int(max(ys)) + 3, max(0, int(min(xs)) - 2):int(max(xs)) + 3] = 0
    binary = cv2.morphologyEx(binary, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))  # salt-and-pepper
    # The glyphs of one number are a stroke's width apart: join them into one box.
    joined = cv2.dilate(binary, cv2.getStructuringElement(cv2.MORPH_RECT, (max(3, int(line * 0.4)), 1)))
    count, _, stats, _ = cv2.connectedComponentsWithStats(joined)
    out = []
    for x, y, w, h, area in stats[1:count]:
        if MIN_HEIGHT * line <= h <= MAX_HEIGHT * line and w <= 12 * line \
                and cv2.countNonZero(binary[y:y + h, x:x + w]) >= 0.08 * w * h:
            out.append((int(x), int(y), int(x + w), int(y + h)))
    return out


def read_unread_ink(img: np.ndarray, result: list, recognise) -> list:
    """result plus the sure readings of the ink it passed over (see unread_ink), one word each."""
    import cv2

    grey = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY) if img.ndim == 3 else img
    boxes = unread_ink(grey, result)
    if not boxes:
        return result
    h_img, w_img = img.shape[:2]
    crops = []
    for x0, y0, x1, y1 in boxes:
        pad = max(2, (y1 - y0) // 3)
        crops.append(np.ascontiguousarray(img[max(0, y0 - pad):min(h_img, y1 + pad), max(0, x0 - pad):min(w_img, x1 + pad)]))
    found = []
    for (x0, y0, x1, y1), (text, score) in zip(boxes, recognise(crops)):
        text = text.strip()
        if text and float(score) >= KEEP_INK and any(ch.isalnum() for ch in text):
            found.append([[(x0, y0), (x1, y0), (x1, y1), (x0, y1)], text, float(score)])
    return result + found
