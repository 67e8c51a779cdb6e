"""A scanned page is rendered for OCR at its picture's own resolution (at most ``Limits.ocr_dpi``):
the sharpest of a compressed scan's layers, a picture drawn turned measured along its own side."""

from __future__ import annotations

import pymupdf

from extractor.pages import Limits, page_pixmap

A4 = (595.0, 842.0)


def _picture(width_px: int, height_px: int, grey: int = 255) -> bytes:
    pix = pymupdf.Pixmap(pymupdf.csGRAY, pymupdf.IRect(0, 0, width_px, height_px), False)
    pix.set_rect(pix.irect, (grey,))
    return pix.tobytes("png")


def _rendered_dpi(page: pymupdf.Page) -> float:
    return page_pixmap(page, Limits()).width / (page.rect.width / 72)


def test_a_compressed_scan_is_rendered_at_its_sharp_layer_not_its_background():
    # MRC: a coarse background (60 dpi) drawn first, the sharp text layer (150 dpi) over it.
    with pymupdf.open() as doc:
        page = doc.new_page(width=A4[0], height=A4[1])
        page.insert_image(page.rect, stream=_picture(round(A4[0] * 60 / 72), round(A4[1] * 60 / 72), 230))
        page.insert_image(page.rect, stream=_picture(round(A4[0] * 150 / 72), round(A4[1] * 150 / 72)))
        assert abs(_rendered_dpi(page) - 150) <= 1


def test_a_picture_drawn_turned_is_measured_along_its_own_side():
    # A landscape page whose 150 dpi scan is stored portrait and drawn a quarter turn.
    with pymupdf.open() as doc:
        page = doc.new_page(width=A4[1], height=A4[0])
        page.insert_image(page.rect, stream=_picture(round(A4[0] * 150 / 72), round(A4[1] * 150 / 72)), rotate=90)
        assert abs(_rendered_dpi(page) - 150) <= 1
        # ... and one stored portrait under a /Rotate page (the picture's box is then unturned).
        page = doc.new_page(width=A4[0], height=A4[1])
        page.insert_image(page.rect, stream=_picture(round(A4[0] * 150 / 72), round(A4[1] * 150 / 72)))
        page.set_rotation(90)
        assert abs(_rendered_dpi(page) - 150) <= 1


def test_a_sharp_scan_is_rendered_no_sharper_than_ocr_needs():
    with pymupdf.open() as doc:
        page = doc.new_page(width=A4[0], height=A4[1])
        page.insert_image(page.rect, stream=_picture(round(A4[0] * 400 / 72), round(A4[1] * 400 / 72)))
        assert abs(_rendered_dpi(page) - Limits().ocr_dpi) <= 1


def test_a_fax_is_rendered_at_its_finer_resolution():
    # Standard-mode fax: 200 dpi across, 100 down, so the stored picture is wider than tall on a
    # portrait page. Taken for a picture drawn turned, it was rendered at 141 dpi and lost the
    # fine strokes across.
    with pymupdf.open() as doc:
        page = doc.new_page(width=A4[0], height=A4[1])
        page.insert_image(page.rect, stream=_picture(round(A4[0] * 200 / 72), round(A4[1] * 100 / 72)),
                          keep_proportion=False)
        assert abs(_rendered_dpi(page) - 200) <= 1
