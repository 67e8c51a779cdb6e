"""OCR for scanned pages: orientation, deskew, words with boxes, and ruling lines.

Backends sit behind a registry keyed by name (``ocr_rapid``: RapidOCR ships its PP-OCR models inside the
wheel, so it works offline); another engine (Tesseract, a vision model) is one more factory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from .dashes import with_solid_dashes
from .dewarp import bowed_rules, flatten
from .ocr_mend import drop_doubled, mend_numerals, printed_ink, read_unread_ink
from .ocr_words import lone_stroke, split_words
from .orientation import box_width, line_lengths, mostly_tall, readability, upright_vote
from .pages import DESKEW_FROM, SealMark, Segment, Word
from .paper import clear_backdrop, level_paper, neutral_ink
from .rectify import (descreen, estimate_skew, frame_warp, ink, rotate_image, straighten,
                      rule_mask, thick_rule, without_rules)
from .registry import Registry
from .seal import find_seals, seal_words, without_seals
from .show_through import ghost_lines, without_light_characters, without_light_rules
from .streaks import without_streaks
from .watermark import watermark_height, watermark_slant, without_level_watermark, without_watermark


@dataclass
class OcrPage:
    """What OCR made of one page, in page points of the upright, deskewed page."""

    words: list[Word] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    rotation: int = 0
    skew: float = 0.0
    watermark: str = ""  # the text of lines dropped as a watermark (``extractor/watermark.py``)
    seals: list[SealMark] = field(default_factory=list)  # seals painted out (``extractor/seal.py``)


class OcrBackend(Protocol):
    def read(self, pixmap, page_width: float, page_height: float) -> OcrPage: ...


OCR_BACKENDS: Registry[OcrBackend] = Registry("OCR backend")
REREAD_BELOW = 0.8  # a line read less surely than this is read again
REC_BASE_RATIO = 320 / 48  # the recogniser's input shape: narrower crops are padded to it
KEEP_FROM = 0.5  # RapidOCR's own threshold for a line, applied after the second reading
ORIENT_SIDE = 736  # the detector's own working size (its short side): the orientation thumbnail
ORIENT_LINES = 3  # lines of text, in thumbnail widths, that settle a page as upright
ORIENT_SAMPLE = 24  # lines the classifier sees to tell upright from upside down
# A page whose own lines lie this many times longer than they stand, a page width at least, is
# upright. On the first 38 pages of the eval scans upright pages' lines lay 1 to 22 page widths,
# standing ones at most 2% of that; the seven pages scanned on their side had no lying line at all.
ORIENT_MARGIN = 10


def pixmap_to_array(pixmap) -> np.ndarray:
    """A PyMuPDF pixmap as an RGB uint8 array (no copy of the pixel data)."""
    arr = np.frombuffer(pixmap.samples, dtype=np.uint8).reshape(pixmap.h, pixmap.w, pixmap.n)
    return arr[:, :, :3]


BRIDGED_LONG = 5  # times a rule's least length: a bridged line this long is a rule, not strokes


def find_rules(grey: np.ndarray, text_boxes=(), min_frac: float = 0.012) -> list[tuple[int, int, int, int]]:
    """Horizontal and vertical ruling lines of a scan by morphology, as pixel segments."""
    import cv2

    binary = ink(grey)
    # Strokes of characters ("一", "丨", a bold title) are not rules: blank out the text first,
    # keeping a margin so a rule that runs close to the text survives.
    for box in text_boxes:
        xs = [pt[0] for pt in box]
        ys = [pt[1] for pt in box]
        x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
        mx, my = 0.1 * (x1 - x0), 0.2 * (y1 - y0)
        binary[int(y0 + my):int(y1 - my) + 1, int(x0 + mx):int(x1 - mx) + 1] = 0
    h, w = binary.shape
    found: list[tuple[int, int, int, int]] = []
    for horizontal in (True, False):
        # Short enough for a header cell's rule (类/款/项), longer than a character's stroke.
        # Bridged over small breaks from noise or JPEG, so one rule stays one segment.
        length = max(24, int(max(w, h) * min_frac))
        # A dithered rule is found bridged; only long lines, as bridging joins letters' strokes too.
        mask = rule_mask(binary, horizontal, length, BRIDGED_LONG * length)
        count, labels, stats, _ = cv2.connectedComponentsWithStats(mask)
        for i in range(1, count):
            x, y, cw, ch = stats[i, :4]
            # A rule may lean a little after deskewing: allow a thickness of 2% of its length.
            if horizontal and ch < max(12, h // 150, cw // 50):
                found.append((x, y + ch // 2, x + cw, y + ch // 2))
            elif not horizontal and cw < max(12, w // 150, ch // 50):
                found.append((x + cw // 2, y, x + cw // 2, y + ch))
            elif (line := thick_rule(labels, i, stats[i], horizontal, min_frac)) is not None:
                found.append(line)  # a seal's arc along the rule made it thick: the rule alone
    return found


def without_strokes(rules, line_boxes, margin: float = 2.0) -> list[tuple[int, int, int, int]]:
    """Rules less the upright strokes of characters: a vertical segment inside a text line's box
    that runs no higher or lower than the line. A heavy JPEG thickens a stroke ("科" of 科目编码)
    past the masking of its character box; taken for a rule it split a column in two on every
    row. A cell's own rule runs past its text (padding, the rules above and below)."""
    boxes = [(min(p[0] for p in box), min(p[1] for p in box), max(p[0] for p in box), max(p[1] for p in box))
             for box in line_boxes]

    def stroke(rule) -> bool:
        x0, y0, x1, y1 = rule
        return x0 == x1 and any(left + margin < x0 < right - margin and top - margin <= y0 and y1 <= bottom + margin
                                for left, top, right, bottom in boxes)

    return [rule for rule in rules if not stroke(rule)]


