"""Second looks at OCR lines that are certainly cut short.

The text detector misses a thin leading stroke: "一、财政拨款" comes back as "、财政拨款" (the
"一" a single horizontal stroke, "二" two), which no Chinese text begins with. Such a line is
read again from a crop widened to the left by a few characters' height; the new reading is kept
when it is the old one with a numeral in front.
"""

from __future__ import annotations

import numpy as np

from .hanzi import is_han
from .orientation import box_bounds

NUMERALS = "一二三四五六七八九十"
WIDEN = 1.6  # line heights added on the left: room for "一" or "十一" beside the 、
WORD_GAP = 0.5  # of a character's height: a wider gap between two characters parts two words
APART = 1 / 3  # of a character's height: characters of one word stand closer
_RULE_MARKS = "|丨l1I[]"  # a cell's rule caught at the crop's left edge, read as a mark


def printed_ink(grey: np.ndarray, clean: np.ndarray | None = None) -> np.ndarray:
    """Printed pixels (255) no rule draws: computed once a page, then each second look takes out
    what its result covers (``free_ink``).

    ``clean``: grey with its rules painted white, when the caller has it already: the pixels it
    changed are the rules' (a cell's rule beside a line is not unread print).
    """
    import cv2

    from .rectify import ink, on_paper, without_rules

    clean = without_rules(grey) if clean is None else clean
    # Ink of the page with its rules painted white and painted the paper's grey alike: on grey
    # paper or under dim light the paper beside a white stripe looks like ink to a local threshold,
    # and that "ink" along every column rule was read as digits (the amount's last digit, again).
    return cv2.bitwise_and(ink(clean), ink(on_paper(grey, clean != grey)))


def free_ink(printed: np.ndarray, result: list) -> np.ndarray:
    """The printed ink (``printed_ink``) no recognised line of result covers, salt-and-pepper
    specks removed."""
    import cv2

    binary = printed.copy()
    for item in result:  # what was read is not unread
        x0, y0, x1, y1 = box_bounds(item[0])
        binary[max(0, int(y0) - 2):int(y1) + 3, max(0, int(x0) - 2):int(x1) + 3] = 0
    return cv2.morphologyEx(binary, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))


def cut_lines(result: list, free: np.ndarray | None = None) -> list[int]:
    """Indexes of recognised lines whose numeral was lost: they begin with an enumeration comma
    (no text does), or unread ink lies just left of a line that does not begin with a numeral."""
    out = []
    for i, item in enumerate(result):
        text = str(item[1])
        if len(text) < 2 or text[0] in NUMERALS or text[0].isdigit():
            continue
        if text.startswith("、"):
            out.append(i)
            continue
        if free is None or not is_han(text[0]):
            continue
        x0, y0, x1, y1 = box_bounds(item[0])
        h = y1 - y0
        band = free[int(y0 + 0.2 * h):int(y1 - 0.2 * h), max(0, int(x0 - WIDEN * h)):max(0, int(x0) - 2)]
        if band.size and np.count_nonzero(band) >= h:  # a stroke's worth of ink: "一" at least
            out.append(i)
    return out


def mend_numerals(img: np.ndarray, result: list, recognise, printed: np.ndarray | None = None) -> list:
    """result with each cut line read again from a widened crop; recognise(crops) → [(text, score)].
    ``printed``: the page's ``printed_ink``, if made.

    The new reading is kept when it is a numeral (and its 、) before the old text; the old text's
    characters are kept, only the numeral is taken from the new reading.
    """
    import cv2

    grey = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY) if img.ndim == 3 else img
    cut = cut_lines(result, free_ink(printed_ink(grey) if printed is None else printed, result))
    if not cut:
        return result
    h_img, w_img = img.shape[:2]
    out = list(result)
    dropped: set[int] = set()
    for i in cut:
        x0, y0, x1, y1 = box_bounds(result[i][0])
        left = _after_rule(grey, int(y0), int(y1), max(0, int(x0 - WIDEN * (y1 - y0))), int(x0))
        crop = np.ascontiguousarray(img[max(0, int(y0)):min(h_img, int(y1) + 1), left:min(w_img, int(x1) + 1)])
        text, score = recognise([crop])[0]
        text = text.lstrip(_RULE_MARKS)
        old = str(result[i][1]).lstrip("、")
        head = text[:len(text) - len(text.lstrip(NUMERALS))]
        rest = text[len(head):]
        if head and _same(rest.lstrip("、"), old):
            # "一" before "般公共预算" is part of the word (一般), not a numbering: 、 only as read.
            mended = head + ("、" if rest.startswith("、") else "") + old
            # The widened box holds the numeral; the old box's right edge and height are kept.
            nx0 = max(left, x1 - (x1 - x0) * len(mended) / len(str(result[i][1])))
            out[i] = [[(nx0, y0), (x1, y0), (x1, y1), (nx0, y1)], mended, min(float(score), float(result[i][2]))]
            dropped |= _numeral_boxes(result, i, left)
    return [item for j, item in enumerate(out) if j not in dropped]


