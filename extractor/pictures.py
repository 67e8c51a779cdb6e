"""Pictures and the text layer: which of a page's words are its print.

A scan may carry a text layer that is not its print: scanner software's hidden OCR, or a header
or footer a PDF tool stamped on it (``text_layer_over_scan``: the page is read as a scan). And a
born-digital page may carry print the layer lacks: a table pasted as a screenshot, a scanned
sheet under a typed heading. A large picture with no layer words over it is OCR'd, and its words
and rules join the layer's own outside it (``bare_pictures``, ``with_pictures_read``): the
layer's words stay exact, the picture's are OCR'd words with their confidences, so what they
give is flagged as OCR'd values are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pymupdf

from .text_layer import text_layer_usable

if TYPE_CHECKING:  # pages imports this module
    from .pages import Segment, Word

# A picture this large a share of the page, with no more than STRAY_WORDS of the text layer's
# words over it: a logo, a seal or a signature is smaller; a page-size background has the
# page's text over it.
BARE_SHARE = 0.15
STRAY_WORDS = 2


def bare_pictures(page: pymupdf.Page, words: list[Word]) -> list[pymupdf.Rect]:
    """The page's large pictures with (almost) no text-layer words over them, in the page's
    displayed frame (that of ``words``)."""
    try:
        # get_images only looks up the page's resources: most born-digital pages stop here.
        infos = page.get_image_info() if page.get_images() else []
    except ValueError:  # a damaged file's page: read from its text layer as before
        return []
    turn = page.rotation_matrix if page.rotation else None
    area = abs(page.rect)
    boxes = []
    for info in infos:
        box = pymupdf.Rect(info["bbox"])
        box = (box * turn if turn is not None else box) & page.rect
        if box.is_empty or abs(box) < BARE_SHARE * area:
            continue
        over = sum(box.contains(pymupdf.Point(w.cx, w.cy)) for w in words)
        if over <= STRAY_WORDS:
            boxes.append(box)
    return boxes


def inside_any(boxes, x: float, y: float) -> bool:
    """Whether the point lies in one of the boxes ((x0, y0, x1, y1) or ``pymupdf.Rect``)."""
    return any(x0 <= x <= x1 and y0 <= y <= y1 for x0, y0, x1, y1 in boxes)


def with_pictures_read(words: list[Word], segments: list[Segment], ocr_page,
                       boxes: list[pymupdf.Rect]) -> tuple[list[Word], list[Segment]]:
    """The layer's words and rules outside the bare pictures, the OCR'd ones inside them."""
    words = [w for w in words if not inside_any(boxes, w.cx, w.cy)]
    words += [w for w in ocr_page.words if inside_any(boxes, w.cx, w.cy)]
    segments = [s for s in segments if not inside_any(boxes, (s.x0 + s.x1) / 2, (s.y0 + s.y1) / 2)]
    segments += [s for s in ocr_page.segments if inside_any(boxes, (s.x0 + s.x1) / 2, (s.y0 + s.y1) / 2)]
    return words, segments


# A PDF tool's header, footer or page number sits within this share of the page's side from an
# edge (Acrobat's default margin is half an inch: 4-6 % of an A4 side).
STAMP_MARGIN = 0.1


def text_layer_over_scan(page: pymupdf.Page, words: list[Word]) -> bool:
    """True for a scanned page whose text layer is not its print: a page-covering picture under
    text that is hidden, or that lies only in the page's margins.

    Scanner software lays its own OCR over the picture as invisible text (render mode 3), or
    draws it first and the picture over it. That text is another engine's reading, not print:
    its misreads would pass as a text layer's exact figures (unflagged), and the page's ruling
    lines are only in the picture (a table read from the words alone lost most of its cells).
    A PDF tool stamps a visible header, footer or page number ("第 1 页，共 30 页") on a scan:
    that is a usable text layer of one line, and the page's tables are only in the picture.
    Such a page is read as the scan it is (OCR reads the stamped words from the picture too).
    """
    try:
        if not page.get_images():  # most born-digital pages: no picture at all (a cheap look)
            return False
    except ValueError:  # a damaged file renumbered its pages on repair: ask the page itself below
        pass
    log = page.get_bboxlog()  # what the page draws, in drawing order
    # The picture may come in strips (some scanners tile it): together they cover the page.
    images = [i for i, (kind, _) in enumerate(log) if kind == "fill-image"]
    if sum(abs(pymupdf.Rect(log[i][1]) & page.rect) for i in images) <= 0.5 * abs(page.rect):
        return False
    texts = [i for i, (kind, _) in enumerate(log) if kind.endswith("-text")]
    hidden = [i for i in texts if log[i][0] == "ignore-text" or _under_picture(log, i, images)]
    if texts and len(hidden) > len(texts) / 2:
        return True
    r = page.rect
    dx, dy = STAMP_MARGIN * r.width, STAMP_MARGIN * r.height
    body = pymupdf.Rect(r.x0 + dx, r.y0 + dy, r.x1 - dx, r.y1 - dy)
    return not text_layer_usable("".join(w.text for w in words if body.contains(pymupdf.Point(w.cx, w.cy))))


def _under_picture(log: list, i: int, images: list[int]) -> bool:
    """Whether a picture drawn after text ``i`` covers it (a heading drawn before a picture
    beside it is print)."""
    text = pymupdf.Rect(log[i][1])
    return any(j > i and abs(pymupdf.Rect(log[j][1]) & text) > 0.5 * abs(text) for j in images)
