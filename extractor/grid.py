"""Recover table grids (cells, merged spans, text) from ruling lines and word boxes.

Works the same on vector rules of born-digital pages and on rules detected in scans: nothing
here depends on a particular renderer's geometry, only on lines and the words between them.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from .cellmerge import is_figure, merged
from .pages import Page, Segment, Word

TOL = 2.5  # points: how far two rules may be apart and still be one
SPAN = 2 * TOL  # the widest a run of such rules may be
MAX_EDGES = (200, 100)  # row and column rules one table may have on one page


@dataclass
class Cell:
    row: int
    col: int
    row_span: int = 1
    col_span: int = 1
    words: list[Word] = field(default_factory=list)
    bbox: tuple[float, float, float, float] = (0, 0, 0, 0)

    @property
    def text(self) -> str:
        return join_words(self.words)


@dataclass
class Grid:
    """A table region: base rows × columns, with each base position pointing at its (merged) cell."""

    page: int
    bbox: tuple[float, float, float, float]
    row_edges: list[float]
    col_edges: list[float]
    cells: list[Cell]
    owner: list[list[int]]  # owner[r][c] = index into cells

    @property
    def n_rows(self) -> int:
        return len(self.row_edges) - 1

    @property
    def n_cols(self) -> int:
        return len(self.col_edges) - 1

    def cell(self, r: int, c: int) -> Cell:
        return self.cells[self.owner[r][c]]

    def text(self, r: int, c: int, anchor_only: bool = True) -> str:
        """Text at a base position; a merged cell's text only at its top-left unless asked."""
        cell = self.cell(r, c)
        if anchor_only and (cell.row != r or cell.col != c):
            return ""
        return cell.text

    def row_texts(self, r: int) -> list[str]:
        return [self.text(r, c) for c in range(self.n_cols)]


def group_lines(words: list[Word]) -> list[list[Word]]:
    """Words grouped into visual lines (vertical overlap), each sorted left to right."""
    lines: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (w.cy, w.x0)):
        if lines:
            last = lines[-1]
            top = min(w.y0 for w in last)
            bottom = max(w.y1 for w in last)
            overlap = min(bottom, word.y1) - max(top, word.y0)
            if overlap > 0.5 * min(bottom - top, word.y1 - word.y0):
                last.append(word)
                continue
        lines.append([word])
    return [sorted(line, key=lambda w: w.x0) for line in lines]


def join_words(words: list[Word]) -> str:
    """A cell's text: lines top to bottom, words left to right, no spaces (CJK and split numbers rejoin)."""
    return "".join(w.text for line in group_lines(words) for w in line).strip()


def merge_collinear(segments: list[Segment], horizontal: bool) -> list[Segment]:
    """Join pieces of one rule (same position, touching or overlapping extents)."""
    if horizontal:
        items = sorted(((s.y0 + s.y1) / 2, s.x0, s.x1) for s in segments)
    else:
        items = sorted(((s.x0 + s.x1) / 2, s.y0, s.y1) for s in segments)
    merged: list[list[float]] = []  # [first position, start, end, last position]
    for pos, a, b in items:
        for m in merged[-8:]:  # only near neighbours can match after sorting by position
            # Chained (a double rule's hairlines), but a run spans at most SPAN.
            if abs(m[3] - pos) <= TOL and pos - m[0] <= SPAN and a <= m[2] + TOL and b >= m[1] - TOL:
                m[1], m[2], m[3] = min(m[1], a), max(m[2], b), pos
                break
        else:
            merged.append([pos, a, b, pos])
    if horizontal:
        return [Segment(a, pos, b, pos) for pos, a, b, _ in merged]
    return [Segment(pos, a, pos, b) for pos, a, b, _ in merged]


