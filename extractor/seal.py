"""Seals: a round stamp over the print, scanned in grey.

A unit stamps its disclosure with its seal (公章, 财务专用章), often across the table's last columns.
In a colour scan the seal is red and ``paper.neutral_ink`` takes it for paper; scanned in grey it is
ink like the print: its ring made short "rules" that split columns (js09's three columns read as
seven), its words joined the names beside them (事业收入海市普陀区) and its strokes cut the figures
under it (379,600.00 read 37600.00).

Its signature is its ring: a circle a few centimetres across, drawn in one tone between the print's
black and the paper, with paper on both sides of the stroke where nothing is printed. It is found
on the page's mid tones (print and rules are darker, so a table's grid does not pull the circle off
its centre). Where the print is well darker than the seal, all of the seal's tone inside its disk
is painted paper (ring, words, star), but not beside a core of print; else only its ring, and its
words are dropped from the reading where they run (Chinese characters in the ring's band no
darker than the seal). Rules across a seal are kept, the page is read again, and the seal's words
are kept aside (``Source.seals``). A page without such a ring is left alone (~0.01 s to look).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .hanzi import all_han, is_han
from .watermark import PRINT_CORE, box_tone, level_lines, paint_lighter, rect_tone

# A seal's radius as a share of the page's short side: official round seals are 38-45 mm across,
# financial ones down to ~30 mm, on a page 210 mm wide (A4, either way up).
RADIUS = (0.06, 0.14)
HOUGH_SIDE = 400  # px: about the short side of the mask the circle is looked for in
CANDIDATES = 8  # circles with the most votes looked at: a page has one seal, or two
MID = (0.1, 0.7)  # mid tones: above the print's darkest by this share of the paper, below this share
RING_INK = 0.8  # share of the ring's angles that must be ink (the print covers some of it)
RING_MID = 0.25  # share of the ring's angles in mid tones: the ring is not the print's black
BESIDE_INK = 0.5  # most share of angles with ink on a band a tenth of the radius inside or outside
REGION = 1.08  # radii: the disk painted, the ring's stroke included
RING_REACH = 0.06  # radii: the most the ring's stroke reaches either side of its circle
WORD_BAND = (0.5, 1.0)  # radii: where a seal's words run, inside its ring
# Radii: a straight run of ink this long is a rule; a ring's stroke 8 px wide keeps straight for
# about 2*sqrt(2*r*8) px, 0.6 of a radius at 45 mm across and 200 dpi.
RULE_RUN = 0.9
RULE_INK = 0.85  # share of the paper's brightness: a scan's thin rules are light grey
RULE_CORE = 25  # percentile of the rules' pixels (their edges are lighter) taken as a rule's tone
# Shares of the paper's brightness: how much darker than a seal the print must be for the seal's
# whole disk to be painted, and for a pixel to be print (kept, with its edges).
DISK_GAP = 0.2
CORE_GAP = 0.1
MARK_GAP = 0.03  # a figure or mark inside a seal is the seal's only when about as light as it


@dataclass(frozen=True)
class Seal:
    """A seal's ring on a page image: centre and radius in pixels, the tone of its stroke."""

    cx: float
    cy: float
    r: float
    tone: float


def _percentiles(grey: np.ndarray, *qs: float) -> list[float]:
    import cv2

    hist = cv2.calcHist([grey], [0], None, [256], [0, 256]).ravel().cumsum()
    return [float(np.searchsorted(hist, q / 100 * hist[-1])) for q in qs]


def _ring(values: np.ndarray, cx: float, cy: float, r: float, spread: int = 3, darkest: bool = True) -> np.ndarray:
    """Per angle (2 degrees apart), the least (or, for a mask, the greatest) value within
    ``spread`` px of the circle."""
    h, w = values.shape
    angles = np.linspace(0, 2 * np.pi, 180, endpoint=False)[:, None]
    radii = r + np.arange(-spread, spread + 1)[None, :]
    x = np.clip(np.rint(cx + radii * np.cos(angles)).astype(int), 0, w - 1)
    y = np.clip(np.rint(cy + radii * np.sin(angles)).astype(int), 0, h - 1)
    return values[y, x].min(axis=1) if darkest else values[y, x].max(axis=1)


def _fit(dark: np.ndarray, cx: float, cy: float, r: float, step: float) -> tuple[float, float, float]:
    """The circle near (cx, cy, r), within a step of the coarse search, that most ink lies on:
    the best of its neighbours a step away, then half a step."""
    for size in (step, step / 2):
        offsets = (-size, 0.0, size)
        # Near the stroke, then along its middle (a ring 8 px wide lies under many circles).
        shares = {(cx + dx, cy + dy, r + dr): _ring(dark, cx + dx, cy + dy, r + dr, darkest=False).mean()
                  + _ring(dark, cx + dx, cy + dy, r + dr, 2).mean()
                  for dx in offsets for dy in offsets for dr in offsets}
        cx, cy, r = max(shares, key=shares.get)
    return cx, cy, r


