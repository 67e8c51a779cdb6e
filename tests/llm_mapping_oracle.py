"""A correct model for the mapping prompt (m1): it answers from a true reading of the document.

For each numbered block it finds the true table with the block's printed title, votes for the
column that prints each money field (the refs oracle's own reading of cells), and names the
header, data and total lines and the unit; a sheet's form labels it reads with the true family's labels. Where the family's 合计 is not the contract's default
split it says which columns add up (from the true family's row sums, by printed header). On a
re-ask it puts into ``skip`` the quoted rules that the true values themselves break.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from extractor.checks import GENERATORS
from extractor.checks.core import Context, Identity, Values, evaluate, flatten
from extractor.locate import normalise, title_kind
from extractor.read_sheets import _label_of
from extractor.templates import Template, match_words
from schemas import Document

from .llm_refs_oracle import Oracle, _equal, _flat, _ranges, parse_blocks, resolve

HEAD = re.compile(r"^\[(?P<id>b\d+)\]\s*(?P<title>.*)$", re.M)
RULE = re.compile(r"^\[(?P<rule>[\w.]+)\]", re.M)


def failing_rules(doc: Document) -> set[str]:
    """Rule ids whose identities the document's values break, the family's skip list not applied."""
    values = Values(doc)
    ctx = Context(doc, values)
    out = set()
    for generate in GENERATORS:
        for item in flatten(generate(ctx)):
            if isinstance(item, Identity):
                outcome = evaluate(item, values)
                if outcome is not None and not outcome.ok:
                    out.add(item.rule)
    return out


class MappingOracle:
    """m1 answers for one truly read document (its tables, units) and its true family."""

    def __init__(self, truth: Document, family: Template, failing: set[str]):
        self.truth = truth
        self.family = family
        self.row_sums = family.row_sums
        self.failing = failing
        self.refs = Oracle(truth)

    def answer(self, first_user: str, last_user: str | None) -> dict:
        titles = {m.group("id"): m.group("title") for m in HEAD.finditer(first_user)}
        quoted = set(RULE.findall(last_user or ""))
        items = []
        parts = {}
        for block_id, lines in parse_blocks(first_user).items():
            if block_id == "headings":  # the part titles the true family names
                for n, cells in lines.items():
                    kind = title_kind(cells[0], self.family)
                    if kind in ("narrative", "glossary", "profile", "tables_part"):
                        parts[str(n)] = kind
                continue
            items.append(self._block(block_id, titles.get(block_id, ""), lines))
        skip = sorted(r for r in quoted if r in self.failing)
        if skip and items:
            items[0]["skip"] = skip
        return {"items": items, **({"parts": parts} if parts else {})}

    def _kind(self, title: str) -> str:
        want = normalise(title)
        for key in type(self.truth.tables).model_fields:
            table = getattr(self.truth.tables, key)
            if table.present and table.title and normalise(table.title).endswith(want):
                return key
        return "generic"

    def _block(self, block_id: str, title: str, lines: dict[int, list[str]]) -> dict:
        sheet = title_kind(title, self.family)
        if sheet in ("overall", "project"):
            return self._sheet(block_id, sheet, lines)
        kind = self._kind(title)
        item: dict[str, Any] = {"id": block_id, "table": kind}
        if kind == "generic":
            return item
        table = getattr(self.truth.tables, kind)
        if table.unit:
            item["unit"] = table.unit
        if kind in ("t1", "t4", "t10"):
            return item
        refs = self.refs._table(block_id, kind, lines)
        money = {f for row in table.rows[:1] for f, v in row.model_dump().items() if isinstance(v, Decimal)}
        money |= {f for f, v in (table.total.model_dump() if table.total else {}).items() if isinstance(v, Decimal)}
        cols = {f: c for f, c in (refs.get("cols") or {}).items() if f in money and isinstance(c, int)}
        rows = refs.get("rows") or []
        if not rows:  # an empty table: no amounts to vote with, so read its header as a reader would
            cols = self._by_header(kind, lines)
        item["cols"] = cols
        if rows:
            item["rows"] = rows
            first = min(int(str(r).split("-")[0]) for r in rows)
            item["header"] = _ranges([n for n in sorted(lines) if n < first])
        if refs.get("total"):
            item["total"] = refs["total"]
        if kind in self.row_sums:
            found = [self._column(role, cols, lines, rows) for role in self.row_sums[kind]]
            if None not in found:
                item["sum"] = found
        return item

    def _sheet(self, block_id: str, kind: str, lines: dict[int, list[str]]) -> dict:
        """Where each form label is printed: a form's values repeat (总额 = 财政资金), so labels are read as labels."""
        rules = self.family.sheet_labels(kind)
        under = {e[1] for e in rules if len(e) > 2 and e[2] == "below"}
        labels: dict[str, list[int]] = {}
        other: list[list[int]] = []
        for n in sorted(lines):
            for c, text in enumerate(lines[n]):
                key = _label_of(normalise(text), rules) if text not in ("<", "^") else None
                if key == "-" and [n, c] not in other:
                    other.append([n, c])
                elif key and key not in labels:
                    labels[key] = [n, c]
        item: dict[str, Any] = {"id": block_id, "table": kind, "labels": labels}
        if other:
            item["other"] = other[:3]
        if under & set(labels):
            item["below"] = sorted(under & set(labels))
        return item

    def _by_header(self, kind: str, lines: dict[int, list[str]]) -> dict[str, int]:
        cols: dict[str, int] = {}
        width = max(len(c) for c in lines.values())
        for c in range(width):
            label = "".join(dict.fromkeys(_flat(resolve(lines, n, c)) for n in sorted(lines)
                                          if not re.search(r"\d", "".join(lines[n]))))
            if any(k in label for k in ("科目", "编码", "名称")):  # the code and name columns
                continue
            field = match_words(label, self.family.column_rules(kind))
            if field and not field.startswith("extra/") and field not in cols:
                cols[field] = c
        return cols

    @staticmethod
    def _column(role: str, cols: dict[str, int], lines: dict[int, list[str]], rows: list) -> int | None:
        if not role.startswith("extra/"):
            return cols.get(role)
        label = role.split("/", 1)[1]
        first = min((int(str(r).split("-")[0]) for r in rows), default=max(lines) + 1)
        for n in sorted(lines):
            if n >= first:
                break
            for c in range(len(lines[n])):
                if _flat(resolve(lines, n, c)) == label and c not in cols.values():
                    return c
        return None


def swap_two(answer: dict, table: str | None = None) -> dict:
    """The answer with two money columns of one table (the first with two, or the named one) swapped."""
    for item in answer["items"]:
        cols = item.get("cols") or {}
        if len(cols) >= 2 and table in (None, item.get("table")):
            a, b = list(cols)[:2]
            cols[a], cols[b] = cols[b], cols[a]
            break
    return answer
