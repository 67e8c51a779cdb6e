"""Fallback for tables printed without ruling lines: a grid from word positions alone.

Rows are the lines that hold an amount or a code; a wrapped label line joins the nearest such
row, never across a printed row rule (a table ruled across but not down keeps its rows apart by
its rules). Columns are the horizontal bands where data words overlap (amounts are aligned within
a column) together with the header's own columns, so a column with no figure in it keeps its
place and its neighbour's figures do not take its name.
"""

from __future__ import annotations

import bisect
import itertools
import re

from .cellmerge import is_figure
from .grid import Cell, Grid, group_lines, merge_collinear
from .hanzi import count_han
from .pages import Segment, Word
from .wordhead import continued_columns, group_tiers, header_labels, overlap, place_columns, spaced

ROW_PITCH_SHARE = 0.75  # of the rows' pitch: a line without figures this far from them is a row
WRAP = 1.4  # line heights: a wrapped name's next line lies closer to its first than this
ACROSS = 0.5  # of the table's width: a row rule runs at least this far
CROSSING = 0.25  # of the fewer words on either side: so few words across a gap join no columns
_ITEM = re.compile(r"^([一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|\d+[.、．](?!\d))")
_UNIT = re.compile(r"^(金额)?单位[:：]")
_NOTE = re.compile(r"^(备注|注[:：\d])")
# Lines around a table that are not part of it.
_NOT_TABLE = re.compile(r"^(编制(单位|部门)|(部门|单位)(名称)?[:：]|金额单位|备注|注[:：]|-?\d{1,3}-?$|表\d+$|第\d+页)")


def _wrapped(line: list[Word], w: Word) -> bool:
    """Whether a word starts the next line of a line that wrapped: flush left under it, close."""
    h = w.y1 - w.y0
    return abs(w.x0 - line[0].x0) <= 0.5 * h and w.y0 - max(v.y1 for v in line) <= 0.6 * h


def _bands(words: list[Word]) -> list[tuple[float, float]]:
    """Merge the x-extents of words into column bands (overlapping extents are one column). Two
    columns that a few words printed across both join ("总计" centred over 科目名称 and
    项目名称, a merged cell) stay two bands."""
    bands: list[list] = []
    for w in sorted(words, key=lambda w: w.x0):
        if bands and w.x0 <= bands[-1][1] + 1.0:
            bands[-1][1] = max(bands[-1][1], w.x1)
            bands[-1][2].append(w)
        else:
            bands.append([w.x0, w.x1, [w]])
    return [band for a, b, inside in bands for band in _parted(inside)]


def _parted(words: list[Word]) -> list[tuple[float, float]]:
    """One band's extent, or two or more where words end on the left and begin on the right of a
    gap only a few words cross (each side at least two words, the crossing ones at most
    ``CROSSING`` of the smaller side, or one of three or more), or, up to half the smaller side,
    only words of text cross between a side of text and a side mostly of figures (two at least):
    labels of merged cells ("当年支出小计" centred over 功能科目名称 | 金额 | 项目名称) over names
    beside amounts."""
    ends = sorted(w.x1 for w in words)
    starts = sorted(w.x0 for w in words)
    cut = {w.x1 for w in words if w.text.endswith((",", "."))}  # an amount read in pieces ("80," "000.00")
    best = None
    for x in ends:
        if x in cut:
            continue
        nxt = bisect.bisect_right(starts, x + 1.0)
        if nxt == len(starts):
            break
        left, right = bisect.bisect_right(ends, x), len(starts) - nxt
        crossing = len(words) - left - right
        # One word across a gap with three on each side at least: a merged cell's label (合计
        # centred over 科目名称 | 项目名称; OCR's wider box reaches both columns' words).
        allowed = max(CROSSING * min(left, right), 1 if min(left, right) >= 3 else 0)
        if min(left, right) >= 2 and (best is None or crossing < best[0]) \
                and (crossing <= allowed or _kinds_apart(words, x, starts[nxt])):
            best = (crossing, x, starts[nxt])
    if best is None:
        return [(starts[0], ends[-1])]
    _, x, x1 = best
    return _parted([w for w in words if w.x1 <= x]) + _parted([w for w in words if w.x0 >= x1])


