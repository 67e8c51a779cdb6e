"""Walk a Document's amount cells by JSON pointer: shared by the scorer, checker, renderer tests."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from .common import KEY_FIELDS
from .document import Document
from .tables import TABLE_TITLES


def _walk(obj: Any, pointer: str) -> Iterator[tuple[str, Any]]:
    if isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            yield from _walk(getattr(obj, name), f"{pointer}/{name}")
    elif isinstance(obj, list):
        for i, item in enumerate(obj):
            yield from _walk(item, f"{pointer}/{i}")
    elif isinstance(obj, dict):  # an extra map: printed amounts by their printed label
        for key, item in obj.items():
            yield from _walk(item, f"{pointer}/{key}")
    else:
        yield pointer, obj


def amount_cells(doc: Document, include_blank: bool = False) -> Iterator[tuple[str, Decimal | None]]:
    """Every money cell of the eleven tables as (json pointer, value).

    Skips blank cells unless include_blank; page lists and flags are not cells.
    """
    for key in TABLE_TITLES:
        table = getattr(doc.tables, key)
        for section in ("income", "rows", "total", "extra"):
            if not hasattr(table, section):
                continue
            for pointer, value in _walk(getattr(table, section), f"/tables/{key}/{section}"):
                if isinstance(value, Decimal) or (value is None and include_blank and _is_money(pointer)):
                    yield pointer, value


def _is_money(pointer: str) -> bool:
    leaf = pointer.rsplit("/", 1)[-1]
    return leaf not in KEY_FIELDS


def get_pointer(root: Any, pointer: str) -> Any:
    """Resolve a JSON pointer against a model or plain data."""
    obj = root
    for part in pointer.strip("/").split("/"):
        if part == "":
            continue
        obj = obj[int(part)] if isinstance(obj, list) else (
            obj[part] if isinstance(obj, dict) else getattr(obj, part))
    return obj


def set_pointer(root: Any, pointer: str, value: Any) -> None:
    """Assign through a JSON pointer (validated on assignment for models)."""
    *parents, leaf = pointer.strip("/").split("/")
    obj = get_pointer(root, "/".join(parents))
    if isinstance(obj, list):
        obj[int(leaf)] = value
    elif isinstance(obj, dict):
        obj[leaf] = value
    else:
        setattr(obj, leaf, value)
