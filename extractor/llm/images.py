"""Page images for vision models, as base64 PNG data URLs (no file leaves the machine otherwise)."""

from __future__ import annotations

import base64
from pathlib import Path

import pymupdf

MAX_IMAGES = 4  # per call: a piece of a split table names only the pages its rows are on


def page_data_urls(path: str | Path, pages: list[int], dpi: int = 110) -> list[str]:
    """data:image/png;base64,… for each 1-based page number (at most MAX_IMAGES)."""
    urls = []
    with pymupdf.open(str(path)) as pdf:
        for number in pages[:MAX_IMAGES]:
            if 1 <= number <= pdf.page_count:
                pix = pdf.load_page(number - 1).get_pixmap(dpi=dpi, colorspace=pymupdf.csRGB, alpha=False)
                urls.append("data:image/png;base64," + base64.b64encode(pix.tobytes("png")).decode("ascii"))
    return urls
