"""Map located table grids to the schema's rows: header labels → columns, rows → codes and amounts.

A table may arrive as several grids (continued over pages, with or without a repeated header):
the column roles found in the first header carry over to continuation grids of the same width.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from schemas.common import extra_key

from .columns import EXTRA, SPECKS, as_money, is_amount, is_code_text, key_role, money_role
from .grid import Grid
from .header_mend import as_named_before, fill_blank_headers, mend_misread_headers, roles_by_position
from .locate import Region, clean, normalise
from .provenance import union
from .total_line import garbled_total
from . import templates
from .templates import Template

TOTAL_WORDS = ("合计", "总计")


@dataclass
class ReadRow:
    """One table row as read: key texts, amounts by field, where it was."""

    values: dict[str, object] = field(default_factory=dict)
    is_total: bool = False
    page: int = 0
    bbox: dict[str, tuple[float, float, float, float]] = field(default_factory=dict)


# A numbered line ("九、医疗卫生与计划生育支出") is data: a header never numbers its labels.
NUMBERED = re.compile(r"^[一二三四五六七八九十]+、.")
# A subject code printed in one cell with its name ("222粮油物资储备支出"): a data row, even blank.
CODE_AND_NAME = re.compile(r"^\d{3}(?:\d{2}){0,2}[\u4e00-\u9fff]")


# The 栏次 label as OCR reads it under noise: 栏 is often read 拦 or 栏 alone, 次 as 欢.
COLUMN_NUMBERS_LABEL = re.compile(r"^(?:[栏拦](?:[次欢号]|$)|※$)")
# Letters OCR reads for a lone column number ("l" for 1, "O" for 0), and the dot or comma a speck adds.
_NUMBER_FIX = str.maketrans({"l": "1", "I": "1", "|": "1", "]": "1", "O": "0", "o": "0"})
COLUMN_LETTERS = set("甲乙丙丁")  # label columns lettered instead of numbered


def is_column_numbers(texts: list[str]) -> bool:
    """A 栏次 row under the header: 栏次 or ※ in the label columns, or the columns numbered 1 2 3 …

    Read from a scan the numbers come with noise: one lost (1 2 4 5), one misread (1 2 8 4 5) or
    a letter for a digit. The row still counts when it holds nothing but small numbers (and 甲 乙 …
    over the label columns), starts at 1 or 2, and all but one step goes up by one or all but one
    number sits where counting puts it.
    """
    if any(COLUMN_NUMBERS_LABEL.match(t) or t.startswith("栏次") for t in texts):
        return True
    numbers = [t.translate(_NUMBER_FIX).strip(".,、") for t in texts if t and t not in COLUMN_LETTERS]
    if len(numbers) < 3 or not all(t.isdigit() and len(t) <= 2 for t in numbers):
        return False
    values = [int(t) for t in numbers]
    steps = [b - a for a, b in zip(values, values[1:])]
    if len(values) == 3:
        return values == list(range(values[0], values[0] + 3)) and values[0] <= 2
    lost_one = sum(step == 1 for step in steps) >= len(steps) - 1
    offsets = [v - i for i, v in enumerate(values)]
    misread_one = max(offsets.count(d) for d in offsets) >= len(values) - 1
    return min(values[:2]) <= 2 and (lost_one or misread_one) \
        and max(values) <= len(texts) + 2


def header_split(grid: Grid) -> int:
    """Index of the first data row: a row holding an amount, a code, or a 合计 label.

    A 栏次 row (the columns numbered 1 2 3 …) belongs to the header, not the data.
    """
    for r in range(grid.n_rows):
        texts = [normalise(grid.text(r, c)) for c in range(grid.n_cols)]
        if is_column_numbers(texts):
            continue
        if any(is_amount(t) or is_code_text(t) or NUMBERED.match(t) or CODE_AND_NAME.match(t) for t in texts if t):
            return r
        if normalise(grid.text(r, 0, anchor_only=False)).startswith(TOTAL_WORDS) \
                and not any(t and not is_amount(t) for t in texts[1:]):  # an empty table's 合计 line
            return r
    return grid.n_rows


def column_labels(grid: Grid, header_rows: int) -> list[str]:
    """Each column's header path joined: the distinct header cells over it, top to bottom."""
    return ["".join(path) for path in column_paths(grid, header_rows)]


def column_paths(grid: Grid, header_rows: int) -> list[list[str]]:
    """Each column's header cells, top to bottom (a merged cell once, the 栏次 row left out)."""
    skip = {r for r in range(header_rows)
            if is_column_numbers([normalise(grid.text(r, c)) for c in range(grid.n_cols)])}
    labels = []
    for c in range(grid.n_cols):
        parts: list[str] = []
        seen: set[int] = set()
        for r in range(header_rows):
            if r in skip:
                continue
            idx = grid.owner[r][c]
            if idx in seen:
                continue
            seen.add(idx)
            text = normalise(grid.cells[idx].text)
            if text:
                parts.append(text)
        labels.append(parts)
    return labels




