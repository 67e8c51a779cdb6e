"""Straighten a scanned table page whose ruling lines lean: keystone and residual skew.

Deskewing turns a page by one angle; a sheet photographed or fed at a slant is a perspective
view, where the left rules lean one way and the right ones another. Rules that lean are read as
several columns (their pieces sit at different x) or not at all, and the amount columns they
bound are lost. The table's outer rules are straight lines on paper forming a rectangle: the
homography that maps the four lines back to a rectangle straightens the whole page.
"""

from __future__ import annotations

import numpy as np

MIN_SPAN = 0.25  # a frame rule runs over at least this share of the page side
MIN_SHIFT = 3.0  # pixels: a frame this straight is left alone (rules within the grid's tolerance)
MAX_SHIFT = 0.06  # share of the page side: a larger correction is no table frame


def ink(grey: np.ndarray) -> np.ndarray:
    """Dark print as 255 on 0; the adaptive threshold copes with uneven light and grey paper."""
    import cv2

    return cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 15)


def line_kernel(length: int, horizontal: bool) -> np.ndarray:
    """A structuring element one pixel thick and length pixels long, lying or standing."""
    import cv2

    return cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1) if horizontal else (1, length))


def strokes(binary: np.ndarray, horizontal: bool, length: int) -> np.ndarray:
    """The ink in runs at least length pixels long in one direction (print's strokes are shorter)."""
    import cv2

    return cv2.morphologyEx(binary, cv2.MORPH_OPEN, line_kernel(length, horizontal))


def bridged(binary: np.ndarray, horizontal: bool) -> np.ndarray:
    """Ink with each pixel's neighbour across the line direction added: a thin grey rule that a
    one-bit scan dithered prints as dots alternating on two pixel rows (a checkerboard), no run
    on either row longer than one pixel; together the two rows are one unbroken line. Both
    neighbours are added so that a solid rule thickens evenly and its middle does not move."""
    out = binary.copy()
    if horizontal:
        np.maximum(out[1:], binary[:-1], out=out[1:])
        np.maximum(out[:-1], binary[1:], out=out[:-1])
    else:
        np.maximum(out[:, 1:], binary[:, :-1], out=out[:, 1:])
        np.maximum(out[:, :-1], binary[:, 1:], out=out[:, :-1])
    return out


def line_mask(binary: np.ndarray, horizontal: bool, length: int) -> np.ndarray:
    """The strokes of ink at least length pixels long in one direction, small breaks bridged."""
    import cv2

    return cv2.dilate(strokes(binary, horizontal, length), line_kernel(9, horizontal))


def rule_mask(binary: np.ndarray, horizontal: bool, length: int, bridged_length: int) -> np.ndarray:
    """The line mask of rules: ink in runs at least length long, and what is left bridged
    (``bridged``) in runs at least bridged_length long. A solid rule is taken as printed, so
    bridging neither thickens it nor moves its middle; a dithered one is found bridged."""
    import cv2

    solid = strokes(binary, horizontal, length)
    rest = cv2.bitwise_and(binary, cv2.bitwise_not(solid))
    both = cv2.bitwise_or(solid, strokes(bridged(rest, horizontal), horizontal, bridged_length))
    return cv2.dilate(both, line_kernel(9, horizontal))


def rule_in(piece: np.ndarray, horizontal: bool, thick: int, length: int) -> tuple[int, int, int] | None:
    """The one rule inside a line mask's component too thick to be a rule: (position, start, end)
    in the piece's own pixels, or None when no thin straight line runs through it.

    A seal's ring or a stamp's arc that touches a rule where it runs along it survives the
    opening beside the rule and widens the component; dropped whole, the column (or row) rule is
    lost over the table's full length and its two columns read as one. The rule is the straight
    line most of the component's pixels lie on (a trimmed fit); it is kept when it runs at least
    length pixels almost unbroken and, along most of it, nothing else is beside it (a solid bar,
    a block of print, is no rule).
    """
    if horizontal:
        piece = piece.T
    ys, xs = np.nonzero(piece)
    if len(ys) < length:
        return None
    keep = np.ones(len(ys), bool)
    for _ in range(5):  # trimmed least squares: each pass keeps the points nearest the line
        b, a = np.polyfit(ys[keep], xs[keep], 1)
        res = np.abs(xs - (a + b * ys))
        keep = res <= max(3.0, float(np.percentile(res, 60)))
    on = res <= 4.0
    rows = np.unique(ys[on])
    if len(rows) < length or abs(b) > 0.03 or len(rows) < 0.8 * (rows[-1] - rows[0] + 1):
        return None
    widths = np.bincount(ys, minlength=piece.shape[0])[rows]  # the component's ink across each row
    if np.median(widths) >= thick:
        return None
    y0, y1 = int(rows[0]), int(rows[-1])
    return int(round(a + b * (y0 + y1) / 2)), y0, y1


