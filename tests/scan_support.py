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
