"""Dashed and dotted rules: table borders a spreadsheet printed broken, drawn whole again.

A table printed with dashed or dotted borders (a spreadsheet's dotted grid, a form's dashed
lines) scans as rows of short marks. The rule finder keeps only strokes longer than a header
cell's rule, so it found no rule at all, and the recogniser read each upright dashed rule beside
a name as ":" or "!": on sample 000 printed so, half its cells were lost. A dashed rule is a row
of many small marks, thin across and alike along, evenly spaced and lying on one straight line;
a line of text is not (its strokes differ and do not line up). Each such row is drawn solid
before the page is deskewed and read, so everything after it sees the table it would have seen
printed with solid rules.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MAX_THICK = 0.8  # mm: a dash is at most this thick across its line
MAX_LONG = 3.0  # mm: a dash (or dot) is at most this long along it
MAX_GAP = 1.2  # mm: the most paper between two dashes of one rule
# A rule's dash can be lost where another rule crosses it or print touches it (one blot, not a
# dash): a chain steps over up to this many gaps' length, if most of its gaps are short.
SKIP = 3
MIN_SHORT_GAPS = 0.5  # share of a rule's gaps that are short (the rest: dashes lost at crossings)
MIN_DASHES = 12  # a rule has at least this many dashes (chance rows of specks are shorter)
MIN_SPAN = 10.0  # mm: and runs at least this far
MIN_STUB = 5  # a shorter rule (a header cell's side) has this many, and runs from rule to rule
STEADY = 0.3  # a short one's marks and gaps vary at most this much (standard deviation over the mean)
STUB_SPAN = 1.5  # mm: the least a short one runs (five dots)
SIDE_BAND = 0.5  # mm: the paper looked at beside each dash
ELONGATED = 1.2  # a mark this many times longer than thick is a dash, else a dot
SIDE_INK = 0.15  # share of that paper a dash's side may carry (noise, a touching character)
LEADER_BAND = 0.5  # mm: across a line, the band in which print beyond its ends continues it
LEADER_REACH = 8.0  # mm: how far beyond its ends print is looked for (a space, then the title)
CROSSING = 6.0  # mm: a rule met at an end runs at least this far across (a character is shorter)
MAX_LEAN = 0.22  # a rule leans at most this much (about 12 degrees: a crooked feed)
MAX_RESIDUAL = 1.5  # pixels: every dash of a rule lies this near its straight line
MIN_KEPT = 0.8  # share of a chain's marks that lie on its line
MAX_SPREAD = 0.5  # the dashes' lengths vary this little (standard deviation over the mean)
MAX_BLOTS = 0.2  # share of a rule's marks that may be blots where rules cross, set aside in that
MAX_NEIGHBOUR = 1.5  # mm: another row of marks this near makes a screen (halftone), not a rule
MANY_MARKS = 3000  # more marks than this (a noisy page) are sifted on the raster before chaining
BRIDGE = 6.0  # mm: the most paper between two pieces of one rule, broken where another crosses it
EDGE = 3.0  # mm: a rule lies inside the page's margins; along the image's edge lie its borders
PRINT_SHARE = 0.5  # a rule is darker than the paper by at least this share of the print's depth
FILL = (0.2, 0.92)  # share of a rule's span its dashes cover: a dashed line, not a solid one
ALONGSIDE = 2.5  # mm: no column is this narrow; a dashed "rule" this near a solid one is print beside it
MIN_ALONG = 0.8  # share of a dashed rule's length a solid one must run beside it


@dataclass(frozen=True)
class DashedRule:
    """A dashed rule found: its ends in the image's pixels, its dashes' thickness and grey."""

    x0: float
    y0: float
    x1: float
    y1: float
    thickness: int
    shade: int
    free: bool = True  # long enough to stand alone; else a short one, kept only between two rules
    dash: float = 0.0  # its dashes' usual length along it, pixels

    @property
    def lying(self) -> bool:
        """Whether the rule runs across the page (a row's rule), not down it."""
        return abs(self.x1 - self.x0) >= abs(self.y1 - self.y0)

    def along(self) -> tuple[float, float, float, float]:
        """Its ends as (along, across) pairs: the first end's position along its direction and
        across it, then the second's."""
        return (self.x0, self.y0, self.x1, self.y1) if self.lying else (self.y0, self.x0, self.y1, self.x1)


def with_solid_dashes(img: np.ndarray, dpi: float) -> tuple[np.ndarray, list[DashedRule]]:
    """The page with its dashed and dotted rules drawn solid, and the rules drawn. A page
    without any is returned as it came."""
    import cv2

    from .rectify import ink, strokes

    grey = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY) if img.ndim == 3 else img
    binary = ink(grey)
    count, labels, stats, centres = cv2.connectedComponentsWithStats(binary, connectivity=8)
    px = dpi / 25.4
    # A rule prints as dark as the page's print; fainter lines are the back page showing through.
    sample, inked = grey[::4, ::4], binary[::4, ::4] > 0
    paper = float(np.percentile(sample, 90))
    darkest = float(np.percentile(sample[inked], 5)) if inked.any() else 0.0  # the print's own black
    faint = paper - PRINT_SHARE * (paper - darkest)
    total = cv2.integral((binary > 0).astype(np.uint8))  # ink counted over any box at once
    clear = _clear_sides(total, stats, px)
    found: list[DashedRule] = []
    for horizontal in (True, False):
        marks = _marks(stats, px, horizontal) & clear[int(not horizontal)]
        marks[0] = False  # the background
        if np.count_nonzero(marks) > MANY_MARKS:
            marks &= _in_rows(marks, labels, centres, px, horizontal)
        found += _dashed_rules(stats, centres, np.flatnonzero(marks), grey, total, px, horizontal, faint)
    if not found:
        return img, []
    # Where rules meet is judged with every long one drawn: in a table dashed all over, the
    # rows' rules meet the columns' only once both are whole.
    drawn = grey.copy()
    for rule in found:
        if rule.free:
            _draw(drawn, rule)
    ruled = (drawn <= faint).astype(np.uint8)
    length = max(3, int(round(CROSSING * px)))
    lines = (strokes(ruled, False, length), strokes(ruled, True, length))  # down ones meet rows' rules
    # A crossing's blot swallows the dash touching it on either side, so a rule's ends fall short
    # of the rule they meet by up to two of its dashes and a few gaps.
    skip = SKIP * (MAX_GAP * px + 1)
    found = [rule for rule in found if not _alongside(rule, lines[1 if rule.lying else 0], px)]
    keep = _joined([rule for rule in found if _kept(rule, lines, binary, skip + 2 * rule.dash, px)], lines, BRIDGE * px)
    keep = [_drawn_on(rule, lines, skip + 2 * rule.dash) for rule in keep]
    if not keep:
        return img, []
    img = img.copy()
    for rule in keep:
        _draw(img, rule)
    return img, keep


