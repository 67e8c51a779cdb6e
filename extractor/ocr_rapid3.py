"""RapidOCR 3 (pip package ``rapidocr``): the maintained successor of ``rapidocr_onnxruntime``.

Its wheel ships its default models (PP-OCRv6 small detector and recogniser, the mobile line
classifier) and loads them from the package folder: no download at run time. The page reading
(orientation, deskew, second reading of doubtful boxes, rules) is the 1.4 backend's.
"""

from __future__ import annotations

import numpy as np

from .errors import OcrError
from .ocr import OCR_BACKENDS, PaddleOcrReader


@OCR_BACKENDS.register("rapidocr3")
class RapidOcr3Backend(PaddleOcrReader):
    """PP-OCRv6 through RapidOCR 3 on onnxruntime (CPU)."""

    def __init__(self, threads: int | None = None, min_confidence: float = 0.3):
        try:
            from rapidocr import RapidOCR
        except ImportError as exc:  # an optional extra
            raise OcrError("RapidOCR 3 is not installed: pip install 'budgetx[ocr3]'") from exc
        params = {"Global.log_level": "warning"}
        if threads:
            params |= {"EngineConfig.onnxruntime.intra_op_num_threads": threads,
                       "EngineConfig.onnxruntime.inter_op_num_threads": 1}
        self.engine = RapidOCR(params=params)
        self.min_confidence = min_confidence

    def _ocr(self, img: np.ndarray, text_score: float) -> list:
        # The engine keeps each call's switches for the next: say them all every time.
        out = self.engine(img, use_det=True, use_cls=False, use_rec=True, return_word_box=True,
                          return_single_char_box=True, text_score=text_score)
        if out.boxes is None or out.txts is None:
            return []
        # Its character boxes come per line with text, lines without boxes left out: pair
        # them back to their lines by their characters.
        words = list(out.word_results or ())
        items, k = [], 0
        for box, text, score in zip(out.boxes, out.txts, out.scores):
            item = [np.asarray(box).tolist(), text, float(score)]
            chars = words[k] if k < len(words) else ()
            if chars and "".join(c[0] for c in chars) == text.replace(" ", ""):
                k += 1
                if len(chars) == len(text):
                    item += [[c[2] for c in chars], [c[0] for c in chars], [float(c[1]) for c in chars]]
            items.append(item)
        return items

    def _detect(self, img: np.ndarray) -> list:
        out = self.engine(img, use_det=True, use_cls=False, use_rec=False)
        return [] if out.boxes is None else np.asarray(out.boxes).tolist()

    def _recognise_crops(self, crops: list) -> list[tuple[str, float]]:
        from rapidocr.ch_ppocr_rec import TextRecInput

        out = self.engine._load_rec_model()(TextRecInput(img=list(crops)))
        return [(text, float(score)) for text, score in zip(out.txts or (), out.scores)]

    def _classify(self, crops: list) -> list[tuple[str, float]]:
        if not crops:
            return []
        out = self.engine._load_cls_model()(list(crops))
        return [(label, float(score)) for label, score in out.cls_res or ()]
