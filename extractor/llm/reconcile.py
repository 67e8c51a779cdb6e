"""Run a table's own checker rules on one answer and say exactly which equation failed.

The message goes back to the model verbatim (through Instructor's re-ask), so it names the
table, the row and every cell with its printed header and value:
"t3 row 2010350 事业运行: 合计 330.39 ≠ 基本支出 320.39 + 项目支出 0".
The checker (extractor.checks) supplies the identities when it is importable; otherwise a
minimal row-sum validator over the same columns stands in.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from schemas import Document
from schemas.pointer import resolve

log = logging.getLogger("budgetx.llm")

SHEETS = ("overall", "project")
# What the fallback validator checks: row total = Σ columns, per table (domain.md "Columns").
FALLBACK_SPLITS: dict[str, tuple[str, tuple[str, ...]]] = {
    "t2": ("total", ("fiscal_subtotal", "fiscal_special_account", "unit_funds", "fiscal_carryover",
                     "nonfiscal_carryover")),
    "t3": ("total", ("basic", "project")),
    "t5": ("total", ("basic", "project")),
    "t6": ("total", ("personnel", "public")),
    "t7": ("total", ("wages", "goods_services", "household_transfers", "debt_interest", "capital_infrastructure",
                     "capital", "enterprise_subsidy_infrastructure", "enterprise_subsidy", "social_security_fund",
                     "other")),
    "t8": ("total", ("basic_personnel", "basic_public", "project")),
    "t9": ("total", ("basic_personnel", "basic_public", "project")),
    "t11": ("total", ("fiscal_total", "nonfiscal_total")),
}


@dataclass(frozen=True)
class Failure:
    """One failed identity: its rule, the message for the model, and a signature of its cells."""

    rule: str
    message: str
    signature: tuple
    confirmable: bool = True  # a source can print sums that do not add up, not rows that are not there


def wrap(kind: str, answer: BaseModel, unit_name: str | None = None) -> Document:
    """A Document holding only this answer, so the checker's pointers resolve."""
    doc = Document(doc_id="answer", unit_name=unit_name)
    if kind == "overall":
        doc.performance.overall = answer  # type: ignore[assignment]
    elif kind == "project":
        doc.performance.projects = [answer]  # type: ignore[list-item]
    else:
        answer.present = True  # type: ignore[attr-defined]
        setattr(doc.tables, kind, answer)
    return doc


def failures(kind: str, answer: BaseModel, unit_name: str | None = None, row_local: bool = False) -> list[Failure]:
    """Error-level identities of this table (or sheet) that the answer breaks.

    row_local keeps only identities inside one row: a piece of a split table cannot check its
    hierarchy or its 合计 row against rows it does not hold.
    """
    doc = wrap(kind, answer, unit_name)
    try:
        identities, values, evaluate = _checker_identities(kind, doc)
    except ImportError:
        return _fallback(kind, doc)
    out = []
    for identity in identities:
        if row_local and len({_row_of(p) for p in identity.cells}) > 1:
            continue
        outcome = evaluate(identity, values)
        if outcome is None or outcome.ok:
            continue
        out.append(_failure(kind, doc, identity, values))
    return out


def _checker_identities(kind: str, doc: Document) -> tuple[list, Any, Any]:
    from ..checks.core import RULES, Context, Identity, Values, evaluate
    from ..checks.rules_sheets import OVERALL_SPLIT, SPLIT, WEIGHTS

    values = Values(doc)
    ctx = Context(doc, values)
    if kind in SHEETS:
        from ..checks.rules_sheets import sheet_rules

        own = {SPLIT, OVERALL_SPLIT, WEIGHTS}
        found = [i for i in sheet_rules(ctx) if isinstance(i, Identity) and i.rule in own]
    else:
        from ..checks.rules_tables import table_rules

        found = [i for i in table_rules(ctx) if isinstance(i, Identity) and i.tables == (kind,)]
    errors = [i for i in found if (i.severity or RULES[i.rule].severity) == "error"]
    return errors, values, evaluate


def _row_of(pointer: str) -> str:
    parts = pointer.strip("/").split("/")
    return "/".join(parts[:4] if len(parts) > 3 and parts[2] == "rows" else parts[:3])


