"""Performance target sheets: label → value pairs of the form part, and the indicator rows."""

from __future__ import annotations

import re

from .columns import as_money
from .grid import Grid
from .locate import Region, clean, normalise
from . import templates
from .provenance import Where, note, union
from .templates import Template

MONEY_KEYS = {"budget_total", "budget_fiscal", "budget_other", "budget_upper", "budget_local"}
_LABEL_VALUE = re.compile(r"^(.*?)[:：](.+)$")


def _bare(text: str) -> str:
    return re.sub(r"[（(].*?[)）]|[:：]", "", text).removeprefix("其中")


def _label_of(text: str, labels) -> str | None:
    bare = _bare(text)
    for word, key, *_ in labels:
        if bare.startswith(word):
            return key
    return None


def _is_bare_label(text: str, labels) -> bool:
    """A label cell: the label word itself, not a value that begins with one ("其他资金安排的…项目")."""
    bare = _bare(text)
    return any(bare.startswith(word) and len(bare) <= len(word) + 2 for word, *_ in labels)


def _indicator_header(grid: Grid, template: Template) -> tuple[int, dict[int, str]] | None:
    """The indicator table's header row and each column's field (the family's `indicators` words)."""
    rules = template.column_rules("indicators")
    for r in range(grid.n_rows):
        texts = [normalise(grid.text(r, c, anchor_only=False)) for c in range(grid.n_cols)]
        if any("级指标" in t or "一级" in t for t in texts) and any("三级" in t or "指标值" in t for t in texts):
            roles: dict[int, str] = {}
            for c, t in enumerate(texts):
                for rule in rules:
                    if all(w in t for w in rule.words) and rule.field not in roles.values():
                        roles[c] = rule.field
                        break
            return r, roles
    return None


def read_sheet(region: Region, overall: bool, where: Where | None = None, template: Template | None = None) -> dict:
    """A sheet's fields and indicators as plain data for the schema models.

    where gets each value's cell: "<field>" for the form, "indicators/<i>/<field>" for indicators.
    """
    template = template or templates.default()
    labels = template.sheet_labels("overall" if overall else "project")
    data: dict[str, object] = {"indicators": [], "pages": list(region.pages)}
    roles: dict[int, str] | None = None
    last: dict[str, str | None] = {"level1": None, "level2": None}
    last_at: dict[str, tuple] = {}  # where the filled-down levels were printed
    for grid in region.grids:
        header = _indicator_header(grid, template)
        form_end = header[0] if header else (grid.n_rows if roles is None else 0)
        if header:
            roles = header[1]
        elif roles is not None and max(roles, default=-1) >= grid.n_cols:
            # A continuation grid drawn with other columns: keep only the columns it has.
            roles = {c: role for c, role in roles.items() if c < grid.n_cols}
        _read_form(grid, form_end, labels, data, where)
        data.setdefault("unit", _sheet_unit(grid, form_end))
        if roles is None:
            continue
        first = header[0] + 1 if header else 0
        for r in range(first, grid.n_rows):
            at: dict[str, tuple] = {}
            ind = _read_indicator(grid, r, roles, last, at, last_at)
            if ind is not None:
                for field, spot in at.items():
                    note(where, f"indicators/{len(data['indicators'])}/{field}", *spot)  # type: ignore[arg-type]
                data["indicators"].append(ind)  # type: ignore[union-attr]
    _read_lines(region, labels, data, where)
    return data


def _sheet_unit(grid: Grid, end: int) -> str | None:
    """The money unit a form's labels state ("项目资金（元）", "资金总额（万元）"), or None."""
    for r in range(end):
        for c in range(grid.n_cols):
            match = re.search(r"[(（](万元|元)[)）]", normalise(grid.text(r, c)))
            if match:
                return match.group(1)
    return None


