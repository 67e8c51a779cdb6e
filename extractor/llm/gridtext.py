"""A located region as compact text for the model, split by rows when it is long.

The model sees the grid the grid stage recovered, one printed row per line, cells joined by
"|": raw cell text, "" for a blank cell, "<" where a cell is merged with the one on its left
and "^" where it is merged with the one above. Column positions therefore line up with the
header rows, which is what lets the model map a number to its column. Pipes are cheap (one
token) and never occur in the disclosures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from ..grid import Grid
from ..locate import Region

# A data row carries an amount, a subject code or the total label; header rows carry none.
_NUMERIC = re.compile(r"^[+-]?[\d,，]+(\.\d+)?$")
_TOTAL = re.compile(r"^(合计|总计)$")
# Roughly what a BPE tokenizer spends: one token per CJK character, four ASCII characters each.
_CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")


def estimate_tokens(text: str) -> int:
    """A tokenizer-free estimate, good enough to size chunks."""
    cjk = len(_CJK.findall(text))
    return cjk + (len(text) - cjk + 3) // 4


def grid_lines(grid: Grid) -> list[str]:
    """Every base row of a grid as one "|"-joined line with merge marks."""
    lines = []
    for r in range(grid.n_rows):
        cells = []
        for c in range(grid.n_cols):
            cell = grid.cell(r, c)
            if cell.row == r and cell.col == c:
                cells.append(cell.text.replace("|", "｜").replace("\n", " "))
            else:
                cells.append("<" if cell.row == r else "^")
        lines.append("|".join(cells))
    return lines


Spot = tuple[int, tuple[float, float, float, float]]  # page, bbox of the cell a position shows


def grid_spots(grid: Grid) -> list[list[Spot]]:
    """Per base row and column, the page and box of the (anchor) cell there: for provenance."""
    return [[(grid.page, tuple(grid.cell(r, c).bbox)) for c in range(grid.n_cols)] for r in range(grid.n_rows)]


def _is_data(grid: Grid, r: int) -> bool:
    # "合计" is also a column header, so only an amount or a code makes a data row; a row of
    # column numbers (1|2|3…, printed under some headers) is still header.
    numbers = []
    for c in range(grid.n_cols):
        cell = grid.cell(r, c)
        if cell.row == r and cell.col == c:
            text = re.sub(r"\s+", "", cell.text)
            if _NUMERIC.match(text):
                numbers.append(text)
    return bool(numbers) and not _column_numbers(numbers)


def _column_numbers(numbers: list[str]) -> bool:
    if len(numbers) < 3 or not all(n.isdigit() for n in numbers):
        return False
    start = int(numbers[0])
    return numbers == [str(i) for i in range(start, start + len(numbers))]


def header_count(grid: Grid) -> int:
    """Rows at the top before the first data row (all rows if the grid has no data)."""
    for r in range(grid.n_rows):
        if _is_data(grid, r):
            return r
    return grid.n_rows


@dataclass
class Piece:
    """What one call sees: the region's notes, the header rows and a run of body rows."""

    kind: str
    title: str
    pages: list[int]
    notes: list[str]
    header: list[str]
    body: list[str]
    part: int = 1
    parts: int = 1
    extra_grids: list[list[str]] = field(default_factory=list)  # sheets: further grids as printed
    header_spots: list[list[Spot]] = field(default_factory=list)  # where each cell is, line by line
    body_spots: list[list[Spot]] = field(default_factory=list)
    extra_spots: list[list[list[Spot]]] = field(default_factory=list)

    def data_rows(self) -> int:
        """Body lines that print an amount or a code, the 合计/总计 line aside: rows the answer must hold."""
        count = 0
        for line in self.body:
            cells = [re.sub(r"\s+", "", c) for c in line.split("|")]
            first = next((c for c in cells if c not in ("", "<", "^")), "")
            if _TOTAL.match(first):
                continue
            count += any(_NUMERIC.match(c) for c in cells)
        return count

    @property
    def text(self) -> str:
        """The grid block as sent to the model."""
        blocks = ["\n".join(self.header + self.body)] + ["\n".join(g) for g in self.extra_grids]
        return "\n\n".join(b for b in blocks if b)


def _notes(region: Region, limit: int = 12) -> list[str]:
    # Lines outside the grid: the unit line, "单位：万元", a 备注 "本表为空表". Keep them short.
    return [line.strip() for line in region.lines if line.strip()][:limit]


def pieces(region: Region, max_tokens: int = 1800, count: Callable[[str], int] = estimate_tokens) -> list[Piece]:
    """Split a table region into pieces of at most ~max_tokens of grid text each (as count counts).

    The first grid's header rows are repeated in every piece; a later grid (a continuation
    page) that repeats the same header drops it. Sheets and short tables are one piece.
    """
    notes = _notes(region)
    if not region.grids:
        return [Piece(region.kind, region.title, list(region.pages), notes, [], [])]
    if region.kind in ("overall", "project"):
        grids = [grid_lines(g) for g in region.grids]
        spots = [grid_spots(g) for g in region.grids]
        return [Piece(region.kind, region.title, list(region.pages), notes, grids[0], [], extra_grids=grids[1:],
                      header_spots=spots[0], extra_spots=spots[1:])]
    first = region.grids[0]
    n_head = header_count(first)
    header = grid_lines(first)[:n_head]
    body: list[tuple[int, str, list[Spot]]] = list(zip([first.page] * first.n_rows, grid_lines(first),
                                                       grid_spots(first)))[n_head:]
    for grid in region.grids[1:]:
        lines = grid_lines(grid)
        n = header_count(grid)
        skip = n if lines[:n] == header else 0
        body += list(zip([grid.page] * grid.n_rows, lines, grid_spots(grid)))[skip:]
    budget = max(min(200, max_tokens // 2), max_tokens - count("\n".join(header)))
    runs: list[list[tuple[int, str, list[Spot]]]] = [[]]
    used = 0
    for entry in body:
        cost = count(entry[1]) + 1
        if runs[-1] and used + cost > budget:
            runs.append([])
            used = 0
        runs[-1].append(entry)
        used += cost
    head_spots = grid_spots(first)[:n_head]
    out = [Piece(region.kind, region.title, _pages(run, region), notes, header, [line for _, line, _ in run],
                 header_spots=head_spots, body_spots=[spots for _, _, spots in run]) for run in runs]
    for i, piece in enumerate(out, 1):
        piece.part, piece.parts = i, len(out)
    return out


def _pages(run: list[tuple[int, str, list[Spot]]], region: Region) -> list[int]:
    # A piece of a split table names only the pages its rows are on (its page images, too).
    return sorted({page for page, _, _ in run}) or list(region.pages)


def halves(piece: Piece) -> list[Piece]:
    """A piece split in two by rows (after a truncated answer); a one-row piece cannot be split."""
    if len(piece.body) < 2:
        return [piece]
    mid = len(piece.body) // 2
    parts = piece.parts * 2
    runs = ((piece.body[:mid], piece.body_spots[:mid]), (piece.body[mid:], piece.body_spots[mid:]))
    return [Piece(piece.kind, piece.title, piece.pages, piece.notes, piece.header, rows,
                  part=2 * piece.part - 1 + i, parts=parts, header_spots=piece.header_spots, body_spots=spots)
            for i, (rows, spots) in enumerate(runs)]
