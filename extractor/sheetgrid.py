"""Performance sheets printed without column rules: their words put back into a grid.

A sheet is a form (label and value cells: 项目名称 | 党建工作项目) over an indicator table
(一级/二级/三级指标, 指标值 …). Printed without rules its cells are still there as blocks of
words: a wrapped cell's lines lie a line's spacing apart, two cells a row's padding or a column's
gap. The blocks go back into a Grid as the rules would have drawn it, so `read_sheets` reads the
sheet as it reads a ruled one. Rules printed across (a sheet ruled across but not down) keep rows
and cells apart.
"""

from __future__ import annotations

import bisect
import itertools
import unicodedata
from dataclasses import dataclass

from .grid import Cell, Grid, group_lines, join_words, merge_collinear
from .pages import Segment, Word
from .templates import Template, match_words
from .wordhead import overlap, spaced

GAP = 0.3  # line heights: words further apart on a line are in different cells (a letter-spaced
# label, "单 位 名 称", is one word first)
WRAP = 0.25  # line heights: a wrapped cell's next line starts closer than this under the last
ALIGN = 0.5  # line heights: a wrapped line starts where its cell's first does, or is centred under it
MOST = 0.5  # of the lower height: blocks overlapping this much lie in one row
LEVELS = ("level1", "level2")  # indicator columns whose cells span the rows of their group


@dataclass
class Block:
    """A cell's words: one segment of a line, with the lines wrapped under it."""

    words: list[Word]

    @property
    def box(self) -> tuple[float, float, float, float]:
        return (min(w.x0 for w in self.words), min(w.y0 for w in self.words),
                max(w.x1 for w in self.words), max(w.y1 for w in self.words))

    @property
    def text(self) -> str:
        return join_words(self.words)

    @property
    def cy(self) -> float:
        return (self.box[1] + self.box[3]) / 2

    @property
    def height(self) -> float:
        return self.box[3] - self.box[1]


def _rule_between(a: tuple, b: tuple, rules: list[Segment]) -> bool:
    """A rule printed across both boxes' columns, between them."""
    top, bottom = sorted(((a[1] + a[3]) / 2, (b[1] + b[3]) / 2))
    x0, x1 = max(a[0], b[0]), min(a[2], b[2])
    return any(top < r.y0 < bottom and r.x0 <= x1 and r.x1 >= x0 for r in rules)


