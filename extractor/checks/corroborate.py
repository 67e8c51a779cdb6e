"""Agreements that vouch for figures no identity of the checker covers, without any finding.

A figure the narrative states, or a generic table's total, may simply equal a total of the
contract tables: two readings of the same amount (printed in different places, OCR'd apart)
that agree to the last digit vouch for each other. Only an agreement counts, never a mismatch
(the sentence may speak of another scope), and only figures with three digits or more (a "0"
or "1.00" agrees with too much by chance). The narrative's 当年财政拨款项目 count and amount
are vouched for by the fiscal sheets (and the undisclosed entries) when one reading fits, and the
non-fiscal ones by the non-fiscal sheets.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from pydantic import BaseModel

from schemas import Document
from schemas.common import to_wan
from schemas.narrative import Narrative
from schemas.tables import TABLE_TITLES

from .core import Values
from .matching import is_fiscal
from .rules_generic import amount_columns, lines
from .rules_narrative import project_readings

N = "/narrative"
_COUNTS = {"performance_project_count", "nonfiscal_project_count"}


def agreements(doc: Document, values: Values | None = None) -> list[tuple[str, ...]]:
    """Groups of cells that vouch for each other (each group agrees exactly)."""
    values = values or Values(doc)
    out = list(_equal_totals(doc, values))
    out += list(_projects(doc, values))
    out += list(_year(doc))
    return out


def _year(doc: Document) -> Iterator[tuple[str, ...]]:
    """The year, when a table title on another page prints it too ("2025年部门财务收支预算总表").

    The year is read once (a cover, a title); a title read on another page is a reading of its
    own: the two agreeing vouch for it. Only the tables' titles count, never the year's own line.
    """
    spot = doc.provenance.get("/year")
    if doc.year is None or spot is None:
        return
    stated = f"{doc.year}年"
    titled = [(table.title, table.pages) for key in TABLE_TITLES if (table := getattr(doc.tables, key)).present]
    titled += [(table.title, table.pages) for table in doc.generic_tables]
    if any(title and stated in title.replace(" ", "") and pages and spot.page not in pages for title, pages in titled):
        yield ("/year",)


def _significant(value: Decimal) -> bool:
    """Three significant digits or more (trailing zeros do not count: round figures agree by chance)."""
    return bool(value) and len(value.normalize().as_tuple().digits) >= 3


def table_totals(doc: Document) -> Iterator[str]:
    """Cells of the contract tables' 合计/总计 lines (and t10's lines: each is a figure of its own)."""
    for key in TABLE_TITLES:
        table = getattr(doc.tables, key)
        total = getattr(table, "total", None)
        if total is not None:
            for name, value in total:
                if isinstance(value, Decimal):
                    yield f"/tables/{key}/total/{name}"
                elif isinstance(value, BaseModel):  # t4's nested expense totals
                    yield from (f"/tables/{key}/total/{name}/{k}" for k, v in value if isinstance(v, Decimal))
    for i, row in enumerate(doc.tables.t10.rows):
        if row.total is not None:
            yield f"/tables/t10/rows/{i}/total"


def generic_totals(doc: Document) -> Iterator[str]:
    """The amount cells of each generic table's one 合计/总计 row."""
    for g, table in enumerate(doc.generic_tables):
        amounts = amount_columns(table.header, table.rows)
        totals = [ln for ln in lines(table.rows, amounts) if ln.is_total]
        if len(totals) == 1:
            yield from (f"/generic_tables/{g}/rows/{totals[0].index}/{j}" for j in amounts)


def _narrative_figures(doc: Document) -> Iterator[str]:
    if doc.narrative is None:
        return
    for name, info in Narrative.model_fields.items():
        if "Decimal" in str(info.annotation) and getattr(doc.narrative, name) is not None:
            yield f"{N}/{name}"


def _equal_totals(doc: Document, values: Values) -> Iterator[tuple[str, ...]]:
    """Narrative figures and generic totals equal to a contract table's total (or to each other)."""
    tables = [p for p in table_totals(doc) if values.get(p) is not None]
    others = [p for p in [*_narrative_figures(doc), *generic_totals(doc)] if values.get(p) is not None]
    by_value: dict[Decimal, list[str]] = {}
    for p in tables:
        by_value.setdefault(values.get(p), []).append(p)
    for i, p in enumerate(others):
        value = values.get(p)
        if not _significant(value):
            continue
        match = by_value.get(value, []) + [q for q in others[i + 1:] if values.get(q) == value
                                            and q.split("/")[1] != p.split("/")[1]]
        if match:
            yield (p, *match)


def _projects(doc: Document, values: Values) -> Iterator[tuple[str, ...]]:
    narr = doc.narrative
    fit = project_readings(doc, values.per_cell)
    if narr is None or fit is None:
        return
    for field, at in (("count", 0), ("amount", 1)):
        stated = getattr(narr, f"performance_project_{field}")
        subset = fit.fits(at, stated) if stated is not None else None
        if subset is not None:
            yield (f"{N}/performance_project_{field}", *(f"{N}/undisclosed_projects/{k}/{field}" for k in subset),
                   *(f"/performance/projects/{i}/budget_total" for i in fit.sheets if at))
    others = [i for i, s in enumerate(doc.performance.projects) if not is_fiscal(s)]
    if narr.nonfiscal_project_count is not None and narr.nonfiscal_project_count == len(others):
        yield (f"{N}/nonfiscal_project_count",)
    amount = sum((to_wan(doc.performance.projects[i].budget_total, doc.performance.projects[i].unit) or Decimal(0)
                  for i in others), Decimal(0))
    if narr.nonfiscal_project_amount is not None and others and narr.nonfiscal_project_amount == amount:
        yield (f"{N}/nonfiscal_project_amount", *(f"/performance/projects/{i}/budget_total" for i in others))
