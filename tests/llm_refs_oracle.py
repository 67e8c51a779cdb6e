"""A perfect model for refs prompts: it answers by reference from the gold set.

Given the request's numbered grids, it finds the line that prints each gold row, votes for the
column that prints each field, and writes a fix only where the grid's text is not what gold
says was printed. It is written apart from extractor/llm/refs.py (its own reading of cells and
codes), so a bug in the engine's reading shows as wrong values or as fixes, not as silence.
"""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal, InvalidOperation
from typing import Any

from schemas import Document

BLOCK = re.compile(r"^\[(?P<id>[^\]]+)\]")
LINE = re.compile(r"^(\d+)\|(.*)$")
SHEET_FIELDS = ("indicators",)


def parse_blocks(text: str) -> dict[str, dict[int, list[str]]]:
    """Block id → {line number: cells} from the user turn."""
    blocks: dict[str, dict[int, list[str]]] = {}
    current: dict[int, list[str]] | None = None
    for raw in text.splitlines():
        head = BLOCK.match(raw)
        if head:
            current = blocks.setdefault(head.group("id"), {})
            continue
        line = LINE.match(raw)
        if line and current is not None:
            current[int(line.group(1))] = line.group(2).split("|")
    return blocks


def resolve(lines: dict[int, list[str]], n: int, c: int) -> str:
    for _ in range(200):
        cells = lines.get(n, [])
        text = cells[c] if 0 <= c < len(cells) else ""
        if text == "<":
            c -= 1
        elif text == "^":
            n -= 1
        else:
            return text
    return ""


def _flat(text: Any) -> str:
    return re.sub(r"\s+", "", str(text)) if text is not None else ""


def _money(text: str) -> Decimal | None:
    text = _flat(text)
    if re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?", text):
        text = text.replace(",", "")
    try:
        return Decimal(text) if re.fullmatch(r"[+-]?\d+(\.\d+)?", text) else None
    except InvalidOperation:
        return None


def _equal(cell: str, value: Any) -> bool:
    if isinstance(value, Decimal):
        got = _money(cell)
        return got is not None and got == value and format(got, "f") == format(value, "f")
    return _flat(cell) == _flat(value) and _flat(value) != ""


def _ranges(numbers: list[int]) -> list[int | str]:
    out: list[int | str] = []
    for n in numbers:
        if out and isinstance(out[-1], str) and int(out[-1].split("-")[1]) == n - 1:
            out[-1] = f"{out[-1].split('-')[0]}-{n}"
        elif out and isinstance(out[-1], int) and out[-1] == n - 1:
            out[-1] = f"{out[-1]}-{n}"
        else:
            out.append(n)
    return out


