"""Which OCR characters are Chinese: the test the scan steps share (seals, show-through,
orientation, second looks), over the CJK Unified Ideographs block the recogniser reads."""

from __future__ import annotations


def is_han(char: str) -> bool:
    """A Chinese character (CJK Unified Ideographs, U+4E00-U+9FFF)."""
    return "\u4e00" <= char <= "\u9fff"


def all_han(text: str) -> bool:
    """Every character of ``text`` Chinese (True for no characters, as ``all``)."""
    return all(is_han(c) for c in text)


def count_han(text: str) -> int:
    """How many of ``text``'s characters are Chinese."""
    return sum(is_han(c) for c in text)