def _kinds_apart(words: list[Word], x0: float, x1: float) -> bool:
    """Whether text alone lies on one side of the gap x0..x1, mostly figures on the other, and
    only text crosses it."""
    left = [is_figure(w) for w in words if w.x1 <= x0]
    right = [is_figure(w) for w in words if w.x0 >= x1]
    crossing = [w for w in words if w.x1 > x0 and w.x0 < x1]
    if any(is_figure(w) for w in crossing) or 2 * len(crossing) > min(len(left), len(right)):
        return False
    return not any(left) and 2 * sum(right) >= max(len(right), 4) or not any(right) and 2 * sum(left) >= max(len(left), 4)


def _band_of(w: Word, bands: list[tuple[float, float]], figures: list[bool]) -> int | None:
    """The band a word's centre lies in, else the first it reaches into: a word printed across two
    columns is a merged cell's, whose text a ruled grid gives its first column. So is a label
    centred in a band of figures reaching into one of text ("当年支出小计" over 功能科目名称 | 金额)."""
    inside = [i for i, (a, b) in enumerate(bands) if a <= w.cx <= b]
    reached = [i for i, (a, b) in enumerate(bands) if overlap(w.x0, w.x1, a, b) > 0]
    if inside and figures[inside[0]] and not is_figure(w):
        reached = [i for i in reached if not figures[i]] or inside
        return reached[0]
    return (inside or reached or [None])[0]


def _figure_bands(words: list[Word], bands: list[tuple[float, float]]) -> list[bool]:
    """Whether each band's own words (those within it) are mostly figures."""
    out = []
    for a, b in bands:
        own = [is_figure(w) for w in words if a <= w.x0 and w.x1 <= b]
        out.append(2 * sum(own) > len(own))
    return out


def _centre(line: list[Word]) -> float:
    return sum(w.cy for w in line) / len(line)


