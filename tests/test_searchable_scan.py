"""A "searchable" scan (a page-covering image under scanner software's invisible OCR text), or a
scan a PDF tool stamped a header or footer on, is read as the scan it is, not from that text layer."""

from __future__ import annotations

from pathlib import Path

import pymupdf

from extractor.pages import Limits, _words_from_layer, load_page, text_layer_over_scan

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "004_3fa3241a52f85770.pdf"


def _scan_of(page_no: int, render_mode: int | None, tmp_path: Path, under: bool = False) -> Path:
    """A born-digital page as a picture, with its words laid over it in the given render mode
    (``under``: the words drawn first, the picture over them)."""
    with pymupdf.open(SAMPLE) as src:
        page = src[page_no]
        picture = page.get_pixmap(dpi=100).tobytes("png")
        words = page.get_text("words")
        out = pymupdf.open()
        new = out.new_page(width=page.rect.width, height=page.rect.height)
        if not under:
            new.insert_image(new.rect, stream=picture)
        if render_mode is not None:
            for x0, y0, x1, y1, text, *_ in words:
                new.insert_text((x0, y1 - 2), text, fontsize=max(4, (y1 - y0) * 0.8), fontname="china-s",
                                render_mode=render_mode)
        if under:
            new.insert_image(new.rect, stream=picture)
        path = tmp_path / f"scan{render_mode}{under}.pdf"
        out.save(path)
    return path


def _first(path: Path):
    with pymupdf.open(path) as doc:
        words, _ = _words_from_layer(doc[0])
        return text_layer_over_scan(doc[0], words), load_page(doc, 0, path, Limits(), ocr=None)


def test_invisible_ocr_text_over_a_page_picture_is_not_taken_for_print(tmp_path):
    hidden, page = _first(_scan_of(1, 3, tmp_path))
    assert hidden
    assert page.source == "ocr" and not page.words  # left to OCR (none given here)


def test_text_drawn_under_the_page_picture_is_hidden_too(tmp_path):
    hidden, page = _first(_scan_of(1, 0, tmp_path, under=True))
    assert hidden and page.source == "ocr"


def test_a_picture_in_strips_under_invisible_text_is_a_scan_too(tmp_path):
    with pymupdf.open(SAMPLE) as src:
        page = src[1]
        width, height = page.rect.width, page.rect.height
        out = pymupdf.open()
        new = out.new_page(width=width, height=height)
        for k in range(4):  # four horizontal strips, each a quarter of the page
            strip = pymupdf.Rect(0, k * height / 4, width, (k + 1) * height / 4)
            new.insert_image(strip, stream=page.get_pixmap(dpi=100, clip=strip).tobytes("png"))
        for x0, y0, x1, y1, text, *_ in page.get_text("words"):
            new.insert_text((x0, y1 - 2), text, fontsize=max(4, (y1 - y0) * 0.8), fontname="china-s", render_mode=3)
        path = tmp_path / "strips.pdf"
        out.save(path)
    hidden, page = _first(path)
    assert hidden and page.source == "ocr"


def test_a_visible_text_layer_and_a_born_digital_page_are_read_from_their_text(tmp_path):
    hidden, page = _first(_scan_of(1, 0, tmp_path))  # text printed over the picture
    assert not hidden and page.source == "text" and page.words
    hidden, page = _first(SAMPLE)
    assert not hidden and page.source == "text" and page.words


def test_invisible_text_without_a_picture_is_read_from_the_layer(tmp_path):
    with pymupdf.open() as out:
        new = out.new_page()
        new.insert_text((72, 72), "一般公共服务支出 2010101 行政运行 1,234.56", fontname="china-s", render_mode=3)
        path = tmp_path / "hidden-only.pdf"
        out.save(path)
    hidden, page = _first(path)
    assert not hidden and page.source == "text"


def _stamped(path: Path, tmp_path: Path, stamps) -> Path:
    """The first page of ``path`` with visible text inserted at the given (x, y) share of the page."""
    with pymupdf.open(path) as doc:
        page = doc[0]
        for (fx, fy), text in stamps:
            page.insert_text((fx * page.rect.width, fy * page.rect.height), text, fontname="china-s", fontsize=9)
        out = tmp_path / f"stamped{len(list(tmp_path.iterdir()))}.pdf"
        doc.save(out)
    return out


def test_a_header_and_footer_stamped_on_a_scan_do_not_make_it_a_text_page(tmp_path):
    scan = _scan_of(1, None, tmp_path)  # the picture alone
    stamped = _stamped(scan, tmp_path, [((0.4, 0.975), "第 2 页，共 30 页"), ((0.05, 0.04), "2024年部门预算公开")])
    hidden, page = _first(stamped)
    assert hidden and page.source == "ocr"


def test_text_in_the_body_over_a_page_picture_is_read_from_the_layer(tmp_path):
    # A born-digital page drawn over a page-size background keeps its text layer ...
    hidden, page = _first(_scan_of(1, 0, tmp_path))
    assert not hidden and page.source == "text"
    # ... and so does a picture with a caption of its own in the body, beside a footer.
    stamped = _stamped(_scan_of(1, None, tmp_path), tmp_path,
                       [((0.4, 0.975), "第 2 页，共 30 页"), ((0.3, 0.5), "一般公共预算财政拨款支出预算表")])
    hidden, page = _first(stamped)
    assert not hidden and page.source == "text"