def _joined(rules: list[DashedRule], lines: tuple, bridge: float) -> list[DashedRule]:
    """Pieces of one rule joined again where a rule crossing it broke it: where dashes of both run
    together the blot is no dash, the chain stops, and a column's rule drawn in pieces splits no
    column from the header down. Pieces join when they lie on one line, the paper between them
    is at most ``bridge`` long and a line across runs through it (the crossing)."""
    out: list[DashedRule] = []
    for rule in sorted(rules, key=lambda r: r.along()[0]):
        start, at, _, _ = rule.along()
        best = None
        for k, piece in enumerate(out):
            p0, a0, p1, a1 = piece.along()
            if piece.lying != rule.lying or not -2 <= start - p1 <= bridge:
                continue
            slope = (a1 - a0) / max(p1 - p0, 1.0)
            if abs(a1 + slope * (start - p1) - at) > 2 or not _crossed(lines[0 if rule.lying else 1], rule.lying,
                                                                        p1, start, (a1 + at) / 2):
                continue
            if best is None or start - p1 < best[0]:
                best = (start - p1, k)
        if best is None:
            out.append(rule)
            continue
        piece = out[best[1]]
        out[best[1]] = DashedRule(piece.x0, piece.y0, rule.x1, rule.y1, max(piece.thickness, rule.thickness),
                                  min(piece.shade, rule.shade), piece.free or rule.free, piece.dash)
    return out


