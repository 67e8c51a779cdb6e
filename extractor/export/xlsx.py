"""An Excel workbook: the tidy tables as sheets, then each budget table laid out as printed."""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal

from schemas.tables import TABLE_TITLES

from .base import Writer, writer, optional
from .tidy import Frame, empty_frames, row_like

EXCEL_ROWS = 1_048_576  # rows per worksheet, the header row included


def sheet_name(text: str, taken: set[str]) -> str:
    """A legal, unique worksheet name (31 characters, none of []:*?/\\)."""
    base = re.sub(r"[\[\]:*?/\\]", "_", text)[:31] or "sheet"
    name, n = base, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


@writer("xlsx")
class XlsxWriter(Writer):
    """documents, cells, sheets, indicators, findings, finding_cells, then 表1 … 表11 (and any
    other printed table) with one line per printed row and one column per printed header."""

    fmt, requires = "xlsx", ("openpyxl",)

    def __init__(self, path):
        self.openpyxl = optional("openpyxl", self.fmt)
        super().__init__(path)
        self.frames = empty_frames()

    def write(self, frames: dict[str, Frame]):
        # Buffered: a printed table's columns are known only once every document is in.
        for name, frame in frames.items():
            self.frames[name].rows += frame.rows

    def finish(self):
        wb = self.openpyxl.Workbook(write_only=True)
        taken: set[str] = set()
        for frame in self.frames.values():
            rows = frame.rows
            for start in range(0, max(len(rows), 1), EXCEL_ROWS - 1):  # continue a too-long table
                ws = wb.create_sheet(sheet_name(frame.name if start == 0 else f"{frame.name} {start}", taken))
                ws.append(frame.names)
                for row in rows[start:start + EXCEL_ROWS - 1]:
                    ws.append(row)
        for title, lines in printed_tables(self.frames["cells"]):
            ws = wb.create_sheet(sheet_name(title, taken))
            for line in lines:
                ws.append([self._amount(ws, v) if isinstance(v, Decimal) else v for v in line])
        wb.save(self.tmp)
        self.frames = empty_frames()

    def _amount(self, ws, value: Decimal):
        """A number cell showing the decimals printed ("518.80", not 518.8)."""
        cell = self.openpyxl.cell.WriteOnlyCell(ws, value=value)
        places = max(0, -value.as_tuple().exponent)
        cell.number_format = "0." + "0" * places if places else "0"
        return cell


def printed_tables(cells: Frame):
    """(sheet title, lines) per printed table: a coded or named row on one line with a column per
    header; fixed lines (t1/t4 income, totals without a name, extra lines) one per amount."""
    col = {name: i for i, name in enumerate(cells.names)}
    groups: dict[tuple, list[tuple]] = defaultdict(list)
    titles: dict[tuple, str] = {}
    for row in cells.rows:
        table = row[col["table"]]
        key = (table,) if table in TABLE_TITLES else ("g", row[col["table_title"]])
        groups[key].append(row)
        titles.setdefault(key, f"表{table[1:]} {TABLE_TITLES[table]}" if table in TABLE_TITLES
                          else row[col["table_title"]] or table)
    order = sorted(groups, key=lambda k: (k[0] == "g", int(k[0][1:]) if k[0] != "g" else 0, str(k[-1])))
    for key in order:
        yield titles[key], _layout(groups[key], col)


SECTIONS = {"income": "收入", "rows": "明细", "total": "合计", "extra": "其他印刷行"}


def _layout(rows: list[tuple], col: dict[str, int]) -> list[list]:
    headers: dict[str, str] = {}  # column key → printed header, in order of first appearance
    lines: dict[tuple, dict] = {}
    has_lines = False
    for row in rows:
        table, section, index = row[col["table"]], row[col["section"]], row[col["row_index"]]
        value = None if row[col["value"]] is None else Decimal(row[col["value"]])  # a flagged blank
        base = {"doc": row[col["doc_id"]], "section": section, "unit": row[col["unit"]]}
        if row_like(table, section):
            line = lines.setdefault((row[col["doc_id"]], section, index), {
                **base, "code": row[col["code"]], "name": row[col["name"]],
                "project": row[col["project_name"]], "values": {}})
            field = row[col["field"]]
            key = f"extra:{row[col['header']]}" if field == "extra" else field
            headers.setdefault(key, row[col["header"]] or field)
            line["values"][key] = value
        else:
            has_lines = True
            lines[(row[col["doc_id"]], section, index, row[col["pointer"]])] = {
                **base, "code": None, "name": row[col["header"]], "project": None, "values": {"": value}}
    with_project = any(line["project"] for line in lines.values())
    head = ["doc_id", "部分", "科目编码", "名称"] + (["项目名称"] if with_project else []) + list(headers.values())
    head += (["金额"] if has_lines else []) + ["金额单位"]
    out = [head]
    for line in lines.values():
        values = [line["values"].get(k) for k in headers] + ([line["values"].get("")] if has_lines else [])
        out.append([line["doc"], SECTIONS.get(line["section"], line["section"]), line["code"], line["name"]]
                   + ([line["project"]] if with_project else []) + values + [line["unit"]])
    return out
