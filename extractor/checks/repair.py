"""Single-cell corrections: the values a misread cell may really hold.

An OCR or text-layer slip changes one printed number in a few typical ways. Each kind is named
after what went wrong in the reading, and the candidate undoes it:
digit_swap (one digit misread), digit_drop (a digit lost: insert one), digit_dup (a digit read
twice: drop one of the pair), digit_extra (a stray digit: drop it), transposition (two
neighbouring digits swapped), decimal_shift (the point moved or lost), split (a number broken in
two, "1971.5 9": the rest landed in the next cell).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from decimal import Decimal, InvalidOperation

# Preference when two kinds explain the failure equally well: commoner slips first.
KIND_RANK = {"digit_swap": 0, "transposition": 1, "digit_drop": 2, "digit_dup": 3, "decimal_shift": 4,
             "split": 5, "digit_extra": 6}
DIGITS = "0123456789"
CENT = Decimal("0.01")


def printed_forms(value: Decimal) -> list[str]:
    """The value as text, and in the two-decimal form it is normally printed in ("3.8" → "3.80")."""
    plain = format(value, "f")
    forms = [plain]
    if value == value.quantize(CENT):
        cents = format(value.quantize(CENT), "f")
        if cents != plain:
            forms.append(cents)
    return forms


def _parse(text: str) -> Decimal | None:
    if not text or text == "." or text.count(".") > 1:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() and value >= 0 else None


def _edits(text: str) -> Iterator[tuple[str, str]]:
    """Every one-slip edit of a printed number, with the kind of slip it undoes."""
    n = len(text)
    for i, char in enumerate(text):
        if char not in DIGITS:
            continue
        for digit in DIGITS:
            if digit != char:
                yield text[:i] + digit + text[i + 1:], "digit_swap"
        doubled = (i > 0 and text[i - 1] == char) or (i + 1 < n and text[i + 1] == char)
        yield text[:i] + text[i + 1:], "digit_dup" if doubled else "digit_extra"
        if i + 1 < n and text[i + 1] in DIGITS and text[i + 1] != char:
            yield text[:i] + text[i + 1] + char + text[i + 2:], "transposition"
    for i in range(n + 1):
        for digit in DIGITS:
            yield text[:i] + digit + text[i:], "digit_drop"


def _shifts(value: Decimal) -> Iterator[Decimal]:
    for power in (1, 2, 3):
        yield value * Decimal(10) ** power
        yield value / Decimal(10) ** power


def candidates(old: Decimal) -> dict[Decimal, str]:
    """Values the cell may really hold, each with the slip that explains the reading.

    Cached by the printed text ("22" and "22.00" are equal Decimals but different readings);
    callers must not modify the returned dict.
    """
    return _candidates(format(old, "f"))


@lru_cache(maxsize=4096)
def _candidates(printed: str, kinds: frozenset[str] | None = None) -> dict[Decimal, str]:
    old = Decimal(printed)
    out: dict[Decimal, str] = {}

    def add(value: Decimal | None, kind: str) -> None:
        # Amounts are printed to the cent at most: a third decimal is never a reading.
        if value is None or value == old or value != value.quantize(CENT):
            return
        if kinds is not None and kind not in kinds:
            return
        # Decimal("1.5") and Decimal("1.50") are one key: the first spelling is kept.
        if value not in out or KIND_RANK[kind] < KIND_RANK[out[value]]:
            out[value] = kind

    for text in printed_forms(old):
        for edited, kind in _edits(text):
            add(_parse(edited), kind)
    for shifted in _shifts(old):
        add(shifted, "decimal_shift")
    return out


def readings(old: Decimal, kinds: frozenset[str]) -> dict[Decimal, str]:
    """Like ``candidates``, restricted to some kinds of slip (each value keeps its best such kind)."""
    return _candidates(format(old, "f"), kinds)


def split_candidates(old: Decimal, neighbour: Decimal) -> list[Decimal]:
    """Join a cell with the digits that spilled into the next cell ("1971.5" + "9" → 1971.59)."""
    head, tail = format(old, "f"), format(neighbour, "f")
    if "." in tail or not tail.isdigit():
        return []
    joined = [head + tail] if "." in head else [head + tail, head + "." + tail]
    return [v for v in (_parse(text) for text in joined) if v is not None and v != old]
