"""Open a PDF safely and turn each page into words and ruling lines.

Per page (not per document) we decide whether the text layer can be trusted or the page must
be OCR'd: scans have no layer, some exports have a layer of private-use glyphs or mojibake.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pymupdf

from .errors import (CorruptPdfError, DocumentTimeout, EmptyPdfError, EncryptedPdfError, LimitError, NotPdfError,
                     OcrError)
from .pictures import bare_pictures, text_layer_over_scan, with_pictures_read
from .text_layer import short_and_clean, text_layer_usable
from .watermark import slanted, watermark_text


@dataclass(frozen=True)
class Limits:
    """Safety caps: an absurd input is refused with a clear error, not a crash."""

    max_bytes: int = 512 * 1024 * 1024
    max_pages: int = 2000
    max_page_side_pt: float = 14400.0  # PDF's own limit is 200 in; real pages are ≤ A2
    max_image_pixels: int = 60_000_000
    ocr_dpi: int = 200
    max_seconds: float | None = None  # wall clock per document (--timeout); None: no cap


@dataclass(frozen=True)
class Word:
    """A word (or CJK run) with its box in page points, top-left origin."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    conf: float = 1.0

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


@dataclass(frozen=True)
class Segment:
    """A horizontal or vertical ruling line in page points."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def horizontal(self) -> bool:
        return abs(self.y1 - self.y0) <= abs(self.x1 - self.x0)


@dataclass(frozen=True)
class SealMark:
    """A seal stamped on a scanned page: its words as read, its box in page points."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float


# OCR deskews a page only past this angle (degrees); a smaller estimate leaves it as scanned.
DESKEW_FROM = 0.1


@dataclass
class Page:
    number: int  # 1-based
    width: float
    height: float
    words: list[Word] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    source: Literal["text", "ocr", "blank"] = "text"  # blank: nothing printed, neither read nor OCR'd
    pictures: list[tuple[float, float, float, float]] = field(default_factory=list)  # OCR'd on a text page
    ocr_rotation: int = 0  # degrees the scan was turned to read it
    ocr_skew: float = 0.0
    watermark: str = ""  # a watermark's text (light, slanted or large and level), not among its words
    seals: list[SealMark] = field(default_factory=list)  # seals stamped over a scan (``extractor/seal.py``)

    @property
    def text(self) -> str:
        return "".join(w.text for w in self.words)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def open_pdf(path: Path, limits: Limits = Limits()) -> pymupdf.Document:
    """Open a PDF or raise a specific InputError naming the file."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise NotPdfError(f"cannot read file ({exc.strerror})", file=path) from exc
    if size == 0:
        raise EmptyPdfError("empty file (0 bytes)", file=path)
    if size > limits.max_bytes:
        raise LimitError(f"file is {size / 2**20:.0f} MiB, over the {limits.max_bytes / 2**20:.0f} MiB cap", file=path)
    with open(path, "rb") as fh:
        head = fh.read(1024)
    if b"%PDF-" not in head:
        raise NotPdfError("not a PDF (no %PDF- header)", file=path)
    # MuPDF's own messages on stderr would interleave with the one-line reasons of a batch.
    pymupdf.TOOLS.mupdf_display_errors(False)
    pymupdf.TOOLS.mupdf_display_warnings(False)
    try:
        doc = pymupdf.open(path, filetype="pdf")
    except Exception as exc:  # MuPDF raises its own types for damaged files
        raise CorruptPdfError(f"corrupt PDF ({exc})", file=path) from exc
    if doc.needs_pass:
        doc.close()
        raise EncryptedPdfError("encrypted PDF (needs a password)", file=path)
    if doc.page_count == 0:
        doc.close()
        raise EmptyPdfError("PDF has no pages", file=path)
    if doc.page_count > limits.max_pages:
        count = doc.page_count
        doc.close()
        raise LimitError(f"{count} pages, over the {limits.max_pages}-page cap", file=path)
    return doc


def _segments_from_drawings(page: pymupdf.Page) -> list[Segment]:
    """Ruling lines from vector drawings: stroked lines and thin filled rectangles."""
    segments: list[Segment] = []
    turn = page.rotation_matrix if page.rotation else None  # drawings come unrotated: as the page shows them
    for path in page.get_drawings():
        for item in path["items"]:
            if turn is not None:
                item = _turned(item, turn)
            kind = item[0]
            if kind == "l":
                p, q = item[1], item[2]
                if abs(p.y - q.y) < 1.0 or abs(p.x - q.x) < 1.0:
                    segments.append(Segment(min(p.x, q.x), min(p.y, q.y), max(p.x, q.x), max(p.y, q.y)))
            elif kind == "re":
                r = item[1]
                if r.height < 2.0 and r.width > 2.0:  # a rule drawn as a thin box
                    y = (r.y0 + r.y1) / 2
                    segments.append(Segment(r.x0, y, r.x1, y))
                elif r.width < 2.0 and r.height > 2.0:
                    x = (r.x0 + r.x1) / 2
                    segments.append(Segment(x, r.y0, x, r.y1))
                elif r.width >= 2.0 and r.height >= 2.0 and path.get("color") is not None:
                    segments += _sides(r)  # a stroked rectangle: its sides are cell borders
            elif kind == "qu" and path.get("color") is not None:
                segments += _sides(item[1].rect)
    return segments


def _turned(item: tuple, turn: pymupdf.Matrix) -> tuple:
    """A drawing item in the rotated page's frame (points and rectangles through the rotation)."""
    kind = item[0]
    if kind == "l":
        return (kind, item[1] * turn, item[2] * turn)
    if kind == "re":
        return (kind, pymupdf.Rect(item[1]) * turn, *item[2:])
    if kind == "qu":
        return (kind, pymupdf.Quad(item[1]) * turn, *item[2:])
    return item