def _components(hs: list[Segment], vs: list[Segment],
                joined: list[tuple[int, int]] = ()) -> list[tuple[list[Segment], list[Segment]]]:
    """Groups of rules that touch each other: one group per table region. ``joined``: pairs of
    row rules (indices into hs) of one table that no column rule connects."""
    parent = list(range(len(hs) + len(vs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, h in enumerate(hs):
        for j, v in enumerate(vs):
            if h.x0 - TOL <= v.x0 <= h.x1 + TOL and v.y0 - TOL <= h.y0 <= v.y1 + TOL:
                parent[find(i)] = find(len(hs) + j)
    for i, j in joined:
        parent[find(i)] = find(j)
    groups: dict[int, tuple[list[Segment], list[Segment]]] = {}
    for i, h in enumerate(hs):
        groups.setdefault(find(i), ([], []))[0].append(h)
    for j, v in enumerate(vs):
        groups.setdefault(find(len(hs) + j), ([], []))[1].append(v)
    return [g for g in groups.values() if len(g[0]) >= 2 and len(g[1]) >= 2]


def _rows_apart(hs: list[Segment], page_width: float) -> list[tuple[int, int]]:
    """Row rules of one table that a scan left unconnected: next to each other, a row's pitch
    apart, with the same two ends.

    A scan can break a table's column rules into pieces too short to be rules (faint print, a
    worn drum): the rows below the last long piece then belong to no grid and are lost to the
    table, though every row rule still runs across it. Two tables printed one under the other
    have a title between them, taller than a row.
    """
    wide = sorted((i for i, h in enumerate(hs) if h.x1 - h.x0 >= 0.3 * page_width), key=lambda i: hs[i].y0)
    pairs = [(i, j) for i, j in zip(wide, wide[1:])
             if abs(hs[i].x0 - hs[j].x0) <= SPAN and abs(hs[i].x1 - hs[j].x1) <= SPAN]
    gaps = sorted(hs[j].y0 - hs[i].y0 for i, j in pairs)
    if len(gaps) < 3:
        return []
    pitch = gaps[len(gaps) // 2]
    return [(i, j) for i, j in pairs if hs[j].y0 - hs[i].y0 <= ROW_PITCHES * pitch]


ROW_PITCHES = 1.6  # a gap between two row rules of one table, at most, in the page's usual row pitch


def _cluster(values: list[float]) -> list[float]:
    """One position per rule: positions within TOL of the previous one belong to it.

    Chained, so a double rule (three hairlines 1.2 pt apart) or a rule drawn in pieces at
    slightly different heights is one edge, not a row too thin to hold a line of text; a
    cluster spans at most SPAN, so dense hatching still yields many edges.
    """
    out: list[float] = []
    last = None
    for v in sorted(values):
        if out and v - last <= TOL and v - out[-1] <= SPAN:
            last = v
            continue
        out.append(v)
        last = v
    return out


def _by_edge(segs: list[Segment], edges: list[float], horizontal: bool) -> list[list[tuple[float, float]]]:
    """For each edge position, the extents of the rules drawn on it (a page of thousands of
    rules would otherwise test every rule against every cell)."""
    out: list[list[tuple[float, float]]] = [[] for _ in edges]
    for s in segs:
        spos, sa, sb = ((s.y0, s.x0, s.x1) if horizontal else (s.x0, s.y0, s.y1))
        k = bisect.bisect_left(edges, spos - SPAN)
        while k < len(edges) and edges[k] <= spos + TOL:
            # An edge is its run's first position (_cluster): a rule up to SPAN after it is on it.
            if edges[k] - TOL <= spos <= edges[k] + SPAN:
                out[k].append((sa, sb))
            k += 1
    return out


def _open_ends(page: Page, ys: list[float], xs: list[float], vs: list[Segment], rows: bool = True) -> list[float]:
    """Row edges plus the undrawn top or bottom border of a table cut by a page break; with
    rows=False, column edges (ys the column edges, xs the row edges, vs the row rules) plus an
    outer column rule a scan lost.

    A table continued on a new page often has no rule above its first row: its column rules
    start higher than the first drawn row edge. When most column rules reach beyond the outer
    row edge and words are printed there, that band is a row too. Likewise a scan can lose the
    table's left or right border (a rule leaning under keystone breaks into pieces too short to
    be rules) while the row rules still run out to it: the band they reach with words in it is
    the first or last column, not outside the table.
    """
    if len(ys) < 2 or len(xs) < 3:
        return ys
    out = list(ys)
    gaps = sorted(b - a for a, b in zip(ys, ys[1:]))
    reach = max(4.0, gaps[len(gaps) // 2] / 2)
    start, end = (("y0", "y1") if rows else ("x0", "x1"))
    for far, drawn in (([getattr(v, start) for v in vs if getattr(v, start) < ys[0] - reach], ys[0]),
                       ([getattr(v, end) for v in vs if getattr(v, end) > ys[-1] + reach], ys[-1])):
        if len(far) < max(2, (len(xs) + 1) // 2):
            continue
        at = sorted(far)[len(far) // 2]
        lo, hi = sorted((at, drawn))
        if any(lo < (w.cy if rows else w.cx) < hi and xs[0] <= (w.cx if rows else w.cy) <= xs[-1]
               for w in page.words):
            out.append(at)
    return sorted(out)


def build_grid(page: Page, hs: list[Segment], vs: list[Segment], pieces: list[Segment] = ()) -> Grid:
    """The grid of one table's rules; ``pieces``: pieces of its row rules that touch no column
    rule (a scan's dotted rule), which draw the rows' sides but make no rows of their own."""
    ys = _cluster([h.y0 for h in hs])
    xs = _open_ends(page, _cluster([v.x0 for v in vs]), ys, hs, rows=False)
    ys = _open_ends(page, ys, xs, vs)
    nr, nc = len(ys) - 1, len(xs) - 1
    on_x, on_y = _by_edge(vs, xs, horizontal=False), _by_edge([*hs, *pieces], ys, horizontal=True)
    parent = list(range(nr * nc))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    inside = [w for w in page.words if xs[0] - 1 <= w.cx <= xs[-1] + 1 and ys[0] - 1 <= w.cy <= ys[-1] + 1]
    by_row: dict[int, list[Word]] = {}
    for word in inside:
        by_row.setdefault(_index(ys, word.cy), []).append(word)
    for i, j in merged(page.source == "ocr", xs, ys, on_x, on_y, by_row):
        parent[find(j)] = find(i)
    spans: dict[int, list[int]] = {}
    for i in range(nr * nc):
        spans.setdefault(find(i), []).append(i)
    cells: list[Cell] = []
    owner = [[0] * nc for _ in range(nr)]
    for members in sorted(spans.values()):
        rows = [m // nc for m in members]
        cols = [m % nc for m in members]
        r0, c0 = min(rows), min(cols)
        cell = Cell(r0, c0, max(rows) - r0 + 1, max(cols) - c0 + 1,
                    bbox=(xs[c0], ys[r0], xs[max(cols) + 1], ys[max(rows) + 1]))
        for m in members:
            owner[m // nc][m % nc] = len(cells)
        cells.append(cell)
    for word in inside:
        r = _index(ys, word.cy)
        c = _index(xs, word.cx)
        cells[owner[r][c]].words.append(word)
    return Grid(page.number, (xs[0], ys[0], xs[-1], ys[-1]), ys, xs, cells, owner)


def _index(edges: list[float], v: float) -> int:
    for i in range(len(edges) - 1):
        if v < edges[i + 1]:
            return i
    return len(edges) - 2


STROKE_PT = 40.0  # a scan's vertical shorter than this, ending on no row rule, is a stroke


def _anchored(v: Segment, hs: list[Segment]) -> bool:
    """A scan's vertical piece is a rule when it is long or ends on a row rule. A character's
    stroke ("1", "丨") or a seal's arc that survives as a short vertical inside a cell would
    split its column in two."""
    if v.y1 - v.y0 >= STROKE_PT:
        return True
    return any(h.x0 - TOL <= v.x0 <= h.x1 + TOL and (abs(h.y0 - v.y0) <= 2 * TOL or abs(h.y0 - v.y1) <= 2 * TOL)
               for h in hs)


def _through_word(v: Segment, words: list[Word]) -> bool:
    """A scan's short vertical inside one word's box, top to bottom: a stroke of a character the
    text mask missed (the long stroke of "科" or "目" in a header), not a rule between two cells
    (OCR splits a word at a rule, so a rule runs past a word's edge, not through it)."""
    return v.y1 - v.y0 < STROKE_PT and any(
        w.x0 + 1 < v.x0 < w.x1 - 1 and v.y0 >= w.y0 - 2 * TOL and v.y1 <= w.y1 + 2 * TOL for w in words)


NARROW = 3 * TOL  # points: no column this narrow holds a digit


def _beside_rule(v: Segment, vs: list[Segment]) -> bool:
    """A scan's short vertical running alongside a long rule, closer to it than any column is wide:
    a seal's arc touching the rule (or a stroke beside it), not a column rule of its own. Kept, it
    makes a column a few points wide that takes the digits printed against the rule."""
    return v.y1 - v.y0 < STROKE_PT and any(
        u.y1 - u.y0 >= STROKE_PT and 0 < abs(u.x0 - v.x0) <= NARROW and u.y0 - TOL <= v.y0 and v.y1 <= u.y1 + TOL
        for u in vs)


def page_grids(page: Page) -> list[Grid]:
    """Every ruled table region of a page, top to bottom."""
    hs = merge_collinear([s for s in page.segments if s.horizontal and s.x1 - s.x0 >= 4], True)
    vs = merge_collinear([s for s in page.segments if not s.horizontal and s.y1 - s.y0 >= 4], False)
    if page.source == "ocr":
        vs = [v for v in vs if _anchored(v, hs) and not _through_word(v, page.words) and not _beside_rule(v, vs)]
    if len(hs) * len(vs) > 4_000_000:
        return []  # tens of thousands of strokes: a picture drawn in vectors, not a table
    grids = []
    joined = _rows_apart(hs, page.width) if page.source == "ocr" else []
    for ghs, gvs in _components(hs, vs, joined):
        if len(_cluster([h.y0 for h in ghs])) > MAX_EDGES[0] or len(_cluster([v.x0 for v in gvs])) > MAX_EDGES[1]:
            continue  # hatching or a drawing, not a table: no printed page has that many rows
        pieces = _pieces(hs, ghs, gvs) if page.source == "ocr" else []
        grid = build_grid(page, ghs, gvs, pieces)
        x0, y0, x1, y1 = grid.bbox
        # Strokes of a bold title can look like rules in a scan. A real table that small is one
        # row continued on a new page, and it holds numbers.
        tiny = y1 - y0 < 18 or x1 - x0 < 40
        if tiny and not any(ch.isdigit() for cell in grid.cells for ch in cell.text):
            continue
        figures = [_figure_lines(cell) for cell in grid.cells]
        if _stacked(figures):
            continue  # its words are read as a table printed without rules (locate, wordgrid)
        if page.source == "ocr" and (lost := _lost_rules(grid, figures, page.words)):
            grid = build_grid(page, ghs + lost, gvs, pieces)
        grids.append(grid)
    return sorted(grids, key=lambda g: g.bbox[1])


def _stacked(figures: list[list[list[Word]]]) -> bool:
    """Whether most of a grid's cells holding figures (``figures``: each cell's figure lines) hold
    figures on two lines or more: its rules across are not the table's rows (a table ruled down
    only, a few stray rules left), and a reading of its cells would glue amounts of different rows
    ("18,330.3718,330.37")."""
    with_figures = stacked = 0
    for lines in figures:
        with_figures += bool(lines)
        stacked += len(lines) >= 2
    return with_figures >= 2 and 2 * stacked >= with_figures


def _figure_lines(cell: Cell) -> list[list[Word]]:
    """A cell's amounts and codes as printed lines: more than one is rows whose rule is not drawn."""
    return group_lines([w for w in cell.words if is_figure(w)])


def _pieces(hs: list[Segment], ghs: list[Segment], gvs: list[Segment]) -> list[Segment]:
    """Row rules' pieces between a table's column rules that touch none of them: a fax prints a
    thin rule as dots, and the dashes it keeps between two column rules are a table of their own
    for ``_components``, too small to be one."""
    x0, x1 = min(v.x0 for v in gvs) - TOL, max(v.x0 for v in gvs) + TOL
    y0, y1 = min(h.y0 for h in ghs) - TOL, max(h.y0 for h in ghs) + TOL
    own = set(map(id, ghs))
    return [h for h in hs if id(h) not in own and x0 <= h.x0 and h.x1 <= x1 and y0 <= h.y0 <= y1]


def _lost_rules(grid: Grid, figures: list[list[list[Word]]], words: list[Word]) -> list[Segment]:
    """Row rules a scan lost, where a few cells hold figures on two lines: an amount never wraps,
    so two stacked in one cell are two rows ("5,227.59" over "1,637.72" read "5,227,591,637.72").
    Each is drawn between the lines, across every column whose words do not run over it (a
    label centred in a cell spanning both rows)."""
    cuts: set[float] = set()
    for lines in figures:
        for upper, lower in zip(lines, lines[1:]):
            bottom, top = max(w.y1 for w in upper), min(w.y0 for w in lower)
            cuts.add(round((bottom + top) / 2 if top >= bottom else (_mid(upper) + _mid(lower)) / 2, 1))
    x0, _, x1, _ = grid.bbox
    inside = [w for w in words if x0 <= w.cx <= x1]
    out: list[Segment] = []
    for y in sorted(cuts):
        crossed = [w for w in inside if min(y - w.y0, w.y1 - y) > 0.3 * (w.y1 - w.y0)]
        xs = grid.col_edges
        for a, b in zip(xs, xs[1:]):
            if not any(a <= w.cx <= b for w in crossed):
                out.append(Segment(a, y, b, y))
    return out


def _mid(line: list[Word]) -> float:
    return sum(w.cy for w in line) / len(line)


def words_outside(page: Page, grids: list[Grid]) -> list[Word]:
    """Words that are not inside any table region (titles, notes, narrative)."""
    def inside(w: Word) -> bool:
        return any(g.bbox[0] - 1 <= w.cx <= g.bbox[2] + 1 and g.bbox[1] - 1 <= w.cy <= g.bbox[3] + 1 for g in grids)

    return [w for w in page.words if not inside(w)]