def _crossed(across_lines: np.ndarray, lying: bool, start: float, end: float, at: float) -> bool:
    """Whether one line across (not two: a merged cell between) runs through the stretch
    start..end (along) at ``at`` (across)."""
    view = across_lines.T if lying else across_lines
    lo, hi, c = max(0, int(round(start)) - 2), int(round(end)), int(round(at))
    rows = np.flatnonzero(view[lo:max(0, hi + 3), max(0, c - 2):max(0, c + 3)].any(axis=1))
    return len(rows) > 0 and not (np.diff(rows) > 1).any()


def _draw(img: np.ndarray, rule: DashedRule) -> None:
    import cv2

    colour = (rule.shade,) * 3 if img.ndim == 3 else rule.shade
    cv2.line(img, (round(rule.x0), round(rule.y0)), (round(rule.x1), round(rule.y1)), colour, rule.thickness,
             lineType=cv2.LINE_8)


def _alongside(rule: DashedRule, parallel_lines: np.ndarray, px: float) -> bool:
    """Whether a solid rule runs beside a dashed one along most of it, nearer than any column is
    wide: the "dashes" are print lined up against the rule. A fax breaks the "3" of every code in
    a column into the tips of its arcs, two a row, in line down the column beside its rule; drawn
    solid, that line made a column two points wide and read each 3 as an 8."""
    view, (start, end), _ = _upright(rule, parallel_lines)
    p0, a0, p1, a1 = rule.along()
    slope = (a1 - a0) / max(p1 - p0, 1.0)
    near, far = rule.thickness + 2, int(round(ALONGSIDE * px))
    rows = np.arange(max(0, int(start)), min(view.shape[0], int(end) + 1))
    if far <= near or not len(rows):
        return False
    centres = np.round(a0 + slope * (rows - p0)).astype(int)
    for side in (-1, 1):
        beside = 0
        for r, c in zip(rows, centres):
            lo, hi = sorted((c + side * near, c + side * far))
            beside += bool(view[r, max(0, lo):max(0, hi + 1)].any())
        if beside >= MIN_ALONG * len(rows):
            return True
    return False


def _kept(rule: DashedRule, lines: tuple, binary: np.ndarray, reach: float, px: float) -> bool:
    """A long rule is kept unless it meets no rule and print runs on from one of its ends (leader
    dots); a short one only when it runs from a rule to a rule, as a cell's side does."""
    met = sum(at is not None for at in _meets(rule, lines[0 if rule.lying else 1], reach))
    return (met >= 1 or not _continues(rule, binary, px)) if rule.free else met == 2


def _drawn_on(rule: DashedRule, lines: tuple, reach: float) -> DashedRule:
    """The rule with each end that meets a rule drawn on to it: the blot there was no dash, and
    a header cell's side drawn short of its cell is too short for the rule finder."""
    met = _meets(rule, lines[0 if rule.lying else 1], reach)
    p0, a0, p1, a1 = rule.along()
    slope = (a1 - a0) / max(p1 - p0, 1.0)
    start, end = min(p0, met[0] if met[0] is not None else p0), max(p1, met[1] if met[1] is not None else p1)
    ends = (start, a0 + slope * (start - p0)), (end, a0 + slope * (end - p0))
    (x0, y0), (x1, y1) = ends if rule.lying else (e[::-1] for e in ends)
    return DashedRule(x0, y0, x1, y1, rule.thickness, rule.shade, rule.free, rule.dash)


def _meets(rule: DashedRule, across_lines: np.ndarray, reach: float) -> tuple[float | None, float | None]:
    """Where, along it, a rule meets a line across it at each end (None where it meets none;
    ``across_lines``: the page's ruled pixels in runs across it at least a character high, so
    print is no rule)."""
    view, along, across = _upright(rule, across_lines)
    # Both lines drawn from their first whole dash: a corner's blot (two dashes run together)
    # leaves each short of the other by up to a skipped dash, along and across.
    c0, c1 = int(round(across - reach / 2)), int(round(across + reach / 2)) + 1
    met: list[float | None] = []
    for end, step in ((along[0], -1), (along[1], 1)):
        lo, hi = sorted((int(round(end - step * reach / 2)), int(round(end + step * reach))))
        lo, hi = max(0, lo), max(0, hi + 1)
        rows = lo + np.flatnonzero(view[lo:hi, max(0, c0):max(0, c1)].any(axis=1))
        met.append(_nearest_line(rows, end) if len(rows) else None)
    return met[0], met[1]


