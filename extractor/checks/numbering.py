"""Tables a document numbers but that were not read: a gap in its printed table numbers.

A set printed 公开表一 … 十二 that reads 一–五 and 七–十二 has lost 公开表六: its title and number
under a stain, or its page unreadable. A table the family does not name is kept as printed and no
rule knows it should be there; its number does. Numbers past the last one read count only where
the family says how many it prints (``numbered`` in its template).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from schemas import Finding
from schemas.tables import TABLE_TITLES

from ..locate import printed_number
from ..numerals import chinese, numeral
from .core import Context, rule

NUMBER_MISSING = rule("complete.number_missing", "表号有缺：编号之间的表格未读出",
                      "a table the numbering runs through was not read", severity="warning")
# 公开表五, 公开05表, 表5, 附表5: what comes before the numeral, the numeral, what comes after.
_FORM = re.compile(r"^(公开表|附表|表|公开)([0-9]+|[一二三四五六七八九十]+)(表?)$")


def numbering_rules(ctx: Context) -> Iterator[Finding]:
    """One finding naming the numbers a series skips (the labels as the document prints them)."""
    series: dict[tuple[str, str, bool], set[int]] = {}
    padded: dict[tuple[str, str, bool], int] = {}  # 公开05表: digits padded to a width
    for number in table_numbers(ctx):
        m = _FORM.match(number)
        digits = bool(m) and m.group(2).isdigit()
        value = m and (int(m.group(2)) if digits else numeral(m.group(2)))
        if m and value:
            key = (m.group(1), m.group(3), digits)
            series.setdefault(key, set()).add(value)
            if digits and m.group(2).startswith("0"):
                padded[key] = max(padded.get(key, 0), len(m.group(2)))
    if not series:
        return
    key, values = max(series.items(), key=lambda kv: len(kv[1]))
    if len(values) < 2:  # one number is no series
        return
    family = ctx.template()
    top = max(max(values), family.numbered if family else 0)
    head, tail, digits = key
    labels = [head + (str(n).zfill(padded.get(key, 0)) if digits else chinese(n)) + tail
              for n in range(1, top + 1) if n not in values]
    if labels:
        yield Finding(rule=NUMBER_MISSING, severity="warning", tables=labels,
                      message=f"{'、'.join(labels)} 未读出（表号有缺） / tables numbered {', '.join(labels)} "
                              "were not read")


def table_numbers(ctx: Context) -> list[str]:
    """The printed numbers of the tables read: in the titles of the contract's tables, and the
    numbers of the tables kept as printed."""
    numbers = [printed_number(t.title or "") for key in TABLE_TITLES if (t := ctx.table(key)).present]
    numbers += [g.number for g in ctx.doc.generic_tables]
    return [n for n in numbers if n]