def column_roles(table: str, paths: list[list[str]], template: Template | None = None) -> list[str | None]:
    """Role of each column: a key part (code/name), a money field, or extra/<printed header>."""
    roles: list[str | None] = []
    for path in paths:
        label = "".join(path)
        role = key_role(table, label)
        if role is None and len(path) > 1 and path[-1] in ("类", "款", "项"):
            # A code part's own cell under a group header OCR garbled (功能分类科 | 编码 for
            # 功能分类科目编码); the group's 项目 would otherwise name it 项目支出.
            role = key_role(table, path[-1])
        if role is None and label:
            role = money_role(table, label, template) or EXTRA + extra_key(path[-1])
        roles.append(role)
    # Two extra columns under the same leaf header ("小计" of two groups): named with their group.
    for c, role in enumerate(roles):
        if role and role.startswith(EXTRA) and roles.count(role) > 1 and len(paths[c]) > 1:
            roles[c] = EXTRA + extra_key("-".join(paths[c][-2:]))
    return roles


CODE_ROLES = ("code_l", "code_k", "code_x", "code")
# Letters OCR reads for digits in code cells ("O5" for 05).
_CODE_FIX = str.maketrans({"O": "0", "o": "0", "D": "0", "l": "1", "I": "1", "|": "1"})


def code_text(text: str) -> str:
    """A code cell's digits: OCR's letter-for-digit mended, a speck's dot at either end dropped ("99.")."""
    mended = normalise(text).translate(_CODE_FIX)
    bare = mended.strip("." + SPECKS)
    return bare if bare.isdigit() else mended


def _infer_key_roles(grid: Grid, start: int, roles: list[str | None]) -> list[str | None]:
    """Settle the code columns by their data: 3 digits is 类, 2 digits 款 then 项, 3/5/7 a full code.

    The data decide over the header, whose short 类/款/项 rules are often lost in scans
    ("类款" read as one cell).
    """
    roles = list(roles)
    two_digit_seen = False
    for c, role in enumerate(roles):
        if role is not None and role not in CODE_ROLES and not role.startswith(EXTRA):
            continue
        texts = [code_text(grid.text(r, c)) for r in range(start, grid.n_rows)]
        texts = [t for t in texts if t and not t.startswith(TOTAL_WORDS)]
        two_digit_seen = two_digit_seen or "code_k" in roles[:c]
        if not texts or not all(t.isdigit() for t in texts):
            continue
        lengths = {len(t) for t in texts}
        if lengths <= {3}:
            roles[c] = "code_l"
        elif lengths <= {2}:
            roles[c] = "code_x" if two_digit_seen else "code_k"
            two_digit_seen = True
        elif lengths <= {3, 5, 7}:
            roles[c] = "code"
    return roles


