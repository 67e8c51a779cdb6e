"""Copies of one number: cells the identities say print the same amount.

Two cells are copies when an identity says one equals the other with nothing else printed in it
(表1 收入总计 = 表2 合计, 表3 合计 = 基本支出 where 项目支出 is blank). Copies that agree vouch
for each other against a random misreading, but not against a systematic one: a thin typeface
scanned black and white loses the top stroke of every 5 alike (518.8 read 318.8 in 表1, 表2,
表3 and 表5, right in 表1's 支出总计 and the narrative). Then the wrong value is the majority of
its copies, and only a sum of other figures tells (表3: 基本支出 356.6 + 项目支出 162.2 holds
with 518.8 for 表3's 合计). When those sums are broken too (a black-and-white scan misreads their
parts as well), a value several copies share that no sum of two figures or more confirms is
flagged all the same: copies that disagree leave it unproven.
"""

from __future__ import annotations

from decimal import Decimal

from .core import Values, holds


def copy_groups(outcomes: list, values: Values) -> list[set[str]]:
    """Cells joined by the identities that make them copies (held or failed), two or more a group."""
    parent: dict[str, str] = {}

    def root(p: str) -> str:
        while parent.setdefault(p, p) != p:
            parent[p] = parent[parent[p]]
            p = parent[p]
        return p

    for outcome in outcomes:
        pair = copies_in(outcome.identity, values)
        if pair:
            parent[root(pair[0])] = root(pair[1])
    groups: dict[str, set[str]] = {}
    for p in parent:
        groups.setdefault(root(p), set()).add(p)
    return [g for g in groups.values() if len(g) >= 2]


def copies_in(identity, values: Values) -> tuple[str, str] | None:
    """The two cells of an identity that says one equals the other, else None."""
    if identity.alts or identity.targets or identity.witnesses:
        return None
    left = [p for p in identity.left if values.get(p) is not None]
    right = [p for p in identity.rhs if values.get(p) is not None]
    return (left[0], right[0]) if len(left) == 1 and len(right) == 1 else None


def misread_alike(outcomes: list, values: Values) -> set[str]:
    """Cells whose copies disagree where a failing sum would hold with another copy's value in
    one of them, or where no sum confirms them: every copy reading that one's value (their
    agreeing is no proof then)."""
    failing: dict[str, list] = {}
    summed: set[str] = set()  # printed cells of a sum that holds: a proof copies cannot give
    for outcome in outcomes:
        if copies_in(outcome.identity, values):
            continue
        if not outcome.ok:
            for p in outcome.identity.cells:
                failing.setdefault(p, []).append(outcome.identity)
        elif len([p for p in outcome.identity.rhs if values.get(p)]) >= 2:  # x = y + 0 is a copy
            summed.update(p for p in outcome.identity.cells if values.get(p) is not None)
    out: set[str] = set()
    for group in copy_groups(outcomes, values):
        by_value: dict[Decimal, set[str]] = {}
        for p in group:
            by_value.setdefault(values.get(p), set()).add(p)
        for value, same in by_value.items():
            others = [v for v in by_value if v != value]
            if not others or same <= out:
                continue
            # Copies disagree: a reading several copies share and no sum confirms may be the one
            # misread alike everywhere (a lone copy that disagrees fails its own identity).
            if (len(same) > 1 and not same & summed) or any(_mended(i, p, v, values) for p in same
                                        for i in failing.get(p, ()) for v in others):
                out |= same
    return out


def _mended(identity, pointer: str, value: Decimal, values: Values) -> bool:
    """Whether a failing identity holds with ``pointer`` read as ``value``."""
    values.overrides = {pointer: value}
    try:
        return holds(identity, values)
    finally:
        values.overrides = {}
