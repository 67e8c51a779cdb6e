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

from .grid import FIGURE, Cell, Grid, group_lines, merge_collinear
from .hanzi import is_han
from .pages import Segment, Word

ROW_PITCH_SHARE = 0.75  # of the rows' pitch: a line without figures this far from them is a row
WRAP = 1.4  # line heights: a wrapped name's next line lies closer to its first than this
ACROSS = 0.5  # of the table's width: a row rule runs at least this far
CROSSING = 0.25  # of the fewer words on either side: so few words across a gap join no columns
_UNIT = re.compile(r"^(金额)?单位[:：]")
_NOTE = re.compile(r"^(备注|注[:：\d])")
# Lines around a table that are not part of it.
_NOT_TABLE = re.compile(r"^(编制(单位|部门)|(部门|单位)(名称)?[:：]|金额单位|备注|注[:：]|-?\d{1,3}-?$|表\d+$|第\d+页)")


def _wrapped(line: list[Word], w: Word) -> bool:
    """Whether a word starts the next line of a line that wrapped: flush left under it, close."""
    h = w.y1 - w.y0
    return abs(w.x0 - line[0].x0) <= 0.5 * h and w.y0 - max(v.y1 for v in line) <= 0.6 * h


def _is_data(word: Word) -> bool:
    return bool(FIGURE.match(word.text.replace(" ", "")))


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
    ``CROSSING`` of the smaller side), or, up to half the smaller side, only words of text cross
    between a side of text and a side mostly of figures (two at least): labels of merged cells ("当年支出小计" centred over 功能科目名称 | 金额 |
    项目名称) over a column of names beside a column of amounts."""
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
        if min(left, right) >= 2 and (best is None or crossing < best[0]) \
                and (crossing <= CROSSING * min(left, right) or _kinds_apart(words, x, starts[nxt])):
            best = (crossing, x, starts[nxt])
    if best is None:
        return [(starts[0], ends[-1])]
    _, x, x1 = best
    return _parted([w for w in words if w.x1 <= x]) + _parted([w for w in words if w.x0 >= x1])


def _kinds_apart(words: list[Word], x0: float, x1: float) -> bool:
    """Whether text alone lies on one side of the gap x0..x1, mostly figures on the other, and
    only text crosses it."""
    left = [_is_data(w) for w in words if w.x1 <= x0]
    right = [_is_data(w) for w in words if w.x0 >= x1]
    crossing = [w for w in words if w.x1 > x0 and w.x0 < x1]
    if any(_is_data(w) for w in crossing) or 2 * len(crossing) > min(len(left), len(right)):
        return False
    return not any(left) and 2 * sum(right) >= max(len(right), 4) or not any(right) and 2 * sum(left) >= max(len(left), 4)


def _band_of(w: Word, bands: list[tuple[float, float]], figures: list[bool]) -> int | None:
    """The band a word's centre lies in, else the first it reaches into: a word printed across two
    columns is a merged cell's, whose text a ruled grid gives its first column. So is a label
    centred in a band of figures reaching into one of text ("当年支出小计" over 功能科目名称 | 金额)."""
    inside = [i for i, (a, b) in enumerate(bands) if a <= w.cx <= b]
    reached = [i for i, (a, b) in enumerate(bands) if overlap(w.x0, w.x1, a, b) > 0]
    if inside and figures[inside[0]] and not _is_data(w):
        reached = [i for i in reached if not figures[i]] or inside
        return reached[0]
    return (inside or reached or [None])[0]


def _figure_bands(words: list[Word], bands: list[tuple[float, float]]) -> list[bool]:
    """Whether each band's own words (those within it) are mostly figures."""
    out = []
    for a, b in bands:
        own = [_is_data(w) for w in words if a <= w.x0 and w.x1 <= b]
        out.append(2 * sum(own) > len(own))
    return out


def _centre(line: list[Word]) -> float:
    return sum(w.cy for w in line) / len(line)


