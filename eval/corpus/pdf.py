"""Low-level PDF writing with PyMuPDF: pages, an embedded CJK font, text and ruled lines.

Font choice: the CJK font MuPDF itself ships (Droid Sans Fallback, reachable as
``pymupdf.Font("china-s")``) is always there, so rendering needs nothing but PyMuPDF. Inserting it
by name only references a non-embedded "Heiti", so it is inserted from its buffer and subset on
save (a few kB per document). Government documents are mostly set in a Song/Ming face; when
Debian's fonts-arphic-uming is installed, "serif" styles use AR PL UMing, else they fall back to
the sans font: the engines must not depend on the typeface anyway.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pymupdf

A4 = (595.0, 842.0)
SERIF_FILES = (
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf",
)


@lru_cache(maxsize=None)
def font_for(kind: str) -> pymupdf.Font:
    """The font object used to measure and embed text of a style's font kind."""
    if kind == "serif":
        for path in SERIF_FILES:
            if Path(path).exists():
                return pymupdf.Font(fontfile=path)
    return pymupdf.Font("china-s")


class Writer:
    """A document under construction: pages with one embedded CJK font."""

    def __init__(self, font_kind: str) -> None:
        self.doc = pymupdf.open()
        self.font = font_for(font_kind)
        self._buffer = self.font.buffer
        self._advance: dict[str, float] = {}
        # One TextWriter per page: far faster than a Page.insert_text call per cell.
        self._writers: dict[int, pymupdf.TextWriter] = {}

    def new_page(self, landscape: bool = False) -> pymupdf.Page:
        width, height = A4
        page = self.doc.new_page(width=height if landscape else width, height=width if landscape else height)
        page.insert_font(fontname="cjk", fontbuffer=self._buffer)
        return page

    def width(self, text: str, size: float) -> float:
        total = 0.0
        for ch in text:
            adv = self._advance.get(ch)
            if adv is None:
                adv = self._advance[ch] = self.font.text_length(ch, fontsize=1.0)
            total += adv
        return total * size

    def text(self, page: pymupdf.Page, x: float, baseline: float, text: str, size: float,
             bold: bool = False, color: tuple[float, float, float] = (0, 0, 0)) -> None:
        """Write one line at a baseline; bold is a fill+stroke, as WPS does for missing bold faces."""
        if not text:
            return
        if bold:
            self._flush(page.number)  # keep the content stream in reading order
            page.insert_text((x, baseline), text, fontname="cjk", fontsize=size, color=color,
                             render_mode=2, border_width=0.025, fill=color)
        elif color != (0, 0, 0):
            page.insert_text((x, baseline), text, fontname="cjk", fontsize=size, color=color)
        else:
            writer = self._writers.get(page.number)
            if writer is None:
                writer = self._writers[page.number] = pymupdf.TextWriter(page.rect)
            writer.append((x, baseline), text, font=self.font, fontsize=size)

    def _flush(self, number: int) -> None:
        writer = self._writers.pop(number, None)
        if writer is not None:
            writer.write_text(self.doc[number])

    def wrap(self, text: str, width: float, size: float) -> list[str]:
        """Break text into lines no wider than width, character by character (CJK has no spaces).

        Runs of digits, letters and dots stay together when they fit on a line, so a number in a
        text cell is not split needlessly.
        """
        lines: list[str] = []
        for paragraph in text.split("\n"):
            line = ""
            for token in _tokens(paragraph):
                if self.width(line + token, size) <= width or not line:
                    if self.width(token, size) > width and not line:
                        # A token wider than the cell: break it by character after all.
                        for ch in token:
                            if line and self.width(line + ch, size) > width:
                                lines.append(line)
                                line = ""
                            line += ch
                        continue
                    line += token
                else:
                    lines.append(line)
                    line = token.lstrip(" ")
            lines.append(line)
        return lines

    def save(self, path: str | Path | None = None) -> bytes:
        """Subset the font and return (and optionally write) the PDF bytes."""
        for number in list(self._writers):
            self._flush(number)
        self.doc.subset_fonts()
        data = self.doc.tobytes(garbage=4, deflate=True, no_new_id=True)
        if path is not None:
            Path(path).write_bytes(data)
        return data


def _tokens(text: str) -> list[str]:
    tokens: list[str] = []
    for ch in text:
        if tokens and (_glue(ch) and _glue(tokens[-1][-1])):
            tokens[-1] += ch
        else:
            tokens.append(ch)
    return tokens


def _glue(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch in ".%-+<>=,")


class Lines:
    """Collects ruled lines of a page and draws them in one content stream per width."""

    def __init__(self) -> None:
        self._by_width: dict[float, list[tuple[float, float, float, float]]] = {}

    def add(self, x0: float, y0: float, x1: float, y1: float, width: float) -> None:
        self._by_width.setdefault(round(width, 2), []).append((x0, y0, x1, y1))

    def rect(self, x0: float, y0: float, x1: float, y1: float, width: float) -> None:
        self.add(x0, y0, x1, y0, width)
        self.add(x0, y1, x1, y1, width)
        self.add(x0, y0, x0, y1, width)
        self.add(x1, y0, x1, y1, width)

    def draw(self, page: pymupdf.Page, color: tuple[float, float, float] = (0, 0, 0)) -> None:
        for width, segments in self._by_width.items():
            shape = page.new_shape()
            for x0, y0, x1, y1 in dict.fromkeys(segments):  # drop exact duplicates of shared edges
                shape.draw_line((x0, y0), (x1, y1))
            shape.finish(width=width, color=color, lineCap=2)
            shape.commit()
        self._by_width.clear()
