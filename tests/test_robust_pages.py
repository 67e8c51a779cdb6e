"""Pages with nothing to read are skipped, garbage text layers are OCR'd, and a document's page
cap, time cap and progress work (issue #12)."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

import pymupdf
import pytest
from typer.testing import CliRunner

from cli import app
from extractor import pipeline
from extractor.batch import process_one
from extractor.errors import DocumentTimeout
from extractor.pages import Limits, load_pages, text_layer_usable
from extractor.pipeline import Options, extract
from extractor.watch import Progress


class CountingOcr:
    """Stands in for RapidOCR: records which pages were rendered for it."""

    def __init__(self):
        self.sizes: list[tuple[int, int]] = []

    def read(self, pixmap, page_width, page_height):
        from extractor.ocr import OcrPage

        self.sizes.append((pixmap.width, pixmap.height))
        return OcrPage(words=[], segments=[], rotation=0, skew=0.0)


def _pdf(path: Path, build) -> Path:
    doc = pymupdf.open()
    build(doc)
    doc.save(path)
    return path


def test_text_layer_garbage_is_not_trusted():
    assert text_layer_usable("一般公共预算支出情况表 合计 518.80")
    assert not text_layer_usable("ÌØÊâ×ÊÖú¹«¹²Ô¤Ëã Ö§³ö Çé¿ö±í")  # GBK read as Latin-1
    assert not text_layer_usable("\ufffd\ufffd\ufffd支出\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd")
    assert not text_layer_usable("\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f")  # glyph ids as control codes
    assert text_layer_usable("表5 一般公共预算支出情况表 Café 合计")  # a stray accent is no mojibake


def test_blank_pages_are_skipped_and_garbage_pages_ocrd(tmp_path):
    def build(doc):
        doc.new_page()  # blank
        doc.new_page().insert_text((50, 50), "7", fontname="helv")  # a lone page number
        garbage = doc.new_page(width=200, height=100)
        garbage.insert_text((10, 30), "".join(chr(0xE000 + k) for k in range(20)), fontname="helv")
        scan = doc.new_page(width=200, height=100)
        pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 20, 10), 0)
        pix.set_rect(pix.irect, (200, 10, 10))
        scan.insert_image(scan.rect, pixmap=pix)
        doc.new_page().draw_line((10, 10), (300, 10))  # a drawing only: it is looked at

    ocr = CountingOcr()
    pages, _ = load_pages(_pdf(tmp_path / "mixed.pdf", build), ocr=ocr)
    assert [p.source for p in pages] == ["blank", "text", "ocr", "ocr", "ocr"]
    assert pages[1].text == "7"
    assert len(ocr.sizes) == 3  # never the blank page nor the page number


def test_thousands_of_blank_pages_are_quick_and_say_so(tmp_path):
    pdf = _pdf(tmp_path / "blank.pdf", lambda doc: [doc.new_page() for _ in range(300)])
    started = time.perf_counter()
    result = process_one(pdf, tmp_path / "out", Options())
    assert time.perf_counter() - started < 20  # generous: a blank page costs well under 10 ms
    assert result.status == "failed" and "300 pages, 300 blank" in result.error


def test_timeout_ends_the_document_between_pages(tmp_path):
    pdf = _pdf(tmp_path / "three.pdf", lambda doc: [doc.new_page() for _ in range(3)])
    with pytest.raises(DocumentTimeout, match="--timeout"):
        extract(pdf, Options(limits=Limits(max_seconds=1e-9)))


def test_timeout_interrupts_a_stage_that_runs_long(tmp_path, monkeypatch):
    pdf = _pdf(tmp_path / "one.pdf", lambda doc: doc.new_page())

    def spin(ctx):
        end = time.monotonic() + 20
        while time.monotonic() < end:
            pass

    monkeypatch.setattr(pipeline, "STAGES", [spin])
    started = time.monotonic()
    result = process_one(pdf, tmp_path / "out", Options(limits=Limits(max_seconds=0.5)))
    assert time.monotonic() - started < 10
    assert result.status == "failed" and "stopped after 0.5 s" in result.error and "one.pdf" in result.error


def test_progress_lines_on_stderr():
    stream = io.StringIO()
    progress = Progress(Path("big.pdf"), every=0.0, stream=stream)
    for k in range(1, 4):
        progress(k, 3)
    assert stream.getvalue().splitlines()[-1].startswith("big.pdf: page 3/3")


def test_cli_max_pages_and_timeout(tmp_path):
    pdf = _pdf(tmp_path / "five.pdf", lambda doc: [doc.new_page() for _ in range(5)])
    result = CliRunner().invoke(app, ["extract", str(pdf), "-o", str(tmp_path / "o"), "--json", "--max-pages", "3"])
    assert result.exit_code == 1
    assert "5 pages, over the 3-page cap" in json.loads(result.stdout.splitlines()[0])["error"]
    result = CliRunner().invoke(app, ["extract", str(pdf), "-o", str(tmp_path / "o"), "--json", "--timeout", "0.1"])
    line = json.loads(result.stdout.splitlines()[0])
    assert result.exit_code == 1 and line["status"] == "failed"  # blank pages: no table, or the cap
