"""The header of a table printed without rules: its labels, the columns they head, its groups.

A label is centred in its cell while figures are right-aligned; a group label stands centred over
the columns it heads. ``wordgrid`` builds the grid around what this finds.
"""

from __future__ import annotations

from .grid import Grid
from .hanzi import is_han
from .pages import Segment, Word


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


def header_labels(header_lines: list[list[Word]], bands: list[tuple[float, float]],
                  rules: list[Segment] = ()) -> list[Word]:
    """The header's labels: a spaced label ("合 计") and a label wrapped over lines ("上级一般 /
    公共预算 / 安排的转 / 移支付", centred or flush left) each joined into one, unless a rule
    (``rules``: horizontal ones) runs between the lines: a group label over its column's label."""
    out = [w for line in header_lines for w in spaced(line, bands)]
    stacked: list[Word] = []

    def ruled(a: Word, w: Word) -> bool:
        # OCR's boxes stand taller than the print, so two cells' labels may lie as close as a
        # wrapped label's lines (功能分类 over 功能科目名称, js20's scan); the rule tells them apart.
        return any(a.cy < r.y0 < w.cy and overlap(r.x0, r.x1, w.x0, w.x1) > 0.5 * (w.x1 - w.x0)
                   and overlap(r.x0, r.x1, a.x0, a.x1) > 0.5 * (a.x1 - a.x0) for r in rules)

    for w in sorted(out, key=lambda w: w.y0):
        h = w.y1 - w.y0
        above = [i for i, a in enumerate(stacked)
                 if -0.3 * h <= w.y0 - a.y1 <= 0.6 * h and (abs(a.cx - w.cx) <= 0.25 * h or abs(a.x0 - w.x0) <= 0.25 * h)
                 and a.x0 - h <= w.x0 and w.x1 <= a.x1 + h and not ruled(a, w)]
        if len(above) == 1:
            stacked[above[0]] = _joined(stacked[above[0]], w)
        else:
            stacked.append(w)
    return stacked


def _header_columns(labels: list[Word], bands: list[tuple[float, float]]) -> list[tuple[float, float, list[Word]]]:
    """The header's own columns, read from its lowest label up: a label over none starts one; a
    label above a column heads a group (a label's own lines are one label already: ``header_labels``)
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


def place_columns(bands: list[tuple[float, float]], header: list[Word],
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


def continued_columns(bands: list[tuple[float, float]], like: Grid) -> tuple[list, list[tuple[float, float]]]:
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


def group_tiers(groups: list[tuple[Word, int, int]]) -> list[list[tuple[Word, int, int]]]:
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
