"""What the scorer's parts share: label normalisation, cell counts and their comparison."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from rapidfuzz import fuzz

FUZZY_MIN = 85.0


def norm_text(text: str | None) -> str:
    """Compare form of a label: NFKC, no whitespace, unified brackets."""
    if text is None:
        return ""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"\s+", "", text).replace("“", '"').replace("”", '"')


@dataclass
class Counts:
    correct: int = 0
    wrong: int = 0
    missing: int = 0
    extra: int = 0

    def add(self, other: "Counts") -> None:
        self.correct += other.correct
        self.wrong += other.wrong
        self.missing += other.missing
        self.extra += other.extra

    def metrics(self) -> dict:
        tp, fp, fn = self.correct, self.wrong + self.extra, self.wrong + self.missing
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        union = tp + self.wrong + self.missing + self.extra
        return {
            "cell_precision": round(precision, 6), "cell_recall": round(recall, 6), "cell_f1": round(f1, 6),
            "cell_exact": round(tp / union, 6) if union else 1.0,
            "correct": tp, "wrong": self.wrong, "missing": self.missing, "extra": self.extra,
        }


def _compare(g: Decimal | None, p: Decimal | None) -> str | None:
    if g is None and p is None:
        return None
    if g is None:
        return "extra"
    if p is None:
        return "missing"
    return "correct" if g == p else "wrong"


def text_similarity(a: str | None, b: str | None) -> float:
    if not a and not b:
        return 1.0
    return fuzz.ratio(norm_text(a), norm_text(b)) / 100.0
