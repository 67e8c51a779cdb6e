"""Ruled tables: a header tree of merged cells, body cells with spans, column fitting, pagination.

Column widths come from the content, not from fixed coordinates: amounts and codes never wrap
(their column is at least as wide as the widest printed value, and the table's font shrinks when
the page is too narrow), text wraps by character, and a header over a narrow column wraps down to
one character per line, as in Excel exports whose columns were sized for the numbers.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from .pdf import Lines, Writer
from .style import Style

LEADING = 1.22  # line height as a multiple of the font size


@dataclass
class Col:
    """A leaf column: its header text, what it holds, and its share of spare width."""

    head: str
    kind: str = "num"  # num | code | text
    weight: float = 1.0


@dataclass
class Group:
    """A merged header cell over its children (功能分类科目编码 over 类/款/项)."""

    head: str
    children: list["Col | Group"]


@dataclass
class Cell:
    text: str
    col: int
    colspan: int = 1
    rowspan: int = 1
    kind: str = "text"  # num | code | text | head
    align: str = "left"


@dataclass
class Table:
    columns: list[Col | Group]
    rows: list[list[Cell]]  # body rows; a cell with rowspan covers the rows below it
    serial_row: bool = False
    show_header: bool = True  # forms (绩效目标表) carry their headers as body rows

    @property
    def leaves(self) -> list[Col]:
        return list(_leaves(self.columns))


@dataclass
class Laid:
    """A table with its geometry fixed: column edges, header cells, row heights, font sizes."""

    xs: list[float]
    header: list[tuple[Cell, int]] = field(default_factory=list)  # (cell, header row)
    header_heights: list[float] = field(default_factory=list)
    heights: list[float] = field(default_factory=list)
    body: list[tuple[Cell, int]] = field(default_factory=list)  # (cell, start row)
    size: float = 8.0
    header_size: float = 8.5

    @property
    def header_height(self) -> float:
        return sum(self.header_heights)

    @property
    def width(self) -> float:
        return self.xs[-1] - self.xs[0]


def _leaves(nodes: list[Col | Group]):
    for node in nodes:
        if isinstance(node, Col):
            yield node
        else:
            yield from _leaves(node.children)


def _depth(nodes: list[Col | Group]) -> int:
    return max(1 if isinstance(n, Col) else 1 + _depth(n.children) for n in nodes)


def header_cells(table: Table) -> list[tuple[Cell, int]]:
    """The header tree as merged cells: a leaf spans down to the last header row."""
    if not table.show_header:
        return []
    depth = _depth(table.columns)
    cells: list[tuple[Cell, int]] = []

    def place(nodes: list[Col | Group], row: int, col: int) -> int:
        for node in nodes:
            if isinstance(node, Col):
                cells.append((Cell(node.head, col, 1, depth - row, "head", "center"), row))
                col += 1
            else:
                start = col
                col = place(node.children, row + 1, col)
                cells.append((Cell(node.head, start, col - start, 1, "head", "center"), row))
        return col

    place(table.columns, 0, 0)
    if table.serial_row:
        number = 0
        for i, leaf in enumerate(table.leaves):
            if leaf.kind == "num":
                number += 1
            cells.append((Cell(str(number) if leaf.kind == "num" else "※", i, 1, 1, "head", "center"), depth))
    return cells


def layout(w: Writer, table: Table, style: Style, x0: float, width: float, rng: random.Random) -> Laid:
    """Fix column widths and row heights; shrinks the font until amounts fit unwrapped."""
    leaves = table.leaves
    weights = [leaf.weight * (1 + rng.uniform(-style.col_jitter, style.col_jitter)) for leaf in leaves]
    size, header_size = style.table_size, style.header_size
    while True:
        mins = _min_widths(w, table, size, header_size, style.pad)
        if sum(mins) <= width or size <= 4.5:
            break
        size -= 0.5
        header_size = max(size, header_size - 0.5)
    widths = _fit(mins, weights, width)
    xs = [x0]
    for value in widths:
        xs.append(xs[-1] + value)
    laid = Laid(xs=xs, size=size, header_size=header_size)
    laid.header = header_cells(table)
    rows_in_header = max((row + cell.rowspan for cell, row in laid.header), default=0)
    laid.header_heights = _heights(w, laid, laid.header, rows_in_header, header_size, style)
    laid.body = [(cell, r) for r, row in enumerate(table.rows) for cell in row]
    laid.heights = _heights(w, laid, laid.body, len(table.rows), size, style)
    return laid


def _min_widths(w: Writer, table: Table, size: float, header_size: float, pad: float) -> list[float]:
    leaves = table.leaves
    # An empty column still holds one header character per line.
    mins = [w.width("国", header_size) + 2 * pad + 1 for _ in leaves]
    for i, leaf in enumerate(leaves):
        if leaf.kind == "text":
            mins[i] = max(mins[i], 3 * w.width("国", size) + 2 * pad)
    for row in table.rows:
        for cell in row:
            if cell.kind in ("num", "code") and cell.colspan == 1 and cell.text:
                need = w.width(cell.text, size) + 2 * pad + 2
                mins[cell.col] = max(mins[cell.col], need)
    return mins


def _fit(mins: list[float], weights: list[float], width: float) -> list[float]:
    """Share width by weight, but never below a column's minimum."""
    widths: list[float | None] = [None] * len(mins)
    while True:
        free = [i for i, v in enumerate(widths) if v is None]
        if not free:
            return [float(v) for v in widths]  # type: ignore[arg-type]
        rest = width - sum(v for v in widths if v is not None)
        total = sum(weights[i] for i in free) or 1.0
        short = [i for i in free if rest * weights[i] / total < mins[i]]
        if not short:
            for i in free:
                widths[i] = rest * weights[i] / total
            return [float(v) for v in widths]  # type: ignore[arg-type]
        for i in short:
            widths[i] = mins[i]


