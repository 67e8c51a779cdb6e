"""OCR reading: orientation from detection alone, the backend registry (a page or two of OCR at most)."""

from __future__ import annotations

from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[1] / "samples"

pytest.importorskip("rapidocr_onnxruntime", reason="the ocr extra is not installed")


@pytest.fixture(scope="module")
def backend():
    from extractor.ocr_rapid import RapidOcrBackend

    return RapidOcrBackend(threads=1)


@pytest.fixture(scope="module")
def landscape_table():
    """A landscape table page of a born-digital sample as a 150 dpi image (the right way up)."""
    import numpy as np
    import pymupdf

    from extractor.ocr import pixmap_to_array

    with pymupdf.open(SAMPLES / "001_e83e4d58071336c6.pdf") as doc:
        page = doc[3]
        assert page.rect.width > page.rect.height
        pix = page.get_pixmap(dpi=150, colorspace=pymupdf.csRGB, alpha=False)
    return np.ascontiguousarray(pixmap_to_array(pix))


@pytest.mark.parametrize("turns, expected", [(0, 0), (1, 90), (-1, 270)])
def test_orientation_is_found_without_recognising_the_page(backend, landscape_table, turns, expected):
    # np.rot90(k=1) lays the page on its left side (as a landscape page fed sideways): a
    # quarter turn clockwise (90) puts it back; the other side needs 270.
    import numpy as np

    img = np.ascontiguousarray(np.rot90(landscape_table, k=turns))
    calls = []
    original = backend._recognise_crops
    backend._recognise_crops = lambda crops: calls.append(len(crops)) or original(crops)
    try:
        assert backend._orientation(img) == expected
    finally:
        del backend._recognise_crops
    assert not calls  # detection and the line classifier only


def test_upside_down_lines_are_told_by_the_classifier(backend, landscape_table):
    import numpy as np

    result = backend._ocr(landscape_table, 0.5)
    flipped = np.ascontiguousarray(np.rot90(landscape_table, k=2))
    h, w = landscape_table.shape[:2]
    turned = [[[(w - x, h - y) for x, y in item[0]], item[1], item[2]] for item in result]
    assert not backend._upside_down(landscape_table, result)
    assert backend._upside_down(flipped, turned)


def test_both_backends_are_registered():
    from extractor.ocr_backends import OCR_BACKENDS

    assert {"rapidocr", "rapidocr3"} <= set(OCR_BACKENDS.names())


def test_rapidocr3_reads_lines_with_character_boxes(landscape_table):
    # The adapter gives RapidOCR 3's answers the 1.4 shapes the page reading takes: a line with
    # one box per character, so cells are split at rules and gaps as before.
    pytest.importorskip("rapidocr", reason="the ocr3 extra is not installed")
    from extractor.ocr import _chars
    from extractor.ocr_backends import OCR_BACKENDS

    backend = OCR_BACKENDS.create("rapidocr3", threads=1)
    h, w = landscape_table.shape[:2]
    result = backend._ocr(landscape_table[: h // 3, : w // 2].copy(), 0.5)
    text = "".join(item[1] for item in result)
    assert "行政运行" in text and "编制单位" in text
    per_char = [item for item in result if len(item) > 5]
    assert per_char and all(len(_chars(item)) == len(item[1]) for item in per_char)


@pytest.mark.parametrize("turns", [0, 1, -1])
def test_an_upright_page_is_told_by_its_own_detection(backend, landscape_table, turns):
    # The page's detection, remembered, serves its OCR next; a page lying on its side is not
    # taken for upright (it goes on to the thumbnails' test).
    import numpy as np

    img = np.ascontiguousarray(np.rot90(landscape_table, k=turns))
    assert backend._upright_as_it_lies(backend._straighten(img)) == (turns == 0)


def test_an_upright_page_is_detected_once(landscape_table):
    from types import SimpleNamespace

    from extractor.ocr_rapid import RapidOcrBackend

    backend = RapidOcrBackend(threads=1)  # its own: nothing remembered from the other tests
    h, w = landscape_table.shape[:2]
    pixmap = SimpleNamespace(samples=landscape_table.tobytes(), h=h, w=w, n=3)
    calls = []
    infer = backend.engine.text_det.infer
    backend.engine.text_det.infer = lambda img: calls.append(img.shape) or infer(img)
    try:
        page = backend.read(pixmap, w * 0.48, h * 0.48)
    finally:
        backend.engine.text_det.infer = infer
    assert page.rotation == 0 and len(page.words) >= 100
    assert len(calls) == 1  # no thumbnails: the orientation test's detection is the OCR's