def _nearest_line(rows: np.ndarray, end: float) -> float:
    """The middle of the run of ruled rows nearest ``end`` (a short cell may bring the next rule
    into reach as well: the rule met is the nearer one)."""
    runs = np.split(rows, np.flatnonzero(np.diff(rows) > 1) + 1)
    return float(min(runs, key=lambda run: np.abs(run - end).min()).mean())


def _continues(rule: DashedRule, binary: np.ndarray, px: float) -> bool:
    """Whether print goes on along the rule's line beyond one of its ends: a table of contents'
    leader dots run on from an entry's title (to its page number); a table's rule meets no print."""
    view, along, across = _upright(rule, binary)
    c, band = int(round(across)), max(1, int(round(LEADER_BAND * px)))
    ends = 0
    for end, step in ((along[0], -1), (along[1], 1)):
        lo, hi = sorted((int(round(end + step * 2)), int(round(end + step * (2 + LEADER_REACH * px)))))
        ends += bool(view[max(0, lo):max(0, hi + 1), max(0, c - band):c + band + 1].any())
    return ends >= 1


def _upright(rule: DashedRule, image: np.ndarray) -> tuple[np.ndarray, list[float], float]:
    """The image turned so the rule runs down it (a view), its ends' rows and its column."""
    p0, a0, p1, a1 = rule.along()
    return image.T if rule.lying else image, sorted((p0, p1)), (a0 + a1) / 2


def _clear_sides(total: np.ndarray, stats: np.ndarray, px: float) -> tuple[np.ndarray, np.ndarray]:
    """Which components have bare paper along their sides (above and below, left and right; one
    side is enough for a dash, with figures printed up to the rule on its other side): a rule's
    mark has; a piece of a character has its other strokes beside it (a name repeated down a
    column lines its pieces up like dashes)."""
    h, w = total.shape[0] - 1, total.shape[1] - 1
    band = max(1, int(round(SIDE_BAND * px)))
    x, y, cw, ch = (stats[:, i].astype(int) for i in range(4))

    def ink_in(x0, y0, x1, y1):
        x0, x1, y0, y1 = np.clip(x0, 0, w), np.clip(x1, 0, w), np.clip(y0, 0, h), np.clip(y1, 0, h)
        return _box_ink(total, x0, y0, x1, y1) / np.maximum((x1 - x0) * (y1 - y0), 1)

    above, below = ink_in(x, y - 1 - band, x + cw, y - 1), ink_in(x, y + ch + 1, x + cw, y + ch + 1 + band)
    left, right = ink_in(x - 1 - band, y, x - 1, y + ch), ink_in(x + cw + 1, y, x + cw + 1 + band, y + ch)
    # A dot (as long as thick) needs paper on both sides: the edge row of a halftone screen has
    # paper on one side only.
    lying, standing = cw >= ELONGATED * ch, ch >= ELONGATED * cw
    return (np.where(lying, np.minimum(above, below), np.maximum(above, below)) <= SIDE_INK,
            np.where(standing, np.minimum(left, right), np.maximum(left, right)) <= SIDE_INK)


def _in_rows(marks: np.ndarray, labels: np.ndarray, centres: np.ndarray, px: float,
             horizontal: bool) -> np.ndarray:
    """Which marks lie in a row of marks long enough for a rule, found on the raster at once (a
    closing, then an opening): a noisy page's tens of thousands of specks are not chained one
    by one."""
    import cv2

    from .rectify import line_kernel, strokes

    lut = np.zeros(len(marks), np.uint8)
    lut[marks] = 255
    gap, span = int(SKIP * (MAX_GAP * px + 1)), int(STUB_SPAN * px)
    rows = strokes(cv2.morphologyEx(lut[labels], cv2.MORPH_CLOSE, line_kernel(gap, horizontal)), horizontal, span)
    ix = np.clip(centres[:, 0].round().astype(int), 0, labels.shape[1] - 1)
    iy = np.clip(centres[:, 1].round().astype(int), 0, labels.shape[0] - 1)
    return rows[iy, ix] > 0


