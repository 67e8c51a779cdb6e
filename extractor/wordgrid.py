"""Fallback for tables printed without ruling lines: a grid from word positions alone.

Rows are the lines that hold an amount or a code; a wrapped label line joins the nearest such
row. Columns are the horizontal bands where data words overlap (amounts are aligned within a
column); each band's header label is the header words above it that overlap it.
"""

from __future__ import annotations

import re

from .grid import Cell, Grid, group_lines
from .pages import Word

ROW_PITCH_SHARE = 0.75  # of the rows' pitch: a line without figures this far from them is a row
WRAP = 1.4  # line heights: a wrapped name's next line lies closer to its first than this
_DATA = re.compile(r"^[+-]?[\d,]*\.?\d+$")
# Lines around a table that are not part of it.
_NOT_TABLE = re.compile(r"^(编制(单位|部门)|单位[:：]|金额单位|备注|注[:：]|-?\d{1,3}-?$|表\d+$|第\d+页)")


def _is_data(word: Word) -> bool:
    return bool(_DATA.match(word.text.replace(" ", "")))


def _bands(words: list[Word]) -> list[tuple[float, float]]:
    """Merge the x-extents of words into column bands (overlapping extents are one column)."""
    bands: list[list[float]] = []
    for w in sorted(words, key=lambda w: w.x0):
        if bands and w.x0 <= bands[-1][1] + 1.0:
            bands[-1][1] = max(bands[-1][1], w.x1)
        else:
            bands.append([w.x0, w.x1])
    return [(a, b) for a, b in bands]


def _centre(line: list[Word]) -> float:
    return sum(w.cy for w in line) / len(line)


def _rows(body: list[list[Word]], data_lines: list[list[Word]]) -> list[list[Word]]:
    """The table's rows: each data line, and each line without a figure that stands a row's pitch
    from every line with figures (an item with nothing budgeted, "三、国防支出"); a wrapped name's
    other line sits closer (a line's spacing, not a row's) and joins the data line nearest to it."""
    centres = [_centre(ln) for ln in data_lines]
    height = sorted(max(w.y1 for w in ln) - min(w.y0 for w in ln) for ln in data_lines)[len(data_lines) // 2]
    # The pitch of rows: the closest two rows with figures (empty rows may lie between others).
    pitch = min((b - a for a, b in zip(centres, centres[1:]) if b - a >= WRAP * height), default=0.0)
    rows: list[list[Word]] = [list(ln) for ln in data_lines]
    for ln in body:
        if ln in data_lines:
            continue
        cy = _centre(ln)
        nearest = min(range(len(centres)), key=lambda i: abs(centres[i] - cy))
        if pitch and abs(centres[nearest] - cy) >= max(ROW_PITCH_SHARE * pitch, WRAP * height):
            rows.append(list(ln))
            centres.append(cy)
        else:
            rows[nearest] += ln
    order = sorted(range(len(rows)), key=lambda i: centres[i])
    return [rows[i] for i in order]


def word_grid(page: int, words: list[Word]) -> Grid | None:
    """A Grid for an unruled table from its words, or None when the words hold no table."""
    lines = [ln for ln in group_lines(words)
             if not _NOT_TABLE.match("".join(w.text for w in ln).replace(" ", ""))]
    data_idx = [i for i, ln in enumerate(lines) if any(_is_data(w) for w in ln)]
    # One line of figures is a table too (a one-row summary: 合计 under its header), when it
    # holds two figures or more.
    if not data_idx or len(data_idx) == 1 and sum(_is_data(w) for w in lines[data_idx[0]]) < 2:
        return None
    header_lines = lines[: data_idx[0]]
    body = lines[data_idx[0]:]
    data_lines = [ln for ln in body if any(_is_data(w) for w in ln)]
    bands = _bands([w for ln in body for w in ln])
    if len(bands) < 2:
        return None
    rows = _rows(body, data_lines)
    header_words = [w for ln in header_lines for w in ln]
    n_cols = len(bands)
    all_rows = [header_words] + rows if header_words else rows
    cells: list[Cell] = []
    owner: list[list[int]] = []
    # A header is centred over its column while amounts are right-aligned: a header word belongs
    # to every column whose reach (up to halfway to the neighbours) it overlaps.
    reach = [((bands[i - 1][1] + a) / 2 if i else a - 50, (b + bands[i + 1][0]) / 2 if i + 1 < n_cols else b + 50)
             for i, (a, b) in enumerate(bands)]
    header_of: dict[int, list[Word]] = {c: [] for c in range(n_cols)}
    for w in header_words:
        overlaps = [max(0.0, min(w.x1, hi) - max(w.x0, lo)) for lo, hi in reach]
        best = max(range(n_cols), key=lambda c: overlaps[c])
        for c, (lo, hi) in enumerate(reach):
            # The column it overlaps most, and every column a group header ("财政拨款（补助）") spans.
            if c == best and overlaps[c] > 0 or overlaps[c] >= 0.6 * (hi - lo):
                header_of[c].append(w)
    for r, row_words in enumerate(all_rows):
        owner.append([])
        for c, (a, b) in enumerate(bands):
            if header_words and r == 0:
                mine = header_of[c]
            else:
                mine = [w for w in row_words if a <= w.cx <= b]
            owner[-1].append(len(cells))
            cells.append(Cell(r, c, words=mine, bbox=(a, min((w.y0 for w in mine), default=0),
                                                         b, max((w.y1 for w in mine), default=0))))
    x0 = min(a for a, _ in bands)
    x1 = max(b for _, b in bands)
    y0 = min(w.y0 for w in words)
    y1 = max(w.y1 for w in words)
    row_edges = [y0] * (len(all_rows) + 1)
    col_edges = [a for a, _ in bands] + [x1]
    return Grid(page, (x0, y0, x1, y1), row_edges, col_edges, cells, owner)
