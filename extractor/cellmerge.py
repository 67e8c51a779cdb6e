"""Which cells of a table's grid are one printed cell: the rules not drawn between them.

A born-digital page draws every rule; a scan loses pieces of them (faint print, a worn drum),
so on a scanned page words standing apart across an edge part two cells too.
"""

from __future__ import annotations

import re

from .pages import Word

FIGURE = re.compile(r"^[+-]?[\d,]*\.?\d+$")  # an amount or a code


def is_figure(word: Word) -> bool:
    """Whether a word is an amount or a code (spaces OCR put inside it ignored)."""
    return bool(FIGURE.match(word.text.replace(" ", "")))


DRAWN = 0.6  # share of a cell's side its rule draws, at least, to part it from its neighbour
# On a scan, of a row rule: a fax halves a page's rows, printing a thin row rule as dots and
# losing many (its column rules stay whole, and a stroke beside one must not part a header).
SCAN_DRAWN = 1 / 3


def _covered(extents: list[tuple[float, float]], a: float, b: float, share: float = DRAWN) -> bool:
    """Is the stretch a..b drawn by the rules on its edge (for at least ``share`` of its length)?
    A merged cell's side has no rule at all over it."""
    total = sum(max(0.0, min(b, sb) - max(a, sa)) for sa, sb in extents)
    return total >= share * (b - a)


def merged(scan: bool, xs: list[float], ys: list[float], on_x: list, on_y: list,
           by_row: dict[int, list[Word]]) -> list[tuple[int, int]]:
    """Pairs of base cells (r * n_cols + c) that no drawn rule parts: one merged cell.

    A scan loses pieces of rules (faint print, a worn drum), so there a rule not drawn over a
    cell's side still parts two cells whose words stand apart (``_apart``, ``_stacked_apart``), and
    two rows' cells of different widths: a printed cell is a rectangle, so a header spanning
    sub-columns is not joined to one of the sub-columns' own headers below it.
    """
    nr, nc = len(ys) - 1, len(xs) - 1
    row_drawn = SCAN_DRAWN if scan else DRAWN
    pairs = []
    run_start = [[0] * nc for _ in range(nr)]  # the first column of the cell spanning (r, c) in row r
    for r in range(nr):
        for c in range(nc - 1):
            if not _covered(on_x[c + 1], ys[r], ys[r + 1]) \
                    and not (scan and _apart(by_row.get(r, []), xs[c], xs[c + 1], xs[c + 2])):
                pairs.append((r * nc + c, r * nc + c + 1))
                run_start[r][c + 1] = run_start[r][c]
            else:
                run_start[r][c + 1] = c + 1
    figures = [any(map(is_figure, by_row.get(r, []))) for r in range(nr)]
    for r in range(nr - 1):
        for c in range(nc):
            if _covered(on_y[r + 1], xs[c], xs[c + 1], row_drawn) \
                    or (scan and _run(run_start[r], c) != _run(run_start[r + 1], c)):
                continue
            if scan and (figures[r] or figures[r + 1]) \
                    and _stacked_apart(by_row.get(r, []), by_row.get(r + 1, []), xs[c], xs[c + 1], ys[r + 1]):
                continue
            pairs.append((r * nc + c, (r + 1) * nc + c))
    return pairs


def _run(starts: list[int], c: int) -> tuple[int, int]:
    """The first and last column of the cell spanning column c in a row (``starts``: each
    column's first column)."""
    end = c
    while end + 1 < len(starts) and starts[end + 1] == starts[c]:
        end += 1
    return starts[c], end


def _apart(words: list[Word], left: float, edge: float, right: float) -> bool:
    """Whether a row's words in the columns either side of an edge its rule does not draw stand
    apart there: print on both sides, none across it. A scan can lose a piece of a column rule
    (a faint or broken line); a cell spanning two columns prints its text across their edge or on
    one side only, so where both sides print and nothing crosses, the rule was there.

    Figures alone on one side and nothing on the other stand apart too. No
    table spans an amount over two columns, and a blank cell joined to its neighbour joins it
    to whatever the blank joins next (the blank under it, and that one's amount beside it:
    "150.822.85" where a scan lost most of a table's rules)."""
    near = [w for w in words if left <= w.cx <= right]
    if any(w.x0 < edge < w.x1 for w in near):
        return False
    left_side, right_side = [w for w in near if w.x1 <= edge], [w for w in near if w.x0 >= edge]
    if left_side and right_side:
        return True
    return any(side and all(map(is_figure, side)) for side in (left_side, right_side))


def _stacked_apart(above: list[Word], below: list[Word], left: float, right: float, edge: float) -> bool:
    """Whether a column's words in the rows either side of an edge its rule does not draw stand
    apart there, as ``_apart`` for a row rule: a scan can lose most of a row rule in pieces (a worn
    drum, faint print). Asked only beside a row of figures: a header's cell spanning two header
    rows may wrap its label across the edge that its neighbours' rules draw."""
    up = [w for w in above if left <= w.cx <= right]
    down = [w for w in below if left <= w.cx <= right]
    across = any(min(edge - w.y0, w.y1 - edge) > 0.3 * (w.y1 - w.y0) for w in up + down)
    return bool(up) and bool(down) and not across