def thick_rule(labels: np.ndarray, i: int, stat, horizontal: bool, min_frac: float) -> tuple[int, int, int, int] | None:
    """The rule inside component i of a line mask too thick to be one (rule_in), as a pixel
    segment (x0, y0, x1, y1), or None; none at the image's border, where the scanner lid lies."""
    (h, w), (x, y, cw, ch) = labels.shape, stat[:4]
    if not (0.01 * w < x and x + cw < 0.99 * w and 0.01 * h < y and y + ch < 0.99 * h):
        return None
    line = rule_in(labels[y:y + ch, x:x + cw] == i, horizontal, max(12, min(w, h) // 150),
                   max(24, int(max(w, h) * min_frac)))
    if line is None:
        return None
    at, a, b = line
    return (x + a, y + at, x + b, y + at) if horizontal else (x + at, y + a, x + at, y + b)


LEANS = (-0.06, -0.03, 0.03, 0.06)  # column rules' lean (tan) tried when few stand upright


def long_rules(grey: np.ndarray, horizontal: bool, lean: float = 0.0,
               binary: np.ndarray | None = None) -> list[tuple[np.ndarray, float]]:
    """Long thin ruling lines as fitted lines: (point and direction, length in pixels).

    ``lean`` (vertical rules only) finds rules that lean by that tangent: the page is sheared
    upright first (an opening along the vertical keeps no 2-px rule leaning 3°) and each line
    found is sheared back. ``binary``: the page's ``ink`` when the caller has it already.
    """
    import cv2

    binary = ink(grey) if binary is None else binary
    h, w = binary.shape
    if lean:
        shear = np.float32([[1, -lean, lean * h / 2], [0, 1, 0]])
        binary = cv2.warpAffine(binary, shear, (w, h), flags=cv2.INTER_NEAREST, borderValue=0)
    # A leaning rule survives the opening in steps; the mask's bridging keeps it one line.
    mask = line_mask(binary, horizontal, max(24, int(max(w, h) * 0.012)))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask)
    side = w if horizontal else h
    out = []
    for i in range(1, count):
        x, y, cw, ch = stats[i, :4]
        span = cw if horizontal else ch
        if span < MIN_SPAN * side:
            continue
        # Lines at the image border are the scanner lid's edge, not the table.
        if (not horizontal and (x < 0.01 * w or x + cw > 0.99 * w)) or \
                (horizontal and (y < 0.01 * h or y + ch > 0.99 * h)):
            continue
        ys, xs = np.nonzero(labels[y:y + ch, x:x + cw] == i)
        points = np.column_stack([xs + x, ys + y]).astype(np.float32)
        vx, vy, x0, y0 = cv2.fitLine(points, cv2.DIST_L2, 0, 0.01, 0.01).ravel()
        # Thin: the points lie within a few pixels of the fitted line (a block of text does not).
        spread = np.abs((points[:, 0] - x0) * vy - (points[:, 1] - y0) * vx)
        if np.percentile(spread, 95) > max(6.0, side / 300):
            continue
        if lean:  # back from the sheared page: x grows by lean per pixel down from the middle
            x0, vx = x0 + lean * (y0 - h / 2), vx + lean * vy
            vx, vy = vx / np.hypot(vx, vy), vy / np.hypot(vx, vy)
        out.append((np.array([x0, y0, vx, vy], dtype=np.float64), float(span)))
    return out


def _table_sides(binary: np.ndarray, verticals: list, horizontals: list) -> list:
    """The vertical rules, with leaning ones looked for when no upright one stands near one end of
    the row rules or the other: a page photographed at an angle, rows levelled by the deskew, keeps
    its column rules converging by a few degrees, and an opening along the vertical keeps few of
    them. (On the eval scans 18 of 97 pages look, ~0.03 CPU s a page on average.)"""
    w = binary.shape[1]
    left = min(line[0] - span / 2 for line, span in horizontals)
    right = max(line[0] + span / 2 for line, span in horizontals)
    xs = [line[0] for line, _ in verticals]
    if xs and min(xs) < left + 0.05 * w and max(xs) > right - 0.05 * w:
        return verticals
    found = list(verticals)
    for lean in LEANS:
        for line, span in long_rules(binary, horizontal=False, lean=lean, binary=binary):
            if all(abs(line[0] - other[0]) > 0.01 * w for other, _ in found):
                found.append((line, span))
    return found


