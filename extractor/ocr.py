"""OCR for scanned pages: orientation, deskew, words with boxes, and ruling lines.

Backends sit behind a registry keyed by name (``rapidocr`` ships its PP-OCR models inside the
wheel, so it works offline); another engine (Tesseract, a vision model) is one more factory.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from .errors import OcrError
from .pages import Segment, Word
from .registry import Registry


@dataclass
class OcrPage:
    """What OCR made of one page, in page points of the upright, deskewed page."""

    words: list[Word] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    rotation: int = 0
    skew: float = 0.0


class OcrBackend(Protocol):
    def read(self, pixmap, page_width: float, page_height: float) -> OcrPage: ...


OCR_BACKENDS: Registry[OcrBackend] = Registry("OCR backend")


def pixmap_to_array(pixmap) -> np.ndarray:
    """A PyMuPDF pixmap as an RGB uint8 array (no copy of the pixel data)."""
    arr = np.frombuffer(pixmap.samples, dtype=np.uint8).reshape(pixmap.h, pixmap.w, pixmap.n)
    return arr[:, :, :3]


def find_rules(grey: np.ndarray, text_boxes=(), min_frac: float = 0.012) -> list[tuple[int, int, int, int]]:
    """Horizontal and vertical ruling lines of a scan by morphology, as pixel segments."""
    import cv2

    # Adaptive threshold copes with uneven brightness and grey paper.
    binary = cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 15)
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
        length = max(24, int(max(w, h) * min_frac))
        kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1) if horizontal else (1, length))
        mask = cv2.morphologyEx(binary, cv2.MORPH_OPEN, kernel)
        # Bridge small breaks from noise or JPEG so one rule stays one segment.
        bridge = cv2.getStructuringElement(cv2.MORPH_RECT, (9, 1) if horizontal else (1, 9))
        mask = cv2.dilate(mask, bridge)
        contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        for contour in contours:
            x, y, cw, ch = cv2.boundingRect(contour)
            # A rule may lean a little after deskewing: allow a thickness of 2% of its length.
            if horizontal and ch < max(12, h // 150, cw // 50):
                found.append((x, y + ch // 2, x + cw, y + ch // 2))
            elif not horizontal and cw < max(12, w // 150, ch // 50):
                found.append((x + cw // 2, y, x + cw // 2, y + ch))
    return found


def rotate_image(img: np.ndarray, angle: float) -> np.ndarray:
    """Rotate by a small angle (degrees, counter-clockwise) on a white background."""
    import cv2

    h, w = img.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(img, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=(255, 255, 255))


def _split_words(text: str, char_boxes, char_scores, box_score: float) -> list[tuple[str, list, float]]:
    """Split a recognised line at wide gaps between characters (two table cells read as one line)."""
    if not char_boxes or len(char_boxes) != len(text):
        return [(text, None, box_score)]
    heights = [b[2][1] - b[0][1] for b in char_boxes]
    gap_limit = 0.9 * (sorted(heights)[len(heights) // 2] or 1)
    groups: list[list[int]] = [[0]]
    for i in range(1, len(text)):
        gap = char_boxes[i][0][0] - char_boxes[i - 1][1][0]
        if gap > gap_limit or text[i] == " ":
            groups.append([])
        if text[i] != " ":
            groups[-1].append(i)
    result = []
    for group in groups:
        if not group:
            continue
        x0 = min(char_boxes[i][0][0] for i in group)
        x1 = max(char_boxes[i][1][0] for i in group)
        y0 = min(char_boxes[i][0][1] for i in group)
        y1 = max(char_boxes[i][2][1] for i in group)
        score = min(char_scores[i] for i in group) if char_scores else box_score
        result.append(("".join(text[i] for i in group), [x0, y0, x1, y1], score))
    return result


@OCR_BACKENDS.register("rapidocr")
class RapidOcrBackend:
    """PP-OCR through RapidOCR on onnxruntime (CPU)."""

    def __init__(self, threads: int | None = None, min_confidence: float = 0.3):
        try:
            from rapidocr_onnxruntime import RapidOCR
        except ImportError as exc:  # the OCR extra is optional
            raise OcrError("RapidOCR is not installed: pip install 'budgetx[ocr]'") from exc
        params = {}
        if threads:
            params = {"intra_op_num_threads": threads, "inter_op_num_threads": 1}
        self.engine = RapidOCR(**params)
        self.min_confidence = min_confidence

    def _quarter_turn(self, img: np.ndarray) -> bool:
        """True when most text boxes stand upright: a landscape page scanned sideways."""
        import cv2

        small = cv2.resize(img, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
        boxes, _ = self.engine(small, use_det=True, use_cls=False, use_rec=False)
        if not boxes:
            return False
        tall = sum(1 for b in boxes if (b[2][1] - b[0][1]) > 1.5 * (b[1][0] - b[0][0]))
        wide = sum(1 for b in boxes if (b[1][0] - b[0][0]) > 1.5 * (b[2][1] - b[0][1]))
        return tall > wide

    def _recognise(self, img: np.ndarray):
        result, _ = self.engine(img, use_cls=False, return_word_box=True)
        result = result or []
        confidence = sum(float(r[2]) for r in result) / len(result) if result else 0.0
        return result, confidence

    def read(self, pixmap, page_width: float, page_height: float) -> OcrPage:
        import cv2

        img = np.ascontiguousarray(pixmap_to_array(pixmap))
        rotation = 90 if self._quarter_turn(img) else 0
        if rotation:
            img = np.ascontiguousarray(np.rot90(img, k=-1))
        grey = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
        # Skew from the dominant direction of long ruling lines.
        skew = self._skew(grey)
        if abs(skew) > 0.1:
            img = rotate_image(img, skew)
            grey = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
        result, confidence = self._recognise(img)
        if confidence < 0.75:
            # Upside down (or turned the other way): recognition is poor; try the half turn.
            flipped = np.ascontiguousarray(np.rot90(img, k=2))
            alt, alt_conf = self._recognise(flipped)
            if alt_conf > confidence + 0.1:
                img, result, rotation = flipped, alt, (rotation + 180) % 360
                grey = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
        h, w = grey.shape
        upright_w, upright_h = (page_height, page_width) if rotation in (90, 270) else (page_width, page_height)
        sx, sy = upright_w / w, upright_h / h
        words: list[Word] = []
        for item in result:
            box, text, score = item[0], item[1], float(item[2])
            char_boxes = item[3] if len(item) > 3 else None
            char_scores = item[5] if len(item) > 5 else None
            for part, bbox, conf in _split_words(text, char_boxes, char_scores, score):
                if conf < self.min_confidence or not part.strip():
                    continue
                if bbox is None:
                    xs = [p[0] for p in box]
                    ys = [p[1] for p in box]
                    bbox = [min(xs), min(ys), max(xs), max(ys)]
                words.append(Word(part, bbox[0] * sx, bbox[1] * sy, bbox[2] * sx, bbox[3] * sy, conf))
        segments = [Segment(x0 * sx, y0 * sy, x1 * sx, y1 * sy) for x0, y0, x1, y1 in find_rules(grey, [item[0] for item in result])]
        return OcrPage(words=words, segments=segments, rotation=rotation, skew=skew)

    @staticmethod
    def _skew(grey: np.ndarray) -> float:
        return estimate_skew(grey)


def estimate_skew(grey: np.ndarray, limit: float = 4.0) -> float:
    """Skew in degrees by projection profiles: rows of text and rules are sharpest when level.

    Works on ruled tables and on plain text alike, and costs a few milliseconds on a thumbnail.
    """
    import cv2

    scale = 800 / max(grey.shape)
    small = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    ink = cv2.adaptiveThreshold(small, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 15, 10)
    h, w = ink.shape

    def sharpness(angle: float) -> float:
        matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        rotated = cv2.warpAffine(ink, matrix, (w, h), flags=cv2.INTER_NEAREST, borderValue=0)
        profile = rotated.sum(axis=1, dtype=np.float64)
        return float(np.square(np.diff(profile)).sum())

    best = max(np.arange(-limit, limit + 1e-9, 0.25), key=sharpness)
    fine = max(np.arange(best - 0.25, best + 0.25 + 1e-9, 0.05), key=sharpness)
    return round(float(fine), 2)
