"""The subject-code hierarchy of a table's rows: who is whose parent.

Rows are in printed order. A 部门 document groups rows under a unit line (a row with no code and
no project name, e.g. "库尔勒市朝阳街道办事处"); codes repeat from one unit to the next, so parents
are looked up inside the unit's group. A 款 row's parent is its 类 row, a 项 row's its 款 row,
and when a level is not printed the nearest printed ancestor takes its place. In t7 a project
row's parent is the 项 subtotal line of the same code when one is printed.

A row printed with no amount at all is a heading, not a subtotal: it is left out of the sums
and its children count toward the next printed ancestor (or the 合计).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from schemas.common import KEY_FIELDS


def is_project(row: Any) -> bool:
    """A t7 row that names a project (not a subtotal line of the hierarchy)."""
    return getattr(row, "project_name", None) is not None


def is_heading(row: Any) -> bool:
    """A row with a label but no amount in any column."""
    return all(value is None for name, value in row
               if name not in KEY_FIELDS) and \
        not any(v is not None for v in (getattr(row, "extra", None) or {}).values())


def is_unit_line(row: Any) -> bool:
    """A group header of a 部门 table: no code, no project, but a name."""
    return (getattr(row, "code", "absent") is None and not is_project(row)
            and bool(getattr(row, "name", None)))


@dataclass
class Tree:
    """Parents and children of a coded table's rows (indices into ``rows``)."""

    parent: dict[int, int | None]
    group: dict[int, int | None]  # row -> its unit line (None when the table has none)
    headings: frozenset[int] = frozenset()

    def children(self, index: int) -> list[int]:
        return [i for i, p in self.parent.items() if p == index and i not in self.headings]

    def top(self) -> list[int]:
        """Rows with no printed parent: what the 合计 row adds up."""
        return [i for i, p in self.parent.items() if p is None and i not in self.headings]


def build_tree(rows: Sequence[Any]) -> Tree:
    """Link every row to its nearest printed ancestor within its unit group."""
    group: dict[int, int | None] = {}
    header: int | None = None
    for i, row in enumerate(rows):
        if is_unit_line(row):
            header = i
            group[i] = None
        else:
            group[i] = header
    headings = frozenset(i for i, row in enumerate(rows) if is_heading(row))
    by_code: dict[tuple[int | None, str], list[int]] = {}
    for i, row in enumerate(rows):
        code = getattr(row, "code", None)
        if code and not is_project(row) and not is_unit_line(row) and i not in headings:
            by_code.setdefault((group[i], code), []).append(i)
    parent: dict[int, int | None] = {}
    for i, row in enumerate(rows):
        if is_unit_line(row):
            parent[i] = None
            continue
        unit = group[i]
        parent[i] = unit if unit is not None and unit not in headings else None
        for code in _ancestor_codes(row):
            found = by_code.get((group[i], code))
            if found:
                parent[i] = _nearest(found, i)
                break
    return Tree(parent=parent, group=group, headings=headings)


def _ancestor_codes(row: Any) -> list[str]:
    code = getattr(row, "code", None)
    if not code:
        return []
    own = [code] if is_project(row) else []  # a project sits under the 项 line of its own code
    return own + [code[:n] for n in (5, 3) if n < len(code)]


def _nearest(candidates: list[int], index: int) -> int:
    # The parent normally precedes its children; a miscoded row may sit before it.
    before = [c for c in candidates if c < index]
    return before[-1] if before else candidates[0]


def class_rows(rows: Sequence[Any], tree: Tree, prefix: str) -> list[int]:
    """The rows that together stand for code ``prefix`` (a 类 or a 项) in every unit group.

    The row printed with that code when there is one; otherwise the highest printed rows
    below it (a table that prints only 项 rows still adds up to its 类).
    """
    out: list[int] = []
    for i, row in enumerate(rows):
        code = getattr(row, "code", None)
        if not code or not code.startswith(prefix) or i in tree.headings:
            continue
        p = tree.parent[i]
        parent_code = getattr(rows[p], "code", None) if p is not None else None
        if parent_code and parent_code.startswith(prefix):
            continue  # counted through its parent
        out.append(i)
    return out
