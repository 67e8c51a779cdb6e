"""Chinese numerals as outlines and table numbers print them: 一 … 九十九."""

from __future__ import annotations

_DIGITS = "一二三四五六七八九"


def numeral(text: str) -> int | None:
    """The value of a Chinese numeral as printed in an outline (一 … 九十九), None for anything else."""
    return _VALUES.get(text)


def chinese(n: int) -> str:
    """n (1–99) as an outline prints it: 一, 十, 十二, 二十, 二十一."""
    tens, units = divmod(n, 10)
    head = "" if tens == 0 else "十" if tens == 1 else _DIGITS[tens - 1] + "十"
    return head + (_DIGITS[units - 1] if units else "")


_VALUES = {chinese(n): n for n in range(1, 100)}