def _chars(item) -> list[tuple[str, tuple[float, float, float, float], float]]:
    """A recognised line as characters with boxes (one pseudo-character when none are given)."""
    box, text, score = item[0], item[1], float(item[2])
    char_boxes = item[3] if len(item) > 3 else None
    char_scores = item[5] if len(item) > 5 else None
    if not char_boxes or len(char_boxes) != len(text):
        xs = [p[0] for p in box]
        ys = [p[1] for p in box]
        return [(text, (min(xs), min(ys), max(xs), max(ys)), score)]
    return [(ch, (b[0][0], b[0][1], b[2][0], b[2][1]), float(char_scores[i]) if char_scores else score)
            for i, (ch, b) in enumerate(zip(text, char_boxes))]


class PaddleOcrReader:
    """Page reading shared by the PP-OCR backends: orientation, deskew, second reading, rules.

    A subclass supplies the engine's four steps (``_ocr`` a whole image, ``_detect`` boxes only,
    ``_recognise_crops``, ``_classify`` crops as upright or upside down), each as RapidOCR 1.4
    shapes its answers.
    """

    min_confidence: float = 0.3

    def _ocr(self, img: np.ndarray, text_score: float) -> list: ...

    def _detect(self, img: np.ndarray) -> list: ...

    def _recognise_crops(self, crops: list) -> list[tuple[str, float]]: ...

    def _classify(self, crops: list) -> list[tuple[str, float]]: ...

    # True where a page's detection is remembered (``_ocr`` after ``_detect`` of the same image
    # costs no second detection): the page's own detection then settles its orientation.
    remembers_detection: bool = False

    def _read_upright(self, img: np.ndarray, straight=None):
        """Deskew, then recognise: (image, grey, skew, result, mean confidence)."""
        img, grey, skew, seen = straight or self._straighten(img)
        result, confidence = self._recognise(seen)
        return img, grey, skew, result, confidence

    def _straighten(self, img: np.ndarray):
        """The page deskewed and squared: (image, grey, skew, the grey image OCR reads)."""
        grey = neutral_ink(img)
        skew = estimate_skew(grey)
        if abs(skew) > DESKEW_FROM:
            img = rotate_image(img, skew)
            grey = neutral_ink(img)
        # Keystone: rules that still lean after the turn are squared by the table's frame.
        warp = frame_warp(grey)
        if warp is not None:
            img = straighten(img, warp)
            grey = neutral_ink(img)
        # A curled sheet: rules that bow after the turn and the squaring are laid level.
        if bowed := bowed_rules(grey):
            img = flatten(img, bowed)
            grey = neutral_ink(img)
        # Text is read without the seals' colour (a red seal over an amount hides its digits), in
        # grey; the rules stay, they keep the detector from running one line across two cells.
        import cv2

        return img, grey, skew, cv2.cvtColor(grey, cv2.COLOR_GRAY2RGB)

    def _recognise(self, img: np.ndarray):
        # RapidOCR drops lines read below its text_score (0.5): a lone digit in a cell ("5",
        # "1") often reads at 0.3-0.5 (see _reread). Take them all, read them again, then drop.
        result = self._ocr(img, self.min_confidence) or []
        if not mostly_tall(result):  # a sideways page is read again turned: no second reading
            result = drop_doubled(self._reread(img, result))
            # Both second looks want the page without its rules and its printed ink: made once.
            import cv2

            grey = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY) if img.ndim == 3 else img
            clean = without_rules(grey)
            printed = printed_ink(grey, clean)
            result = mend_numerals(img, result, self._recognise_crops, printed)
            result = read_unread_ink(img, result, self._recognise_crops, clean, printed)
        # Still unsure after the second reading: noise (a speck read as "。"), dropped as before.
        result = [item for item in result if float(item[2]) >= KEEP_FROM]
        confidence = sum(float(r[2]) for r in result) / len(result) if result else 0.0
        return result, confidence

    def _reread(self, img: np.ndarray, result: list) -> list:
        """Read tall and doubtful boxes again, straight, from the page.

        RapidOCR turns every crop at least 1.5 times taller than wide a quarter turn, taking it
        for vertical text: a lone digit in a cell ("1", "3") is such a crop and reads as "一"
        or "m", or too unsurely to be kept. The straight crop reads it; the surer reading wins,
        so vertical Chinese text keeps its turned reading.
        """
        def tall(box) -> bool:
            xs, ys = [p[0] for p in box], [p[1] for p in box]
            return max(ys) - min(ys) >= 1.5 * (max(xs) - min(xs))

        doubtful = [i for i, item in enumerate(result) if float(item[2]) < REREAD_BELOW or tall(item[0])]
        if not doubtful:
            return result
        crops = [_crop(img, result[i][0]) for i in doubtful]
        # The recogniser pads a batch to its widest crop, which costs a lone digit its
        # confidence: crops within its base shape (48 x 320) go together, wider ones alone.
        again: list = [None] * len(crops)
        narrow = [j for j, c in enumerate(crops) if c.shape[1] <= REC_BASE_RATIO * c.shape[0]]
        for j, read in zip(narrow, self._recognise_crops([crops[j] for j in narrow]) if narrow else []):
            again[j] = read
        for j, crop in enumerate(crops):
            if again[j] is None:
                again[j] = self._recognise_crops([crop])[0]
        result = list(result)
        for i, read in zip(doubtful, again):
            text, score = read[0], float(read[1])
            old = result[i]
            if not text or score <= float(old[2]):
                continue
            if len(old) > 5 and len(text) == len(old[1]) and not tall(old[0]):
                result[i] = [old[0], text, score, old[3], old[4], [score] * len(text)]
            else:  # the turned reading's character boxes do not fit: the box is one word
                result[i] = [old[0], text, score]
        return result

    def _orientation(self, img: np.ndarray) -> int:
        """0, 90 or 270: how far to turn a page, from text boxes found on a thumbnail.

        Recognising a whole page costs several times its detection: a landscape page scanned
        sideways was read three times (as it lies, turned each way). Detection alone shows
        the text standing up; the line classifier on a sample of lines says which way round.
        """
        import cv2

        scale = min(1.0, ORIENT_SIDE / min(img.shape[:2]))
        thumb = cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else img
        lying, standing = line_lengths(self._detect(thumb))
        if lying >= standing and lying >= ORIENT_LINES * ORIENT_SIDE:
            return 0
        # Lines standing, or few lines: the detector may barely see text that runs down a
        # scanned page, so ask it of the page turned too.
        turned_thumb = np.ascontiguousarray(np.rot90(thumb, k=-1))
        boxes = self._detect(turned_thumb)
        if max(standing, line_lengths(boxes)[0]) <= lying:
            return 0
        turned = np.rot90(img, k=-1)
        boxes = sorted(boxes, key=box_width, reverse=True)[:ORIENT_SAMPLE]
        crops = [_crop(turned, [(x / scale, y / scale) for x, y in box]) for box in boxes]
        return 90 if upright_vote(self._classify([c for c in crops if c.size])) >= 0 else 270

    def _upright_as_it_lies(self, straight) -> bool:
        """Whether a page's own text detection (straightened as it lies) shows it upright beyond
        doubt; else ``_orientation`` decides from thumbnails. Most pages are upright, and this
        detection is the one their OCR uses next (remembered), where ``_orientation`` paid for
        one or two more."""
        lying, standing = line_lengths(self._detect(straight[3]))
        return lying >= min(straight[1].shape) and lying >= ORIENT_MARGIN * standing

    def read(self, pixmap, page_width: float, page_height: float) -> OcrPage:
        img = level_paper(clear_backdrop(descreen(np.ascontiguousarray(pixmap_to_array(pixmap)))))
        dpi = 72 * img.shape[1] / page_width
        img, _ = without_streaks(img, dpi)
        img, _ = with_solid_dashes(img, dpi)
        straight = self._straighten(img) if self.remembers_detection else None
        rotation = 0 if straight and self._upright_as_it_lies(straight) else self._orientation(img)
        if rotation:
            img, straight = np.ascontiguousarray(np.rot90(img, k=-1 if rotation == 90 else 1)), None
        img, grey, skew, result, confidence = self._read_upright(img, straight)
        if mostly_tall(result):
            # The thumbnail missed a sideways page: read it turned both ways and keep the reading
            # with more Chinese in it (upside-down text reads as confident digit soup).
            turns = [(90, self._read_upright(np.ascontiguousarray(np.rot90(img, k=-1)))),
                     (270, self._read_upright(np.ascontiguousarray(np.rot90(img, k=1))))]
            turn, (img, grey, skew, result, confidence) = max(turns, key=lambda t: readability(t[1][3]))
            rotation = (rotation + turn) % 360
        elif self._upside_down(img, result):
            # Upside down: try the half turn. The classifier decides (~0.05 CPU s a page), not the
            # confidence: an upside-down table of figures reads as confident digits (0.75-0.76).
            flipped = np.ascontiguousarray(np.rot90(img, k=2))
            alt, _ = self._recognise(flipped)
            if readability(alt) > readability(result):
                img, result, rotation = flipped, alt, (rotation + 180) % 360
                grey = neutral_ink(img)
        watermark, marks, whole, distinct = "", [], True, True
        if (angle := watermark_slant(result)) is not None:
            result, grey, watermark = without_watermark(grey, result, angle, self._recognise_grey)
        elif (tall := watermark_height(result)) is not None:
            result, grey, watermark = without_level_watermark(grey, result, tall, self._recognise_grey)
        if seals := find_seals(grey):
            # The seals' words from the first reading, before they are painted out.
            marks = [(seal, seal_words([_chars(item) for item in result], [seal], grey)[1]) for seal in seals]
            result, grey, whole, distinct = without_seals(grey, result, seals, self._recognise_grey)
        ghosts, light_from = ghost_lines(grey, result, self._read_mirrored(grey))
        result = [item for i, item in enumerate(result) if i not in ghosts]
        h, w = grey.shape
        upright_w, upright_h = (page_height, page_width) if rotation in (90, 270) else (page_width, page_height)
        sx, sy = upright_w / w, upright_h / h
        lines = [_chars(item) for item in result]
        if seals:
            lines, _ = seal_words(lines, seals, grey, words=not whole, pieces=distinct)
        if light_from is not None:
            lines = without_light_characters(lines, grey, light_from)
        # Mask characters (not whole line boxes, which may straddle a rule) before finding rules;
        # a "1" read alone may be a piece of a rule, which its mask would hide (split_words).
        rules = find_rules(grey, [[(b[0], b[1]), (b[2], b[1]), (b[2], b[3]), (b[0], b[3])]
                                  for line in lines if not lone_stroke(line) for _, b, _ in line])
        rules = without_strokes(rules, [item[0] for item in result])
        if light_from is not None:
            rules = without_light_rules(rules, grey, light_from)
        verticals = [r for r in rules if r[0] == r[2]]
        words: list[Word] = []
        for line in lines:
            for text, (x0, y0, x1, y1), conf in split_words(line, verticals):
                if conf >= self.min_confidence:
                    words.append(Word(text, x0 * sx, y0 * sy, x1 * sx, y1 * sy, conf))
        segments = [Segment(x0 * sx, y0 * sy, x1 * sx, y1 * sy) for x0, y0, x1, y1 in rules]
        seal_marks = [SealMark(text, (m.cx - m.r) * sx, (m.cy - m.r) * sy, (m.cx + m.r) * sx, (m.cy + m.r) * sy)
                      for m, text in marks]
        return OcrPage(words=words, segments=segments, rotation=rotation, skew=skew, watermark=watermark,
                       seals=seal_marks)

    def _read_mirrored(self, grey: np.ndarray):
        import cv2

        return lambda boxes: self._recognise_crops(
            [cv2.flip(cv2.cvtColor(_crop(grey, box), cv2.COLOR_GRAY2RGB), 1) for box in boxes])

    def _recognise_grey(self, grey: np.ndarray) -> list:
        import cv2

        return self._recognise(cv2.cvtColor(grey, cv2.COLOR_GRAY2RGB))[0]

    def _upside_down(self, img: np.ndarray, result: list) -> bool:
        """Whether the line classifier takes most of the widest lines for upside down."""
        lines = sorted((item[0] for item in result if len(item[1]) >= 2), key=box_width, reverse=True)
        crops = [c for c in (_crop(img, box) for box in lines[:ORIENT_SAMPLE]) if c.size]
        return bool(crops) and upright_vote(self._classify(crops)) < 0


def _crop(img: np.ndarray, box) -> np.ndarray:
    """The upright rectangle around a box's points, clipped to the image."""
    h, w = img.shape[:2]
    xs, ys = [p[0] for p in box], [p[1] for p in box]
    return np.ascontiguousarray(img[max(0, int(min(ys))):min(h, int(max(ys)) + 1),
                                    max(0, int(min(xs))):min(w, int(max(xs)) + 1)])