class CodedTableReader:
    """Reads the coded tables (t2, t3, t5, t6, t7, t8, t9) and t11 of one region."""

    def __init__(self, table: str, money_fields: list[str], template: Template | None = None):
        self.table = table
        self.money_fields = money_fields
        self.template = template

    def read(self, region: Region) -> list[ReadRow]:
        rows: list[ReadRow] = []
        roles: list[str | None] | None = None
        header: tuple[list[str | None], list[float]] | None = None
        prefix = {"l": "", "k": ""}
        for grid in region.grids:
            start = header_split(grid)
            if start > 0:
                roles = column_roles(self.table, column_paths(grid, start), self.template)
                roles = fill_blank_headers(roles, self.money_fields, grid, start)
                rules = (self.template or templates.default()).column_rules(self.table)
                roles = mend_misread_headers(roles, grid, start, column_paths(grid, start), self.money_fields, rules)
                roles = as_named_before(roles, header[0] if header else None)
                header = (roles, grid.col_edges)
            if roles is None or len(roles) != grid.n_cols:
                roles = roles_by_position(header, grid) or self._positional_roles(grid, start)
            roles = _infer_key_roles(grid, start, roles)
            for r in range(start, grid.n_rows):
                row = self._read_row(grid, r, roles, prefix)
                if row is not None:
                    rows.append(row)
        if not any(row.is_total for row in rows) \
                and (found := garbled_total([row.values for row in rows], self.money_fields, TOTAL_WORDS)):
            i, word = found
            rows[i].is_total = True
            rows[i].values["name"] = word
        return rows

    def _positional_roles(self, grid: Grid, start: int) -> list[str | None]:
        """No usable header: amounts are the right-most columns in schema order."""
        roles: list[str | None] = [None] * grid.n_cols
        amount_cols = [c for c in range(grid.n_cols)
                       if any(is_amount(normalise(grid.text(r, c))) for r in range(start, grid.n_rows))]
        if amount_cols:
            first = amount_cols[0]
            for i, c in enumerate(range(first, grid.n_cols)):
                if i < len(self.money_fields):
                    roles[c] = self.money_fields[i]
            if first >= 1:
                roles[first - 1] = "name"
        return roles

    def _read_row(self, grid: Grid, r: int, roles: list[str | None], prefix: dict) -> ReadRow | None:
        row = ReadRow(page=grid.page)
        key: dict[str, str] = {}
        where: dict[str, tuple[float, float, float, float]] = {}
        for c, role in enumerate(roles):
            if role is None:
                continue
            cell = grid.cell(r, c)
            raw = clean(grid.text(r, c, anchor_only=role not in ("code_l", "code_k", "name")))
            text = code_text(raw) if role in CODE_ROLES else normalise(raw)
            if role.startswith("code") or role in ("name", "project_name"):
                if text and role not in key:
                    key[role] = raw if role in ("name", "project_name") else text
                    where[role] = cell.bbox
                continue
            if role in row.values:
                continue
            if text and role.startswith(EXTRA):
                value = as_money(text)
                if value is not None:
                    row.values.setdefault("extra", {})[role[len(EXTRA):]] = value
                    row.bbox[role] = cell.bbox
            elif text:
                row.values[role] = as_money(text)
                row.bbox[role] = cell.bbox
        label = "".join(key.get(k, "") for k in ("code_l", "code_k", "code_x", "code", "name"))
        first_text = normalise(grid.text(r, 0, anchor_only=False))
        if label.startswith(TOTAL_WORDS) or first_text.startswith(TOTAL_WORDS) or key.get("name", "") in TOTAL_WORDS:
            row.is_total = True
            row.values["name"] = next((w for w in TOTAL_WORDS if w in (label or first_text)), "合计")
            row.values["code"] = None
            if label.startswith(TOTAL_WORDS):
                row.bbox["name"] = next(where[k] for k in ("code_l", "code_k", "code_x", "code", "name") if k in where)
            elif first_text.startswith(TOTAL_WORDS):
                row.bbox["name"] = grid.cell(r, 0).bbox
            else:
                row.bbox["name"] = where["name"]
            return row
        code = self._code(key, prefix)
        name = key.get("name")
        code_boxes = [where[k] for k in CODE_ROLES if k in where]
        if name and code is None:
            # "201一般公共服务支出" or "30101基本工资" printed in one cell.
            head = name[:7]
            digits = "".join(ch for ch in head if ch.isdigit())
            if len(digits) in (3, 5, 7) and name.startswith(digits):
                code, name = digits, name[len(digits):] or None
                code_boxes = [where["name"]]
        if code is not None and code_boxes:
            # A child row printing only its 项 digits gets the cells it printed; the parent
            # digits carried from rows above are not on this row.
            row.bbox["code"] = union(code_boxes)
        for role in ("name", "project_name"):
            if role in where:
                row.bbox[role] = where[role]
        if self.table != "t11":
            row.values["code"] = code
        row.values["name"] = name
        if self.table == "t7":
            row.values["project_name"] = key.get("project_name")
        if not any(v is not None for k, v in row.values.items() if k in self.money_fields) and not name and not code \
                and not row.values.get("extra"):
            return None
        return row

    @staticmethod
    def _code(key: dict[str, str], prefix: dict) -> str | None:
        if "code" in key and key["code"].isdigit():
            return key["code"]
        lead, mid, leaf = key.get("code_l", ""), key.get("code_k", ""), key.get("code_x", "")
        if not (lead or mid or leaf):
            return None
        # 款 and 项 codes have two digits; a spreadsheet export drops the leading zero ("7" for 07).
        mid, leaf = (part.zfill(2) if len(part) == 1 and part.isdigit() else part for part in (mid, leaf))
        # Child rows may leave the parent digits blank; carry them from the rows above.
        if lead:
            prefix["l"], prefix["k"] = lead[:3], ""
        elif prefix["l"]:
            lead = prefix["l"]
        if mid:
            prefix["k"] = mid
        elif leaf and prefix["k"]:
            mid = prefix["k"]
        code = lead + mid + (leaf if mid else "")
        if len(lead) > 3:  # "20103" printed in the 类 column: already concatenated
            code = lead + mid + leaf
        return code if code.isdigit() and len(code) in (3, 5, 7) else None