def find_seals(grey: np.ndarray) -> list[Seal]:
    """The seals stamped on a grey page: rings in the mid tones (see the module's doc)."""
    import cv2

    if grey.ndim != 2 or min(grey.shape) < 64:
        return []
    ink, paper = _percentiles(grey, 0.5, 90)
    mid = cv2.inRange(grey, ink + MID[0] * paper, MID[1] * paper)
    # Print's anti-aliased edges are mid tones too, but only a pixel or two wide.
    mid = cv2.erode(mid, np.ones((3, 3), np.uint8))
    if not mid.any():
        return []
    # A whole divisor: OpenCV's area resize has a fast path for it.
    step = max(1, round(min(grey.shape) / HOUGH_SIDE))
    small = cv2.resize(mid, None, fx=1 / step, fy=1 / step, interpolation=cv2.INTER_AREA)
    side = min(small.shape)
    circles = cv2.HoughCircles(small, cv2.HOUGH_GRADIENT, dp=1, minDist=side * RADIUS[0], param1=100,
                               param2=20, minRadius=int(side * RADIUS[0]), maxRadius=int(side * RADIUS[1]))
    if circles is None:
        return []
    dark = grey < MID[1] * paper
    seals = []
    for cx, cy, r in circles[0][:CANDIDATES] * step:
        # Most candidates are print that happens to lie on an arc: turned away before the fit.
        if _ring(dark, cx, cy, r, step + 3, darkest=False).mean() < RING_INK:
            continue
        cx, cy, r = _fit(dark, cx, cy, r, step)
        tones = _ring(grey, cx, cy, r)
        on = tones < MID[1] * paper
        if on.mean() < RING_INK or _ring(mid > 0, cx, cy, r, 4, darkest=False).mean() < RING_MID:
            continue
        # A ring, not a grey patch: the bands just inside and outside it are mostly paper.
        beside = max(_ring(dark, cx, cy, r * f, 1, darkest=False).mean() for f in (0.9, 1.1))
        if beside > BESIDE_INK:
            continue
        seals.append(Seal(float(cx), float(cy), float(r), float(np.median(tones[on]))))
    return seals


def seal_region(shape, seals: list[Seal]) -> np.ndarray:
    """A mask of the seals' disks (their rings included)."""
    import cv2

    region = np.zeros(shape, np.uint8)
    for s in seals:
        cv2.circle(region, (round(s.cx), round(s.cy)), round(s.r * REGION), 255, -1)
    return region > 0


def clear_seals(grey: np.ndarray, seals: list[Seal], result) -> tuple[np.ndarray, bool, bool]:
    """The grey page with its seals painted paper where print is not clearly darker, whether they
    went whole, and whether the print is clearly darker than them at all. ``result`` is the
    page's reading: its level lines outside the seals say how dark the print is. Where it is well
    darker than the seals, all of their tone inside their disks goes (ring, words, star); else
    only their rings, the part that made rules (``seal_words`` then drops their words). Rules
    across a seal stay."""
    import cv2

    (paper,) = _percentiles(grey, 90)
    disks = seal_region(grey.shape, seals)
    prints = []
    for box in level_lines(result):
        x, y = np.asarray(box, dtype=np.float64).mean(axis=0)
        if not disks[min(max(int(y), 0), grey.shape[0] - 1), min(max(int(x), 0), grey.shape[1] - 1)]:
            prints.append(box_tone(grey, box, PRINT_CORE))
    prints = [t for t in prints if t is not None]
    tone = max(s.tone for s in seals)
    gap = tone - float(np.median(prints)) if prints else 0.0
    whole = gap >= DISK_GAP * paper
    ring = np.zeros(grey.shape, np.uint8)
    for s in seals:
        cv2.circle(ring, (round(s.cx), round(s.cy)), round(s.r), 255, 2 * _half_width(grey, s, paper) + 1)
    ring = ring > 0
    rules = _rules_across(grey, seals, paper)
    # A core is print clearly darker than the seal: half way to the print's own tone (its
    # darkest, of bold titles) put the cut below the strokes of a light scan's small print.
    cleared = paint_lighter(grey, tone, tone - CORE_GAP * paper, paper, (disks if whole else ring) & ~rules)
    # Where a rule crosses the ring, ink on ink is darker than the rule: left so, the crossing
    # stands out on it as a short dark stroke, and OCR read those as 1s (中央…资金11900).
    crossings = rules & ring
    elsewhere = rules & disks & ~ring
    if crossings.any() and elsewhere.any():
        rule_tone = np.uint8(np.percentile(grey[elsewhere], RULE_CORE))
        cleared[crossings] = np.maximum(cleared[crossings], rule_tone)
    return cleared, whole, gap >= CORE_GAP * paper