def _intersect(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    (x1, y1, dx1, dy1), (x2, y2, dx2, dy2) = a, b
    det = dx1 * -dy2 - dy1 * -dx2
    t = ((x2 - x1) * -dy2 - (y2 - y1) * -dx2) / det
    return x1 + t * dx1, y1 + t * dy1


def frame_warp(grey: np.ndarray) -> np.ndarray | None:
    """The perspective matrix that squares the page's outer table rules, or None when they are
    square already (within MIN_SHIFT) or no frame of long rules is found."""
    import cv2

    h, w = grey.shape
    binary = ink(grey)  # once for the rules either way and each lean tried
    horizontals = long_rules(grey, horizontal=True, binary=binary)
    if len(horizontals) < 2:
        return None
    verticals = _table_sides(binary, long_rules(grey, horizontal=False, binary=binary), horizontals)
    if len(verticals) < 2:
        return None

    def x_mid(line):
        x0, y0, vx, vy = line[0]
        return x0 + (h / 2 - y0) * vx / vy

    def y_mid(line):
        x0, y0, vx, vy = line[0]
        return y0 + (w / 2 - x0) * vy / vx

    left, right = min(verticals, key=x_mid)[0], max(verticals, key=x_mid)[0]
    top, bottom = min(horizontals, key=y_mid)[0], max(horizontals, key=y_mid)[0]
    if x_mid((right,)) - x_mid((left,)) < 0.3 * w or y_mid((bottom,)) - y_mid((top,)) < 0.1 * h:
        return None
    src = np.float32([_intersect(top, left), _intersect(top, right),
                      _intersect(bottom, right), _intersect(bottom, left)])
    x0, x1 = (src[0, 0] + src[3, 0]) / 2, (src[1, 0] + src[2, 0]) / 2
    y0, y1 = (src[0, 1] + src[1, 1]) / 2, (src[2, 1] + src[3, 1]) / 2
    dst = np.float32([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])
    shift = float(np.abs(src - dst).max())
    if shift < MIN_SHIFT or shift > MAX_SHIFT * max(w, h):
        return None
    matrix = cv2.getPerspectiveTransform(src, dst)
    # Four lines taken for the frame that are not one (a table ending mid-page, a rule of the
    # next part) square themselves and bend every rule between them: keep a warp only when the
    # page's vertical rules, taken together, lean less after it than before.
    if _lean(verticals, matrix) >= _lean(verticals, None):
        return None
    return matrix


def _lean(lines: list[tuple[np.ndarray, float]], matrix: np.ndarray | None) -> float:
    """The summed horizontal drift (pixels) of vertical rules over their length, after a warp."""
    import cv2

    total = 0.0
    for (x0, y0, vx, vy), span in lines:
        half = span / 2 / max(abs(vy), 1e-6)
        ends = np.float32([[[x0 - vx * half, y0 - vy * half]], [[x0 + vx * half, y0 + vy * half]]])
        if matrix is not None:
            ends = cv2.perspectiveTransform(ends, matrix)
        total += abs(float(ends[1, 0, 0] - ends[0, 0, 0]))
    return total


def straighten(img: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """Apply a frame warp on a white background."""
    import cv2

    h, w = img.shape[:2]
    return cv2.warpPerspective(img, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=(255, 255, 255))


RULE_FRAC = 0.03  # share of the page's long side: longer than any character's stroke ("一")


def without_rules(grey: np.ndarray) -> np.ndarray:
    """The page with its long ruling lines painted paper white, for the text detector.

    A label printed against its cell's left rule ("一、基本支出" touching the rule) is cut by the
    detector where the rule merges with it: the numeral is lost ("、基本支出", "基本支出"). The
    rules are found again from the unmasked page later; only what text recognition sees changes.
    """
    import cv2

    binary = ink(grey)
    h, w = binary.shape
    length = max(40, int(max(w, h) * RULE_FRAC))
    mask = cv2.bitwise_or(strokes(binary, True, length), strokes(binary, False, length))
    mask = cv2.dilate(mask, np.ones((3, 3), np.uint8))  # the rule's grey fringe
    out = grey.copy()
    out[mask > 0] = 255
    return out


def on_paper(grey: np.ndarray, where: np.ndarray, size: int = 15) -> np.ndarray:
    """grey with the pixels where marks painted the brightest grey around them: the paper's."""
    import cv2

    around = cv2.dilate(np.where(where, 0, grey).astype(np.uint8), np.ones((size, size), np.uint8))
    return np.where(where, around, grey).astype(np.uint8)


# Share of a page's dark pixels with at most one dark neighbour. A dithered page (a fax, a one-bit
# scan of grey paper) prints its grey as scattered dots: 64-84% of its dark pixels stood alone on
# an independent fax maker's pages; print, rules and speckle kept them at most 18% on 346 others
# (the eval scans, this repository's mild, harsh and black-and-white scans, greyscale, halftone,
# photocopied, cut, blurred and upside-down pages of the same independent maker).
DITHERED = 0.4
DESCREEN_SIGMA = 1.0  # pixels: the dots' spacing, smoothed back into grey


def dithered(img: np.ndarray) -> bool:
    """Whether a page's grey was printed as scattered dots (dithering)."""
    import cv2

    grey = img if img.ndim == 2 else cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
    dark = (grey < 128).astype(np.uint8)
    total = int(dark.sum())
    if total == 0:
        return False
    near = cv2.boxFilter(dark, -1, (3, 3), normalize=False, borderType=cv2.BORDER_CONSTANT)
    return int(np.count_nonzero(dark & (near <= 2))) > DITHERED * total


def descreen(img: np.ndarray) -> np.ndarray:
    """A dithered page smoothed back to grey: its strokes are dots the text detector cannot join.

    On an independent fax maker's 110 dpi pages (8 table pages) cells read went from 14% to 26%;
    enlarging the page twice as well read no more (27%) for four times the pixels.
    """
    import cv2

    return cv2.GaussianBlur(img, (0, 0), DESCREEN_SIGMA) if dithered(img) else img


def rotate_image(img: np.ndarray, angle: float) -> np.ndarray:
    """Rotate by a small angle (degrees, counter-clockwise) on a white background."""
    import cv2

    h, w = img.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(img, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=(255, 255, 255))


SKEW_USUAL = 4.0  # most scans lean less: searched in quarter degrees
SKEW_LIMIT = 12.0  # a sheet fed crooked: searched beyond SKEW_USUAL in half degrees


def estimate_skew(grey: np.ndarray, usual: float = SKEW_USUAL, limit: float = SKEW_LIMIT) -> float:
    """Skew in degrees by projection profiles: rows of text and rules are sharpest when level.

    Works on ruled tables and on plain text alike, and costs a few milliseconds on a thumbnail.
    A lean beyond ``usual`` wins only when its rows are sharper than the best within it: a sheet
    fed 6-8° crooked was read as leaning 2-4° the wrong way, and lost every table.
    """
    import cv2

    scale = 800 / max(grey.shape)
    small = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    ink = cv2.adaptiveThreshold(small, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 15, 10)
    sharpness = _sharpness(ink)
    best = _sharpest(np.arange(-usual, usual + 1e-9, 0.25), sharpness)
    # Beyond the usual lean, on a thumbnail half as wide (a quarter of the work): compared
    # there with the best lean within, so a page that leans as most do pays ~0.02 CPU s more.
    beyond = [a for a in np.arange(usual + 0.5, limit + 1e-9, 0.5) for a in (-a, a)]
    if beyond:
        coarse = _sharpness(cv2.resize(ink, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA))
        if coarse(far := _sharpest(beyond, coarse)) > coarse(best):
            best = far
    fine = _sharpest(np.arange(best - 0.25, best + 0.25 + 1e-9, 0.05), sharpness)
    return round(float(fine), 2) + 0.0  # never -0.0


def _sharpest(angles, sharpness) -> float:
    """The angle whose rows are sharpest; of equals the least turn (a blank page stays level)."""
    return max(angles, key=lambda angle: (sharpness(angle), -abs(angle)))


def _sharpness(ink: np.ndarray):
    """How sharp the rows of an ink mask are turned by an angle: the summed squared steps of its
    row profile (level rows of text and rules make tall, steep steps)."""
    import cv2

    h, w = ink.shape

    def sharpness(angle: float) -> float:
        matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        rotated = cv2.warpAffine(ink, matrix, (w, h), flags=cv2.INTER_NEAREST, borderValue=0)
        profile = rotated.sum(axis=1, dtype=np.float64)
        return float(np.square(np.diff(profile)).sum())

    return sharpness
