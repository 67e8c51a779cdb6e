"""OpenVINO and packed recognition read a page as onnxruntime and the engine's own batching do
(one page of OCR per backend)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[1] / "samples"

pytest.importorskip("rapidocr_onnxruntime", reason="the ocr extra is not installed")

AMOUNT = re.compile(r"^-?\d[\d,]*\.\d\d$")


@pytest.fixture(scope="module")
def table_page():
    """A born-digital table page of a sample, as a 150 dpi pixmap, with its size in points."""
    import pymupdf

    with pymupdf.open(SAMPLES / "004_3fa3241a52f85770.pdf") as doc:
        page = doc[4]
        return page.get_pixmap(dpi=150, colorspace=pymupdf.csRGB, alpha=False), page.rect.width, page.rect.height


@pytest.fixture(scope="module")
def readings(table_page):
    from extractor.ocr_backends import OCR_BACKENDS

    from extractor.ocr_openvino import available

    names = ["rapidocr-ort", "rapidocr-packed"] + (["rapidocr"] if available() else [])
    return {name: OCR_BACKENDS.create(name, threads=1).read(*table_page) for name in names}


def _amounts(page) -> Counter:
    return Counter(w.text for w in page.words if AMOUNT.match(w.text))


def test_packed_lines_read_the_amounts_the_engine_reads(readings):
    engine, packed = readings["rapidocr-ort"], readings["rapidocr-packed"]
    assert sum(_amounts(engine).values()) >= 20  # a table page, or the test says nothing
    assert _amounts(packed) == _amounts(engine)
    same = sum((Counter(w.text for w in packed.words) & Counter(w.text for w in engine.words)).values())
    assert same >= 0.97 * len(engine.words)


def test_packed_words_keep_their_boxes(readings):
    # Each character goes back to its crop by column: an amount's box must stay where the
    # engine put it (readers place words in cells by these boxes).
    engine, packed = readings["rapidocr-ort"], readings["rapidocr-packed"]
    boxes = {}
    for w in engine.words:
        boxes.setdefault(w.text, []).append(w)
    for w in packed.words:
        if not AMOUNT.match(w.text):
            continue
        near = min(boxes[w.text], key=lambda e: abs(e.x0 - w.x0) + abs(e.y0 - w.y0))
        assert abs(near.x0 - w.x0) < 3 and abs(near.x1 - w.x1) < 3 and abs(near.y0 - w.y0) < 3


def test_openvino_reads_as_onnxruntime(readings):
    if "rapidocr" not in readings:
        pytest.skip("openvino is not installed")
    ort, ov = readings["rapidocr-ort"], readings["rapidocr"]
    assert len(ort.words) >= 100
    assert [w.text for w in ov.words] == [w.text for w in ort.words]
    assert all(abs(a.x0 - b.x0) < 1 and abs(a.y1 - b.y1) < 1 for a, b in zip(ov.words, ort.words))
