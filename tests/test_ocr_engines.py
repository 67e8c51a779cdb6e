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


def test_openvino_reads_as_onnxruntime(readings, table_page):
    # In this process: the timeout tests run after it (an OpenVINO backend once left this
    # process unable to take the --timeout alarm; see test_alarm_after_openvino_is_released).
    pytest.importorskip("openvino", reason="the openvino extra is not installed")
    from extractor.ocr_backends import OCR_BACKENDS

    ov = OCR_BACKENDS.create("rapidocr-openvino", threads=1).read(*table_page)
    ort = readings["rapidocr"]
    assert len(ort.words) >= 100
    assert [w.text for w in ov.words] == [w.text for w in ort.words]
    assert all(abs(o.x0 - w.x0) < 1 and abs(o.y1 - w.y1) < 1 for o, w in zip(ov.words, ort.words))


def test_openvino_computes_in_full_precision_on_every_cpu():
    # A CPU with AMX computes in bfloat16 by default: the same scan read differently by machine.
    pytest.importorskip("openvino", reason="the openvino extra is not installed")
    from extractor.ocr_backends import OCR_BACKENDS

    engine = OCR_BACKENDS.create("rapidocr-openvino", threads=1).engine
    rec = engine.text_rec.rec if hasattr(engine.text_rec, "rec") else engine.text_rec
    for session in (engine.text_det.infer, engine.text_cls.infer, rec.session):
        precision = session.request.get_compiled_model().get_property("INFERENCE_PRECISION_HINT")
        assert str(precision) in ("<Type: 'float32'>", "f32"), precision


def test_openvino_detector_input_is_the_librarys_to_the_bit():
    pytest.importorskip("openvino", reason="the openvino extra is not installed")
    import numpy as np
    from rapidocr_onnxruntime.ch_ppocr_det.utils import DetPreProcess

    from extractor.ocr_backends import OCR_BACKENDS

    det = OCR_BACKENDS.create("rapidocr-openvino", threads=1).engine.text_det
    page = np.random.default_rng(0).integers(0, 256, (1744, 1232, 3), dtype=np.uint8)
    for side in (1744, 2328):  # both of the detector's size limits
        ours = det.get_preprocess(side)
        library = DetPreProcess(ours.limit_side_len, ours.limit_type, det.mean, det.std)
        assert np.array_equal(ours(page), library(page))


def test_alarm_after_openvino_is_released():
    # Each OpenVINO Core's CPU plugin swapped the main thread's alternate signal stack and, released
    # out of order, left it unmapped: the next --timeout alarm killed the process (SIGSEGV). In a
    # child process, since a crash is how it fails.
    import subprocess
    import sys

    pytest.importorskip("openvino", reason="the openvino extra is not installed")
    code = (
        "import gc, time\n"
        "from pathlib import Path\n"
        "from extractor.errors import DocumentTimeout\n"
        "from extractor.ocr_backends import OCR_BACKENDS\n"
        "from extractor.watch import alarm\n"
        "for _ in range(2):\n"
        "    OCR_BACKENDS.create('rapidocr-openvino', threads=1)\n"
        "gc.collect()\n"
        "try:\n"
        "    with alarm(0.1, Path('x.pdf')):\n"
        "        time.sleep(5)\n"
        "except DocumentTimeout:\n"
        "    print('stopped')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         cwd=Path(__file__).resolve().parents[1])
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "stopped"


def test_default_ocr_is_openvino_when_installed(monkeypatch):
    import importlib.util

    from extractor.ocr_backends import default_ocr
    from extractor.options import build_options

    installed = importlib.util.find_spec("openvino") is not None
    assert default_ocr() == ("rapidocr-openvino" if installed else "rapidocr")
    assert build_options().ocr == default_ocr() and build_options(ocr="rapidocr").ocr == "rapidocr"
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)  # the extra not installed
    assert default_ocr() == "rapidocr" and build_options().ocr == "rapidocr"
