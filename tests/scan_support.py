"""Synthetic scanned table pages the image-step tests share (curled, on a backdrop)."""

from __future__ import annotations

import cv2
import numpy as np

from extractor.ocr import find_rules


def table_page() -> np.ndarray:
    """A ruled page: 25 row rules across four columns, figures in the cells."""
    page = np.full((2000, 1400), 255, np.uint8)
    for y in range(300, 1801, 60):
        cv2.line(page, (150, y), (1250, y), 0, 2)
        if y < 1800:
            cv2.putText(page, f"{y * 37:,}.{y % 100:02d}", (180, y + 42), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 0, 2)
    for x in (150, 500, 800, 1250):
        cv2.line(page, (x, 300), (x, 1800), 0, 2)
    return page


def full_rows(grey: np.ndarray) -> int:
    """Horizontal rules found whole (across the table's width) by the OCR's rule finder."""
    return sum(1 for x0, y0, x1, y1 in find_rules(grey) if y0 == y1 and x1 - x0 > 1000)


def stamp_watermark(page, text: str = "内部资料 注意保存", angle: float = -35, grey: float = 0.72) -> None:
    """Tile a PyMuPDF page with a slanted light-grey text watermark (as disclosures are published)."""
    import pymupdf

    w, h = page.rect.width, page.rect.height
    for y in np.arange(80, h + 200, 170):
        for x in np.arange(-200, w, 260):
            page.insert_text((x, y), text, fontname="china-s", fontsize=22, color=(grey, grey, grey),
                             morph=(pymupdf.Point(x, y), pymupdf.Matrix(angle)))


def stamp_level_watermark(page, text: str = "内部资料 仅供参考", size: float = 44, grey: float = 0.75,
                          rows=(0.3, 0.55, 0.8)) -> None:
    """Print a large level light-grey watermark under a PyMuPDF page's print, one line centred at
    each of ``rows`` (shares of the page's height)."""
    import pymupdf

    w, h = page.rect.width, page.rect.height
    width = pymupdf.get_text_length(text, fontname="china-s", fontsize=size)
    for row in rows:
        page.insert_text(((w - width) / 2, h * row), text, fontname="china-s", fontsize=size,
                         color=(grey, grey, grey), overlay=False)


def stamp_seal(page, centre: tuple[float, float], radius: float = 60, grey: float = 0.33,
               text: str = "上海市普陀区人民政府办公室财务专用章") -> None:
    """Stamp a round seal on a PyMuPDF page as a grey scan shows a red one: a ring 3 pt wide, a
    star, and the unit's name along the top of the ring (in grey: no colour tells it from print)."""
    import math

    import pymupdf

    cx, cy = centre
    tone = (grey, grey, grey)
    page.draw_circle((cx, cy), radius, color=tone, width=3)
    star = [(cx + (14 if k % 2 == 0 else 6) * math.cos(-math.pi / 2 + k * math.pi / 5),
             cy + (14 if k % 2 == 0 else 6) * math.sin(-math.pi / 2 + k * math.pi / 5)) for k in range(10)]
    page.draw_polyline(star + [star[0]], color=tone, fill=tone)
    span = math.radians(250)
    for i, ch in enumerate(text):
        a = math.radians(215) + i * span / (len(text) - 1)
        px, py = cx + (radius - 14) * math.cos(a), cy + (radius - 14) * math.sin(a)
        page.insert_text((px - 5, py + 5), ch, fontname="china-s", fontsize=11, color=tone,
                         morph=(pymupdf.Point(px, py), pymupdf.Matrix(-(math.degrees(a) + 90))))


def draw_streaks(img: np.ndarray, xs, width: int = 2, darken: float = 0.45) -> np.ndarray:
    """A sheet feeder's dust streaks: columns ``xs`` darkened from the image's top edge to its bottom."""
    img = img.copy()
    for x in xs:
        img[:, x:x + width] = (img[:, x:x + width] * darken).astype(img.dtype)
    return img


