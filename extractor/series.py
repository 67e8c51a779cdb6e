"""Table numbers a scan misread, mended from the series the document prints them in.

A set numbered 公开表一 … 十二 prints its tables in that order. A fax loses a numeral's thin strokes:
五 reads 丘, 十二 reads 十, 六 is not read at all. Where the numbers read on either side of a run of
tables leave exactly as many numbers as there are tables between them (四 … ? ? … 七), each of
those tables on a scanned page takes its place in the series. Past the last number read, the
family's ``numbered`` count bounds the series the same way. A text layer's number is what the
file prints and is never changed; a count that does not match changes nothing.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from itertools import pairwise

from .numerals import chinese, numeral

# 公开表五, 公开05表, 表5, 附表5: what comes before the numeral, the numeral, what comes after.
FORM = re.compile(r"^(公开表|附表|表|公开)([0-9]+|[一二三四五六七八九十]+)(表?)$")


@dataclass(frozen=True)
class Series:
    """One way of printing a table number: 公开表 + Chinese numeral, 公开 + 05 + 表 …"""

    head: str
    tail: str
    digits: bool
    width: int = field(default=0, compare=False)  # digits padded to this width (公开05表); 公开10表 is one series with it

    def label(self, n: int) -> str:
        """The number n as this series prints it."""
        return self.head + (str(n).zfill(self.width) if self.digits else chinese(n)) + self.tail


def parse(number: str | None) -> tuple[Series, int] | None:
    """The series a printed table number belongs to and its value, or None (公开表丘: no numeral)."""
    m = FORM.match(number or "")
    if not m:
        return None
    digits = m.group(2).isdigit()
    value = int(m.group(2)) if digits else numeral(m.group(2))
    if not value:
        return None
    width = len(m.group(2)) if digits and m.group(2).startswith("0") else 0
    return Series(m.group(1), m.group(3), digits, width), value


def dominant(numbers: list[str | None]) -> tuple[Series, set[int]] | None:
    """The series most numbers read belong to (padded as widely as any of them), with their values."""
    parsed = [p for p in map(parse, numbers) if p]
    if not parsed:
        return None
    kind = Counter(p[0] for p in set(parsed)).most_common(1)[0][0]  # by the distinct numbers read
    width = max(p[0].width for p in parsed if p[0] == kind)
    return replace(kind, width=width), {p[1] for p in parsed if p[0] == kind}


def mend_numbers(numbers: list[str | None], scanned: list[bool], numbered: int = 0) -> list[str | None]:
    """The tables' numbers in document order, those of scanned tables that the series fixes mended.

    ``scanned``: whether each table was read by OCR (only those change); ``numbered``: how many
    tables the family numbers in one series (0: not known, then nothing past the last number read).
    """
    found = dominant(numbers)
    if found is None:
        return list(numbers)
    series = found[0]
    values = [p[1] if p and p[0] == series else None for p in map(parse, numbers)]
    anchors = _rising(values)
    out = list(numbers)
    bounds = [(-1, 0), *anchors, (len(numbers), numbered + 1 if numbered else None)]
    for (i, a), (j, b) in pairwise(bounds):
        if b is None or b - a - 1 != j - i - 1:
            continue  # as many numbers left as tables between, or the series does not say which
        for k in range(i + 1, j):
            if scanned[k]:
                out[k] = series.label(a + k - i)
    return out


def _rising(values: list[int | None]) -> list[tuple[int, int]]:
    """(index, value) of the longest run of numbers read that rises with the tables' order: a
    number out of it (十二 read 十 after the 十 before it) is a misreading, not an anchor."""
    best: list[list[tuple[int, int]]] = []
    for i, v in enumerate(values):
        if v is None:
            continue
        chains = [c for c in best if c[-1][1] < v]
        best.append([*max(chains, key=len, default=[]), (i, v)])
    return max(best, key=len, default=[])
