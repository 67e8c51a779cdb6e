"""Show-through: the other side's print, seen through thin paper, is not this page's print.

A sheet printed on both sides and scanned shows the back page faintly, mirrored. OCR read its
lines as words (联联典品, ）团出公因: 因公出国（ backwards) and they joined the names and cells they
fell among. Two things tell such a line from the page's own: it is much lighter than the page's
print, and it reads better mirrored. A line lighter than the print by a quarter of the paper's
brightness is read again flipped left to right; when that reading is surer, the line is dropped.
Faint print of the page's own reads worse flipped; a lone glyph, or text that reads the same
both ways (a light lone 0 in a 三公 line), is no evidence and kept.
On a page where two or more such lines were found, a Chinese character as light as them, read
into a line of the page's print (目213.28), is dropped from it too; figures and marks never are.
So is a rule as light as them: the back page's grid, which split this page's columns.
"""

from __future__ import annotations

import numpy as np

from .hanzi import all_han
from .watermark import PRINT_CORE, box_tone, rect_tone

LIGHTER = 0.25  # share of the paper's brightness a line's darkest is lighter than the page's print
PRINT_SHARE = 20  # percentile of the lines' darkest tones taken as the page's print (most are)
MIRROR_GAIN = 0.05  # how much surer the mirrored reading must be
MIN_LINES = 3  # lines a page needs for its print's tone to mean anything
CHAR_MARGIN = 0.1  # share of the paper's brightness: a ghost character is at most this darker than its lines
CHAR_EVIDENCE = 2  # ghost lines a page needs before light characters in its own lines are dropped
RULE_BAND = 2  # pixels either side of a rule's line searched for its darkest (a rule leans, or is thick)


def ghost_lines(grey: np.ndarray, result: list, read_mirrored) -> tuple[set[int], float | None]:
    """Indices of a reading's lines that are the other side's print (light, and read surer
    mirrored: ``read_mirrored`` takes line boxes and reads their crops flipped left to right),
    and the tone from which a character is as light as them (None below ``CHAR_EVIDENCE`` lines)."""
    cores = [box_tone(grey, item[0], PRINT_CORE) for item in result]
    known = [c for c in cores if c is not None]
    if len(known) < MIN_LINES:
        return set(), None
    paper = float(np.percentile(grey, 90))
    light_from = float(np.percentile(known, PRINT_SHARE)) + LIGHTER * paper
    light = [i for i, c in enumerate(cores) if c is not None and c >= light_from]
    if not light:
        return set(), None
    mirrored = read_mirrored([result[i][0] for i in light])
    # A lone glyph, or text that reads the same both ways (0, 8, 0.0), proves nothing mirrored.
    ghosts = {i for i, (text, score) in zip(light, mirrored)
              if float(score) >= float(result[i][2]) + MIRROR_GAIN and len(text) >= 2 and text != result[i][1]}
    if len(ghosts) < CHAR_EVIDENCE:
        return ghosts, None
    # A character's box is a slice of its line: thin strokes (三) make it lighter than its line,
    # so a character is taken for the other side only when nearly as light as those lines.
    return ghosts, float(np.median([cores[i] for i in ghosts])) - CHAR_MARGIN * paper


def without_light_characters(lines, grey: np.ndarray, light_from: float) -> list:
    """Lines of characters ``(text, (x0, y0, x1, y1), conf)`` without Chinese characters whose
    darkest is as light as the other side's print (a ghost character read into a line)."""
    def ghost(char) -> bool:
        text, (x0, y0, x1, y1), _ = char
        if not all_han(text):
            return False
        tone = rect_tone(grey, (x0, y0, x1, y1), 0)
        return tone is not None and tone >= light_from

    return [[char for char in line if not ghost(char)] for line in lines]


def without_light_rules(rules, grey: np.ndarray, light_from: float) -> list:
    """Rules ``(x0, y0, x1, y1)`` less those as light as the other side's print: its table's grid
    seen through the paper, which split this page's columns and rows where it fell."""
    def tone(rule) -> float | None:
        x0, y0, x1, y1 = (int(v) for v in rule)
        if y0 == y1:
            band, across = grey[max(0, y0 - RULE_BAND):y0 + RULE_BAND + 1, x0:x1 + 1], 0
        else:
            band, across = grey[y0:y1 + 1, max(0, x0 - RULE_BAND):x0 + RULE_BAND + 1], 1
        # Its darkest across the band at each step, then the middle along it: the front's print
        # it crosses is dark only where it crosses.
        return float(np.median(band.min(axis=across))) if band.size else None

    return [rule for rule in rules if (t := tone(rule)) is None or t < light_from]