def _read_lines(region: Region, labels, data: dict, where: Where | None) -> None:
    """Form fields printed as text beside the grid ("项目名称：…" above the table)."""
    for k, line in enumerate(region.lines):
        match = _LABEL_VALUE.match(normalise(line))
        key = _label_of(match.group(1), labels) if match else None
        if key in (None, "-") or data.get(key) is not None or not _is_bare_label(match.group(1), labels):
            continue
        words = region.line_words[k] if k < len(region.line_words) else None
        spot = (words[0], union((w.x0, w.y0, w.x1, w.y1) for w in words[1])) if words and words[1] else None
        value = match.group(2)
        data[key] = as_money(value) if key in MONEY_KEYS else clean(value)
        if data[key] is not None and spot is not None:
            note(where, key, *spot)


def _read_form(grid: Grid, end: int, labels, data: dict, where: Where | None) -> None:
    """Label → value pairs left to right; a label whose row ends without its value takes the cell
    below it (forms printed as a header line over a value line)."""
    below: dict[int, str] = {}
    for r in range(end):
        cells = []
        seen = set()
        for c in range(grid.n_cols):
            idx = grid.owner[r][c]
            if idx in seen:
                continue
            seen.add(idx)
            cells.append(grid.cells[idx])
        pending: str | None = None
        pending_col = -1
        above, below = below, {}
        for cell in cells:
            text = cell.text.strip()
            spot = (grid.page, cell.bbox)
            norm = normalise(text)
            if not norm:
                continue
            key = _label_of(norm, labels)
            if key is not None and pending is not None and not _is_bare_label(norm, labels):
                key = None  # the value of the pending label, though it begins with a label word
            if key is None and pending is None and cell.col in above:
                pending = above[cell.col]
            if key is not None:
                if pending is not None:
                    below[pending_col] = pending
                match = _LABEL_VALUE.match(norm)
                if match and _label_of(match.group(1), labels) == key and match.group(2):
                    _store(data, key, match.group(2), where, spot)
                    pending = None
                else:
                    pending, pending_col = key, cell.col
                continue
            if pending is not None:
                _store(data, pending, text, where, spot)
                pending = None
        if pending is not None:
            below[pending_col] = pending


def _store(data: dict, key: str, value: str, where: Where | None, spot: tuple) -> None:
    if key == "-" or (key in data and data[key] is not None):  # "-": a label the contract has no field for
        return
    data[key] = as_money(normalise(value)) if key in MONEY_KEYS else clean(value)
    if data[key] is not None:
        note(where, key, *spot)


def _read_indicator(grid: Grid, r: int, roles: dict[int, str], last: dict, at: dict, last_at: dict) -> dict | None:
    """One indicator row; at gets (page, bbox) of each value, a filled-down level where it was printed."""
    ind: dict[str, object] = {}
    for c, role in roles.items():
        text = clean(grid.text(r, c, anchor_only=False))
        if role in ind:
            continue
        ind[role] = text or None
        if text:
            at[role] = (grid.page, grid.cell(r, c).bbox)
    for level in ("level1", "level2"):
        if ind.get(level):
            last[level] = ind[level]
            last_at[level] = at[level]
            if level == "level1":
                last["level2"] = None if not ind.get("level2") else last["level2"]
        else:
            ind[level] = last[level]
            if last[level] is not None:
                at[level] = last_at[level]
    if not any(ind.get(k) for k in ("level3", "target_raw", "weight")):
        return None
    weight = ind.pop("weight", None)
    if weight is not None:
        amount, raw = split_weight(str(weight))
        if amount is None:
            ind["weight_raw"] = raw
            at["weight_raw"] = at.pop("weight")
        else:
            ind["weight"] = amount
    return ind


def split_weight(text: str) -> tuple[object, str | None]:
    """(amount, None) for a printed weight ("10", "10分"), (None, words) for words (是/否)."""
    amount = as_money(text.rstrip("分%"))
    return (amount, None) if amount is not None else (None, text)
