"""A Document's amount cells by JSON pointer (schemas/pointer.py): shared by the scorer, checker, renderer tests."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from .common import KEY_FIELDS
from .document import Document
from .pointer import walk
from .tables import TABLE_TITLES


def amount_cells(doc: Document, include_blank: bool = False) -> Iterator[tuple[str, Decimal | None]]:
    """Every money cell of the eleven tables as (json pointer, value).

    Skips blank cells unless include_blank; page lists and flags are not cells.
    """
    for key in TABLE_TITLES:
        table = getattr(doc.tables, key)
        for section in ("income", "rows", "total", "extra"):
            if not hasattr(table, section):
                continue
            for pointer, value in walk(getattr(table, section), f"/tables/{key}/{section}"):
                if isinstance(value, Decimal) or (value is None and include_blank and _is_money(pointer)):
                    yield pointer, value


def _is_money(pointer: str) -> bool:
    leaf = pointer.rsplit("/", 1)[-1]
    return leaf not in KEY_FIELDS