def dashed(grey: np.ndarray, on: int = 6, off: int = 6, run_together: bool = False) -> np.ndarray:
    """The page's ruling lines printed dashed (``on`` pixels of ink, ``off`` of paper), as a
    spreadsheet's dashed or dotted borders print; the print in the cells stays as it was. With
    ``run_together``, the dashes touching a crossing run into it, one blot (ink spreads there)."""
    dark = (grey < 200).astype(np.uint8)  # a thin rule's anti-aliased grey too
    long = max(40, min(grey.shape) // 10)
    across = cv2.morphologyEx(dark, cv2.MORPH_OPEN, np.ones((1, long), np.uint8)).astype(bool)
    down = cv2.morphologyEx(dark, cv2.MORPH_OPEN, np.ones((long, 1), np.uint8)).astype(bool)
    rows, cols = np.indices(grey.shape)
    out = grey.copy()
    out[across & ((cols % (on + off)) >= on)] = 255
    out[down & ~across & ((rows % (on + off)) >= on)] = 255
    if run_together:
        crossings = (across & down).astype(np.uint8)
        reach = 2 * on + 1
        blots = (cv2.dilate(crossings, np.ones((reach, 1), np.uint8)).astype(bool) & down) | \
            (cv2.dilate(crossings, np.ones((1, reach), np.uint8)).astype(bool) & across)
        out[blots] = grey[blots]
    return out


def curl(page: np.ndarray, bow: float) -> np.ndarray:
    """Rows bowed by bow of the height, most in the middle of the page and toward its foot."""
    h, w = page.shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    map_y = yy + bow * h * np.sin(np.pi * xx / w) * (0.5 + yy / h)
    return cv2.remap(page, xx, map_y, cv2.INTER_LINEAR, borderValue=255)


def checkered(grey: np.ndarray) -> np.ndarray:
    """The page's two-pixel rules as a one-bit scan dithers a thin grey line: alternate pixels of
    each of its two rows, a checkerboard (no pixel run longer than one on either row)."""
    dark = (grey < 200).astype(np.uint8)
    long = max(40, min(grey.shape) // 10)
    across = cv2.morphologyEx(dark, cv2.MORPH_OPEN, np.ones((1, long), np.uint8)).astype(bool)
    down = cv2.morphologyEx(dark, cv2.MORPH_OPEN, np.ones((long, 1), np.uint8)).astype(bool)
    rows, cols = np.indices(grey.shape)
    out = grey.copy()
    out[(across | down) & ((rows + cols) % 2 == 1)] = 255
    return out


def sample_t1_page(dpi: int = 150) -> tuple[np.ndarray, tuple[float, float]]:
    """Sample 000's page 3 (t1: names and amounts) rendered at dpi: an RGB array and the page's
    size in points."""
    from pathlib import Path

    import pymupdf

    with pymupdf.open(Path(__file__).resolve().parents[1] / "samples" / "000_5dac6d90f1d45d5f.pdf") as doc:
        pix = doc[3].get_pixmap(dpi=dpi, colorspace=pymupdf.csRGB, alpha=False)
        size = doc[3].rect.width, doc[3].rect.height
    return np.frombuffer(pix.samples, np.uint8).reshape(pix.h, pix.w, 3).copy(), size


def as_pixmap(rgb: np.ndarray):
    """An RGB array as the PyMuPDF pixmap an OCR backend reads."""
    import pymupdf

    return pymupdf.Pixmap(pymupdf.csRGB, rgb.shape[1], rgb.shape[0], np.ascontiguousarray(rgb).tobytes(), 0)


def ocr_backend():
    """RapidOCR on one thread, or the test skipped when the ocr extra is not installed."""
    import pytest

    pytest.importorskip("rapidocr_onnxruntime", reason="the ocr extra is not installed")
    from extractor.ocr_rapid import RapidOcrBackend

    return RapidOcrBackend(threads=1)