def _text_size(body: list[list[Word]], data_lines: list[list[Word]]) -> float:
    """The print's line height: the data lines' median height, or the width of a Chinese character
    when that is less. OCR's boxes stand a third taller than the print (js03's 9.8 pt characters in
    14 pt boxes), and rows 16 pt apart then lay closer than a wrapped name's lines; a character's
    width is the same born-digital and scanned."""
    height = sorted(max(w.y1 for w in ln) - min(w.y0 for w in ln) for ln in data_lines)[len(data_lines) // 2]
    # Words of full-width characters only (Chinese, full-width brackets): each a character wide.
    widths = sorted((w.x1 - w.x0) / len(w.text) for ln in body for w in ln
                    if count_han(w.text) >= 2 and min(w.text) >= "\u3000")
    return min(height, widths[len(widths) // 2]) if len(widths) >= 2 else height


def _rows(body: list[list[Word]], data_lines: list[list[Word]], rules: list[float]) -> list[list[Word]]:
    """The table's rows: each data line, and each line without a figure that stands a row's pitch
    from every line with figures (an item with nothing budgeted, "三、国防支出"); a wrapped name's
    other line sits closer (a line's spacing, not a row's) and joins the data line nearest to it.
    A printed row rule (at ``rules``, heights) between two lines keeps them in different rows."""
    def between(ln: list[Word]) -> int:
        return bisect.bisect_left(rules, _centre(ln))

    centres = [_centre(ln) for ln in data_lines]
    height = _text_size(body, data_lines)
    # The pitch of rows: the closest two lines further apart than a wrapped name's lines.
    every = sorted(_centre(ln) for ln in body)
    pitch = min((b - a for a, b in zip(every, every[1:]) if b - a >= WRAP * height), default=0.0)
    rows: list[list[Word]] = [list(ln) for ln in data_lines]
    bays = [between(ln) for ln in data_lines]
    for ln in body:
        if ln in data_lines:
            continue
        cy, bay = _centre(ln), between(ln)
        # Rows so far under the same rule: a wrapped line of a name without figures joins it too.
        near = [i for i in range(len(rows)) if bays[i] == bay]
        nearest = min(near, key=lambda i: abs(centres[i] - cy), default=None)
        apart = abs(centres[nearest] - cy) if nearest is not None else None
        # A line that begins a numbered item ("十三、交通运输支出") a line's height or more from
        # the nearest row is a row of its own: a wrapped name's next line begins no item. On a
        # scan OCR's boxes stand taller than the print, and rows printed 1.2 boxes apart passed
        # for a wrapped name's lines by spacing alone.
        if apart is None or (apart >= height and any(_ITEM.match(w.text) for w in ln)) \
                or pitch and apart >= max(ROW_PITCH_SHARE * pitch, WRAP * height):
            rows.append(list(ln))
            centres.append(cy)
            bays.append(bay)
        else:
            rows[nearest] += ln
    order = sorted(range(len(rows)), key=lambda i: centres[i])
    return [rows[i] for i in order]


def _row_rules(rules: list[Segment], body: list[list[Word]]) -> list[float]:
    """Heights of the rules (horizontal, each one piece) printed across the table's body (at
    least half its width)."""
    x0 = min(w.x0 for ln in body for w in ln)
    x1 = max(w.x1 for ln in body for w in ln)
    return sorted(r.y0 for r in rules if min(r.x1, x1) - max(r.x0, x0) >= ACROSS * (x1 - x0))


def _split(lines: list[list[Word]], rules: list[Segment]) -> tuple[list, list, list[float]] | None:
    """Header lines, body lines and the heights of the rules across the body; None when no line
    holds figures (one line is a table when it holds two, or one and its label under a header of
    two labels or more: a 合计 row, "合 计 … 0" when nothing is budgeted).

    The body starts at the first line with figures, or at the rule under the header when one is
    printed (a wrapped name's first line sits above its row's figures); lines above the table's
    top rule (a preamble wrapped onto a second line) are no header."""
    data_idx = [i for i, ln in enumerate(lines) if any(is_figure(w) for w in ln)]
    if not data_idx:
        return None
    header_lines, body = lines[: data_idx[0]], lines[data_idx[0]:]
    if len(data_idx) == 1 and sum(is_figure(w) for w in body[0]) < 2 \
            and (all(is_figure(w) for w in body[0]) or sum(map(len, header_lines)) < 2):
        return None
    across = _row_rules(rules, body)
    above = [y for y in across if y < _centre(body[0])]
    if above and any(_centre(ln) > above[0] for ln in header_lines):
        header_lines = [ln for ln in header_lines if _centre(ln) > above[0]]
    if len(above) >= 2 and any(_centre(ln) < above[-1] for ln in header_lines):
        body = [ln for ln in header_lines if _centre(ln) > above[-1]] + body
        header_lines = [ln for ln in header_lines if _centre(ln) < above[-1]]
    return header_lines, body, across


def word_grid(page: int, words: list[Word], rules: list[Segment] = (), like: Grid | None = None) -> Grid | None:
    """A Grid for a table without column rules from its words (and the page's rules: those printed
    across it keep its rows apart), or None when the words hold no table. ``like``: the table's
    grid on an earlier page, whose columns a page without a header of its own keeps."""
    lines: list[list[Word]] = []
    skipped: list[Word] | None = None
    for ln in group_lines(words):
        text = "".join(w.text for w in ln).replace(" ", "")
        if _NOTE.match(text) and any(is_figure(w) for line in lines for w in line):
            break  # a note under the table: its lines run across the columns to the end
        if _NOT_TABLE.match(text):
            skipped = ln
            continue
        # The unit stated beside the preamble's wrapped end ("院  单位：万元" under "部门名称：
        # 江苏省高级人民法"): neither is a column's label.
        kept = [w for w in ln if not _UNIT.match(w.text)]
        if skipped and len(kept) < len(ln) and kept and _wrapped(skipped, kept[0]):
            kept = kept[1:]
        ln = kept
        skipped = None
        if ln:
            lines.append(ln)
    rules = merge_collinear([r for r in rules if r.horizontal], True)  # a rule drawn cell by cell is one
    split = _split(lines, rules)
    if split is None:
        return None
    header_lines, body, across = split
    body = [spaced(ln) for ln in body]  # "合 计" in a total row is one name
    data_lines = [ln for ln in body if any(is_figure(w) for w in ln)]
    bands = _bands([w for ln in body for w in ln])
    if len(bands) < 2:
        return None
    rows = _rows(body, data_lines, across)
    header_words = header_labels(header_lines, bands, rules)
    if not header_words and like is not None and like.n_cols > len(bands):
        # A continuation page lacks the columns it prints nothing in (a 采购品目大类 column
        # filled on the first page only): its figures and names keep the header's columns.
        columns, bands, groups = *continued_columns(bands, like), []
    else:
        # The header's bottom: between its lowest label and the body's first line.
        foot = (max(w.y1 for w in header_words) + min(w.y0 for w in body[0])) / 2 if header_words else None
        columns, groups = place_columns(bands, header_words, foot)
    tiers = group_tiers(groups)
    n_head = len(tiers) + 1 if header_words else 0
    cells: list[Cell] = []
    owner: list[list[int]] = [[-1] * len(columns) for _ in range(n_head + len(rows))]
    for t, tier in enumerate(tiers):  # group labels, each a cell across its columns
        for w, first, last in tier:
            cells.append(Cell(t, first, 1, last - first + 1, [w], (columns[first][0], w.y0, columns[last][1], w.y1)))
            owner[t][first:last + 1] = [len(cells) - 1] * (last - first + 1)
    figures = _figure_bands([w for row in rows for w in row], bands)
    band_of = {id(w): _band_of(w, bands, figures) for row in rows for w in row}
    for c, (a, b, band, labels) in enumerate(columns):
        if n_head:  # a column's label reaches up to the group over it, as a cell spanning rows
            top = max((t + 1 for t, tier in enumerate(tiers) for _, first, last in tier if first <= c <= last), default=0)
            cells.append(Cell(top, c, n_head - top, 1, labels, (a, min((w.y0 for w in labels), default=0),
                                                                 b, max((w.y1 for w in labels), default=0))))
            for r in range(top, n_head):
                owner[r][c] = len(cells) - 1
        for r, row_words in enumerate(rows, start=n_head):
            mine = [] if band is None else [w for w in row_words if band_of[id(w)] == band]
            cells.append(Cell(r, c, words=mine, bbox=(a, min((w.y0 for w in mine), default=0),
                                                      b, max((w.y1 for w in mine), default=0))))
            owner[r][c] = len(cells) - 1
    for r, c in itertools.product(range(len(owner)), range(len(columns))):
        if owner[r][c] < 0:  # under no group on this header row: an empty cell
            cells.append(Cell(r, c, bbox=(columns[c][0], 0, columns[c][1], 0)))
            owner[r][c] = len(cells) - 1
    x0 = min(c[0] for c in columns)
    x1 = max(c[1] for c in columns)
    y0 = min(w.y0 for w in words)
    y1 = max(w.y1 for w in words)
    row_edges = [y0] * (len(owner) + 1)
    col_edges = list(itertools.accumulate((c[0] for c in columns), max)) + [x1]
    return Grid(page, (x0, y0, x1, y1), row_edges, col_edges, cells, owner)
