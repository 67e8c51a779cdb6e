"""A coded table's 合计 line read under a garbled label, known by the sum it prints.

A fax loses a character's thin strokes: sh11's 合计 read 个计, so t2's and t3's totals became rows
of their own named 个计 and each table lost its total (5 cells, flagged, but lost). A line read
under a label one character off a total word is the total only when it is the table's first or
last line, has no code, and prints in every column the sum of the table's 类 lines (and nothing
where they sum to nothing): a 小计 or a lone 项 line that lost its code is not taken for it.
"""

from __future__ import annotations

from decimal import Decimal

from .columns import one_char_off

NOT_TOTALS = ("小计",)  # one character off 合计, and a subtotal: never the table's total


def garbled_total(rows: list[dict], money_fields: list[str], words: tuple[str, ...]) -> tuple[int, str] | None:
    """(index, total word) of the line among ``rows`` (each row's values) that is the table's
    total read under a garbled label; None when no line is."""
    classes = [row for row in rows if len(str(row.get("code") or "")) == 3]
    if not classes:
        return None
    sums = {f: sum((row[f] for row in classes if isinstance(row.get(f), Decimal)), Decimal(0)) for f in money_fields}
    for i in sorted({0, len(rows) - 1}):  # the first line, then the last
        row = rows[i]
        name = str(row.get("name") or "")
        word = next((w for w in words if len(name) == len(w) and one_char_off(name, (w,))), None)
        if row.get("code") or word is None or name in NOT_TOTALS:
            continue
        printed = {f: row.get(f) for f in money_fields}
        if any(isinstance(v, Decimal) and v != 0 for v in printed.values()) and all(
                (v if isinstance(v, Decimal) else Decimal(0)) == sums[f] for f, v in printed.items()):
            return i, word
    return None
