"""The layout engine: deterministic, offline. Located grids → the contract's Document."""

from __future__ import annotations

from decimal import Decimal

from pydantic import ValidationError

from schemas import Document
from schemas.tables import TABLE_TITLES, T10_LINE_NAMES, money_fields

from ..codes import settle_codes
from ..locate import EMPTY_NOTE_SENTENCE, Layout, Region, document_kind
from ..provenance import Where, empty_note_spot, place, resolvable
from .. import templates
from ..read_fixed import read_t10, read_two_sided
from ..read_generic import is_blank, printed_title, read_generic, region_unit
from ..read_sheets import read_sheet
from ..read_tables import CodedTableReader, ReadRow
from ..read_text import read_narrative, read_staffing, read_unit_name, read_year
from ..templates import Template
from .registry import ENGINES

CODED = ("t2", "t3", "t5", "t6", "t7", "t8", "t9", "t11")
_money_fields = money_fields  # the former name (moved to schemas/tables.py), still imported by tests


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
        first.line_words += extra.line_words
        for p in extra.pages:
            first.add_page(p)
    return first


class LayoutEngine:
    """Maps each located region with template knowledge; needs no network and no model."""

    name = "layout"

    def fill(self, doc: Document, layout: Layout) -> Document:
        """Fill tables, sheets, narrative and profile of doc from the located layout.

        Every value read off a page gets provenance (page + box) under its JSON pointer; values
        decided elsewhere (unit_kind by a vote over titles, a target parsed from target_raw) do not.
        """
        template = layout.template or templates.default()
        doc.template = template.name
        doc.document_kind = template.document_kind  # type: ignore[assignment]
        profile: Where = {}
        doc.unit_name = read_unit_name(layout, profile)
        doc.unit_kind = document_kind(layout)  # type: ignore[assignment]
        doc.year = read_year(layout, profile)
        staffing: Where = {}
        data = doc.model_dump(mode="python")
        data["staffing"] = read_staffing(layout, staffing)
        provenance = data["provenance"]
        place(provenance, "", profile)
        place(provenance, "/staffing", staffing)
        for key in TABLE_TITLES:
            # A title with neither a grid nor an empty-table remark (a 目录 entry) is no table.
            found = [r for r in layout.tables(key) if r.grids or r.empty_note]
            if found:
                region = _merge(found)
                table = self.read_table(key, region, provenance, template)
                if not _maps(key, table):  # same title, another shape (a list of sources): kept as printed
                    layout.regions.append(Region(kind="generic", title=region.title, number=region.number,
                                                 pages=region.pages, grids=region.grids, lines=region.lines))
                    drop = [p for p in provenance if p.startswith(f"/tables/{key}/")]
                    for pointer in drop:
                        del provenance[pointer]
                    continue
                table["title"] = printed_title(region)
                table["unit"] = region_unit(region) or template.money_unit
                data["tables"][key] = table
        data["generic_tables"] = []
        for region in layout.tables("generic"):
            where = {}
            table = read_generic(region, where)
            if is_blank(table):
                continue
            table["unit"] = table["unit"] or template.money_unit
            place(provenance, f"/generic_tables/{len(data['generic_tables'])}", where)
            data["generic_tables"].append(table)
        settle_codes(data["tables"])  # a code misread in one table, read right in the others
        overall = layout.first("overall")
        if overall is not None:
            where: Where = {}
            data["performance"]["overall"] = read_sheet(overall, overall=True, where=where, template=template)
            place(provenance, "/performance/overall", where)
        data["performance"]["projects"] = []
        for i, region in enumerate(layout.tables("project")):
            where = {}
            data["performance"]["projects"].append(read_sheet(region, overall=False, where=where, template=template))
            place(provenance, f"/performance/projects/{i}", where)
        where = {}
        data["narrative"] = read_narrative(layout, where)
        place(provenance, "/narrative", where)
        try:
            out = Document.model_validate(data)
        except ValidationError as exc:  # keep what validates: drop the offending sheet fields
            out = _salvage(data, exc)
        # A value dropped by validation or salvage leaves no provenance behind.
        out.provenance = {k: v for k, v in out.provenance.items() if resolvable(out, k)}
        return out

    def read_table(self, key: str, region: Region, provenance: dict, template: Template | None = None) -> dict:
        table: dict = {"present": True, "empty_note": region.empty_note, "pages": list(region.pages), "rows": []}
        where: Where = {}
        if table["empty_note"]:
            place(provenance, f"/tables/{key}", empty_note_spot(region))
        if key in ("t1", "t4"):
            income, rows, totals, extra = read_two_sided(region, key, where, template)
            table["extra"] = extra
            place(provenance, f"/tables/{key}", where)
            table["income"] = income
            table["rows"] = rows
            if totals:
                if key == "t4":
                    exp = totals.get("expense_total")
                    totals["expense_total"] = exp if isinstance(exp, dict) else {"total": exp}
                table["total"] = totals
            return table
        if key == "t10":
            lines, extra = read_t10(region, where, template)
            table["extra"] = extra
            table["rows"] = [{**ln, "name": ln.get("name") or T10_LINE_NAMES[ln["line"]]}
                             for ln in lines if ln["line"] != "total"]
            table["total"] = next((ln for ln in lines if ln["line"] == "total"), None)
            at = {row["line"]: f"rows/{i}" for i, row in enumerate(table["rows"])} | {"total": "total", "extra": "extra"}
            place(provenance, f"/tables/{key}",
                  {f"{at[line]}/{field}": spot for pointer, spot in where.items()
                   for line, field in [pointer.split("/", 1)]})
            return table
        rows = CodedTableReader(key, money_fields(key), template).read(region)
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


def _maps(key: str, table: dict) -> bool:
    """True when a coded table's columns are the contract's: some row has a code or a field's amount."""
    if key not in CODED or table.get("empty_note"):
        return True
    rows = table["rows"] + ([table["total"]] if table.get("total") else [])
    fields = set(money_fields(key))
    return not rows or any(row.get("code") or any(row.get(f) is not None for f in fields) for row in rows)


def _provenance(provenance: dict, base: str, row: ReadRow) -> None:
    place(provenance, base, {field: (row.page, bbox) for field, bbox in row.bbox.items()})


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