def _marks(stats: np.ndarray, px: float, horizontal: bool) -> np.ndarray:
    """Which connected components could be a dash (or dot) of a rule lying one way: thin across,
    short along (a thick rule printed dotted has dots wider across than long)."""
    along, across = (stats[:, 2], stats[:, 3]) if horizontal else (stats[:, 3], stats[:, 2])
    return (across <= max(2.0, MAX_THICK * px)) & (along <= MAX_LONG * px) & (stats[:, 4] >= 2)


def _dashed_rules(stats: np.ndarray, centres: np.ndarray, index: np.ndarray, grey: np.ndarray, total: np.ndarray,
                  px: float, horizontal: bool, faint: float) -> list[DashedRule]:
    """Rows of the marks index along one direction (columns of them when not horizontal)."""
    x, y, w, h = (stats[:, i].astype(float) for i in range(4))
    cx, cy = centres[:, 0], centres[:, 1]
    if not horizontal:  # the same search with the axes swapped
        x, y, w, h, cx, cy = y, x, h, w, cy, cx
    index = index[np.argsort(cx[index], kind="stable")]
    gap_limit, lean = MAX_GAP * px + 1, MAX_LEAN
    chains: list[list[int]] = []
    open_at: dict[int, list[int]] = {}  # a chain's last dash's row (rounded) -> chains ending there
    for i in index:
        row, best = int(round(cy[i])), None
        for r in range(row - 3, row + 4):
            for c in open_at.get(r, ()):
                last = chains[c][-1]
                gap = x[i] - (x[last] + w[last])
                drift = abs(cy[i] - cy[last])
                if not -1 <= gap <= SKIP * gap_limit + 2 * w[last] or drift > 1.5 + lean * (cx[i] - cx[last]):
                    continue
                # A crossing's blot swallows the dash touching it on either side: a longer step
                # only over a blot on the line, never over paper (a comma in each row's figure).
                if gap <= SKIP * gap_limit or _ink_on(total, horizontal, x[last] + w[last], x[i], cy[last]) >= w[last]:
                    score = gap + 4 * drift  # the next dash on the same line, not a stroke beside it
                    if best is None or score < best[0]:
                        best = (score, c, r)
        if best is None:
            chains.append([i])
            open_at.setdefault(row, []).append(len(chains) - 1)
        else:
            _, c, r = best
            chains[c].append(i)
            open_at[r].remove(c)
            open_at.setdefault(row, []).append(c)
    found = []
    rows = [(float(np.median(cy[c])), cx[c[0]], cx[c[-1]]) for c in chains if len(c) >= 3]
    for chain in chains:
        if len(chain) < MIN_STUB or _in_screen(chain, cx, cy, rows, MAX_NEIGHBOUR * px):
            continue
        ids = np.array(chain)
        # A stroke of print beside the rule may have joined the chain: fit, drop it, fit again.
        for _ in range(2):
            slope, intercept = np.polyfit(cx[ids], cy[ids], 1)
            ids = ids[np.abs(cy[ids] - (intercept + slope * cx[ids])) <= MAX_RESIDUAL]
            if len(ids) < MIN_STUB:
                break
        if len(ids) < max(MIN_STUB, MIN_KEPT * len(chain)) or abs(slope) > MAX_LEAN:
            continue
        start, end = x[ids[0]], x[ids[-1]] + w[ids[-1]]
        lengths = w[ids]
        gaps = x[ids[1:]] - (x[ids[:-1]] + w[ids[:-1]])
        short = gaps[gaps <= gap_limit]
        if len(short) < MIN_SHORT_GAPS * len(gaps) or short.std() > MAX_SPREAD * short.mean() + 1:
            continue  # printed dashes come at a steady pace; specks of noise do not
        # A few marks twice the usual length are blots where rules cross (dashes run together);
        # more are a broken line's pieces, which vary.
        usual = lengths[lengths < 2 * np.median(lengths)]
        alike = usual if len(usual) >= (1 - MAX_BLOTS) * len(lengths) else lengths
        if alike.std() > MAX_SPREAD * alike.mean():
            continue
        if not FILL[0] <= lengths.sum() / (end - start) <= FILL[1]:
            continue
        a, b = (start, intercept + slope * start), (end, intercept + slope * end)
        thickness = max(1, int(round(float(np.median(h[ids])))))
        boxes = [(int(y[i]), int(x[i]), int(y[i] + h[i]), int(x[i] + w[i])) for i in ids]
        if not horizontal:
            a, b = a[::-1], b[::-1]
            boxes = [(c0, r0, c1, r1) for r0, c0, r1, c1 in boxes]
        # Drawn as dark as its dashes print (each dash's darkest pixel: JPEG greys a dash's edges).
        shade = int(np.median([grey[r0:r1, c0:c1].min() for r0, c0, r1, c1 in boxes]))
        if shade > faint or not _inside(a, b, grey.shape, EDGE * px, (1,) if horizontal else (0,)):
            continue
        free = len(ids) >= MIN_DASHES and end - start >= MIN_SPAN * px
        if not free and not (_steady(lengths, gaps, gap_limit) and _inside(a, b, grey.shape, EDGE * px, (0, 1))):
            continue
        found.append(DashedRule(a[0], a[1], b[0], b[1], thickness, shade, free, float(np.median(lengths))))
    return found


