"""A table pasted into a born-digital page as a picture is OCR'd; the page's own text stays exact."""

from __future__ import annotations

import json
from pathlib import Path

import pymupdf
import pytest
from typer.testing import CliRunner

from cli import app
from extractor.pages import Limits, _words_from_layer, load_page
from extractor.pictures import bare_pictures
from extractor.text_layer import text_layer_usable

from .conftest import SAMPLES

SAMPLE = SAMPLES / "004_3fa3241a52f85770.pdf"
T5_PAGE = 7  # 表5 一般公共预算支出情况表, one page


def _cut(page: pymupdf.Page) -> float:
    """Where the table starts: under the 单位：万元 line."""
    return max(w[3] for w in page.get_text("words") if w[4].startswith("单位：")) + 2


def _with_table_as_picture(out: pymupdf.Document, src: pymupdf.Document, number: int) -> None:
    """``src``'s page ``number`` into ``out``: its heading as text, the table under it as a 150 dpi picture."""
    page = src[number]
    cut = _cut(page)
    new = out.new_page(width=page.rect.width, height=page.rect.height)
    for x0, y0, x1, y1, text, *_ in page.get_text("words"):
        if y1 <= cut:
            new.insert_text((x0, y1 - 2), text, fontname="china-s", fontsize=max(4, (y1 - y0) * 0.8))
    clip = pymupdf.Rect(0, cut, page.rect.width, page.rect.height)
    new.insert_image(clip, stream=page.get_pixmap(dpi=150, clip=clip).tobytes("png"))


@pytest.fixture(scope="module")
def pasted(tmp_path_factory) -> Path:
    """Sample 004 with its t5 page's table pasted as a picture under its typed heading."""
    path = tmp_path_factory.mktemp("pictures") / "004_pasted.pdf"
    with pymupdf.open(SAMPLE) as src, pymupdf.open() as out:
        for number in range(len(src)):
            if number == T5_PAGE:
                _with_table_as_picture(out, src, number)
            else:
                out.insert_pdf(src, from_page=number, to_page=number)
        out.save(path)
    return path


def test_a_bare_picture_is_found_and_a_page_picture_under_text_is_not(pasted):
    with pymupdf.open(pasted) as doc:
        page = doc[T5_PAGE]
        assert text_layer_usable("".join(w[4] for w in page.get_text("words")))  # the heading alone
        layer, _ = _words_from_layer(page)
        boxes = bare_pictures(doc[T5_PAGE], layer)
        assert len(boxes) == 1 and boxes[0].y0 > 50
        layer, _ = _words_from_layer(doc[T5_PAGE - 1])
        assert bare_pictures(doc[T5_PAGE - 1], layer) == []  # born-digital: no picture at all


def test_the_pictures_words_are_read_and_the_heading_kept_exact(pasted):
    pytest.importorskip("rapidocr_onnxruntime")
    from extractor.ocr_backends import LazyOcr, default_ocr

    with pymupdf.open(SAMPLE) as doc:
        original = doc[T5_PAGE]
        cut = _cut(original)
        amounts = [w[4] for w in original.get_text("words") if w[1] > cut and w[4].replace(".", "").isdigit()]
    with pymupdf.open(pasted) as doc:
        without = load_page(doc, T5_PAGE, pasted, Limits(), ocr=None)
        page = load_page(doc, T5_PAGE, pasted, Limits(), ocr=LazyOcr(default_ocr(), 1))
    assert without.source == "ocr"  # marked for OCR (a batch's survey sends it to a worker)
    assert page.source == "text" and len(page.pictures) == 1 and page.pictures[0][1] > cut - 1
    heading = [w for w in page.words if w.y1 <= cut]
    assert any("一般公共预算支出情况表" in w.text for w in heading) and all(w.conf == 1.0 for w in heading)
    read = [w.text for w in page.words if w.y0 > cut]
    assert sum(a in read for a in amounts) >= 0.9 * len(amounts)
    assert page.segments  # the picture's rules, found by OCR


def test_a_pasted_table_reads_as_the_born_digital_one(pasted, tmp_path):
    pytest.importorskip("rapidocr_onnxruntime")
    runner = CliRunner()
    for pdf, out in ((SAMPLE, tmp_path / "clean"), (pasted, tmp_path / "pasted")):
        result = runner.invoke(app, ["extract", str(pdf), "-o", str(out)])
        assert result.exit_code == 0, result.output
    clean = json.loads(next((tmp_path / "clean").glob("*.json")).read_text(encoding="utf-8"))
    pasted_doc = json.loads(next((tmp_path / "pasted").glob("*.json")).read_text(encoding="utf-8"))

    def cells(doc):
        t5 = doc["tables"]["t5"]
        return [(r["code"], r.get("total"), r.get("basic"), r.get("project")) for r in t5["rows"]]

    assert cells(clean) and cells(pasted_doc) == cells(clean)
    assert pasted_doc["run"]["pages_ocr"] == [] and pasted_doc["run"]["pages_pictures"] == [T5_PAGE + 1]
    # The picture's values carry their OCR confidence; the typed heading's and other pages' do not.
    spots = pasted_doc["provenance"]
    t5 = [spot for pointer, spot in spots.items() if pointer.startswith("/tables/t5/rows/0/")]
    assert t5 and all(spot["page"] == T5_PAGE + 1 and spot.get("confidence") is not None for spot in t5)
    t6 = [spot for pointer, spot in spots.items() if pointer.startswith("/tables/t6/")]
    assert t6 and all(spot.get("confidence") is None for spot in t6)


def test_without_ocr_installed_a_pasted_page_is_read_from_its_text(pasted):
    from extractor.errors import OcrError

    class NoOcr:
        def read(self, *args, **kwargs):
            raise OcrError("RapidOCR is not installed: pip install 'budgetx[ocr]'")

    with pymupdf.open(pasted) as doc:
        page = load_page(doc, T5_PAGE, pasted, Limits(), ocr=NoOcr())
        assert page.source == "text" and any("一般公共预算支出情况表" in w.text for w in page.words)
    scan = SAMPLES / "000_5dac6d90f1d45d5f.scan.pdf"
    with pymupdf.open(scan) as doc, pytest.raises(OcrError):  # a scanned page still says what is missing
        load_page(doc, 0, scan, Limits(), ocr=NoOcr())