def _sides(r: pymupdf.Rect) -> list[Segment]:
    return [Segment(r.x0, r.y0, r.x1, r.y0), Segment(r.x0, r.y1, r.x1, r.y1),
            Segment(r.x0, r.y0, r.x0, r.y1), Segment(r.x1, r.y0, r.x1, r.y1)]


def _words_from_layer(page: pymupdf.Page) -> tuple[list[Word], str]:
    """Words from the text layer, split at spaces and at gaps between characters, and the text
    of its slanted lines (a watermark, ``extractor/watermark.py``), which are not words.

    CJK text has no spaces, so two adjacent table cells can come out as one "word"; a gap
    wider than a third of the font size separates them.
    """
    words: list[Word] = []
    marks: list[str] = []
    flags = pymupdf.TEXT_PRESERVE_WHITESPACE | pymupdf.TEXT_MEDIABOX_CLIP
    turn = page.rotation_matrix if page.rotation else None  # a /Rotate page: words as the page shows them
    for block in page.get_text("rawdict", flags=flags)["blocks"]:
        for line in block.get("lines", ()):
            if slanted(math.degrees(math.atan2(line["dir"][1], line["dir"][0]))):
                marks.append("".join(ch["c"] for span in line["spans"] for ch in span["chars"]).strip())
                continue
            for span in line["spans"]:
                gap_limit = 0.33 * span["size"]
                current: list = []
                for ch in span["chars"]:
                    if turn is not None:
                        ch = {"c": ch["c"], "bbox": tuple(pymupdf.Rect(ch["bbox"]) * turn)}
                    c = ch["c"]
                    if c.isspace():
                        _flush(current, words)
                        current = []
                        continue
                    if current and ch["bbox"][0] - current[-1]["bbox"][2] > gap_limit:
                        _flush(current, words)
                        current = []
                    current.append(ch)
                _flush(current, words)
    return words, watermark_text(marks)


def _flush(chars: list, words: list[Word]) -> None:
    if not chars:
        return
    words.append(Word(
        "".join(ch["c"] for ch in chars),
        min(ch["bbox"][0] for ch in chars), min(ch["bbox"][1] for ch in chars),
        max(ch["bbox"][2] for ch in chars), max(ch["bbox"][3] for ch in chars),
    ))


SQUARE = 0.05  # two resolutions of one picture this close apart are one (a page box rounded)


def page_pixmap(page: pymupdf.Page, limits: Limits) -> pymupdf.Pixmap:
    """Render a page once at the OCR resolution, capped so a huge page cannot exhaust memory."""
    rect = page.rect
    dpi = limits.ocr_dpi
    # A scan rendered above its own resolution only costs OCR time: use the image's dpi. A
    # compressed scan (MRC) lays a sharp text layer over a coarse background picture, both
    # page-size: the sharpest one sets it.
    natives = [_native_dpi(info) for info in page.get_image_info()
               if info.get("width") and info.get("height")
               if abs(box := pymupdf.Rect(info["bbox"])) > 0.5 * abs(rect) and box.width > 0]
    if natives:
        dpi = int(min(dpi, max(120, max(natives))))
    pixels = (rect.width * dpi / 72) * (rect.height * dpi / 72)
    if pixels > limits.max_image_pixels:
        dpi = int(dpi * (limits.max_image_pixels / pixels) ** 0.5)
    return page.get_pixmap(dpi=dpi, colorspace=pymupdf.csRGB, alpha=False)


