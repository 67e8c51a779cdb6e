"""Test support: small ruled grids built from cell texts, and PDFs with some of their rules taken away."""

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


def row_rules_only(path) -> "pymupdf.Document":
    """A born-digital PDF with its column rules taken away and its row rules kept (a table ruled
    across but not down), as a printer of spreadsheets without vertical borders makes it."""
    import pymupdf

    doc = pymupdf.open(path)
    for page in doc:
        across = []  # (from, to, width) of every horizontal rule
        for drawing in page.get_drawings():
            width = drawing.get("width") or 0.5
            # A box filled white behind a cell's text (js20) prints nothing: no rule.
            inked = drawing.get("color") is not None or max(drawing.get("fill") or (1.0,)) < 0.5
            for item in drawing["items"]:
                if item[0] == "l" and abs(item[2].y - item[1].y) <= 0.2 * abs(item[2].x - item[1].x):
                    across.append((item[1], item[2], width))
                elif not inked:
                    continue
                elif item[0] == "re" and min(item[1].width, item[1].height) >= 2:  # a box: its top and bottom
                    across += [(item[1].tl, item[1].tr, width), (item[1].bl, item[1].br, width)]
                elif item[0] == "re" and item[1].width > item[1].height:  # a rule drawn as a thin bar
                    mid = (item[1].y0 + item[1].y1) / 2
                    across.append((pymupdf.Point(item[1].x0, mid), pymupdf.Point(item[1].x1, mid), item[1].height))
        erase_line_art(page)
        for a, b, width in across:
            page.draw_line(a, b, width=max(width, 0.5))
    return doc


def erase_line_art(page) -> None:
    """Every vector drawing of a page taken away, its text and images kept."""
    import pymupdf

    page.add_redact_annot(page.rect)
    page.apply_redactions(images=pymupdf.PDF_REDACT_IMAGE_NONE, text=pymupdf.PDF_REDACT_TEXT_NONE,
                          graphics=pymupdf.PDF_REDACT_LINE_ART_REMOVE_IF_TOUCHED)
