"""One document's scanned pages read side by side (``--jobs N`` with one PDF)."""

from __future__ import annotations

import time
from pathlib import Path

import pymupdf
import pytest

from extractor.batch import run_batch
from extractor.errors import DocumentTimeout
from extractor.ocr_backends import LazyOcr, default_ocr
from extractor.page_pool import load_pages_side_by_side
from extractor.pages import Limits, load_pages
from extractor.pipeline import Options

pytest.importorskip("rapidocr_onnxruntime", reason="the ocr extra is not installed")

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
SCAN = SAMPLES / "004_3fa3241a52f85770.scan.pdf"
TEXT = SAMPLES / "004_3fa3241a52f85770.pdf"


@pytest.fixture(scope="module")
def mixed(tmp_path_factory) -> Path:
    """Two scanned pages (a table, a short one) around a born-digital page."""
    out = pymupdf.open()
    with pymupdf.open(SCAN) as scan, pymupdf.open(TEXT) as text:
        out.insert_pdf(scan, from_page=5, to_page=5)
        out.insert_pdf(text, from_page=0, to_page=0)
        out.insert_pdf(scan, from_page=11, to_page=11)
    path = tmp_path_factory.mktemp("pool") / "mixed.pdf"
    out.save(path)
    return path


def test_pages_side_by_side_read_as_one_after_another(mixed):
    ocr = LazyOcr(default_ocr(), 1)
    alone, source = load_pages(mixed, Limits(), ocr)
    seen = []
    pooled, pooled_source = load_pages_side_by_side(mixed, Limits(), ocr, 2, progress=lambda d, t: seen.append((d, t)))
    assert [p.source for p in pooled] == ["ocr", "text", "ocr"]
    assert all(p.words for p in pooled)
    assert pooled == alone  # every word, box, confidence and rule, to the last bit
    assert pooled_source == source
    assert seen[0] == (1, 3) and seen[-1] == (3, 3)  # the text page at once, then each scanned page


def test_a_document_past_its_deadline_stops_naming_the_file(mixed):
    with pytest.raises(DocumentTimeout) as caught:
        # Starting the workers and their models takes longer than this.
        load_pages_side_by_side(mixed, Limits(max_seconds=0.2), LazyOcr(default_ocr(), 1), 2,
                                deadline=time.monotonic() + 0.2)
    assert "mixed.pdf" in str(caught.value)


def test_one_pdf_with_jobs_reads_its_pages_side_by_side(mixed, tmp_path, monkeypatch):
    used = []
    import extractor.pipeline as pipeline

    real = pipeline.load_pages_side_by_side

    def spy(path, limits, ocr, workers, **kw):
        used.append(workers)
        return real(path, limits, ocr, workers, **kw)

    monkeypatch.setattr(pipeline, "load_pages_side_by_side", spy)
    [result] = run_batch([mixed], tmp_path, Options(), jobs=2, force=True)
    assert result.status == "ok", result.error
    assert used == [2]


def test_one_scanned_page_is_read_here_as_in_turn(tmp_path):
    out = pymupdf.open()
    with pymupdf.open(SCAN) as scan, pymupdf.open(TEXT) as text:
        out.insert_pdf(text, from_page=0, to_page=0)
        out.insert_pdf(scan, from_page=11, to_page=11)
    path = tmp_path / "one.pdf"
    out.save(path)
    ocr = LazyOcr(default_ocr(), 1)
    seen = []
    pooled, _ = load_pages_side_by_side(path, Limits(), ocr, 2, progress=lambda d, t: seen.append((d, t)))
    assert pooled == load_pages(path, Limits(), ocr)[0] and pooled[1].words
    assert seen == [(1, 2), (2, 2)]