def _native_dpi(info: dict) -> float:
    """A picture's resolution along its own width, however it is drawn turned; a picture whose
    pixels are not square (a fax: 200 dpi across, 100 down), its finer one.

    Measured from its box alone (the page's width against the picture's shorter side), a fax on
    a portrait page looked drawn turned, at 141 dpi, and lost a third of its fine strokes across.
    """
    a, b, c, d = info["transform"][:4]
    across = info["width"] * 72 / math.hypot(a, b)
    down = info["height"] * 72 / math.hypot(c, d)
    return max(across, down) if abs(across - down) > SQUARE * min(across, down) else across


def load_page(doc: pymupdf.Document, index: int, path: Path, limits: Limits, ocr=None) -> Page:
    """Words and ruling lines of one page, from its text layer or from OCR."""
    page = doc.load_page(index)
    rect = page.rect
    if max(rect.width, rect.height) > limits.max_page_side_pt or min(rect.width, rect.height) < 1:
        raise LimitError(f"absurd page size {rect.width:.0f}×{rect.height:.0f} pt", file=path, page=index + 1)
    result = Page(number=index + 1, width=rect.width, height=rect.height)
    if not page.get_contents():  # no content stream: nothing printed at all
        result.source = "blank"
        return result
    words, result.watermark = _words_from_layer(page)
    pictures: list = []
    if text_layer_usable("".join(w.text for w in words)) and not text_layer_over_scan(page, words):
        result.words = words
        result.segments = _segments_from_drawings(page)
        if not (pictures := bare_pictures(page, words)):
            return result
    elif not has_marks(page):
        # No image and no drawing: OCR could only read the layer's own glyphs again. An empty
        # layer is a blank page; a short clean one (a lone page number) is kept as it is.
        text = "".join(w.text for w in words)
        if not text.strip():
            result.source = "blank"
            return result
        if short_and_clean(text):
            result.words = words
            return result
    result.source = "ocr"
    if ocr is None:
        return result
    pix = page_pixmap(page, limits)
    try:
        ocr_page = ocr.read(pix, page_width=rect.width, page_height=rect.height)
    except OcrError:
        if not pictures:
            raise
        result.source = "text"  # no OCR installed: the page's own text, as it was read before
        return result
    if pictures and ocr_page.rotation == 0 and abs(ocr_page.skew) <= DESKEW_FROM:
        # Read as it lies, so the OCR'd words share the layer's frame: the page stays a text page.
        result.words, result.segments = with_pictures_read(result.words, result.segments, ocr_page, pictures)
        result.source, result.pictures = "text", [tuple(box) for box in pictures]
        return result
    result.words = ocr_page.words
    result.watermark = ocr_page.watermark
    result.seals = ocr_page.seals
    result.segments = ocr_page.segments
    result.ocr_rotation = ocr_page.rotation
    result.ocr_skew = ocr_page.skew
    if ocr_page.rotation in (90, 270):
        result.width, result.height = result.height, result.width
    return result


def has_marks(page: pymupdf.Page) -> bool:
    """True when the page shows an image or a drawing (what OCR would have to look at)."""
    if not page.get_contents():
        return False
    return bool(page.get_image_info()) or bool(page.get_drawings())


def stop_if_late(deadline: float | None, limits: Limits, path: Path, done: int, total: int, page: int) -> None:
    """Past deadline (time.monotonic()), stop the document: DocumentTimeout naming the page reached."""
    if deadline is not None and time.monotonic() > deadline:
        raise DocumentTimeout(f"stopped after {limits.max_seconds:g} s (the --timeout cap), "
                              f"{done} of {total} pages read", file=path, page=page)


def load_pages(path: Path, limits: Limits = Limits(), ocr=None, progress=None,
               deadline: float | None = None) -> tuple[list[Page], dict]:
    """All pages of a PDF plus its source info (file, sha256, page_count).

    progress(done, total) is called after each page; past deadline (time.monotonic()) the
    document stops with a LimitError naming the page it reached.
    """
    path = Path(path)
    doc = open_pdf(path, limits)
    try:
        pages: list = [None] * doc.page_count
        read_in_turn(doc, path, limits, ocr, pages, range(doc.page_count), 0, progress, deadline)
        source = {"file": path.name, "sha256": sha256_file(path), "page_count": doc.page_count}
    finally:
        doc.close()
    return pages, source


def read_in_turn(doc: pymupdf.Document, path: Path, limits: Limits, ocr, pages: list, indices, done: int,
                 progress=None, deadline: float | None = None) -> None:
    """Read the pages at ``indices`` into ``pages`` one after another, ``done`` of them read already:
    progress(done, total) after each, past deadline a DocumentTimeout naming the page reached."""
    for i in indices:
        stop_if_late(deadline, limits, path, done, len(pages), i + 1)
        pages[i] = load_page(doc, i, path, limits, ocr)
        done += 1
        if progress is not None:
            progress(done, len(pages))
