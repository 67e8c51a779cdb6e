"""The ``rapidocr`` backends: RapidOCR 1.4's PP-OCR models (inside its wheel, so offline) on
onnxruntime, on OpenVINO (``rapidocr-openvino``) or with packed recogniser lines (``rapidocr-packed``).

Kept apart from ``ocr`` (the page reading they share) so that module stays engine-free.
"""

from __future__ import annotations

import numpy as np

from .errors import OcrError
from .ocr import OCR_BACKENDS, PaddleOcrReader


@OCR_BACKENDS.register("rapidocr")
class RapidOcrBackend(PaddleOcrReader):
    """PP-OCRv4 through RapidOCR 1.4 (``rapidocr_onnxruntime``) on onnxruntime (CPU).

    ``openvino=True`` (``rapidocr-openvino``, the default when the ``openvino`` extra is installed:
    ``ocr_backends.default_ocr``) runs the same models on OpenVINO (``ocr_openvino``: the same
    answers in less than half the time). ``pack=True`` (``rapidocr-packed``)
    recognises short crops packed into shared lines (``ocr_pack``): faster, but it lost lone
    digits and first characters on the eval scans, so it is not the default.
    """

    def __init__(self, threads: int | None = None, min_confidence: float = 0.3, pack: bool = False,
                 openvino: bool = False):
        try:
            from rapidocr_onnxruntime import RapidOCR
        except ImportError as exc:  # the OCR extra is optional
            raise OcrError("RapidOCR is not installed: pip install 'budgetx[ocr]'") from exc
        params = {}
        if threads:
            params = {"intra_op_num_threads": threads, "inter_op_num_threads": 1}
        self.engine = RapidOCR(**params)
        if pack:
            from .ocr_pack import PackedRecognizer

            self.engine.text_rec = PackedRecognizer(self.engine.text_rec)
        from . import ocr_openvino

        if openvino:
            if not ocr_openvino.available():
                raise OcrError("OpenVINO is not installed: pip install 'budgetx[openvino]'")
            ocr_openvino.use_openvino(self.engine, threads)
        self.engine.auto_text_det = _remembering(self.engine.auto_text_det)
        self.engine.cal_rec_boxes = _character_boxes()
        self.remembers_detection = True
        self.min_confidence = min_confidence

    def _ocr(self, img: np.ndarray, text_score: float) -> list:
        result, _ = self.engine(img, use_cls=False, return_word_box=True, text_score=text_score)
        return result or []

    def _detect(self, img: np.ndarray) -> list:
        boxes, _ = self.engine(img, use_cls=False, use_rec=False)
        return boxes or []

    def _recognise_crops(self, crops: list) -> list[tuple[str, float]]:
        return [(read[0], float(read[1])) for read in self.engine.text_rec(crops)[0]]

    def _classify(self, crops: list) -> list[tuple[str, float]]:
        return [(label, float(score)) for label, score in self.engine.text_cls(crops)[1]] if crops else []


@OCR_BACKENDS.register("rapidocr-openvino")
def _on_openvino(threads: int | None = None, min_confidence: float = 0.3) -> RapidOcrBackend:
    """RapidOCR 1.4 with its models on OpenVINO (the ``openvino`` extra)."""
    return RapidOcrBackend(threads, min_confidence, openvino=True)


@OCR_BACKENDS.register("rapidocr-packed")
def _packed(threads: int | None = None, min_confidence: float = 0.3) -> RapidOcrBackend:
    """RapidOCR 1.4 with short crops recognised packed into shared lines (faster, less exact)."""
    return RapidOcrBackend(threads, min_confidence, pack=True)


def _remembering(detect, size: int = 4):
    """RapidOCR 1.4's ``auto_text_det`` remembering its last few images' boxes, by content."""
    import copy
    import hashlib
    from collections import OrderedDict

    seen: OrderedDict = OrderedDict()

    def remembered(img: np.ndarray):
        img = np.ascontiguousarray(img)
        key = (img.shape, img.dtype.str, hashlib.blake2b(img.data, digest_size=16).digest())
        if key not in seen:
            seen[key] = detect(img)
            if len(seen) > size:
                seen.popitem(last=False)
        seen.move_to_end(key)
        return copy.deepcopy(seen[key])  # the engine's caller may change the boxes in place

    return remembered


def _character_boxes():
    """RapidOCR 1.4's character boxes (``CalRecBoxes``) with their way back to the page done per
    line, not per point: its Python loop over every corner of every character (one 3x3 product
    and a sort of four points each) took ~0.3 CPU s a table page. Same boxes (tested); a line
    read turned (``direction == "h"``) or a box its fast path cannot order goes to the library."""
    import cv2
    from rapidocr_onnxruntime.cal_rec_boxes.main import CalRecBoxes

    class CharacterBoxes(CalRecBoxes):
        def __call__(self, imgs, dt_boxes, rec_res):
            res = []
            for img, box, (text, conf, word_info) in zip(imgs, dt_boxes, rec_res):
                h, w = img.shape[:2]
                contents, boxes, confs = self.cal_ocr_word_box(
                    text, np.array([[0, 0], [w, 0], [w, h], [0, h]]), word_info)
                # The lists are the line's own (made just now): no copies needed.
                boxes = self.adjust_box_overlap(boxes)
                boxes = self.reverse_rotate_crop_image(np.array(box), boxes, self.get_box_direction(box))
                res.append([text, conf, boxes, contents, confs])
            return res

        def reverse_rotate_crop_image(self, bbox_points, word_points_list, direction="w"):
            if direction != "w" or not word_points_list:
                return super().reverse_rotate_crop_image(bbox_points, word_points_list, direction)
            points = np.float32(bbox_points)
            left, top = int(np.min(points[:, 0])), int(np.min(points[:, 1]))
            points -= np.float32([left, top])
            width = int(np.linalg.norm(points[0] - points[1]))
            height = int(np.linalg.norm(points[0] - points[3]))
            square = np.float32([[0, 0], [width, 0], [width, height], [0, height]])
            _, inverse = cv2.invert(cv2.getPerspectiveTransform(points, square))
            corners = np.float32(word_points_list).reshape(-1, 2).astype(np.float64)
            mapped = np.c_[corners, np.ones(len(corners))] @ inverse.T
            xy = mapped[:, :2] / mapped[:, 2:]
            xy = (xy + [left, top]).astype(np.int64).reshape(-1, 4, 2)  # int() truncates, as theirs
            return [quad.tolist() if _in_order(quad) else self.order_points(quad.tolist()) for quad in xy]

    return CharacterBoxes()


def _in_order(quad: np.ndarray) -> bool:
    """Whether four corners are already top-left, top-right, bottom-right, bottom-left as
    ``CalRecBoxes.order_points`` would order them (its last branch: no corner on the centre's x)."""
    xs, ys = quad[:, 0], quad[:, 1]
    cx = xs.mean()
    return bool(xs[0] < cx and xs[3] < cx and xs[1] > cx and xs[2] > cx
                and ys[0] < ys[3] and ys[1] < ys[2])
