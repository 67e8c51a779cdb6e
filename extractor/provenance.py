"""Provenance: where each extracted value was printed (page + bbox in points), by JSON pointer.

Readers fill a `Where` map keyed by a pointer relative to what they return ("rows/3/total",
"indicators/5/target_raw"); the engine prefixes it with the value's place in the Document.
Values read from running text are located through the words of the lines they were joined from.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any

from schemas.pointer import resolve

from .locate import EMPTY_NOTE_SENTENCE, Region, clean
from .pages import DESKEW_FROM, Page, Word

Box = tuple[float, float, float, float]
Where = dict[str, tuple[int, Box]]
Lines = list[tuple[int, list[Word]]]


def union(boxes: Iterable[Box]) -> Box:
    """The smallest box holding all boxes."""
    boxes = list(boxes)
    return (min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes))


def note(where: Where | None, pointer: str, page: int, box: Box) -> None:
    """Record where a value was printed (first reading wins, as in the readers)."""
    if where is not None and pointer not in where:
        where[pointer] = (page, box)


def lines_of(lines: list[str], words: Lines) -> Lines | None:
    """The words of lines, or None when they were not kept alongside (a region built elsewhere)."""
    return words if len(words) == len(lines) else None


def _char_boxes(word: Word, text: str) -> list[Box]:
    """Each character's share of its word's box: a CJK character is twice as wide as a digit.

    A CJK run is one word, often a whole line of running text; the share keeps a number's box
    on the number. Each box is widened by a third of a character so an estimate never cuts one.
    """
    # Widths from the printed characters ("，" is wide, its normal form "," is not).
    printed = word.text if len(word.text) == len(text) else text
    widths = [1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.55 for ch in printed]
    scale = (word.x1 - word.x0) / (sum(widths) or 1)
    boxes, x = [], word.x0
    for width in widths:
        pad = width * scale / 3
        boxes.append((max(word.x0, x - pad), word.y0, min(word.x1, x + width * scale + pad), word.y1))
        x += width * scale
    return boxes


class TextIndex:
    """Running text joined over lines the way the readers join it, each character on its word's box.

    `form` is the per-line normaliser the reader used (normalise or clean); both only drop
    whitespace or change characters one for one, so joining per word gives the same text.
    """

    def __init__(self, lines: Lines, form: Callable[[str], str]):
        parts: list[str] = []
        self.spots: list[tuple[int, Box]] = []
        for page, words in lines:
            for w in words:
                text = form(w.text)
                parts.append(text)
                self.spots += [(page, box) for box in _char_boxes(w, text)]
        self.text = "".join(parts)

    def span(self, start: int, end: int) -> tuple[int, Box] | None:
        """Page and box of text[start:end] (on the page where it starts)."""
        spots = self.spots[start:end]
        if not spots:
            return None
        page = spots[0][0]
        return page, union(box for p, box in spots if p == page)

    def note(self, where: Where | None, pointer: str, start: int, end: int, text: str | None = None) -> None:
        """Record a span, if the reader's text is the one indexed (else positions would be off)."""
        if where is None or (text is not None and text != self.text):
            return
        found = self.span(start, end)
        if found:
            note(where, pointer, *found)


def place(provenance: dict, base: str, where: Where) -> None:
    """Copy a reader's relative pointers into the Document's provenance under base."""
    for pointer, (page, box) in where.items():
        provenance[f"{base}/{pointer}" if pointer else base] = {
            "page": page, "bbox": tuple(round(v, 1) for v in box)}


def resolvable(root: Any, pointer: str) -> bool:
    """True when pointer names a non-null value of root (a salvaged field may have been dropped)."""
    return resolve(root, pointer) is not None


def empty_note_spot(region: Region) -> Where:
    """Where region.empty_note was read: its sentence in the lines, else a first-column cell."""
    words = lines_of(region.lines, region.line_words)
    if words:
        index = TextIndex(words, clean)
        match = EMPTY_NOTE_SENTENCE.search(index.text)
        if match:
            found = index.span(*match.span(1))
            return {"empty_note": found} if found else {}
    for grid in region.grids:
        for r in range(grid.n_rows):
            cell = grid.cell(r, 0)
            if EMPTY_NOTE_SENTENCE.search(clean(cell.text)):
                return {"empty_note": (grid.page, cell.bbox)}
    return {}



def to_page_frame(box: Box, page: Page) -> Box:
    """A box read on an OCR'd page (upright, deskewed) back in the PDF page's own frame.

    OCR reads a sideways scan turned a quarter and a leaning one turned straight; a viewer
    highlights on the page as the PDF shows it.
    """
    rotation, skew = page.ocr_rotation, page.ocr_skew if abs(page.ocr_skew) > DESKEW_FROM else 0.0
    if page.source != "ocr" or (not rotation and not skew):
        return box
    w, h = page.width, page.height  # upright size
    x0, y0, x1, y1 = box
    corners = [(x0, y0), (x1, y0), (x0, y1), (x1, y1)]
    if skew:  # undo the counter-clockwise turn about the centre (image axes, y down)
        cos, sin = math.cos(math.radians(skew)), math.sin(math.radians(skew))
        cx, cy = w / 2, h / 2
        corners = [(cx + cos * (x - cx) - sin * (y - cy), cy + sin * (x - cx) + cos * (y - cy)) for x, y in corners]
    if rotation == 90:  # read turned clockwise: the page's x is the upright y
        corners = [(y, w - x) for x, y in corners]
    elif rotation == 270:
        corners = [(h - y, x) for x, y in corners]
    elif rotation == 180:
        corners = [(w - x, h - y) for x, y in corners]
    xs, ys = [c[0] for c in corners], [c[1] for c in corners]
    return min(xs), min(ys), max(xs), max(ys)
