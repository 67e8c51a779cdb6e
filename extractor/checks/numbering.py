"""Tables a document numbers but that were not read: a gap in its printed table numbers.

A set printed 公开表一 … 十二 that reads 一–五 and 七–十二 has lost 公开表六: its title and number
under a stain, or its page unreadable. A table the family does not name is kept as printed and no
rule knows it should be there; its number does. Numbers past the last one read count only where
the family says how many it prints (``numbered`` in its template).
"""

from __future__ import annotations

from collections.abc import Iterator

from schemas import Finding
from schemas.tables import TABLE_TITLES

from ..locate import printed_number
from ..series import dominant
from .core import Context, rule

NUMBER_MISSING = rule("complete.number_missing", "表号有缺：编号之间的表格未读出",
                      "a table the numbering runs through was not read", severity="warning")


def numbering_rules(ctx: Context) -> Iterator[Finding]:
    """One finding naming the numbers a series skips (the labels as the document prints them)."""
    found = dominant(table_numbers(ctx))
    if found is None:
        return
    kind, values = found
    if len(values) < 2:  # one number is no series
        return
    family = ctx.template()
    top = max(max(values), family.numbered if family else 0)
    labels = [kind.label(n) for n in range(1, top + 1) if n not in values]
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