def _half_width(grey: np.ndarray, seal: Seal, paper: float) -> int:
    """Half the ring's stroke, in pixels (and one for the blur at its edges): the offsets from the
    circle at which most angles are ink."""
    dark = grey < MID[1] * paper
    reach = max(2, round(seal.r * RING_REACH))
    inked = [d for d in range(-reach, reach + 1)
             if _ring(dark, seal.cx, seal.cy, seal.r + d, 0, darkest=False).mean() >= 0.5]
    return max((abs(d) for d in inked), default=1) + 1


def _rules_across(grey: np.ndarray, seals: list[Seal], paper: float) -> np.ndarray:
    """A mask of the rules that run across the seals: ink in straight runs longer than a ring's
    stroke stays straight (a scan's thin rules are as grey as a seal, and a table without them
    inside the disk read its cells merged)."""
    import cv2

    keep = np.zeros(grey.shape, bool)
    for s in seals:
        reach = s.r * REGION
        x0, y0 = max(0, int(s.cx - reach)), max(0, int(s.cy - reach))
        x1, y1 = min(grey.shape[1], int(s.cx + reach) + 1), min(grey.shape[0], int(s.cy + reach) + 1)
        inked = (grey[y0:y1, x0:x1] < RULE_INK * paper).astype(np.uint8)
        run = max(3, round(RULE_RUN * s.r))
        lines = cv2.morphologyEx(inked, cv2.MORPH_OPEN, np.ones((1, run), np.uint8)) | \
            cv2.morphologyEx(inked, cv2.MORPH_OPEN, np.ones((run, 1), np.uint8))
        keep[y0:y1, x0:x1] |= cv2.dilate(lines, np.ones((3, 3), np.uint8)) > 0
    return keep


def seal_words(lines, seals: list[Seal], grey: np.ndarray, words: bool = True, pieces: bool = True) -> tuple[list, str]:
    """Lines of characters ``(text, (x0, y0, x1, y1), conf)`` without the seals' own marks, and
    the seals' words. A Chinese character in a seal's band of words (inside its ring) whose
    darkest is not clearly darker than the seal is the seal's; a line inside a ring all as
    light as the seal is a piece of it (its star read as 7, a stroke of a word as 1). Print
    under a seal is darker than the seal where they cross, and a figure in a line of print is
    never dropped (a lost "." would change the number). ``words=False``: not the words (they were
    painted out; thin print there is lighter than its line); ``pieces=False``: not the pieces
    (the print is as light as the seal: a line of figures would go)."""
    (paper,) = _percentiles(grey, 90)
    # A character's box often takes in a rule: its darkest is then the rule's, not the word's.
    grey = grey.copy()
    grey[_rules_across(grey, seals, paper)] = int(paper)

    def under(char) -> tuple[Seal | None, float | None]:
        text, (x0, y0, x1, y1), _ = char
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        seal = next((s for s in seals if np.hypot(cx - s.cx, cy - s.cy) <= s.r), None)
        return seal, (rect_tone(grey, (x0, y0, x1, y1), PRINT_CORE) if seal else None)

    def seal_word(char, seal, tone) -> bool:
        text, (x0, y0, x1, y1), _ = char
        in_band = np.hypot((x0 + x1) / 2 - seal.cx, (y0 + y1) / 2 - seal.cy) >= WORD_BAND[0] * seal.r
        return in_band and all_han(text) and \
            (tone is None or tone >= seal.tone - CORE_GAP * paper)

    kept, dropped = [], []
    for line in lines:
        looks = [under(char) for char in line]
        if pieces and line and all(seal is not None and (tone is None or tone >= seal.tone - MARK_GAP * paper)
                        for seal, tone in looks):
            kept.append([])  # a piece of the seal: its words are kept as the seal's
            dropped.extend(c for char in line for c in char[0] if is_han(c))
            continue
        keep = []
        for char, (seal, tone) in zip(line, looks):
            if words and seal is not None and seal_word(char, seal, tone):
                dropped.append(char[0])
            else:
                keep.append(char)
        kept.append(keep)
    return kept, "".join(dropped)

def without_seals(grey: np.ndarray, result: list, seals: list[Seal], recognise) -> tuple[list, np.ndarray, bool, bool]:
    """The page read again (``recognise``, grey → reading) with its seals painted out, the grey
    its rules are found in, and ``clear_seals``'s two answers: painted whole, print distinct."""
    cleared, whole, distinct = clear_seals(grey, seals, result)
    return recognise(cleared), cleared, whole, distinct