def _after_rule(grey: np.ndarray, y0: int, y1: int, left: int, x0: int) -> int:
    """The widened crop's left edge moved past a cell's rule inside it: the recogniser reads a rule
    at a crop's edge as a character ("7一、基本支出")."""
    from .rectify import ink

    pad = min(15, left)  # the threshold's window needs paper around the band
    band = ink(np.ascontiguousarray(grey[max(0, y0):y1 + 1, left - pad:x0 + 15]))[:, pad:pad + max(0, x0 - left)] > 0
    if band.size == 0:
        return left
    ruled = np.nonzero(band.mean(axis=0) >= 0.9)[0]  # dark from the line's top to its bottom
    return left + int(ruled[-1]) + 3 if len(ruled) else left


def _numeral_boxes(result: list, i: int, left: float) -> set[int]:
    """Lines holding only a numbering ("三、") inside the crop that mended line i: the detector's
    own box over the numeral it cut from the line, read a second time (and "二" read "三")."""
    x0, y0, x1, y1 = box_bounds(result[i][0])
    out = set()
    for j, item in enumerate(result):
        bx0, by0, bx1, by1 = box_bounds(item[0])
        text = str(item[1]).rstrip("、.")
        if j != i and text and len(text) <= 2 and all(ch in NUMERALS for ch in text) \
                and bx0 >= left - 2 and bx1 <= x0 + (y1 - y0) and y0 <= (by0 + by1) / 2 <= y1:
            out.add(j)
    return out


def _same(a: str, b: str) -> bool:
    """The same text up to one misread character in four (the widened crop reads it afresh)."""
    return len(a) == len(b) > 0 and sum(x == y for x, y in zip(a, b)) >= 0.75 * len(b)


MIN_HEIGHT = 0.35  # of the median line box (the detector's boxes run taller than the glyphs): a digit, not a speck
MAX_HEIGHT = 1.6  # taller is a drawing or a seal's remains, not one line of print
PRINT_GREY = 160  # the darkest tenth of a printed mark's pixels is this dark (a lone 0: 60-120; bleed: 190+)
KEEP_INK = 0.7  # a reading of ink the detector passed over is kept only this sure


