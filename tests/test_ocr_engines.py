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

    names = ["rapidocr", "rapidocr-packed"]
    return {name: OCR_BACKENDS.create(name, threads=1).read(*table_page) for name in names}


def _amounts(page) -> Counter:
    return Counter(w.text for w in page.words if AMOUNT.match(w.text))


def test_packed_lines_read_the_amounts_the_engine_reads(readings):
    engine, packed = readings["rapidocr"], readings["rapidocr-packed"]
    assert sum(_amounts(engine).values()) >= 20  # a table page, or the test says nothing
    assert _amounts(packed) == _amounts(engine)
    same = sum((Counter(w.text for w in packed.words) & Counter(w.text for w in engine.words)).values())
    assert same >= 0.97 * len(engine.words)


def test_packed_words_keep_their_boxes(readings):
    # Each character goes back to its crop by column: an amount's box must stay where the
    # engine put it (readers place words in cells by these boxes).
    engine, packed = readings["rapidocr"], readings["rapidocr-packed"]
    boxes = {}
    for w in engine.words:
        boxes.setdefault(w.text, []).append(w)
    for w in packed.words:
        if not AMOUNT.match(w.text):
            continue
        near = min(boxes[w.text], key=lambda e: abs(e.x0 - w.x0) + abs(e.y0 - w.y0))
        assert abs(near.x0 - w.x0) < 3 and abs(near.x1 - w.x1) < 3 and abs(near.y0 - w.y0) < 3


def test_openvino_reads_as_onnxruntime(readings):
    # In a child process: this one later sets --timeout alarms, and a process that loaded
    # OpenVINO crashed when one fired (see extractor/ocr_openvino.py).
    import json
    import subprocess
    import sys

    pytest.importorskip("openvino", reason="the openvino extra is not installed")
    code = (
        "import json, pymupdf\n"
        "from extractor.ocr_backends import OCR_BACKENDS\n"
        f"doc = pymupdf.open({str(SAMPLES / '004_3fa3241a52f85770.pdf')!r}); page = doc[4]\n"
        "pix = page.get_pixmap(dpi=150, colorspace=pymupdf.csRGB, alpha=False)\n"
        "r = OCR_BACKENDS.create('rapidocr-openvino', threads=1).read(pix, page.rect.width, page.rect.height)\n"
        "print(json.dumps([[w.text, w.x0, w.y1] for w in r.words]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[1])
    ov = json.loads(out.stdout.strip().splitlines()[-1])
    ort = readings["rapidocr"]
    assert len(ort.words) >= 100
    assert [w[0] for w in ov] == [w.text for w in ort.words]
    assert all(abs(o[1] - w.x0) < 1 and abs(o[2] - w.y1) < 1 for o, w in zip(ov, ort.words))
