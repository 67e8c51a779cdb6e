"""Tables read from a scan that no identity could check: rows may be lost without a trace.

A scan read so badly that no total, no subtotal and no hierarchy of a table was read (a fax's
dithered page, a blurred one) leaves its rows unverifiable: a row OCR lost breaks nothing, so
nothing tells the user it is gone. Such a table gets a warning; a born-digital table (its text
layer read as printed) and a table some identity checked do not.
"""

from __future__ import annotations

from collections.abc import Iterable

from schemas import Document, Finding
from schemas.tables import TABLE_TITLES

from .core import Outcome, rule

UNCHECKED = rule("complete.table_unchecked", "扫描读出的表格没有一项可核对的合计或层级关系（可能漏行）",
                 "a table read by OCR that no identity could check (rows may be lost)", severity="warning")


def unchecked_tables(doc: Document, outcomes: Iterable[Outcome], ocr_pages: set[int]) -> list[Finding]:
    """A warning for every table with rows, read from OCR'd pages only, that no evaluated identity reads."""
    checked = {t for outcome in outcomes for t in outcome.identity.tables}
    scanned: list[tuple[str, str, list[int]]] = []
    for key, title in TABLE_TITLES.items():
        table = getattr(doc.tables, key)
        if table.present and table.rows:
            scanned.append((key, f"表{key[1:]} {title}", table.pages))
    for g, table in enumerate(doc.generic_tables):
        if table.rows:
            scanned.append((f"g{g + 1}", table.title or f"g{g + 1}", table.pages))
    out = []
    for key, name, pages in scanned:
        if key in checked or not pages or not set(pages) <= ocr_pages:
            continue
        location = f"/tables/{key}" if key.startswith("t") else f"/generic_tables/{int(key[1:]) - 1}"
        out.append(Finding(rule=UNCHECKED, severity="warning", tables=[key], locations=[location],
                           message=f"{name}：扫描读出的行没有一项合计或层级可核对，可能漏行"
                                   f" / no sum of this scanned table could be checked: rows may be lost",
                           cause="extraction"))
    return out
