"""Recognise a page's many short text crops as a few packed lines.

The PP-OCR recogniser reads a crop resized to 48 px high and padded to at least 320 px wide (its
training shape), and its cost grows with the padded width. A table page is mostly short crops (an
amount, a code: 60-120 px at that height), so most of each input was padding: the recogniser
spent ~3 times the work the text needed. Packed side by side in reading order, with a white gap
between them, several crops fill one 320 px line, which reads like the table row it came from
(what the model was trained on); each character is given back to the crop under its column.
Crops wider than a line are read alone, each followed by a gap of white.

Opt-in (``--ocr rapidocr-packed``): on the eval set's four scans it took 3.6 CPU s/page instead
of 4.4 (both on OpenVINO) but read 97.06% of cells instead of 98.61%: in a packed line a
lone digit ("8", "1") was sometimes not read at all, a number could lose its first digit ("221"
as "21").
"""

from __future__ import annotations

import math
import time

import numpy as np

LINE_WIDTH = 320  # the recogniser's training width: a packed line is exactly one input
GAP = 32  # white between packed crops (4 of the recogniser's 8 px columns): read as a space
BATCH = 1  # lines per run: on one CPU thread a larger batch was slower per line


class PackedRecognizer:
    """Drop-in for RapidOCR 1.4's ``TextRecognizer``: same call, same answers' shape."""

    def __init__(self, rec, line_width: int = LINE_WIDTH, gap: int = GAP, batch: int = BATCH):
        self.rec = rec
        self.line_width, self.gap, self.batch = line_width, gap, batch
        self.height = rec.rec_image_shape[1]

    def __call__(self, img_list, return_word_box: bool = False):
        import cv2

        start = time.perf_counter()
        if isinstance(img_list, np.ndarray):
            img_list = [img_list]
        results: list = [None] * len(img_list)
        norm: dict[int, np.ndarray] = {}
        wide = []
        for i, img in enumerate(img_list):
            h, w = img.shape[:2]
            width = max(1, int(math.ceil(self.height * w / max(h, 1))))
            if width > self.line_width:
                wide.append(i)
                continue
            resized = cv2.resize(img, (width, self.height)).astype(np.float32)
            norm[i] = resized.transpose(2, 0, 1) / 127.5 - 1.0
        for i in wide:
            # Alone, with a gap's white after it: the engine batched these by width, padded to
            # the batch's widest, which cost half as much again and read no better.
            results[i] = self._alone(img_list[i], return_word_box)
        lines = self._pack(norm)
        for first in range(0, len(lines), self.batch):
            group = lines[first:first + self.batch]
            batch = np.zeros((len(group), 3, self.height, self.line_width), np.float32)
            for b, line in enumerate(group):
                end = line[-1][1] + norm[line[-1][0]].shape[2]
                batch[b, :, :, :end] = 1.0  # white between the crops; grey after, as trained
                for i, x in line:
                    batch[b, :, :, x:x + norm[i].shape[2]] = norm[i]
            preds = self.rec.session(batch)[0]
            for b, line in enumerate(group):
                for i, res in self._split(preds[b], line, norm, return_word_box):
                    results[i] = res
        return results, time.perf_counter() - start

    def _alone(self, img: np.ndarray, return_word_box: bool):
        import cv2

        h, w = img.shape[:2]
        width = int(math.ceil(self.height * w / max(h, 1)))
        line = np.zeros((1, 3, self.height, -(-(width + self.gap) // 8) * 8), np.float32)
        line[:, :, :, :width + self.gap] = 1.0
        resized = cv2.resize(img, (width, self.height)).astype(np.float32)
        line[0, :, :, :width] = resized.transpose(2, 0, 1) / 127.5 - 1.0
        pred = self.rec.session(line)[0]
        ratio = width / line.shape[3]  # the share of the line the crop fills (for its boxes)
        return self.rec.postprocess_op(pred, return_word_box, wh_ratio_list=[ratio], max_wh_ratio=1.0)[0]

    def _pack(self, norm: dict[int, np.ndarray]) -> list[list[tuple[int, int]]]:
        """Crops in their given (reading) order, filled greedily into lines: (index, x)."""
        lines: list[list[tuple[int, int]]] = []
        x = 0
        for i, arr in norm.items():
            w = arr.shape[2]
            if lines and x + self.gap + w <= self.line_width:
                lines[-1].append((i, x + self.gap))
                x += self.gap + w
            else:
                lines.append([(i, 0)])
                x = w
        return lines

    def _split(self, pred: np.ndarray, line, norm, return_word_box: bool):
        """CTC-decode one line (as the engine does) and give each character to its crop."""
        decoder = self.rec.postprocess_op
        idx, prob = pred.argmax(axis=1), pred.max(axis=1)
        cols = len(idx)
        per_col = self.line_width / cols
        keep = np.ones(cols, dtype=bool)
        keep[1:] = idx[1:] != idx[:-1]
        for token in decoder.get_ignored_tokens():
            keep &= idx != token
        spans = [(i, x, x + norm[i].shape[2]) for i, x in line]
        chars: dict[int, list[int]] = {i: [] for i, _ in line}
        for t in np.flatnonzero(keep):
            centre = (t + 0.5) * per_col
            i, x0, x1 = min(spans, key=lambda s: 0 if s[1] <= centre < s[2]
                            else min(abs(centre - s[1]), abs(centre - s[2])))
            inside = x0 - self.gap / 2 <= centre < x1 + self.gap / 2
            if inside or decoder.character[idx[t]] != " ":
                chars[i].append(int(t))
        for i, x0, x1 in spans:
            picked = chars[i]
            while picked and decoder.character[idx[picked[0]]] == " ":
                picked.pop(0)
            while picked and decoder.character[idx[picked[-1]]] == " ":
                picked.pop()
            text = "".join(decoder.character[idx[t]] for t in picked)
            conf = [float(prob[t]) for t in picked]
            score = float(np.mean(conf)) if conf else 0.0
            if not return_word_box:
                yield i, (text, score)
                continue
            selection = np.zeros(cols, dtype=bool)
            selection[picked] = True
            words, word_cols, states = decoder.get_word_info(text, selection) if text else ([], [], [])
            offset = x0 / per_col  # the crop's first column in the line
            word_cols = [[c - offset for c in wc] for wc in word_cols]
            yield i, (text, score, [(x1 - x0) / per_col, words, word_cols, states, conf or [0.0]])
