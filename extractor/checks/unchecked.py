"""Tables read from a scan that no identity could check: rows may be lost without a trace.

A scan read so badly that no total, no subtotal and no hierarchy of a table was read (a fax's
dithered page, a blurred one) leaves its rows unverifiable: a row OCR lost breaks nothing, so
nothing tells the user it is gone. Such a table gets a warning; a born-digital table (its text
layer read as printed) and a table some identity checked within itself do not. An identity with
another table checks one figure, not the table's lines: a table read to one figure that another
table repeats (its total and every line lost) is still unchecked. A table found on a scan that
read no figure at all, and prints no note that it is empty, is reported too: a blank printed table
and one whose every figure was lost look alike to the reader.
"""

from __future__ import annotations

from collections.abc import Iterable

from schemas import Document, Finding
from schemas.cells import amount_cells
from schemas.tables import TABLE_TITLES

from .core import Identity, Outcome, rule

UNCHECKED = rule("complete.table_unchecked", "扫描读出的表格没有一项可核对的合计或层级关系（可能漏行）",
                 "a table read by OCR that no identity could check (rows may be lost)", severity="warning")
UNREAD = rule("complete.table_unread", "扫描页上找到的表格未读出任何数字（空表或漏读）",
              "a table found on a scanned page with no figure read and no note that it is empty", severity="warning")


def unchecked_tables(doc: Document, outcomes: Iterable[Outcome], ocr_pages: set[int]) -> list[Finding]:
    """A warning for every table with amounts, read from OCR'd pages only, that no evaluated
    identity reads two of the table's own cells in, and for every such table read to no amount."""
    outcomes = list(outcomes)
    printed = {pointer.split("/")[2] for pointer, value in amount_cells(doc) if value is not None}
    scanned: list[tuple[str, str, str]] = []  # tables with figures, on OCR'd pages only
    out = []
    for key, title in TABLE_TITLES.items():
        table = getattr(doc.tables, key)
        if not (table.present and table.pages and set(table.pages) <= ocr_pages):
            continue
        if key in printed:  # any figure: t4's lines may be extras, not rows
            scanned.append((key, f"/tables/{key}", f"表{key[1:]} {title}"))
        elif not table.empty_note:
            out.append(Finding(rule=UNREAD, severity="warning", tables=[key], locations=[f"/tables/{key}"],
                               message=f"表{key[1:]} {title}：扫描页上未读出任何数字，空表或漏读"
                                       f" / no figure read from this scanned table: printed empty, or lost",
                               cause="extraction"))
    for g, table in enumerate(doc.generic_tables):
        if table.rows and table.pages and set(table.pages) <= ocr_pages:
            scanned.append((f"g{g + 1}", f"/generic_tables/{g}", table.title or f"g{g + 1}"))
    for key, location, name in scanned:
        if any(_within(outcome.identity, location) for outcome in outcomes):
            continue
        out.append(Finding(rule=UNCHECKED, severity="warning", tables=[key], locations=[location],
                           message=f"{name}：扫描读出的行没有一项合计或层级可核对，可能漏行"
                                   f" / no sum of this scanned table could be checked: rows may be lost",
                           cause="extraction"))
    return out


def _within(identity: Identity, location: str) -> bool:
    """Whether an identity reads two cells or more of one table (a sum within it)."""
    cells = [identity.lhs, *identity.rhs, *identity.lhs_more]
    return sum(1 for c in cells if c and c.startswith(location + "/")) >= 2