class Oracle:
    """Refs answers for one gold document."""

    @property
    def fixes(self) -> int:
        """Distinct cells fixed over every answer (a re-ask answers the same blocks again)."""
        return len(self.fixed)

    def __init__(self, gold: Document):
        self.gold = gold
        self.fixed: set[tuple] = set()  # the cells it had to fix: none when the grids print what gold says

    def answer(self, text: str) -> dict:
        items = []
        used_sheets: set[int] = set()
        for block_id, lines in parse_blocks(text).items():
            label = block_id.split("#")[0]
            if re.fullmatch(r"p\d+", label):
                items.append(self._sheet(block_id, lines, used_sheets))
            elif label == "overall":
                items.append(self._form(block_id, "overall", self.gold.performance.overall, lines))
            else:
                items.append(self._table(block_id, label, lines))
        last: dict[str, dict] = {}
        for item in items:  # "same as the previous block of this kind": cols and cells left out
            kind = "project" if re.fullmatch(r"p\d+(#\d+)?", item["id"]) else item["id"].split("#")[0]
            before, last[kind] = last.get(kind), dict(item)
            for key in ("cols", "cells"):
                if before is not None and before.get(key, {}) == item.get(key, {}):
                    item.pop(key, None)
                elif key not in item and before is not None:
                    item[key] = {}
        return {"items": items}

    # ---- tables ----------------------------------------------------------------------
    def _table(self, block_id: str, kind: str, lines: dict[int, list[str]]) -> dict:
        table = getattr(self.gold.tables, kind)
        rows = [r.model_dump() for r in table.rows]
        matched = self._match_rows(rows, lines, kind)
        item: dict[str, Any] = {"id": block_id}
        total_line = None
        if table.total is not None and kind not in ("t1", "t4"):
            total = table.total.model_dump()
            for n, cells in lines.items():
                if any(_flat(c) in ("合计", "总计") for c in cells) and self._prints(total, cells):
                    total_line = n
        pairs = list(matched) + ([(table.total.model_dump(), total_line)] if total_line else [])
        cols = self._columns(pairs, lines, kind)
        if cols:
            item["cols"] = cols
        if matched:
            item["rows"] = _ranges([n for _, n in matched])
        if total_line:
            item["total"] = total_line
        item["fix"] = self._fixes(pairs, cols, lines)
        cells = self._cells(kind, table, lines)
        if kind == "t10":
            for i, (row, _) in enumerate(matched):
                if _t10_guess(row.get("name")) != row["line"]:
                    cells[f"rows/{i}/line"] = row["line"]
        if cells:
            item["cells"] = cells
        if not item["fix"]:
            del item["fix"]
        return item

    def _prints(self, row: dict, cells: list[str]) -> bool:
        money = [v for v in row.values() if isinstance(v, Decimal)]
        return bool(money) and all(any(_equal(c, v) for c in cells) for v in money)

    def _match_rows(self, rows: list[dict], lines: dict[int, list[str]], kind: str) -> list[tuple[dict, int]]:
        """Gold rows printed in this block, each with its line, in order: by name and code, else by amounts."""
        out: list[tuple[dict, int]] = []
        start = 0
        numbers = sorted(lines)
        for row in rows:
            names = [_flat(row.get(k)) for k in ("project_name", "name") if row.get(k)]
            code = row.get("code") or ""
            for i in range(start, len(numbers)):
                n = numbers[i]
                cells = [_flat(resolve(lines, n, c)) for c in range(len(lines[n]))]
                if any(c in ("合计", "总计") for c in cells):
                    continue
                if names:
                    if not all(name in cells or (code and code + name in cells) for name in names):
                        continue
                elif not self._prints(row, cells):
                    continue
                digits = ""
                for c in cells:  # the code printed in the leading cells (类|款|项 split or whole)
                    if c.isdigit():
                        digits += c
                    elif c:
                        break
                printed = next((c[:len(code)] for c in cells if code and c.startswith(code) and c[len(code):] in names), "")
                if code and not (printed or code in cells or digits == code or (digits and code.endswith(digits))):
                    continue
                out.append((row, n))
                start = i + 1
                break
        return out

    def _columns(self, pairs: list[tuple[dict, int]], lines: dict[int, list[str]], kind: str) -> dict:
        cols: dict[str, Any] = {}
        if not pairs:
            return cols
        width = max(len(c) for c in lines.values())
        used: set[int] = set()
        for field in pairs[0][0]:
            if field in ("code", "line", "target"):
                continue
            votes: Counter = Counter()
            for row, n in pairs:
                if row.get(field) is None:
                    continue
                for c in range(width):
                    cell = resolve(lines, n, c)
                    if _equal(cell, row[field]) or (field == "name" and row.get("code")
                                                    and _flat(cell) == row["code"] + _flat(row[field])):
                        votes[c] += 1
            free = {c: v for c, v in votes.items() if c not in used}
            if free:  # columns in the template's order: equal columns (合计 = 一般公共预算) go left to right
                cols[field] = max(free, key=lambda c: (free[c], -c))
                used.add(cols[field])
        code_cols = self._code_columns(pairs, lines, width)
        if code_cols is not None:
            cols["code"] = code_cols
        return cols

    def _code_columns(self, pairs, lines, width) -> Any:
        coded = [(row, n) for row, n in pairs if row.get("code")]
        if not coded:
            return None
        for c in range(width):  # the whole code in one column, alone or before the name
            if all(re.match(r"\d*", _flat(resolve(lines, n, c))).group() == row["code"] for row, n in coded):
                return c
        for size in (3, 2):  # 类|款|项 (or 类|款) in columns, blank parts carried from above
            for c in range(width - size + 1):
                if self._split_code_fits(coded, lines, c, size):
                    return list(range(c, c + size))
        return None

    @staticmethod
    def _split_code_fits(coded, lines, c, size) -> bool:
        parts = [""] * size
        for row, n in coded:
            got = [_flat(resolve(lines, n, c + k)) for k in range(size)]
            if not all(p.isdigit() or p == "" for p in got):
                return False
            first = next((k for k, p in enumerate(got) if p), None)
            if first is None:
                return False
            got[:first] = parts[:first]
            parts = got
            if "".join(got) != row["code"]:
                return False
        return True

    def _fixes(self, pairs, cols, lines) -> list:
        fixes = []
        for row, n in pairs:
            for field, c in cols.items():
                if field in ("code", "weight") or not isinstance(c, int):  # weight/weight_raw: the engine splits
                    continue
                value = row.get(field)
                cell = resolve(lines, n, c)
                if field == "name" and cols.get("code") == c:
                    cell = re.sub(r"^\d+", "", _flat(cell))
                raw = lines[n][c] if c < len(lines[n]) else ""
                if value is None and (_flat(cell) in ("", "-") or raw == "<"):
                    continue  # blank, or a merged cell whose text the column on its left takes
                if value is not None and (_equal(cell, value) or field == "weight"):
                    continue
                fixes.append([n, c, "" if value is None else (format(value, "f") if isinstance(value, Decimal)
                                                            else str(value))])
        self.fixed.update((tuple(lines[n]), n, c) for n, c, _ in fixes)
        return fixes

    def _cells(self, kind: str, table: Any, lines: dict[int, list[str]]) -> dict:
        cells: dict[str, Any] = {}
        data = table.model_dump()
        scalars: list[tuple[str, Any]] = []
        if kind in ("t1", "t4"):
            for section in ("income", "total"):
                scalars += _leaves(data.get(section), section)
        if kind == "t2" and data.get("special_account_label"):
            scalars.append(("special_account_label", data["special_account_label"]))
        for pointer, value in scalars:
            if value is None:
                continue
            cells[pointer] = self._find(lines, value)
        return cells

    def _find(self, lines: dict[int, list[str]], value: Any) -> Any:
        for n in sorted(lines):
            for c in range(len(lines[n])):
                if _equal(resolve(lines, n, c), value):
                    return [n, c]
        return format(value, "f") if isinstance(value, Decimal) else str(value)

    # ---- sheets ----------------------------------------------------------------------
    def _sheet(self, block_id: str, lines: dict[int, list[str]], used: set[int]) -> dict:
        flat = "".join(_flat(c) for cells in lines.values() for c in cells)
        best, best_score = 0, (-1, -1)
        for i, sheet in enumerate(self.gold.performance.projects):
            if i in used or not sheet.project_name or _flat(sheet.project_name) not in flat:
                continue
            facts = [sheet.unit_name, sheet.manager, sheet.budget_total and format(sheet.budget_total, "f")]
            score = (len(sheet.project_name), sum(bool(f) and _flat(f) in flat for f in facts))
            if score > best_score:
                best, best_score = i, score
        used.add(best)
        return self._form(block_id, "project", self.gold.performance.projects[best], lines)

    def _form(self, block_id: str, kind: str, sheet: Any, lines: dict[int, list[str]]) -> dict:
        data = sheet.model_dump()
        item: dict[str, Any] = {"id": block_id}
        inds = data["indicators"]
        matched = []
        start = 0
        numbers = sorted(lines)
        for ind in inds:
            for i in range(start, len(numbers)):
                n = numbers[i]
                cells = [_flat(resolve(lines, n, c)) for c in range(len(lines[n]))]
                keys = [_flat(ind[k]) for k in ("level1", "level2", "level3", "target_raw") if ind[k]]
                if keys and all(k in cells for k in keys):
                    matched.append((ind, n))
                    start = i + 1
                    break
        cols = self._columns(matched, lines, kind)
        weight = [c for c in range(max(len(v) for v in lines.values()))
                  if matched and all(_flat(resolve(lines, n, c)) == _flat(ind["weight_raw"] or (
                      format(ind["weight"], "f") if ind["weight"] is not None else "")) for ind, n in matched)]
        if weight and "weight" not in cols:
            cols["weight"] = weight[0]
        cols.pop("weight_raw", None)
        if cols:
            item["cols"] = cols
        if matched:
            item["rows"] = _ranges([n for _, n in matched])
        cells = {}
        for name, value in data.items():
            if name in ("indicators", "pages") or value is None:
                continue
            cells[name] = self._find(lines, value)
        if cells:
            item["cells"] = cells
        fixes = self._fixes(matched, {k: v for k, v in cols.items() if k not in ("level1", "level2")}, lines)
        if fixes:
            item["fix"] = fixes
        return item


def _leaves(data: Any, prefix: str) -> list[tuple[str, Any]]:
    if not isinstance(data, dict):
        return []
    out = []
    for key, value in data.items():
        if isinstance(value, dict):
            out += _leaves(value, f"{prefix}/{key}")
        else:
            out.append((f"{prefix}/{key}", value))
    return out


def _t10_guess(name: str | None) -> str | None:
    from extractor.llm.refs import _t10_line  # what the engine will derive if not told

    return _t10_line(name)
