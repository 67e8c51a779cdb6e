"""Lines of a scanned table whose subject code is under no 类 of its classification, or is
another line's.

A function-coded table (t2, t3, t5, t7, t8, t9) lists 支出功能分类 codes (201…234), t6 the economic
classification's (301…399, 501…599): both lists are national template data. A scan that cut the
page's left margin read every 30101 of a t6 as "101" while the amounts stayed right, so each line
was a wrong row no sum could see (its 类 line lost its code too, and the lines still added up).
A code read by OCR under no known 类 names its line; a text layer prints what it prints.

A code names one line of a table, so two lines of a scanned table reading one code name one of
them misread: its last digit (30204 as 30201, beside 30201's own line) keeps the 款 the sums
group it under, so no sum can tell, and the line is scored, exported and joined under another
line's code. Both lines are named (the table does not say which one is wrong); a project table
(t7) lists many projects under one code, and is left out.

One line printed in two tables (t5 and a table kept as printed) under codes a digit or two apart,
its name alike and an amount the same, is one code misread: a fax read 2080504 as 2080501, a
valid code of the same 款, in one table only. Both codes are named, unless a table prints both
(two subjects, then).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from itertools import combinations
from typing import NamedTuple

from rapidfuzz import fuzz

from schemas import Document, Finding
from schemas.tables import TABLE_TITLES

from ..codes import FUNCTION_CODED, close_codes, shared_codes
from ..locate import normalise
from .core import rule
from .rules_generic import amount_columns, cell_amount, lines

UNKNOWN = rule("codes.unknown_class", "扫描读出的科目编码不属于任何一类（可能误读）",
               "a scanned line's subject code under no 类 of its classification (misread)", severity="warning")
DISAGREE = rule("codes.disagree", "同一行在两张表中读出的科目编码不同（其一可能误读）",
                "one line read under two codes in two tables (one is misread?)", severity="warning")
NAME_ALIKE = 80.0  # fuzzy ratio of two readings of one name, each garbled a character or two
REPEATED = rule("codes.repeated", "扫描读出的两行科目编码相同（其一可能误读）",
                "two lines of a scanned table read one subject code (one is misread?)", severity="warning")


def unknown_codes(doc: Document, template, ocr_pages: set[int]) -> list[Finding]:
    """A warning per scanned table naming its lines whose code is under no known 类 (``template``:
    the document's family, None for the national lists alone)."""
    if template is None:
        from .. import templates

        template = templates.default()
    out = []
    for key in (*FUNCTION_CODED, "t6"):
        known = template.economic_classes if key == "t6" else template.classes
        table = getattr(doc.tables, key, None)
        if not known or table is None or not table.present or not set(table.pages or []) & ocr_pages:
            continue
        lines = [(i, row) for i, row in enumerate(table.rows)
                 if getattr(row, "code", None) and str(row.code)[:3] not in known]
        if not lines:
            continue
        # The codes, not the amounts: a line's figures may be right under a misread code.
        locations = [f"/tables/{key}/rows/{i}/code" for i, _ in lines]
        codes = "、".join(str(row.code) for _, row in lines[:5]) + ("…" if len(lines) > 5 else "")
        out.append(Finding(rule=UNKNOWN, severity="warning", tables=[key], locations=locations,
                           message=f"表{key[1:]} {TABLE_TITLES[key]}：编码 {codes} 不属于任何一类，可能误读"
                                   f" / codes under no known 类: {codes} (misread?)",
                           cause="extraction"))
    return out


def repeated_lines(doc: Document, ocr_pages: set[int]) -> list[Finding]:
    """A warning per scanned table (not t7) naming the lines that read a code another line reads."""
    out = []
    for key in (*FUNCTION_CODED, "t6"):
        table = getattr(doc.tables, key, None)
        if key == "t7" or table is None or not table.present or not set(table.pages or []) & ocr_pages:
            continue
        same = shared_codes(getattr(row, "code", None) for row in table.rows)
        if not same:
            continue
        codes = "、".join(same)
        out.append(Finding(rule=REPEATED, severity="warning", tables=[key],
                           locations=[f"/tables/{key}/rows/{i}/code" for rows in same.values() for i in rows],
                           message=f"表{key[1:]} {TABLE_TITLES[key]}：编码 {codes} 出现在两行以上，其一可能误读"
                                   f" / code {codes} read on more than one line (misread?)",
                           cause="extraction"))
    return out


class _Line(NamedTuple):
    pointer: str  # its code cell
    table: str  # t5, or g1 for the first table kept as printed (as the checker keys them)
    code: str
    name: str
    amounts: frozenset[Decimal]
    scanned: bool


def disagreeing_codes(doc: Document, ocr_pages: set[int]) -> list[Finding]:
    """A warning per pair of lines (one scanned at least) that print one line under two codes."""
    found = list(_coded_lines(doc, ocr_pages))
    if not any(line.scanned for line in found):
        return []
    printed: dict[str, set[str]] = defaultdict(set)  # each table's codes
    alike: dict[tuple[int, str], list[_Line]] = defaultdict(list)  # lines by code level and 类
    for line in found:
        printed[line.table].add(line.code)
        alike[(len(line.code), line.code[:3])].append(line)
    out = []
    for a, b in (pair for lines in alike.values() for pair in combinations(lines, 2)):
        if a.table == b.table or not (a.scanned or b.scanned) or close_codes(a.code, b.code) is None \
                or any({a.code, b.code} <= codes for codes in printed.values()) \
                or not a.amounts & b.amounts or fuzz.ratio(a.name, b.name) < NAME_ALIKE:
            continue
        out.append(Finding(rule=DISAGREE, severity="warning", tables=sorted({a.table, b.table}),
                           locations=[a.pointer, b.pointer],
                           message=f"{a.name}：{a.code}（{a.pointer}）与 {b.code}（{b.pointer}），其一可能误读"
                                   f" / one line read as {a.code} and {b.code} (misread?)",
                           cause="extraction"))
    return out


def _coded_lines(doc: Document, ocr_pages: set[int]):
    """Every coded line of the function-coded tables and the tables kept as printed, with its
    name and its amounts of three digits or more (a 0.00 or 1.00 agrees with too much)."""
    for key in (*FUNCTION_CODED, "t6"):
        table = getattr(doc.tables, key, None)
        if key == "t7" or table is None or not table.present:
            continue
        scanned = bool(set(table.pages or []) & ocr_pages)
        for i, row in enumerate(table.rows):
            code, name = getattr(row, "code", None), normalise(getattr(row, "name", None) or "")
            amounts = frozenset(v for v in row.model_dump().values() if isinstance(v, Decimal) and abs(v) >= 100)
            if code and name and amounts:
                yield _Line(f"/tables/{key}/rows/{i}/code", key, str(code), name, amounts, scanned)
    for g, table in enumerate(doc.generic_tables):
        scanned = bool(set(table.pages or []) & ocr_pages)
        amounts = amount_columns(table.header, table.rows)
        for line in lines(table.rows, amounts):
            row = table.rows[line.index]
            values = frozenset(v for j in amounts if j < len(row) and (v := cell_amount(row[j])) is not None
                               and abs(v) >= 100)
            if line.code and line.text and values:
                yield _Line(f"/generic_tables/{g}/rows/{line.index}/{line.code_col}", f"g{g + 1}", line.code,
                            normalise(line.text), values, scanned)