def unread_ink(grey: np.ndarray, result: list, printed: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Boxes (x0, y0, x1, y1) of printed marks no recognised line covers, sized like a line of text.

    The detector passes over a lone "0" in a cell (a ring of ink too small to score as text):
    the cell reads blank, and a blank adds nothing, so no identity breaks. grey has its rules
    and seals taken out already; printed is its ``printed_ink``.
    """
    import cv2

    heights = sorted(max(p[1] for p in item[0]) - min(p[1] for p in item[0]) for item in result)
    if len(heights) < 5:
        return []
    line = heights[len(heights) // 2]
    binary = free_ink(printed, result)
    # The glyphs of one number are a stroke's width apart: join them into one box.
    joined = cv2.dilate(binary, cv2.getStructuringElement(cv2.MORPH_RECT, (max(3, int(line * 0.4)), 1)))
    count, _, stats, _ = cv2.connectedComponentsWithStats(joined)
    out = []
    rows, cols = grey.shape[:2]
    for x, y, w, h, area in stats[1:count]:
        if x == 0 or y == 0 or x + w == cols or y + h == rows:
            continue  # the scanner's edge, not print
        if not (MIN_HEIGHT * line <= h <= MAX_HEIGHT * line and w <= 12 * line and 4 * w >= h):
            continue  # a speck, a drawing, or a stub of a rule (thinner than any digit)
        marks = binary[y:y + h, x:x + w] > 0
        # Print is dark; the other side's print showing through (bleed) and JPEG ghosts are faint.
        if marks.sum() >= 0.08 * w * h and np.percentile(grey[y:y + h, x:x + w][marks], 10) <= PRINT_GREY:
            out.append((int(x), int(y), int(x + w), int(y + h)))
    return out


def read_unread_ink(img: np.ndarray, result: list, recognise, clean: np.ndarray | None = None,
                    printed: np.ndarray | None = None) -> list:
    """result plus the sure readings of the ink it passed over (see unread_ink), one word each.
    ``clean``, ``printed``: the page without its rules and its ``printed_ink``, if made."""
    import cv2

    from .rectify import without_rules

    grey = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY) if img.ndim == 3 else img
    clean = without_rules(grey) if clean is None else clean
    boxes = unread_ink(grey, result, printed_ink(grey, clean) if printed is None else printed)
    if not boxes:
        return result
    # The mark was found on the rule-free page; read it there too: a lone "0" beside its cell's
    # rule reads as nothing with the rule in the crop ("0" at 0.89 without it).
    page = cv2.cvtColor(clean, cv2.COLOR_GRAY2RGB)
    h_img, w_img = img.shape[:2]
    crops = []
    for x0, y0, x1, y1 in boxes:
        pad = max(2, (y1 - y0) // 3)
        crops.append(np.ascontiguousarray(page[max(0, y0 - pad):min(h_img, y1 + pad), max(0, x0 - pad):min(w_img, x1 + pad)]))
    found = []
    # One crop at a time: the recogniser pads a batch to its widest crop, and a lone digit padded
    # to a long line's width reads unsurely.
    for (x0, y0, x1, y1), (text, score) in zip(boxes, [recognise([crop])[0] for crop in crops]):
        text = text.strip()
        if text and float(score) >= KEEP_INK and any(ch.isalnum() for ch in text):
            found.append([[(x0, y0), (x1, y0), (x1, y1), (x0, y1)], text, float(score)])
    return result + found


def drop_doubled(result: list) -> list:
    """result with a character two neighbouring lines both read dropped from the second.

    The detector can split one number into two boxes that overlap by a character ("695,5" and
    "520" over "695,520"): joined, the cell reads "695,5520". Where two lines of one row overlap
    by at least half a character and the first ends with the character the second begins with,
    the second line loses it.
    """
    bounds = [box_bounds(item[0]) for item in result]  # as detected: a shortened line keeps its place
    order = sorted(range(len(result)), key=lambda i: bounds[i][0])
    out = list(result)
    for k, a in enumerate(order):
        ax0, ay0, ax1, ay1 = bounds[a]
        text_a = str(out[a][1])
        for b in order[k + 1:]:
            bx0, by0, bx1, by1 = bounds[b]
            if bx0 >= ax1:
                break  # sorted by their left edges: no later line reaches back into this one
            text_b = str(out[b][1])
            if not text_a or len(text_b) < 2 or not ax0 < bx0 < ax1 < bx1:
                continue
            rows = min(ay1, by1) - max(ay0, by0)
            char = min((ax1 - ax0) / len(text_a), (bx1 - bx0) / len(text_b))
            if rows > 0.6 * min(ay1 - ay0, by1 - by0) and text_a[-1] == text_b[0] \
                    and (ax1 - bx0 >= 0.5 * char or _same_ink(out[a], out[b])):
                if _gap(out[a], -1) > max(_gap(out[b], 0), APART):
                    out[a] = _without_last(out[a], char)  # the first line reached into the second
                    text_a = str(out[a][1])
                    ax1 = box_bounds(out[a][0])[2]
                else:
                    out[b] = _without_first(out[b], char)
    return out


def _same_ink(a, b) -> bool:
    """Whether a line's last character and the next line's first, as their character boxes place
    them, overlap by half the narrower: one glyph read twice (lines whose boxes overlap by less
    than half an average character)."""
    boxes_a, boxes_b = (item[3] if len(item) > 3 and item[3] and len(item[3]) == len(str(item[1])) else None
                        for item in (a, b))
    if not boxes_a or not boxes_b:
        return False
    (a0, a1), (b0, b1) = (boxes_a[-1][0][0], boxes_a[-1][2][0]), (boxes_b[0][0][0], boxes_b[0][2][0])
    return min(a1, b1) - max(a0, b0) >= 0.5 * min(a1 - a0, b1 - b0) > 0


def _gap(item, i: int) -> float:
    """The gap between a line's first (i=0) or last (i=-1) character and the rest, in the line's
    heights (0 without character boxes): a neighbouring cell's character the detector took into
    this line stands apart ("共预算 安" beside "安排的转")."""
    text, boxes = str(item[1]), item[3] if len(item) > 3 else None
    if len(text) < 2 or not boxes or len(boxes) != len(text):
        return 0.0
    first, second = (boxes[0], boxes[1]) if i == 0 else (boxes[-2], boxes[-1])
    x0, y0, x1, y1 = box_bounds(item[0])
    return (second[0][0] - first[2][0]) / max(y1 - y0, 1.0)


def _without_last(item, char: float) -> list:
    """A recognised line without its last character (box, text, and per-character lists)."""
    text = str(item[1])
    boxes = item[3] if len(item) > 3 and item[3] and len(item[3]) == len(text) else None
    x1 = boxes[-2][2][0] if boxes and len(boxes) > 1 else box_bounds(item[0])[2] - char
    box = [(min(p[0], x1), p[1]) if i in (1, 2) else p for i, p in enumerate(item[0])]
    rest = [part[:-1] if isinstance(part, list) and len(part) == len(text) else part for part in item[3:]]
    return [box, text[:-1], item[2], *rest]


def _without_first(item, char: float) -> list:
    """A recognised line without its first character (box, text, and per-character lists)."""
    text = str(item[1])
    box = [(max(p[0], box_bounds(item[0])[0] + char), p[1]) if i in (0, 3) else p for i, p in enumerate(item[0])]
    rest = [part[1:] if isinstance(part, list) and len(part) == len(text) else part for part in item[3:]]
    return [box, text[1:], item[2], *rest]