# ---- messages ------------------------------------------------------------------------


def _header(doc: Document, pointer: str) -> str:
    parent, _, leaf = pointer.rpartition("/")
    owner = resolve(doc, parent)
    info = type(owner).model_fields.get(leaf) if isinstance(owner, BaseModel) else None
    return (info.description if info and info.description else leaf)


def _row_name(doc: Document, pointer: str) -> str:
    parts = pointer.strip("/").split("/")
    if parts[0] == "performance":
        return ""
    if parts[2] == "rows":
        row = resolve(doc, "/".join(parts[:4]))
        bits = [getattr(row, "code", None), getattr(row, "project_name", None) or getattr(row, "name", None)]
        return "row " + (" ".join(b for b in bits if b) or str(int(parts[3]) + 1))
    return {"total": "合计行", "income": "收入"}.get(parts[2], parts[2])


def _show(value: Decimal | None) -> str:
    return "空" if value is None else format(value, "f")


def _failure(kind: str, doc: Document, identity: Any, values: Any) -> Failure:
    left = list(identity.left)
    rhs = list(identity.rhs)
    signature = (identity.rule, tuple(left + rhs), tuple(values.get(p) for p in left + rhs))
    if identity.targets:
        total = sum((values.get(p) or Decimal(0) for p in rhs), Decimal(0))
        allowed = " 或 ".join(format(t, "f") for t in identity.targets)
        message = f"{kind}: 指标分值权重合计 {format(total, 'f')} ≠ {allowed}（{len(rhs)} 项指标）"
        return Failure(identity.rule, message, signature)
    rows = {_row_name(doc, p) for p in left + rhs}
    if len(rows) == 1:
        # All cells in one row: name the row once, then header and value of each cell.
        where = rows.pop()
        term = lambda p: f"{_header(doc, p)} {_show(values.get(p))}"  # noqa: E731
        head = f"{kind} {where}: " if where else f"{kind}: "
    else:
        # A column identity across rows (hierarchy, 合计 row): name the column once.
        head = f"{kind} {_header(doc, (left or rhs)[0])}: "
        term = lambda p: f"{_row_name(doc, p)} {_show(values.get(p))}"  # noqa: E731
    lhs_text = " + ".join(term(p) for p in left) or "0"
    return Failure(identity.rule, f"{head}{lhs_text} ≠ {_terms(rhs, values, term)}", signature)


def _terms(pointers: list[str], values: Any, term: Any, shown: int = 6) -> str:
    """The right-hand side: printed cells only (blanks add nothing), long sums abbreviated."""
    printed = [p for p in pointers if values.get(p) is not None]
    if not printed:
        return "0（各项均为空）"
    text = " + ".join(term(p) for p in printed[:shown])
    if len(printed) > shown:
        total = sum((values.get(p) for p in printed), Decimal(0))
        text = f"Σ {len(printed)} 项 = {format(total, 'f')}（{text} + …）"
    return text


def _fallback(kind: str, doc: Document) -> list[Failure]:
    """Row total = Σ its columns, within the rounding band, for the coded tables."""
    if kind not in FALLBACK_SPLITS:
        return []
    total, parts = FALLBACK_SPLITS[kind]
    table = getattr(doc.tables, kind)
    bases = [f"/tables/{kind}/rows/{i}" for i in range(len(table.rows))]
    bases += [f"/tables/{kind}/total"] if table.total is not None else []
    out = []
    for base in bases:
        lhs = resolve(doc, f"{base}/{total}")
        cells = [resolve(doc, f"{base}/{p}") for p in parts]
        printed = [c for c in cells if c is not None]
        if lhs is None and not printed:
            continue
        if abs((lhs or 0) - sum(printed, Decimal(0))) > Decimal("0.005") * max(len(printed), 1):
            where = _row_name(doc, base + "/x")
            terms = " + ".join(f"{_header(doc, f'{base}/{p}')} {_show(c)}"
                               for p, c in zip(parts, cells) if c is not None)
            message = f"{kind} {where}: {_header(doc, f'{base}/{total}')} {_show(lhs)} ≠ {terms or '0'}"
            out.append(Failure(f"{kind}.row_total", message, (base, lhs, tuple(cells))))
    return out
