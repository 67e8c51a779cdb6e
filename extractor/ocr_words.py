"""A recognised line cut into words: at spaces, wide gaps and rules, and where the recogniser read
two cells printed close without a rule as one line (label, amount and the next label glued)."""

from __future__ import annotations

import re

from .hanzi import is_han
from .ocr_mend import APART, WORD_GAP

PUNCT_GAP = 0.9  # the same after punctuation
PUNCTUATION = set("，。、：；！？）》」』】,.:;!?)")
OPENING = set("（《「『【(")  # glyphs at the right of their box: a gap before one looks wider


_AMOUNT_END = re.compile(r"\d\.\d+$")
_AMOUNT = re.compile(r"\d[\d,]*\.\d+")
_MONEY = re.compile(r"\d{1,3}(,\d{3})+\.\d+|\d+\.\d{2}")  # not a section's number ("2.1项目概况")
_FIGURES = re.compile(r"-?[\d,.]+")
UNITS = set("元万亿千百%％")  # what may follow an amount in one word
MEASURES = UNITS | set("个倍")  # ... or in running text ("1.15个百分点")
STROKES = set("1|lIi丨!")  # glyphs a piece of a rule reads as


def lone_stroke(line: list) -> bool:
    """Whether a recognised line is one stroke-like glyph alone: maybe a piece of a rule."""
    return len(line) == 1 and line[0][0] in STROKES


def _on_rule(ch, verticals, height: float) -> bool:
    """Whether a character is a piece of a column rule read as a glyph ("1" where a broken rule
    runs into a header line): a rule through its middle that runs on from its box. A printed
    digit never stands on a rule; one beside it keeps the rule off its middle."""
    x0, y0, x1, y1 = ch[1]
    quarter = (x1 - x0) / 4
    return any(x0 + quarter <= rx <= x1 - quarter and ry0 <= y1 + height / 2 and ry1 >= y0 - height / 2
               for rx, ry0, _, ry1 in verticals)


def _amount_then_label(group: list, ch, height: float) -> bool:
    """Whether a Chinese character after an amount with decimals, further than a word's
    characters stand, starts the next cell's label ("91,016,775.35 一、一般公共服务支出", a
    table printed without column rules); a unit after its amount ("518.80万元") does not."""
    if not is_han(ch[0]) or ch[0] in UNITS or not _AMOUNT_END.search("".join(c[0] for c in group[-6:])):
        return False
    return ch[1][0] - group[-1][1][2] > APART * height


def _money(text: str, decimals: int) -> bool:
    return re.fullmatch(rf"-?(\d{{1,3}}(,\d{{3}})+|\d+)\.\d{{{decimals}}}", text) is not None


def _cuts(group: list, height: float) -> list[int]:
    """Where a word the recogniser read over neighbouring cells comes apart: two amounts of
    equal decimals run together ("82,096,797.4282,096,797.42"), or an amount with decimals
    between two labels ("一般公共预算资金91,016,775.35一、一般公共服务支出") or before one
    ("18,330.37一、基本支出", an amount of money beginning the word), or after a label and
    further from it than a word's characters stand. Running text puts a unit or punctuation
    after its amounts ("收入预算518.8万元，"), so it stays whole."""
    text = "".join(c[0] for c in group)
    if len(text) != len(group):  # a line read without character boxes: one pseudo-character
        return []
    if _FIGURES.fullmatch(text) and text.count(".") == 2:
        decimals = len(text) - text.rindex(".") - 1
        end = text.index(".") + 1 + decimals
        return [end] if _money(text[:end], decimals) and _money(text[end:], decimals) else []
    cuts: list[int] = []
    for found in _AMOUNT.finditer(text):
        start, end = found.span()
        label_before = start > 0 and is_han(text[start - 1])
        label_after = end < len(text) and is_han(text[end]) and text[end] not in MEASURES
        if label_after and (label_before or (start == 0 and _MONEY.fullmatch(found.group()))):
            cuts += [start, end]
        elif label_before and end == len(text) and group[start][1][0] - group[start - 1][1][2] > APART * height:
            cuts.append(start)
    return sorted(set(cuts))


def _unglued(group: list, height: float) -> list[list]:
    cuts = [0, *_cuts(group, height), len(group)]
    return [group[a:b] for a, b in zip(cuts, cuts[1:]) if a < b]


def split_words(chars, verticals) -> list[tuple[str, tuple[float, float, float, float], float]]:
    """Split a line into words at spaces, wide gaps and ruling lines (a piece of a rule read as
    a "1" dropped).

    OCR reads a text line across neighbouring table cells as one line; a rule between two
    characters, or a gap wider than half a character, separates the cells' words (two cells
    printed close without a rule: "项目负责人李阳", "0.84其他资金："). Characters of one word stand
    closer than a third; after punctuation, whose glyph sits at the left of its box, only a gap
    wider than a character does.
    """
    heights = sorted(c[1][3] - c[1][1] for c in chars) or [1.0]
    height = heights[len(heights) // 2] or 1.0
    if lone_stroke(chars) and _on_rule(chars[0], verticals, height):
        return []
    if len(chars) == 1 and len(chars[0][0]) > 1:
        return _estimated(chars[0])
    groups: list[list] = [[]]
    prev = None

    def apart(a, b) -> bool:
        left, right = a[1][2], b[1][0]
        cy = (b[1][1] + b[1][3]) / 2
        ruled = any(left - 2 <= x0 <= right + 2 and y0 <= cy <= y1 for x0, y0, _, y1 in verticals)
        return right - left > (PUNCT_GAP if a[0] in PUNCTUATION else WORD_GAP) * height or ruled

    for i, ch in enumerate(chars):
        if ch[0].isspace():
            nxt = chars[i + 1] if i + 1 < len(chars) else None
            # The recogniser reads a space after an amount's separator ("80, 000. 00"), and
            # before an opening bracket ("国 (境)"): one word.
            joined = prev is not None and nxt is not None and (
                (prev[0] in ",." and nxt[0].isdigit() and len(groups[-1]) > 1 and groups[-1][-2][0].isdigit()
                 and not apart(prev, nxt))
                or (nxt[0] in OPENING and nxt[1][0] - prev[1][2] <= PUNCT_GAP * height))
            if not joined:
                groups.append([])
                prev = None
            continue
        if prev is not None and (apart(prev, ch) or _amount_then_label(groups[-1], ch, height)):
            groups.append([])
        groups[-1].append(ch)
        prev = ch
    return [_word(piece) for group in groups if group for piece in _unglued(group, height)]


def _word(group: list) -> tuple[str, tuple[float, float, float, float], float]:
    return ("".join(c[0] for c in group),
            (min(c[1][0] for c in group), min(c[1][1] for c in group),
             max(c[1][2] for c in group), max(c[1][3] for c in group)),
            # The mean: one unsure character ("园" at 0.19) must not drop a 27-character
            # project name read at 0.94.
            sum(c[2] for c in group) / len(group))


def _estimated(line) -> list:
    """A line read without character boxes (a second reading gives text alone), cut where
    neighbouring cells were read as one (``_cuts``) at characters placed by their width: a
    full-width one a character, any other half. Left whole where nothing is glued."""
    text, (x0, y0, x1, y1), conf = line
    widths = [1.0 if c >= "\u3000" else 0.5 for c in text]
    per = (x1 - x0) / sum(widths)
    chars, x = [], x0
    for c, w in zip(text, widths):
        chars.append((c, (x, y0, x + w * per, y1), conf))
        x += w * per
    pieces = _unglued(chars, y1 - y0)
    return [line] if len(pieces) == 1 else [_word(piece) for piece in pieces]