def cell_lines(w: Writer, laid: Laid, cell: Cell, size: float, pad: float) -> list[str]:
    inner = laid.xs[cell.col + cell.colspan] - laid.xs[cell.col] - 2 * pad
    if cell.kind in ("num", "code"):
        return [cell.text]
    return w.wrap(cell.text, max(inner, size), size)


def _heights(w: Writer, laid: Laid, cells: list[tuple[Cell, int]], n: int, size: float, style: Style) -> list[float]:
    heights = [style.row_min * size] * n
    pending = []
    for cell, row in cells:
        need = len(cell_lines(w, laid, cell, size, style.pad)) * size * LEADING + 2 * style.pad
        if cell.rowspan == 1:
            heights[row] = max(heights[row], need)
        else:
            pending.append((cell, row, need))
    for cell, row, need in sorted(pending, key=lambda item: item[0].rowspan):
        last = min(row + cell.rowspan, n) - 1
        have = sum(heights[row:last + 1])
        if need > have:
            heights[last] += need - have
    return heights


def paginate(laid: Laid, first: float, rest: float, repeat_header: bool) -> list[tuple[int, int]]:
    """Split body rows into page slices given the height available on the first and later pages."""
    slices: list[tuple[int, int]] = []
    start, room = 0, first - laid.header_height
    for i, height in enumerate(laid.heights):
        if height > room and i > start:
            slices.append((start, i))
            start, room = i, rest - (laid.header_height if repeat_header else 0)
        room -= height
    slices.append((start, len(laid.heights)))
    return slices


def draw(w: Writer, page, laid: Laid, style: Style, top: float, rows: tuple[int, int], header: bool) -> float:
    """Draw the header (if asked) and body rows [a, b) from y=top; returns the bottom y."""
    lines = Lines()
    y = top
    if header and laid.header:
        ys = _edges(top, laid.header_heights)
        for cell, row in laid.header:
            _draw_cell(w, page, lines, laid, cell, ys[row], ys[row + cell.rowspan], laid.header_size, style, True)
        y = ys[-1]
    a, b = rows
    ys = _edges(y, laid.heights[a:b])
    for cell, start in laid.body:
        end = start + cell.rowspan
        if end <= a or start >= b:
            continue
        # A merged cell cut by a page break is drawn as a box on each page, its text on the first.
        s, e = max(start, a), min(end, b)
        _draw_cell(w, page, lines, laid, cell, ys[s - a], ys[e - a], laid.size, style, start >= a)
    bottom = ys[-1]
    lines.rect(laid.xs[0], top, laid.xs[-1], bottom, style.frame_width)
    lines.draw(page)
    return bottom


def _edges(top: float, heights: list[float]) -> list[float]:
    ys = [top]
    for h in heights:
        ys.append(ys[-1] + h)
    return ys


def _draw_cell(w: Writer, page, lines: Lines, laid: Laid, cell: Cell, y0: float, y1: float,
               size: float, style: Style, with_text: bool) -> None:
    x0, x1 = laid.xs[cell.col], laid.xs[cell.col + cell.colspan]
    lines.rect(x0, y0, x1, y1, style.line_width)
    if not with_text or not cell.text:
        return
    text_lines = cell_lines(w, laid, cell, size, style.pad)
    line_h = size * LEADING
    baseline = (y0 + y1) / 2 - len(text_lines) * line_h / 2 + size * 0.92
    align = cell.align
    if cell.kind == "num":
        align = style.number_align
    for text in text_lines:
        tw = w.width(text, size)
        if align == "center":
            x = (x0 + x1 - tw) / 2
        elif align == "right":
            x = x1 - style.pad - 1 - tw
        else:
            x = x0 + style.pad + 1
        w.text(page, x, baseline, text, size)
        baseline += line_h
