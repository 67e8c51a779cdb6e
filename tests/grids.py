"""Test support: small ruled grids built from cell texts."""

from __future__ import annotations

from extractor.grid import Cell, Grid
from extractor.pages import Word


def grid_of(rows: list[list[str]], page: int = 1) -> Grid:
    """A ruled grid of one-word cells, 10 points per row and 40 per column."""
    cells, owner = [], []
    for r, texts in enumerate(rows):
        owner.append([])
        for c, text in enumerate(texts):
            box = (40.0 * c, 10.0 * r, 40.0 * (c + 1), 10.0 * (r + 1))
            words = [Word(text, box[0] + 1, box[1] + 1, box[2] - 1, box[3] - 1)] if text else []
            owner[-1].append(len(cells))
            cells.append(Cell(r, c, words=words, bbox=box))
    return Grid(page, (0, 0, 40.0 * len(rows[0]), 10.0 * len(rows)),
                [10.0 * r for r in range(len(rows) + 1)], [40.0 * c for c in range(len(rows[0]) + 1)],
                cells, owner)
