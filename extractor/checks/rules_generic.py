"""Printed tables with no contract slot (generic tables): the sums they print, read by structure and words.

A generic table is kept as printed, so no family says what adds up; what it prints does:

- subject codes (3/5/7 digits): a 类 row is the sum of its 款 rows, a 款 row of its 项 rows, by
  code prefix, and the 合计/总计 row is the sum of the rows with no printed parent;
- without codes, rows led by an enumerator (一、二、…) or labelled 小计 are the table's parts: the
  合计/总计 row is their sum, and each is the sum of the lines under it, nested by the column the
  line's label is printed in (a label further right is a level down); 其中 lines are never summed;
- a column headed 合计/总计 beside other amount columns: in every row, the sum of the others.

A structure the words do not show (no total row, no codes, no enumerators) gives no identity: its
values stay uncorroborated, which is what the flags then say.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from schemas import Document

from .core import Context, Identity, rule

ROW_SUM = rule("generic.row_sum", "无对应表位的表格：上级行 = 下级行之和（按科目编码或层次）",
               "generic table: a parent row = Σ its child rows (by code or outline)", severity="warning")
TOTAL = rule("generic.total", "无对应表位的表格：合计/总计行 = 各部分之和", "generic table: total row = Σ its parts",
             severity="warning")
COLUMN_SUM = rule("generic.column_sum", "无对应表位的表格：合计列 = 其余金额列之和",
                  "generic table: total column = Σ the other amount columns", severity="warning")

_CODE = re.compile(r"\d{3}(?:\d{2}){0,2}")
_TOTAL = re.compile(r".{0,6}(?:合计|总计)")
_ENUM = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十]+[）)])")
_MONEY_WORDS = ("金额", "合计", "总计", "小计", "数", "经费", "支出", "收入", "预算", "资金")
_LABEL_WORDS = ("编码", "代码", "编号", "序号", "名称", "科目", "项目", "类别", "品目", "形式", "说明", "备注")


def _norm(text: str | None) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def code_of(text: str | None) -> str | None:
    """The subject code a cell holds (3, 5 or 7 digits: 类, 款, 项), normalised; None for other text."""
    code = _norm(text)
    return code if _CODE.fullmatch(code) else None


def cell_amount(text: str | None):
    """A generic cell's amount as the checker's values read it ("256:00"), None for other text."""
    from ..columns import as_money

    return as_money(text) if text else None


@dataclass
class Line:
    """One body row of a generic table as the sums see it."""

    index: int
    code: str | None
    code_col: int | None
    text: str  # its label cells joined
    first: int  # the first and last label columns printed (-1: none)
    last: int

    @property
    def is_total(self) -> bool:
        return self.code is None and bool(_TOTAL.fullmatch(self.text))

    @property
    def is_part_of(self) -> bool:  # "其中：…" restates a share of the line above: never a summand
        return self.text.startswith("其中")

    @property
    def is_head(self) -> bool:
        return self.code is None and (bool(_ENUM.match(self.text)) or "小计" in self.text)


def amount_columns(header: list[list[str]], rows: list[list[str | None]]) -> list[int]:
    """Columns that print amounts: mostly numbers, under a header that names no label column."""
    from ..export.tidy import column_labels

    labels = column_labels(header)
    width = max([len(labels)] + [len(r) for r in rows])
    out = []
    for j in range(width):
        head = labels[j] if j < len(labels) else ""
        if any(w in head for w in _LABEL_WORDS) and not any(w in head for w in _MONEY_WORDS):
            continue
        cells = [r[j] for r in rows if j < len(r) and r[j] and r[j].strip()]
        money = [c for c in cells if cell_amount(c) is not None and not code_of(c)]
        if money and len(money) * 3 >= len(cells) * 2:
            out.append(j)
    return out


def lines(rows: list[list[str | None]], amounts: list[int]) -> list[Line]:
    """Each body row's code, label text and the span of its printed label columns."""
    out = []
    for i, row in enumerate(rows):
        labels = [(j, _norm(t)) for j, t in enumerate(row) if j not in amounts and t and _norm(t)]
        code_col = next((j for j, t in labels if _CODE.fullmatch(t)), None)
        code = dict(labels)[code_col] if code_col is not None else None
        text = "".join(t for j, t in labels if j != code_col)
        out.append(Line(i, code, code_col, text, labels[0][0] if labels else -1, labels[-1][0] if labels else -1))
    return out


def generic_rules(ctx: Context) -> Iterator[Identity]:
    """The identities of every generic table."""
    for g, table in enumerate(ctx.doc.generic_tables):
        yield from table_identities(ctx.doc, g)


