"""The paper a scan's print lies on: what lies around the sheet, and grey paper under the print.

Around: a sheet scanned with the lid up, or smaller than the glass, lies on a dark backdrop. To
the reader that backdrop is ink: once the page is turned level, the sheet's edges are four long
straight "rules" framing the table, and the grid took its columns and rows from them. The sheet
is the large bright region the backdrop surrounds; everything outside it is painted the paper's
colour, so the page keeps its size and every coordinate (the words are placed on the PDF page by
scale alone). A page without a dark backdrop along its edges is left alone.

Under: a dim scan of grey paper (paper at 150 of 255, print at 60) gives the recogniser and the
rule finder a third of the contrast they were made for; its tones are stretched back to white
paper and black print. A page whose paper is already light is left alone.
"""

from __future__ import annotations

import numpy as np

EDGE_BAND = 0.01  # share of the short side: the band along the image's edges that is looked at
DARK = 0.6  # share of the paper's brightness below which a pixel is dark (ink or backdrop)
MIN_DARK_EDGE = 0.25  # share of that band that must be dark for a backdrop to be there
MIN_SHEET = 0.25  # share of the image the sheet covers at least (else it is not found)
MIN_BACKDROP = 0.02  # share of the image outside the sheet: less is a scanner's shadow line
TRIM = 0.004  # share of the short side: the sheet's own edge (a grey shade) is cleared too
MIN_STEP = 0.3  # share of the paper's brightness the sheet's edge steps down to the backdrop
GREY_PAPER = 200  # a paper's brightness below this is stretched (scans of white paper: 228-255)
MIN_SIDE = 64  # pixels: a smaller image is not looked at (its thumbnail would be 16 px or less)
SCALE = 0.25  # the sheet is found on a quarter-size thumbnail (its outline is coarse)
INK_SATURATION = 60  # a pixel whose channels differ more is coloured ink (a seal), not print
SEAL_OVER_PAPER = 0.65  # of the paper's brightness: a seal's pixel is this light in its brightest channel


def sheet_mask(small: np.ndarray) -> np.ndarray | None:
    """The sheet as 255 on 0 on a grey thumbnail, or None when no dark backdrop surrounds it."""
    import cv2

    paper = float(np.percentile(small, 90))
    # Dark relative to the paper: ink and backdrop alike, so a grey sheet's own print is not paper.
    dark = small < DARK * paper
    band = max(2, int(EDGE_BAND * min(small.shape)))
    edges = np.concatenate([dark[:band].ravel(), dark[-band:].ravel(), dark[:, :band].ravel(),
                            dark[:, -band:].ravel()])
    if edges.mean() < MIN_DARK_EDGE:
        return None
    bright = (~dark).astype(np.uint8) * 255
    # Closing bridges the sheet's print (text, rules) so the sheet is one region; the backdrop's
    # speckle of noise stays apart from it.
    k = max(3, int(0.01 * min(small.shape)) | 1)
    bright = cv2.morphologyEx(bright, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(bright, connectivity=4)
    if count < 2:
        return None
    biggest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    if stats[biggest, cv2.CC_STAT_AREA] < MIN_SHEET * small.size:
        return None
    contours, _ = cv2.findContours((labels == biggest).astype(np.uint8), cv2.RETR_EXTERNAL,
                                   cv2.CHAIN_APPROX_SIMPLE)
    mask = np.zeros(small.shape, np.uint8)
    cv2.fillConvexPoly(mask, cv2.convexHull(max(contours, key=cv2.contourArea)), 255)
    trim = max(1, round(TRIM * min(small.shape)))
    mask = cv2.erode(mask, cv2.getStructuringElement(cv2.MORPH_RECT, (2 * trim + 1, 2 * trim + 1)))
    if (mask == 0).mean() < MIN_BACKDROP or not _sharp_edge(small, mask, paper):
        return None
    return mask


def _sharp_edge(small: np.ndarray, mask: np.ndarray, paper: float) -> bool:
    """Whether the sheet's outline is a step from paper down to backdrop. Light falling off
    toward a book's spine or a photo's corner darkens the margin by degrees: no edge, and the
    dark margin is still the sheet (its print is read)."""
    import cv2

    near, far = (cv2.getStructuringElement(cv2.MORPH_RECT, (n, n)) for n in (9, 17))
    inner = (mask > 0) & (cv2.erode(mask, near) == 0)
    outer = (cv2.dilate(mask, far) > 0) & (cv2.dilate(mask, near) == 0)
    if not inner.any() or not outer.any():
        return False
    return float(np.median(small[inner])) - float(np.median(small[outer])) >= MIN_STEP * paper


def clear_backdrop(img: np.ndarray) -> np.ndarray:
    """The image with everything outside the sheet painted the paper's colour (a copy), or the
    image itself when it shows no dark backdrop."""
    import cv2

    if min(img.shape[:2]) < MIN_SIDE:  # a thumbnail of a few pixels shows no sheet
        return img
    thumb = cv2.resize(img, None, fx=SCALE, fy=SCALE, interpolation=cv2.INTER_AREA)
    mask = sheet_mask(thumb if thumb.ndim == 2 else cv2.cvtColor(thumb, cv2.COLOR_RGB2GRAY))
    if mask is None:
        return img
    paper = np.percentile(thumb[mask > 0], 90, axis=0)
    outside = cv2.resize(mask, (img.shape[1], img.shape[0]), interpolation=cv2.INTER_NEAREST) == 0
    out = img.copy()
    out[outside] = np.asarray(paper, dtype=img.dtype)
    return out


def level_paper(img: np.ndarray) -> np.ndarray:
    """A dim page's tones stretched so its paper is white and its darkest print black (a copy),
    or the image itself when its paper is light already."""
    import cv2

    if img.size == 0:
        return img
    grey = img if img.ndim == 2 else cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
    share = cv2.calcHist([grey], [0], None, [256], [0, 256]).ravel().cumsum() / grey.size
    black, paper = int(np.searchsorted(share, 0.005)), int(np.searchsorted(share, 0.9))
    if paper >= GREY_PAPER or paper - black < 16:  # light paper; or no print to stretch to
        return img
    table = np.clip((np.arange(256) - black) * 255.0 / (paper - black), 0, 255).astype(np.uint8)
    return cv2.LUT(img, table)


def neutral_ink(img: np.ndarray) -> np.ndarray:
    """The page in grey with coloured ink taken for paper: a red seal stamped across a table
    makes no rules (its arcs and star split columns) while black print and rules stay dark."""
    import cv2

    # cv2 per channel: numpy's reduction over the last axis of an RGB page took ~0.3 s a call.
    r, g, b = cv2.split(img)
    high, low = cv2.max(cv2.max(r, g), b), cv2.min(cv2.min(r, g), b)
    # Print under the seal is dark in every channel, but JPEG's colour bleeds into its strokes:
    # only coloured pixels light in their brightest channel (the seal over paper) are taken out.
    paper = cv2.dilate(high, np.ones((31, 31), np.uint8))
    high[(cv2.subtract(high, low) > INK_SATURATION) & (high >= SEAL_OVER_PAPER * paper)] = 255
    return high