def _rows(body: list[list[Word]], data_lines: list[list[Word]], rules: list[float]) -> list[list[Word]]:
    """The table's rows: each data line, and each line without a figure that stands a row's pitch
    from every line with figures (an item with nothing budgeted, "三、国防支出"); a wrapped name's
    other line sits closer (a line's spacing, not a row's) and joins the data line nearest to it.
    A printed row rule (at ``rules``, heights) between two lines keeps them in different rows."""
    def between(ln: list[Word]) -> int:
        return bisect.bisect_left(rules, _centre(ln))

    centres = [_centre(ln) for ln in data_lines]
    height = sorted(max(w.y1 for w in ln) - min(w.y0 for w in ln) for ln in data_lines)[len(data_lines) // 2]
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
        if nearest is None or pitch and abs(centres[nearest] - cy) >= max(ROW_PITCH_SHARE * pitch, WRAP * height):
            rows.append(list(ln))
            centres.append(cy)
            bays.append(bay)
        else:
            rows[nearest] += ln
    order = sorted(range(len(rows)), key=lambda i: centres[i])
    return [rows[i] for i in order]


def _row_rules(rules: list[Segment], body: list[list[Word]]) -> list[float]:
    """Heights of the rules printed across the table's body (at least half its width)."""
    x0 = min(w.x0 for ln in body for w in ln)
    x1 = max(w.x1 for ln in body for w in ln)
    rules = merge_collinear([r for r in rules if r.horizontal], True)  # a rule drawn cell by cell is one
    return sorted(r.y0 for r in rules if min(r.x1, x1) - max(r.x0, x0) >= ACROSS * (x1 - x0))


def overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    """The length two intervals share (0 when apart)."""
    return max(0.0, min(a1, b1) - max(a0, b0))


def _joined(a: Word, b: Word) -> Word:
    return Word(a.text + b.text, min(a.x0, b.x0), min(a.y0, b.y0), max(a.x1, b.x1), max(a.y1, b.y1), min(a.conf, b.conf))


def spaced(line: list[Word], bands: list[tuple[float, float]] | None = None) -> list[Word]:
    """A line's words with a label printed letter by letter ("合 计", "金  额") joined, unless
    each letter heads figures of its own (类 款 项 over three codes, given the bands)."""
    out: list[Word] = []
    prev: Word | None = None
    for w in sorted(line, key=lambda w: w.x0):
        h = min(w.y1 - w.y0, prev.y1 - prev.y0) if prev is not None else 0.0
        if prev is not None and _letter(prev) and _letter(w) and w.x0 - prev.x1 <= 3 * h \
                and (bands is None or sum(overlap(out[-1].x0, w.x1, a, b) > 0 for a, b in bands) <= 1):
            out[-1] = _joined(out[-1], w)
        else:
            out.append(w)
        prev = w
    return out


def _letter(w: Word) -> bool:
    return len(w.text) == 1 and is_han(w.text)


def _labels(header_lines: list[list[Word]], bands: list[tuple[float, float]]) -> list[Word]:
    """The header's labels: a spaced label ("合 计") and a label wrapped over lines ("上级一般 /
    公共预算 / 安排的转 / 移支付", centred or flush left) each joined into one."""
    out = [w for line in header_lines for w in spaced(line, bands)]
    stacked: list[Word] = []
    for w in sorted(out, key=lambda w: w.y0):
        h = w.y1 - w.y0
        above = [i for i, a in enumerate(stacked)
                 if -0.3 * h <= w.y0 - a.y1 <= 0.6 * h and (abs(a.cx - w.cx) <= 0.25 * h or abs(a.x0 - w.x0) <= 0.25 * h)
                 and a.x0 - h <= w.x0 and w.x1 <= a.x1 + h]
        if len(above) == 1:
            stacked[above[0]] = _joined(stacked[above[0]], w)
        else:
            stacked.append(w)
    return stacked


def _header_columns(labels: list[Word], bands: list[tuple[float, float]]) -> list[tuple[float, float, list[Word]]]:
    """The header's own columns, read from its lowest label up: a label over none starts one; a
    label above a column heads a group (a label's own lines are one label already: ``_labels``)
    and is left out, as is a label standing higher than another over the same band of figures
    ("项目" over the name column's "经济分类科目名称", centred over the group it heads) or over
    none between two lower ones."""
    cols: list[list] = []
    for w in sorted(labels, key=lambda w: -w.cy):
        over = [c for c in cols if overlap(w.x0, w.x1, c[0], c[1]) > 0.3 * min(w.x1 - w.x0, c[1] - c[0])]
        if not over:
            under = [c for c in cols for a, b in bands
                     if overlap(w.x0, w.x1, a, b) > 0 and overlap(c[0], c[1], a, b) > 0
                     and min(v.y0 for v in c[2]) - w.y1 > 0]
            left = max((c for c in cols if c[1] <= w.x0), key=lambda c: c[1], default=None)
            right = min((c for c in cols if c[0] >= w.x1), key=lambda c: c[0], default=None)
            # Over no figures, between two columns whose labels stand lower: a group's label
            # centred over the rule between them ("本年收入" over 项目 | 预算数).
            flanked = not any(overlap(w.x0, w.x1, a, b) > 0 for a, b in bands) and left and right \
                and min(min(v.y0 for v in left[2]), min(v.y0 for v in right[2])) > w.y1
            if not under and not flanked:
                cols.append([w.x0, w.x1, [w]])
    return sorted((a, b, ws) for a, b, ws in cols)


def _columns(bands: list[tuple[float, float]], header: list[Word],
             foot: float | None = None) -> tuple[list, list[tuple[Word, int, int]]]:
    """Columns as (x0, x1, band index or None, label words): a band of figures with the header
    column it sits under, a header column with no figure under it as an empty column of its own;
    and the group labels with the first and last column each heads (``foot``: the header's
    bottom, see ``_spanned``).

    A label is centred in its cell while figures are right-aligned, so a band may lie under no
    label or under two: a band goes to the label that needs the narrowest cell, centred on the
    label, to hold it ("合计 … 1.22": a narrow figure right-aligned in a wide cell)."""
    leaves = _header_columns(header, bands)
    # A leaf's place is its narrowest label's centre: a group label above it may be off-centre.
    centres = [min(ws, key=lambda w: w.x1 - w.x0).cx for _, _, ws in leaves]
    def cell(a: float, b: float, j: int) -> float:
        return max(abs(a - centres[j]), abs(b - centres[j]))

    over = [[j for j, (x0, x1, _) in enumerate(leaves) if overlap(a, b, x0, x1) > 0] for a, b in bands]
    # A band under no label takes a label with no figures under it, or none (a code printed
    # before its name, between the amounts on its left and the name's label on its right).
    taken = {j for o in over for j in o}

    def beside(a: float, b: float) -> list[int]:
        left = max((j for j, leaf in enumerate(leaves) if leaf[1] <= a), key=lambda j: leaves[j][1], default=None)
        right = min((j for j, leaf in enumerate(leaves) if leaf[0] >= b), key=lambda j: leaves[j][0], default=None)
        return [j for j in (left, right) if j is not None and j not in taken]

    best = [min(o or beside(a, b), key=lambda j: cell(a, b, j), default=None) for (a, b), o in zip(bands, over)]
    used = {j for j in best if j is not None}
    columns = []
    for i, ((a, b), j) in enumerate(zip(bands, best)):
        columns.append((a, b, i, []) if j is None else (min(a, leaves[j][0]), max(b, leaves[j][1]), i, list(leaves[j][2])))
    columns += [(a, b, None, list(ws)) for j, (a, b, ws) in enumerate(leaves) if j not in used]
    columns.sort(key=lambda c: (c[0] + c[1]) / 2)
    # A group label ("财政拨款（补助）", "本年支出") heads the run of columns it spans.
    in_leaf = {id(w) for _, _, ws in leaves for w in ws}
    labels = [w for w in header if id(w) not in in_leaf]
    groups = []
    for w in labels:
        spanned = _spanned(w, labels, columns, foot)
        groups.append((w, min(spanned), max(spanned)))
    return columns, groups


def _continued(bands: list[tuple[float, float]], like: Grid) -> tuple[list, list[tuple[float, float]]]:
    """Columns as ``like`` has them, each with the page's bands it overlaps most (nearest by
    centre when none overlaps), and those bands, one per column that has any."""
    edges = like.col_edges
    spans: list[tuple[float, float] | None] = [None] * like.n_cols
    for a, b in bands:
        c = max(range(like.n_cols), key=lambda i: (overlap(a, b, edges[i], edges[i + 1]),
                                                   -abs(a + b - edges[i] - edges[i + 1])))
        spans[c] = (a, b) if spans[c] is None else (min(spans[c][0], a), max(spans[c][1], b))
    kept: list[tuple[float, float]] = []
    columns = []
    for c, span in enumerate(spans):
        x0, x1 = edges[c], edges[c + 1]
        if span is None:
            columns.append((x0, x1, None, []))
        else:
            columns.append((min(x0, span[0]), max(x1, span[1]), len(kept), []))
            kept.append(span)
    return columns, kept


def _spanned(label: Word, groups: list[Word], columns: list, foot: float | None = None) -> list[int]:
    """The columns a group label heads: those it covers mostly, or the nearest. Two group labels
    or more side by side on the header's top line split the table into sides ("本年收入" |
    "本年支出"): each, centred over its side, reaches the nearer of the table's edge or its
    neighbour's label and heads every column within. Else, when the columns' labels stand centred
    in their cells down to the header's ``foot``, the group reaches on to each column beside whose
    cell starts below the group label's middle: under it ("“三公”经费" over 小计 | 因公出国（境）费 |
    … | 公务接待费, and not over 合计, centred from the header's top)."""
    nearest = [min(range(len(columns)), key=lambda i: abs(sum(columns[i][:2]) / 2 - label.cx))]
    line = [g for g in groups if g is not label and overlap(g.y0, g.y1, label.y0, label.y1) > 0]
    top = min(g.y0 for g in groups)
    if line and label.y0 - top <= label.y1 - label.y0:
        x0, x1 = min(c[0] for c in columns), max(c[1] for c in columns)
        left = max([g.x1 for g in line if g.x1 <= label.x0], default=x0)
        right = min([g.x0 for g in line if g.x0 >= label.x1], default=x1)
        reach = max(min(label.cx - left, right - label.cx), (label.x1 - label.x0) / 2)
        inside = [i for i, c in enumerate(columns) if abs((c[0] + c[1]) / 2 - label.cx) <= reach]
    else:
        inside = [i for i, c in enumerate(columns) if overlap(label.x0, label.x1, c[0], c[1]) >= 0.6 * (c[1] - c[0])]
        if foot is not None:
            inside = _under(label, columns, inside or nearest, foot) or inside
    return inside or nearest


def _under(label: Word, columns: list, inside: list[int], foot: float) -> list[int] | None:
    """The run of columns, around those ``label`` covers (``inside``), whose labels' cells (mirrored about
    their centre from ``foot``) start below the label's middle; None when the labels say
    nothing (every column under it, or none of those it covers) or the label is off the run's
    centre."""
    def below(c: list) -> bool:
        ws = c[3]
        return not ws or min(w.y0 for w in ws) + max(w.y1 for w in ws) - foot >= label.cy

    under = [below(c) for c in columns]
    if all(under) or not inside or not all(under[i] for i in inside):
        return None
    first, last = min(inside), max(inside)
    while first > 0 and under[first - 1]:
        first -= 1
    while last + 1 < len(columns) and under[last + 1]:
        last += 1
    x0, x1 = columns[first][0], columns[last][1]
    return list(range(first, last + 1)) if abs((x0 + x1) / 2 - label.cx) <= (x1 - x0) / 4 else None


def _split(lines: list[list[Word]], rules: list[Segment]) -> tuple[list, list, list[float]] | None:
    """Header lines, body lines and the heights of the rules across the body; None when no line
    holds figures (one line is a table when it holds two, or one and its label under a header of
    two labels or more: a 合计 row, "合 计 … 0" when nothing is budgeted).

    The body starts at the first line with figures, or at the rule under the header when one is
    printed (a wrapped name's first line sits above its row's figures); lines above the table's
    top rule (a preamble wrapped onto a second line) are no header."""
    data_idx = [i for i, ln in enumerate(lines) if any(_is_data(w) for w in ln)]
    if not data_idx:
        return None
    header_lines, body = lines[: data_idx[0]], lines[data_idx[0]:]
    if len(data_idx) == 1 and sum(_is_data(w) for w in body[0]) < 2 \
            and (all(_is_data(w) for w in body[0]) or sum(map(len, header_lines)) < 2):
        return None
    across = _row_rules(rules, body)
    above = [y for y in across if y < _centre(body[0])]
    if above and any(_centre(ln) > above[0] for ln in header_lines):
        header_lines = [ln for ln in header_lines if _centre(ln) > above[0]]
    if len(above) >= 2 and any(_centre(ln) < above[-1] for ln in header_lines):
        body = [ln for ln in header_lines if _centre(ln) > above[-1]] + body
        header_lines = [ln for ln in header_lines if _centre(ln) < above[-1]]
    return header_lines, body, across


def _tiers(groups: list[tuple[Word, int, int]]) -> list[list[tuple[Word, int, int]]]:
    """Group labels in header rows, top down: a group goes to the first row where it overlaps no
    other (a group inside a group lies a row lower)."""
    tiers: list[list[tuple[Word, int, int]]] = []
    for g in sorted(groups, key=lambda g: (g[0].y0, g[1])):
        for tier in tiers:
            if all(g[2] < first or last < g[1] for _, first, last in tier):
                tier.append(g)
                break
        else:
            tiers.append([g])
    return tiers


def word_grid(page: int, words: list[Word], rules: list[Segment] = (), like: Grid | None = None) -> Grid | None:
    """A Grid for a table without column rules from its words (and the page's rules: those printed
    across it keep its rows apart), or None when the words hold no table. ``like``: the table's
    grid on an earlier page, whose columns a page without a header of its own keeps."""
    lines: list[list[Word]] = []
    skipped: list[Word] | None = None
    for ln in group_lines(words):
        text = "".join(w.text for w in ln).replace(" ", "")
        if _NOTE.match(text) and any(_is_data(w) for line in lines for w in line):
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
    split = _split(lines, rules)
    if split is None:
        return None
    header_lines, body, across = split
    body = [spaced(ln) for ln in body]  # "合 计" in a total row is one name
    data_lines = [ln for ln in body if any(_is_data(w) for w in ln)]
    bands = _bands([w for ln in body for w in ln])
    if len(bands) < 2:
        return None
    rows = _rows(body, data_lines, across)
    header_words = _labels(header_lines, bands)
    if not header_words and like is not None and like.n_cols > len(bands):
        # A continuation page lacks the columns it prints nothing in (a 采购品目大类 column
        # filled on the first page only): its figures and names keep the header's columns.
        columns, bands, groups = *_continued(bands, like), []
    else:
        # The header's bottom: between its lowest label and the body's first line.
        foot = (max(w.y1 for w in header_words) + min(w.y0 for w in body[0])) / 2 if header_words else None
        columns, groups = _columns(bands, header_words, foot)
    tiers = _tiers(groups)
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