def _ink_on(total: np.ndarray, horizontal: bool, start: float, end: float, across: float) -> int:
    """Pixels of ink on a line (three pixels wide) between two places along it."""
    a0, a1, c0, c1 = int(start), int(end), int(round(across)) - 1, int(round(across)) + 2
    y0, y1, x0, x1 = (c0, c1, a0, a1) if horizontal else (a0, a1, c0, c1)
    y0, y1 = np.clip((y0, y1), 0, total.shape[0] - 1)
    x0, x1 = np.clip((x0, x1), 0, total.shape[1] - 1)
    return int(_box_ink(total, x0, y0, x1, y1))


def _box_ink(total: np.ndarray, x0, y0, x1, y1):
    """Ink pixels in the boxes [x0, x1) × [y0, y1) (numbers or arrays, inside the image), from
    the ink's integral image."""
    return total[y1, x1] - total[y0, x1] - total[y1, x0] + total[y0, x0]


def _steady(lengths: np.ndarray, gaps: np.ndarray, gap_limit: float) -> bool:
    """Whether a short row of marks keeps a printer's pace: alike marks, alike gaps, none
    skipped (a few specks of noise in a row do not)."""
    return not ((gaps > gap_limit).any() or gaps.std() > STEADY * gaps.mean() + 1
                or lengths.std() > STEADY * lengths.mean())


def _in_screen(chain: list[int], cx: np.ndarray, cy: np.ndarray, rows: list, near: float) -> bool:
    """Whether another row of marks runs beside the chain, closer than any two rules lie: a
    halftone screen or a dotted fill (rows of dots a dot apart), not a rule."""
    across, start, end = float(np.median(cy[chain])), cx[chain[0]], cx[chain[-1]]
    for other, a, b in rows:
        overlap = min(end, b) - max(start, a)
        if 0.5 <= abs(other - across) <= near and overlap > 0.3 * max(end - start, b - a):
            return True
    return False


def _inside(a: tuple, b: tuple, shape: tuple, margin: float, axes: tuple[int, ...]) -> bool:
    """Whether a line's ends lie further than margin pixels from the image's edges, along the
    axes given (0: x, 1: y). A scan's border, a sheet's edge and JPEG's blocks along it make rows
    of marks there; a table may start at the top margin, so a long rule is only held off the
    edges it runs along."""
    sizes = (shape[1], shape[0])
    return all(margin <= p[axis] <= sizes[axis] - margin for p in (a, b) for axis in axes)