def blocks(words: list[Word], rules: list[Segment] = ()) -> list[Block]:
    """The cells' blocks: each line cut where its words stand apart, and a segment joined to the
    block just above it when aligned with it, flush left or centred (a wrapped cell), never across
    a rule. Rows can stand as close as a cell's lines: alignment tells them apart."""
    lines = group_lines(words)
    if not lines:
        return []
    h = sorted(w.y1 - w.y0 for w in words)[len(words) // 2]
    out: list[Block] = []
    for line in lines:
        segments: list[list[Word]] = []
        for w in spaced(line):
            if segments and w.x0 - segments[-1][-1].x1 <= GAP * h:
                segments[-1].append(w)
            else:
                segments.append([w])
        for seg in segments:
            box = Block(seg).box
            hosts = [b for b in out if -0.5 * h <= box[1] - b.box[3] <= WRAP * h
                     and (abs(box[0] - b.box[0]) <= ALIGN * h or abs(box[0] + box[2] - b.box[0] - b.box[2]) <= 2 * ALIGN * h)
                     and not _rule_between(b.box, box, rules)]
            if hosts:
                min(hosts, key=lambda b: box[1] - b.box[3]).words.extend(seg)
            else:
                out.append(Block(list(seg)))
    return out


def rows(blocks_: list[Block], rules: list[Segment] = ()) -> list[tuple[float, float]]:
    """The rows' heights (top, bottom), from the blocks of one line that overlap: a wrapped
    cell beside them (a level3 name over two lines, its 指标值 centred) is in their row, and
    may reach over two (年度预算 beside 上级安排 and 本级安排). A wrapped cell beside no such
    line is a row of its own. Never across a rule."""
    single = {id(b) for b in blocks_ if len(group_lines(b.words)) == 1}
    out: list[list] = []  # [top, bottom, lowest height, last box]
    for b in sorted((b for b in blocks_ if id(b) in single), key=lambda b: b.box[1]):
        box = b.box
        if out and overlap(out[-1][0], out[-1][1], box[1], box[3]) >= MOST * min(b.height, out[-1][2]) \
                and not _rule_between(out[-1][3], box, rules):
            out[-1][1] = max(out[-1][1], box[3])
            out[-1][2] = min(out[-1][2], b.height)
        else:
            out.append([box[1], box[3], b.height, box])
    alone: list[list] = []
    for b in sorted((b for b in blocks_ if id(b) not in single), key=lambda b: b.box[1]):
        box = b.box
        if any(overlap(top, bottom, box[1], box[3]) >= MOST * min(b.height, low) for top, bottom, low, _ in out):
            continue
        if alone and overlap(alone[-1][0], alone[-1][1], box[1], box[3]) > 0:
            alone[-1][1] = max(alone[-1][1], box[3])
        else:
            alone.append([box[1], box[3], b.height, box])
    return sorted((top, bottom) for top, bottom, *_ in out + alone)


def _rows_of(box: tuple, spans: list[tuple[float, float]]) -> list[int]:
    """The rows a box lies in: those it covers mostly, or the nearest."""
    inside = [i for i, (a, b) in enumerate(spans) if overlap(a, b, box[1], box[3]) >= MOST * min(b - a, box[3] - box[1])]
    cy = (box[1] + box[3]) / 2
    return inside or [min(range(len(spans)), key=lambda i: abs((spans[i][0] + spans[i][1]) / 2 - cy))]


def _assemble(page: int, spans: list[tuple[float, float]], edges: list[float],
              placed: list[tuple[Block, int, int, int]]) -> Grid:
    """A grid of len(spans) rows and len(edges) - 1 columns holding each block at (first row,
    last row, column); a block landing on a cell already held joins its words (none is lost)."""
    n_rows, n_cols = len(spans), len(edges) - 1
    cells: list[Cell] = []
    owner = [[-1] * n_cols for _ in range(n_rows)]
    for block, r0, r1, c in placed:
        held = owner[r0][c]
        if held >= 0:
            cells[held].words.extend(block.words)
            continue
        r1 = next((r for r in range(r0 + 1, r1 + 1) if owner[r][c] >= 0), r1 + 1) - 1
        cells.append(Cell(r0, c, r1 - r0 + 1, 1, list(block.words), block.box))
        for r in range(r0, r1 + 1):
            owner[r][c] = len(cells) - 1
    for r in range(n_rows):
        for c in range(n_cols):
            if owner[r][c] < 0:
                cells.append(Cell(r, c, bbox=(edges[c], spans[r][0], edges[c + 1], spans[r][1])))
                owner[r][c] = len(cells) - 1
    for cell in cells:  # a cell's box takes in its words as they joined
        if cell.words:
            cell.bbox = Block(cell.words).box
    bbox = (edges[0], spans[0][0], edges[-1], spans[-1][1])
    return Grid(page=page, bbox=bbox, row_edges=[a for a, _ in spans] + [spans[-1][1]], col_edges=list(edges),
                cells=cells, owner=owner)


def _form(page: int, form: list[Block], rules: list[Segment]) -> Grid | None:
    """The form above the indicators: columns where its blocks start, rows as printed."""
    if not form:
        return None
    h = min(b.height for b in form)
    starts: list[float] = []
    for x in sorted(b.box[0] for b in form):
        if not starts or x - starts[-1] > h:
            starts.append(x)
    right = max(b.box[2] for b in form)
    spans = rows(form, rules)
    placed = []
    for b in form:
        r = _rows_of(b.box, spans)
        placed.append((b, r[0], r[-1], bisect.bisect_right(starts, b.box[0] + h) - 1))
    return _assemble(page, spans, starts + [right], sorted(placed, key=lambda p: (p[1], p[3])))


def _header(blocks_: list[Block], template: Template) -> list[Block] | None:
    """The indicator table's header blocks, left to right: those beside the 一级指标 label, when
    they name 三级指标 or 指标值 too."""
    rules = template.column_rules("indicators")
    for first in blocks_:
        if match_words(first.text, rules) != "level1":
            continue
        top, bottom = first.box[1], first.box[3]
        line = [b for b in blocks_ if overlap(top, bottom, b.box[1], b.box[3]) > 0]
        fields = {match_words(b.text, rules) for b in line}
        if {"level3", "target_raw"} & fields:
            return sorted(line, key=lambda b: b.box[0])
    return None


def _level_rows(labels: list[Block], spans: list[tuple[float, float]], x: float,
                rules: list[Segment]) -> list[tuple[Block, int, int]]:
    """The rows each label of a level column (its header's middle at x) heads; ``rules`` are the
    page's horizontal ones. Rules across the column bound its cells. Without them, labels centred
    in their cells head the rows from the previous label's cell down as far below their middle as
    up above it, and so tile the column to the table's last row; labels that do not (printed at
    their cell's top) head their own row, read_sheets fills them down."""
    labels = sorted(labels, key=lambda b: b.cy)
    own = [_rows_of(b.box, spans) for b in labels]
    across = sorted(r.y0 for r in merge_collinear(rules, True) if r.x0 <= x <= r.x1)
    if across:
        out = []
        for b, mine in zip(labels, own):
            bay = [i for i in range(len(spans)) if bisect.bisect(across, sum(spans[i]) / 2) == bisect.bisect(across, b.cy)]
            out.append((b, min(bay + mine), max(bay + mine)))
        return out
    centred, start, reach = [], 0, 0.0
    for k, (b, mine) in enumerate(zip(labels, own)):
        limit = own[k + 1][0] - 1 if k + 1 < len(labels) else len(spans) - 1
        reach = 2 * b.cy - spans[start][0]
        end = max([i for i in range(start, limit + 1) if sum(spans[i]) / 2 < reach] + [mine[-1]])
        centred.append((b, min(start, mine[0]), end))
        start = end + 1
    last = spans[-1]
    if labels and abs(reach - last[1]) <= (last[1] - last[0]) / 2:
        return centred
    return [(b, mine[0], mine[-1]) for b, mine in zip(labels, own)]


def _valley(words: list[Word], left: Block, right: Block) -> float:
    """Where two columns part, between their labels: in the stretch the fewest of the body's words
    cross, best one with words on both sides (a right-aligned weight and the next column's text:
    a short label centred over the weight leaves paper on its own side too), then the widest."""
    lo, hi = left.box[2], right.box[0]
    if hi - lo < 1:  # labels touching: between their centres
        lo, hi = (left.box[0] + left.box[2]) / 2, (right.box[0] + right.box[2]) / 2
    if hi - lo < 1:  # one label over the other: no stretch to look in
        return (lo + hi) / 2
    ends = {x for w in words for x in (w.x0, w.x1)}
    xs = sorted({lo, hi, *(x for x in ends if lo < x < hi)})
    best = min(zip(xs, xs[1:]), key=lambda ab: (sum(w.x0 < ab[1] and w.x1 > ab[0] for w in words),
                                               not (ab[0] in ends and ab[1] in ends), ab[0] - ab[1]))
    return (best[0] + best[1]) / 2


def _width(char: str) -> float:
    """A character's share of a printed line: a Chinese or full-width one is twice a digit's."""
    return 1.0 if unicodedata.east_asian_width(char) in "WF" else 0.5


def _cut(word: Word, edges: list[float]) -> list[Word]:
    """A word across a column's edge cut there, at the nearest character: OCR reads two cells
    printed close without a rule between them as one word ("满意度指标社会群众满意度")."""
    if len(word.text) < 2:
        return [word]
    units = [_width(ch) for ch in word.text]
    step = (word.x1 - word.x0) / (sum(units) or 1)
    ends = list(itertools.accumulate(u * step for u in units))  # each character's right end, from x0
    cuts = sorted({min(range(1, len(ends)), key=lambda i: abs(word.x0 + ends[i - 1] - e))
                   for e in edges if word.x0 + step <= e <= word.x1 - step})
    out, start = [], 0
    for i in cuts + [len(ends)]:
        x0, x1 = word.x0 + (ends[start - 1] if start else 0.0), word.x0 + ends[i - 1]
        out.append(Word(word.text[start:i], x0, word.y0, x1, word.y1, word.conf))
        start = i
    return [w for w in out if w.text]


def _columns_of(grids: list[Grid], template: Template) -> tuple[list[float], list[str | None], list[float]] | None:
    """The edges, fields and header middles of the last indicator table of a sheet read before."""
    rules = template.column_rules("indicators")
    for grid in reversed(grids):
        fields = [match_words(grid.text(0, c), rules) for c in range(grid.n_cols)]
        if "level1" in fields and {"level3", "target_raw"} & set(fields):
            return grid.col_edges, fields, [(grid.cell(0, c).bbox[0] + grid.cell(0, c).bbox[2]) / 2 for c in range(grid.n_cols)]
    return None


def _indicators(page: int, words: list[Word], rules: list[Segment], columns: tuple, header: list[Block]) -> Grid | None:
    """The indicator table: its header (when on this page) and its rows, each word in its column."""
    edges, fields, middles = columns
    top = min((b.box[1] for b in header), default=None)
    bottom = max((b.box[3] for b in header), default=float("-inf"))
    # The body's words go to their columns first: two cells side by side can stand closer than
    # words of one cell ("经济成本指" | "非公企业…").
    by_column: dict[int, list[Word]] = {}
    for word in words:
        for w in _cut(word, edges[1:-1]) if word.cy > bottom else ():
            by_column.setdefault(min(max(bisect.bisect(edges, w.cx) - 1, 0), len(fields) - 1), []).append(w)
    body = [(c, b) for c, ws in by_column.items() for b in blocks(ws, rules)]
    spans = rows([b for c, b in body if fields[c] not in LEVELS], rules)
    if not spans and not header:
        return None
    head = 1 if header else 0
    placed = [(b, 0, 0, c) for c, b in enumerate(header)]
    for c, b in body:
        if fields[c] not in LEVELS:
            r = _rows_of(b.box, spans)
            placed.append((b, r[0] + head, r[-1] + head, c))
    for c, field in enumerate(fields):
        if field in LEVELS:
            mine = [b for k, b in body if k == c]
            placed += [(b, r0 + head, r1 + head, c) for b, r0, r1 in _level_rows(mine, spans, middles[c], rules)]
    spans = [(top, bottom)] * head + spans
    return _assemble(page, spans, edges, sorted(placed, key=lambda p: (p[1], p[3])))


def sheet_grids(page: int, words: list[Word], rules: list[Segment], template: Template,
                earlier: list[Grid] = ()) -> list[Grid]:
    """Grids of a sheet's words on one page: the form and the indicator table (each when printed).
    A page without the table's header continues the table of the sheet's ``earlier`` grids, if any."""
    rules = [r for r in rules if r.horizontal]
    found = blocks(words, rules)
    header = _header(found, template)
    if header is None:
        columns = _columns_of(list(earlier), template)
        grid = _indicators(page, words, rules, columns, []) if columns else _form(page, found, rules)
        return [grid] if grid is not None else []
    top, bottom = min(b.box[1] for b in header), max(b.box[3] for b in header)
    grids = [g for g in [_form(page, [b for b in found if b.cy < top], rules)] if g is not None]
    below = [w for w in words if w.cy > bottom]
    edges = [min([header[0].box[0]] + [w.x0 for w in below])]
    edges += [_valley(below, a, b) for a, b in zip(header, header[1:])]
    edges.append(max([header[-1].box[2]] + [w.x1 for w in below]))
    fields = [match_words(b.text, template.column_rules("indicators")) for b in header]
    middles = [(b.box[0] + b.box[2]) / 2 for b in header]
    table = _indicators(page, words, rules, (edges, fields, middles), header)
    return grids + ([table] if table is not None else [])
