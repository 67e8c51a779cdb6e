"""Tables the contract has no slot for, kept as printed: title, number, unit, header rows, body cells.

Also the table facts every reader shares: the money unit a table states ("单位：元") and the
printed title with its number.
"""

from __future__ import annotations

import re

from .grid import Grid
from .locate import Region, clean
from .provenance import Where, note
from .read_tables import header_split

_UNIT = re.compile(r"(?:金额)?单位[:：]?(万元|元)")


def region_unit(region: Region) -> str | None:
    """The money unit the table states above or inside its grid, or None when it states none."""
    # Lines are joined first: a renderer may split "单位：万" and "元" into two lines.
    match = _UNIT.search("".join(clean(line) for line in region.lines))
    if match is None:
        for grid in region.grids[:1]:
            for r in range(min(grid.n_rows, 2)):
                match = match or _UNIT.search("".join(clean(grid.text(r, c)) for c in range(grid.n_cols)))
    return match.group(1) if match else None


def printed_title(region: Region) -> str | None:
    """The title as printed, with its number in front when the number was printed apart."""
    title = region.title or None
    if region.number and title and not title.startswith(region.number):
        return f"{region.number} {title}"
    return title or region.number


def _row_texts(grid: Grid, r: int) -> list[str | None]:
    return [clean(grid.text(r, c)) or None for c in range(grid.n_cols)]


def read_generic(region: Region, where: Where | None = None) -> dict:
    """A GenericTable's fields; where gets each non-blank body cell under "rows/<i>/<j>"."""
    header: list[list[str]] = []
    rows: list[list[str | None]] = []
    for grid in region.grids:
        start = header_split(grid)
        head = [[t or "" for t in _row_texts(grid, r)] for r in range(start)]
        if not header:
            header = head
        elif head and head != header[: len(head)]:
            # A continuation grid with a header of its own shape: keep its header lines as rows.
            rows += [list(h) for h in head]
        for r in range(start, grid.n_rows):
            texts = _row_texts(grid, r)
            if not any(texts):
                continue
            for c, text in enumerate(texts):
                if text is not None and grid.cell(r, c).col == c:
                    note(where, f"rows/{len(rows)}/{c}", grid.page, grid.cell(r, c).bbox)
            rows.append(texts)
    return {"title": printed_title(region) or "（无标题表格）", "number": region.number,
            "unit": region_unit(region), "pages": list(region.pages), "header": header, "rows": rows}


def is_blank(table: dict) -> bool:
    """A generic table with no body cell at all (a 目录 entry, a title without its table)."""
    return not any(cell for row in table["rows"] for cell in row)

