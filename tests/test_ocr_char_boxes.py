"""Character boxes of a recognised line: budgetx's per-line mapping back to the page must give
exactly RapidOCR's own boxes (readers split lines into cell words by them)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

pytest.importorskip("rapidocr_onnxruntime", reason="the ocr extra is not installed")

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def test_character_boxes_equal_the_librarys_on_a_scanned_page():
    import pymupdf
    from rapidocr_onnxruntime.cal_rec_boxes.main import CalRecBoxes

    from extractor.ocr_backends import OCR_BACKENDS
    from extractor.pages import Limits, page_pixmap

    backend = OCR_BACKENDS.create("rapidocr", threads=1)
    ours, theirs = backend.engine.cal_rec_boxes, CalRecBoxes()
    assert type(ours) is not CalRecBoxes
    pairs = []

    def both(imgs, dt_boxes, rec_res):
        expected = theirs(imgs, copy.deepcopy(dt_boxes), copy.deepcopy(rec_res))
        got = ours(imgs, dt_boxes, rec_res)
        pairs.append((expected, got))
        return got

    backend.engine.cal_rec_boxes = both
    with pymupdf.open(SAMPLES / "004_3fa3241a52f85770.scan.pdf") as doc:
        page = doc[4]  # a table page scanned with a slight skew: boxes are not exactly upright
        backend.read(page_pixmap(page, Limits()), page.rect.width, page.rect.height)
    lines = [line for expected, _ in pairs for line in expected]
    assert len(lines) >= 100 and sum(len(line[2]) for line in lines) >= 500
    for expected, got in pairs:
        assert got == expected
