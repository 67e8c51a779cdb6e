"""Scanned pages read side by side: one document's (``page_pool``), a batch's (``--jobs N``)."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pymupdf
import pytest

from extractor.batch import run_batch
from extractor.errors import DocumentTimeout, OcrError
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


@pytest.fixture(scope="module")
def read_alone(mixed):
    """The mixed document's pages read one after another in this process."""
    return load_pages(mixed, Limits(), LazyOcr(default_ocr(), 1))[0]


def _without_run(path: Path) -> dict:
    data = json.loads(path.read_text(encoding="utf-8"))
    data.pop("run")
    return data


def test_a_batch_with_jobs_reads_as_one_document_after_another(mixed, tmp_path):
    bad = tmp_path / "bad.pdf"
    bad.write_text("not a pdf")
    results = {r.path.name: r for r in run_batch([mixed, TEXT, bad], tmp_path / "pooled", Options(), jobs=2, force=True)}
    assert {name: r.status for name, r in results.items()} == {"mixed.pdf": "ok", TEXT.name: "ok", "bad.pdf": "failed"}
    assert "bad.pdf" in results["bad.pdf"].error and "\n" not in results["bad.pdf"].error
    [alone] = run_batch([mixed], tmp_path / "alone", Options(), jobs=1, force=True)
    assert _without_run(results["mixed.pdf"].output) == _without_run(alone.output)
    assert results["mixed.pdf"].summary["pages_ocr"] == 2


def test_one_units_files_with_jobs_read_their_pages_side_by_side(mixed, tmp_path, monkeypatch):
    used = []
    import extractor.pipeline as pipeline

    real = pipeline.load_pages_side_by_side

    def spy(path, limits, ocr, workers, **kw):
        used.append((Path(path).name, workers))
        return real(path, limits, ocr, workers, **kw)

    monkeypatch.setattr(pipeline, "load_pages_side_by_side", spy)
    [result] = run_batch([TEXT], tmp_path, Options(parts=[str(mixed)]), jobs=2, force=True)
    assert result.status == "ok", result.error
    assert used == [(TEXT.name, 2), ("mixed.pdf", 2)]
    assert result.summary["pages"] == 29 and result.summary["pages_ocr"] == 2


@pytest.fixture
def threaded(monkeypatch, read_alone):
    """The batch's pool as two threads, its pages handed from ``read_alone`` slowly enough that
    both threads are busy at once; returns what each page read was: (thread, file, index)."""
    import extractor.batch as batch

    seen, failing = [], set()

    def read_page(path, index, limits, name, threads):
        seen.append((threading.current_thread().name, Path(path).name, index))
        time.sleep(0.3)
        if Path(path).name in failing:
            raise OcrError("the engine gave up", file=path, page=index + 1)
        return read_alone[index]

    monkeypatch.setattr(batch, "spawn_pool", lambda jobs: ThreadPoolExecutor(jobs))
    monkeypatch.setattr(batch, "read_page", read_page)
    return seen, failing


def test_a_batch_shares_a_documents_scanned_pages_among_its_workers(mixed, tmp_path, threaded):
    seen, _ = threaded
    [result] = run_batch([mixed], tmp_path, Options(), jobs=2, force=True)
    assert result.status == "ok", result.error
    assert sorted(i for _, name, i in seen if name == "mixed.pdf") == [0, 2]  # the scanned pages only
    assert len({thread for thread, name, _ in seen if name == "mixed.pdf"}) == 2


def test_a_page_that_fails_fails_only_its_document(mixed, tmp_path, threaded):
    other = tmp_path / "other.pdf"
    other.write_bytes(mixed.read_bytes())
    _, failing = threaded
    failing.add("other.pdf")
    results = {r.path.name: r for r in run_batch([mixed, other, TEXT], tmp_path / "out", Options(), jobs=2, force=True)}
    assert {n: r.status for n, r in results.items()} == {"mixed.pdf": "ok", "other.pdf": "failed", TEXT.name: "ok"}
    assert "other.pdf" in results["other.pdf"].error and "gave up" in results["other.pdf"].error
    assert not (tmp_path / "out" / "other.json").exists()


def test_a_batch_stops_a_document_past_its_timeout(mixed, tmp_path, threaded):
    options = Options(limits=Limits(max_seconds=0.2))
    [result] = run_batch([mixed], tmp_path, options, jobs=2, force=True)
    assert result.status == "failed"
    assert "mixed.pdf" in result.error and "--timeout" in result.error


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