def table_identities(doc: Document, g: int) -> Iterator[Identity]:
    table = doc.generic_tables[g]
    amounts = amount_columns(table.header, table.rows)
    if not amounts:
        return
    body = lines(table.rows, amounts)
    key = f"g{g + 1}"

    def cell(i: int, j: int) -> str:
        return f"/generic_tables/{g}/rows/{i}/{j}"

    def sums(rule_id: str, parent: int, parts: list[int]) -> Iterator[Identity]:
        if parts:
            codes = tuple(cell(body[i].index, body[i].code_col) for i in (parent, *parts) if body[i].code)
            for j in amounts:
                yield Identity(rule_id, cell(parent, j), tuple(cell(i, j) for i in parts), (key,), witnesses=codes)

    totals = [ln for ln in body if ln.is_total]
    total = totals[0].index if len(totals) == 1 else None
    coded = [ln for ln in body if ln.code]
    if coded:
        parent = _code_parents(coded)
        for ln in coded:
            yield from sums(ROW_SUM, ln.index, [c.index for c in coded if parent[c.index] == ln.index])
        others = [ln for ln in body if not ln.code and not ln.is_total and not ln.is_part_of
                  and any(cell_amount(_at(table.rows[ln.index], j)) is not None for j in amounts)]
        if total is not None and not others:  # every amount row is coded: the top rows make the total
            yield from sums(TOTAL, total, [ln.index for ln in coded if parent[ln.index] is None])
    else:
        heads = [ln for ln in body if ln.is_head]
        if heads and total is not None:
            level = [ln for ln in heads if bool(_ENUM.match(ln.text))] or heads
            yield from sums(TOTAL, total, [ln.index for ln in level])
        for n, head in enumerate(heads):
            end = heads[n + 1].index if n + 1 < len(heads) else len(body)
            span = [ln for ln in body[head.index + 1:end] if not ln.is_total and not ln.is_part_of]
            yield from _outline(head.index, span, sums)
    yield from _columns(table, amounts, cell, key)


def _at(row: list, j: int):
    return row[j] if j < len(row) else None


def _code_parents(coded: list[Line]) -> dict[int, int | None]:
    """Each coded row's parent: the nearest row above whose code is a proper prefix of its own."""
    parent: dict[int, int | None] = {}
    stack: list[Line] = []
    for ln in coded:
        while stack and not (ln.code.startswith(stack[-1].code) and len(ln.code) > len(stack[-1].code)):
            stack.pop()
        parent[ln.index] = stack[-1].index if stack else None
        stack.append(ln)
    return parent


def _outline(parent: int, span: list[Line], sums) -> Iterator[Identity]:
    """parent = Σ the lines of span at its top level (the leftmost last label column); each of those
    the same way over the lines below it."""
    if not span:
        return
    level = min(ln.last for ln in span)
    tops = [n for n, ln in enumerate(span) if ln.last == level]
    yield from sums(ROW_SUM, parent, [span[n].index for n in tops])
    for k, n in enumerate(tops):
        below = span[n + 1: tops[k + 1] if k + 1 < len(tops) else len(span)]
        yield from _outline(span[n].index, below, sums)


def _columns(table, amounts: list[int], cell, key: str) -> Iterator[Identity]:
    """A 合计/总计 column = Σ the other amount columns (or their 小计 columns under a shared header)."""
    from ..export.tidy import column_labels

    labels = column_labels(table.header)
    name = {j: (labels[j] if j < len(labels) else "").split() for j in amounts}
    total = [j for j in amounts if name[j] and _TOTAL.fullmatch(name[j][0]) and len(name[j]) == 1]
    if len(total) != 1:
        return
    t = total[0]
    parts = [j for j in amounts if j != t and not any(p.startswith("其中") for p in name[j])]
    groups: dict[str, list[int]] = {}
    for j in parts:
        groups.setdefault(name[j][0] if name[j] else str(j), []).append(j)
    upper: list[int] = []  # under a shared header, its 小计 column stands for the columns beside it
    within: list[tuple[int, list[int]]] = []  # (小计 column, the columns it sums)
    for cols in groups.values():
        sub = [j for j in cols if any("小计" in p or "合计" in p for p in name[j][1:])][:1]
        upper += sub or cols
        if sub and len(cols) > 1:
            within.append((sub[0], [j for j in cols if j != sub[0]]))
    alts = (tuple(upper),) if upper != parts else ()
    if len(parts) < 2:
        return
    for i, row in enumerate(table.rows):
        yield Identity(COLUMN_SUM, cell(i, t), tuple(cell(i, j) for j in parts), (key,),
                       alts=tuple(tuple(cell(i, j) for j in a) for a in alts))
        for sub, cols in within:
            yield Identity(COLUMN_SUM, cell(i, sub), tuple(cell(i, j) for j in cols), (key,))
