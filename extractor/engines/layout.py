"""The layout engine: deterministic, offline. Located grids → the contract's Document."""

from __future__ import annotations

from decimal import Decimal

from pydantic import ValidationError

from schemas import Document
from schemas.tables import TABLE_MODELS, TABLE_TITLES, T10_LINE_NAMES

from ..codes import settle_codes
from ..locate import EMPTY_NOTE_SENTENCE, Layout, Region, document_kind
from ..read_fixed import read_t10, read_two_sided
from ..read_sheets import read_sheet
from ..read_tables import CodedTableReader, ReadRow
from ..read_text import read_narrative, read_staffing, read_unit_name, read_year
from . import ENGINES

CODED = ("t2", "t3", "t5", "t6", "t7", "t8", "t9", "t11")


def _money_fields(table: str) -> list[str]:
    row_model = TABLE_MODELS[table].model_fields["rows"].annotation.__args__[0]  # list[Row]
    return [n for n, f in row_model.model_fields.items() if n not in ("code", "name", "project_name")]


def _is_note(values: dict) -> bool:
    amounts = any(isinstance(v, Decimal) for v in values.values())
    return not amounts and not values.get("code") and bool(EMPTY_NOTE_SENTENCE.search(str(values.get("name") or "")))


def _merge(regions: list[Region]) -> Region:
    """A table printed as several regions (a repeated title on a continuation page) is one table.

    Regions without any grid or text (a 目录 entry) are dropped when the table itself is found.
    """
    real = [r for r in regions if r.grids or r.empty_note]
    regions = real or regions
    first = regions[0]
    for extra in regions[1:]:
        first.grids += extra.grids
        first.lines += extra.lines
        for p in extra.pages:
            first.add_page(p)
    return first


class LayoutEngine:
    """Maps each located region with template knowledge; needs no network and no model."""

    name = "layout"

    def fill(self, doc: Document, layout: Layout) -> Document:
        """Fill tables, sheets, narrative and profile of doc from the located layout."""
        doc.unit_name = read_unit_name(layout)
        doc.unit_kind = document_kind(layout)  # type: ignore[assignment]
        doc.year = read_year(layout)
        staffing = read_staffing(layout)
        data = doc.model_dump(mode="python")
        data["staffing"] = staffing
        for key in TABLE_TITLES:
            found = layout.tables(key)
            if found:
                data["tables"][key] = self.read_table(key, _merge(found), data["provenance"])
        settle_codes(data["tables"])  # a code misread in one table, read right in the others
        overall = layout.first("overall")
        if overall is not None:
            data["performance"]["overall"] = read_sheet(overall, overall=True)
        data["performance"]["projects"] = [read_sheet(r, overall=False) for r in layout.tables("project")]
        data["narrative"] = read_narrative(layout)
        try:
            return Document.model_validate(data)
        except ValidationError as exc:  # keep what validates: drop the offending sheet fields
            return _salvage(data, exc)

    def read_table(self, key: str, region: Region, provenance: dict) -> dict:
        table: dict = {"present": True, "empty_note": region.empty_note, "pages": list(region.pages), "rows": []}
        if key in ("t1", "t4"):
            income, rows, totals = read_two_sided(region, key)
            table["income"] = income
            table["rows"] = rows
            if totals:
                if key == "t4":
                    exp = totals.get("expense_total")
                    totals["expense_total"] = exp if isinstance(exp, dict) else {"total": exp}
                table["total"] = totals
            return table
        if key == "t10":
            lines = read_t10(region)
            table["rows"] = [{**ln, "name": ln.get("name") or T10_LINE_NAMES[ln["line"]]}
                             for ln in lines if ln["line"] != "total"]
            table["total"] = next((ln for ln in lines if ln["line"] == "total"), None)
            return table
        rows = CodedTableReader(key, _money_fields(key)).read(region)
        total = next((r for r in rows if r.is_total), None)
        # A "备注：本表为空表" remark printed inside the grid is the table's note, not a row.
        body = [r for r in rows if not r.is_total and not _is_note(r.values)]
        table["rows"] = [r.values for r in body]
        # An empty table still prints its 合计 line: with no amount on it, it is no total.
        printed = total is not None and any(isinstance(v, Decimal) for v in total.values.values())
        table["total"] = total.values if printed else None
        for i, row in enumerate(body):
            _provenance(provenance, f"/tables/{key}/rows/{i}", row)
        if total:
            _provenance(provenance, f"/tables/{key}/total", total)
        return table


def _provenance(provenance: dict, base: str, row: ReadRow) -> None:
    for field, bbox in row.bbox.items():
        provenance[f"{base}/{field}"] = {"page": row.page, "bbox": bbox}


def _salvage(data: dict, exc: ValidationError) -> Document:
    """Null the fields that failed validation rather than lose the whole document."""
    for error in exc.errors():
        obj = data
        loc = list(error["loc"])
        for part in loc[:-1]:
            try:
                obj = obj[part]
            except (KeyError, IndexError, TypeError):
                obj = None
                break
        if isinstance(obj, dict) and loc:
            obj.pop(loc[-1], None)
        elif isinstance(obj, list) and loc and isinstance(loc[-1], int) and loc[-1] < len(obj):
            obj[loc[-1]] = None
    for sheet_list in (data["performance"].get("projects", []),):
        sheet_list[:] = [s for s in sheet_list if s is not None]
    return Document.model_validate(data)


@ENGINES.register("layout")
def _make_layout(**_options) -> LayoutEngine:
    return LayoutEngine()
