"""Second looks at OCR (extractor/ocr_mend.py) next to a cell's rule: synthetic pages, no OCR."""

from __future__ import annotations

import cv2
import numpy as np

from extractor.ocr_mend import read_unread_ink


def _has_rule(crop: np.ndarray) -> bool:
    """A column of the crop dark from top to bottom: the rule came with the mark."""
    grey = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY) if crop.ndim == 3 else crop
    return bool(((grey < 128).mean(axis=0) > 0.9).any())


def test_a_lone_zero_beside_its_cells_rule_is_read_without_the_rule():
    # sh09's 三公 table: the 0 of 因公出国（境）费 printed right against the cell's rule. Cropped with
    # the rule, the recogniser read nothing; the cell stayed blank, and a blank adds 0 (silent).
    img = np.full((300, 600, 3), 255, np.uint8)
    result = []
    for k in range(6):
        y = 20 + 40 * k
        cv2.putText(img, "183.60", (40, y + 17), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (0, 0, 0), 2)
        result.append([[(38, y), (110, y), (110, y + 20), (38, y + 20)], "183.60", 0.99])
    cv2.line(img, (318, 0), (318, 299), (0, 0, 0), 2)  # the cell's rule, the page's height
    cv2.putText(img, "0", (302, 77), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (0, 0, 0), 2)

    def recognise(crops):
        return [("", 0.0) if _has_rule(c) else ("0", 0.89) for c in crops]

    out = read_unread_ink(img, result, recognise)
    assert len(out) == 7 and out[-1][1] == "0"

