"""JSON pointers (RFC 6901) over a Document: its models, lists and dicts, or the same as plain data.

One walker for every module that names a value by pointer (the checker, provenance, the LLM's
answers by reference, the scorer and exports). Keys are escaped as RFC 6901 says ("~" → "~0",
"/" → "~1"): an ``extra`` map is keyed by printed labels. A leading "/" is optional, as in the
relative pointers readers record ("rows/3/total").
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

_MISSING = object()


class PointerError(LookupError):
    """A pointer that names no value of its root (or, when assigning, no place for one)."""


def escape(key: Any) -> str:
    """One reference token: "~" and "/" escaped."""
    return str(key).replace("~", "~0").replace("/", "~1")


def unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def join(*keys: Any) -> str:
    """A pointer from keys and indexes, each escaped: join("tables", "t3", "extra", "a/b") → "/tables/t3/extra/a~1b"."""
    return "".join("/" + escape(k) for k in keys)


def split(pointer: str) -> list[str]:
    """The unescaped reference tokens of a pointer ("" and "/" name the root)."""
    body = pointer.strip("/")
    return [unescape(t) for t in body.split("/")] if body else []


def _step(obj: Any, token: str) -> Any:
    if isinstance(obj, list):
        if not token.isdigit():
            return _MISSING
        index = int(token)
        return obj[index] if index < len(obj) else _MISSING
    if isinstance(obj, dict):
        return obj.get(token, _MISSING)
    if isinstance(obj, BaseModel):
        return getattr(obj, token, _MISSING)
    return _MISSING


def _walk_to(root: Any, tokens: list[str]) -> Any:
    obj = root
    for token in tokens:
        if obj is None:
            return _MISSING
        obj = _step(obj, token)
        if obj is _MISSING:
            return _MISSING
    return obj


def resolve(root: Any, pointer: str, default: Any = None) -> Any:
    """The value the pointer names, or default when a step is missing (an absent total row, a short list)."""
    found = _walk_to(root, split(pointer))
    return default if found is _MISSING else found


def exists(root: Any, pointer: str) -> bool:
    """True when every step of the pointer is there (the value itself may be None)."""
    return _walk_to(root, split(pointer)) is not _MISSING


def lookup(root: Any, pointer: str) -> Any:
    """The value the pointer names; PointerError when a step is missing."""
    found = _walk_to(root, split(pointer))
    if found is _MISSING:
        raise PointerError(f"{pointer!r} names no value")
    return found


def assign(root: Any, pointer: str, value: Any, create: bool = False) -> None:
    """Set the value the pointer names (validated on assignment for models).

    With create, missing dict keys on the way are made (a list where the next token is an
    index, else a dict); a list index past the end is never made.
    """
    tokens = split(pointer)
    if not tokens:
        raise PointerError("an empty pointer names the root, which cannot be assigned")
    obj = root
    for i, token in enumerate(tokens[:-1]):
        nxt = _step(obj, token)
        if nxt is _MISSING or nxt is None:
            if not (create and isinstance(obj, dict)):
                what = f"row {token}, past the rows given" if isinstance(obj, list) else f"no {token!r}"
                raise PointerError(f"{pointer!r} names {what}")
            nxt = obj[token] = [] if tokens[i + 1].isdigit() else {}
        obj = nxt
    leaf = tokens[-1]
    if isinstance(obj, list):
        if not leaf.isdigit() or int(leaf) >= len(obj):
            raise PointerError(f"{pointer!r} ends in a list")
        obj[int(leaf)] = value
    elif isinstance(obj, dict):
        obj[leaf] = value
    elif isinstance(obj, BaseModel):
        setattr(obj, leaf, value)
    else:
        raise PointerError(f"{pointer!r}: {type(obj).__name__} holds no {leaf!r}")


def walk(obj: Any, base: str = "") -> Iterator[tuple[str, Any]]:
    """Every leaf under obj as (pointer, value): model fields, list items and dict entries in order."""
    if isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            yield from walk(getattr(obj, name), f"{base}/{name}")
    elif isinstance(obj, list):
        for i, item in enumerate(obj):
            yield from walk(item, f"{base}/{i}")
    elif isinstance(obj, dict):  # an extra map: printed amounts by their printed label
        for key, item in obj.items():
            yield from walk(item, f"{base}/{escape(key)}")
    else:
        yield base, obj
