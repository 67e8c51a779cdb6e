"""Column roles a scanned header misread or lost, mended by the columns' order and by the page before.

A header read by OCR loses a word ("人贝经费", a blank cell, 合计 read 个计); the money columns are
printed in the contract's order and a table continued over pages prints the same columns, so a
column the header does not name is placed by its known neighbours or by the earlier header.
"""

from __future__ import annotations

import re

from .columns import EXTRA, is_amount, one_char_off
from .grid import Grid
from .locate import normalise

# Marks and digits between two Chinese characters of a header: specks, no part of its words.
_BETWEEN_HAN = re.compile(r"(?<=[\u4e00-\u9fff])[^\u4e00-\u9fff]{1,2}(?=[\u4e00-\u9fff])")


def fill_blank_headers(roles: list[str | None], money_fields: list[str], grid: Grid, start: int) -> list[str | None]:
    """Place an amount column whose header OCR lost by its neighbours among the known headers.

    The money columns are printed in the contract's order; a run of blank-headed columns holding
    amounts between two known money columns takes the fields that order puts between them, when
    the count agrees (one lost header between 工资福利支出 and 对个人和家庭的补助 is 商品和服务支出).
    """
    order = {f: i for i, f in enumerate(money_fields)}
    roles = list(roles)
    known = [c for c, role in enumerate(roles) if role in order]
    for left, right in zip(known, known[1:]):
        blanks = [c for c in range(left + 1, right) if roles[c] is None]
        if not blanks or any(roles[c] is not None for c in range(left + 1, right)):
            continue
        between = [f for f in money_fields[order[roles[left]] + 1:order[roles[right]]] if f not in roles]
        amounts = [c for c in blanks if any(is_amount(normalise(grid.text(r, c))) for r in range(start, grid.n_rows))]
        if amounts and len(between) == len(blanks):
            for c, name in zip(blanks, between):
                roles[c] = name
    return roles


def mend_misread_headers(roles: list[str | None], grid: Grid, start: int, paths: list[list[str]],
                         money_fields: list[str], rules) -> list[str | None]:
    """Name a money column whose header OCR misread by a character ("人贝经费") by its place.

    Such a column matches no rule and would be kept as an extra. The money columns are printed in
    the contract's order: when exactly one field is missing between the column's known neighbours,
    and the header reads as that field's rule words with one character wrong, or with a speck
    read between two of its characters ("商品和1服务支出": a rule's stub read as 1), it is that
    field. All must hold: the place alone would name a column the family prints beyond the contract, and
    a header OCR read without doubt (or a text layer's) is taken as printed.
    """
    order = {f: i for i, f in enumerate(money_fields)}
    roles = list(roles)
    for c, role in enumerate(roles):
        if not (role and role.startswith(EXTRA)) or not _unsure_header(grid, start, c):
            continue
        left, right = _neighbours(roles, c, order)
        extras_between = [k for k in range(len(roles)) if roles[k] and roles[k].startswith(EXTRA)
                          and left < sum(_neighbours(roles, k, order)) / 2 < right]
        missing = [f for f in money_fields[left + 1:right] if f not in roles]
        if len(missing) != 1 or len(extras_between) != 1:
            continue
        label = normalise("".join(paths[c]))
        bare = _BETWEEN_HAN.sub("", label)
        if any(rule.field == missing[0] and (one_char_off(label, rule.words) or all(w in bare for w in rule.words))
               for rule in rules):
            roles[c] = missing[0]
    return roles


def as_named_before(roles: list[str | None], before: list[str | None] | None) -> list[str | None]:
    """A header printed again on a continuation page, its columns named as the first page named them.

    A fax read sh12's repeated 合计 as 个计 and lost 目 of 功能分类科目编码 over 类 and 款: kept as
    extra columns, the 类 part of every code was taken from the page before (21011 read 20811).
    The same table prints the same columns: where the two headers count as many columns, a
    column this one reads as nothing or as an extra takes the field the earlier header read there,
    unless this header names that field elsewhere.
    """
    if before is None or len(before) != len(roles):
        return roles
    out = list(roles)
    for c, (role, old) in enumerate(zip(roles, before)):
        if (role is None or role.startswith(EXTRA)) and old and not old.startswith(EXTRA) and old not in roles:
            out[c] = old
    return out


def _unsure_header(grid: Grid, start: int, c: int) -> bool:
    """A column's header read by OCR with a doubt: a word of it below 0.99 (a text layer's are 1.0)."""
    return any(w.conf < 0.99 for r in range(start) for w in grid.cells[grid.owner[r][c]].words)


def _neighbours(roles: list[str | None], c: int, order: dict[str, int]) -> tuple[int, int]:
    """Where an unnamed column sits in the contract's order: its known neighbours' places."""
    left = max((order[r] for r in roles[:c] if r in order), default=-1)
    right = min((order[r] for r in roles[c + 1:] if r in order), default=len(order))
    return left, right


def roles_by_position(header: tuple[list[str | None], list[float]] | None, grid: Grid) -> list[str | None] | None:
    """Roles of a continuation grid by where its columns sit under the header grid's columns.

    A scan finds a rule on one page and misses it (or finds a stroke more) on the next, so the
    continued table's columns need not count the same: each column takes the role of the header
    column its middle falls in, both tables measured from their own left and right edges.
    """
    if header is None:
        return None
    roles, edges = header
    width, own = edges[-1] - edges[0], grid.col_edges[-1] - grid.col_edges[0]
    if len(roles) != len(edges) - 1 or width <= 0 or abs(own - width) > 0.1 * width:
        return None  # another table's width: not the same columns
    def scaled(x: float) -> float:
        return edges[0] + (x - grid.col_edges[0]) * width / own

    out: list[str | None] = []
    for c in range(grid.n_cols):
        x0, x1 = scaled(grid.col_edges[c]), scaled(grid.col_edges[c + 1])
        # A cell spanning several header columns (a 总计 label across 科目名称 and 项目名称)
        # takes the first of them; otherwise the column its middle falls in.
        spanned = [j for j in range(len(roles)) if x0 <= (edges[j] + edges[j + 1]) / 2 <= x1]
        at = (x0 + x1) / 2
        j = spanned[0] if spanned else next((j for j in range(len(roles)) if at < edges[j + 1]), len(roles) - 1)
        out.append(roles[j])
    return out
