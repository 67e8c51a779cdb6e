"""The checker's engine: named rules, identities (lhs = Σ rhs) and their evaluation.

Most rules are sums: a printed total equals the sum of printed parts. A rule module yields
``Identity`` objects; this module evaluates them against the Document's cells with the
rounding band, and the localiser and the repairer reuse the same evaluation with a cell
overridden ("what if this cell read 330.39?").
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel

from schemas import Document
from schemas.common import KEY_FIELDS, to_wan
from schemas.pointer import resolve

Severity = Literal["error", "warning", "info"]

# Each printed cell is rounded to 0.01, so it may be off by 0.005 from the value it stands for;
# a document that prints whole 万元 throughout is off by up to 0.5 per cell.
BAND_PER_CELL = Decimal("0.005")
BAND_PER_WHOLE_CELL = Decimal("0.5")
ZERO = Decimal(0)


@dataclass(frozen=True)
class Rule:
    """A named rule: a stable id, its default severity and what it states."""

    id: str
    severity: Severity
    zh: str
    en: str


RULES: dict[str, Rule] = {}


def rule(rule_id: str, zh: str, en: str, severity: Severity = "error") -> str:
    """Register a rule id (idempotent) and return it, so modules can keep it as a constant."""
    RULES.setdefault(rule_id, Rule(rule_id, severity, zh, en))
    return rule_id


@dataclass(frozen=True)
class Identity:
    """``lhs = Σ rhs`` over JSON pointers into the Document.

    A blank cell of a printed grid counts as 0 (it adds nothing), but an identity whose cells
    are all blank is not checked. ``lhs_optional`` is for figures that may simply not be
    stated (a narrative number, a sheet's 资金总额): a null lhs then skips the identity;
    ``rhs_optional`` likewise skips it when no part is printed.
    ``alts`` are other right-hand sides that are accepted too (e.g. "with the carryover").
    ``targets`` replaces the lhs pointer by constants (indicator weights: 90 or 100).
    """

    rule: str
    lhs: str | None
    rhs: tuple[str, ...]
    tables: tuple[str, ...]
    severity: Severity | None = None
    alts: tuple[tuple[str, ...], ...] = ()
    targets: tuple[Decimal, ...] = ()
    lhs_optional: bool = False
    rhs_optional: bool = False  # a breakdown that may simply not be printed (其中 lines of a sheet)
    lhs_more: tuple[str, ...] = ()  # further cells added to the lhs (a figure printed once per unit)
    note: str = ""
    # Printed labels the identity vouches for when it holds, never summed: a generic table's codes
    # (a misread code would have put its row under another parent).
    witnesses: tuple[str, ...] = ()

    @property
    def left(self) -> tuple[str, ...]:
        """The cells on the left-hand side."""
        return ((self.lhs,) if self.lhs else ()) + self.lhs_more

    @property
    def primary(self) -> tuple[str, ...]:
        """The pointers a finding names: lhs first, then the summed cells."""
        return self.left + self.rhs

    @property
    def cells(self) -> frozenset[str]:
        """Every pointer whose value the identity reads, alternatives included."""
        out = set(self.primary)
        for alt in self.alts:
            out.update(alt)
        return frozenset(out)


@dataclass
class Outcome:
    """The evaluation of one identity: ok or failed, with the figures of the primary form."""

    identity: Identity
    ok: bool
    expected: Decimal | None
    actual: Decimal | None
    difference: Decimal | None
    unbroken: bool = False  # a total printed while every part is blank: no single cell explains it


class Values:
    """Cell values by JSON pointer, with optional overrides for what-if evaluation."""

    def __init__(self, doc: Document):
        self.doc = doc
        self._cache: dict[str, Decimal | None] = {}
        self.overrides: dict[str, Decimal | None] = {}
        self.per_cell = BAND_PER_WHOLE_CELL if prints_whole_units(doc) else BAND_PER_CELL

    def get(self, pointer: str) -> Decimal | None:
        """A cell's amount in 万元 (a table printed in 元 is converted exactly), None when blank."""
        if pointer in self.overrides:
            return self.overrides[pointer]
        if pointer not in self._cache:
            self._cache[pointer] = to_wan(self.printed(pointer), self.unit_of(pointer))
        return self._cache[pointer]

    def printed(self, pointer: str) -> Decimal | None:
        """A cell's amount as printed (its own unit). A generic table keeps its cells as text:
        read as the tables' cells are ("256:00" is 256.00, OCR's colon for a point); one that is
        still not an amount counts as blank, so nothing vouches for it."""
        value = resolve(self.doc, pointer)
        if isinstance(value, str) and pointer.startswith("/generic_tables/"):
            from ..columns import as_money

            return as_money(value)
        return _as_decimal(value)

    def band_of(self, pointer: str) -> Decimal:
        """Half a cell's last printed digit, in 万元 (its share of an identity's rounding band).

        A table in 元 printed to the fen is exact to 0.005 元, not to 0.005 万元: a misread 元
        digit (1193509 read as 1193507) must not pass as rounding.
        """
        unit = self.unit_of(pointer)
        generic = pointer.startswith("/generic_tables/")  # its own style, whatever the eleven tables print
        if unit != "元" and not generic:
            return self.per_cell
        raw = self.printed(pointer)
        exponent = raw.as_tuple().exponent if raw is not None else -2
        whole = isinstance(exponent, int) and exponent >= 0
        band = BAND_PER_WHOLE_CELL if whole else BAND_PER_CELL
        return band / 10000 if unit == "元" else band

    def unit_of(self, pointer: str) -> str | None:
        """The money unit of the table a pointer is in (None: 万元)."""
        parts = pointer.split("/", 4)
        if len(parts) > 2 and parts[1] == "tables":
            return getattr(getattr(self.doc.tables, parts[2], None), "unit", None)
        if len(parts) > 2 and parts[1] == "generic_tables":
            return getattr(resolve(self.doc, "/".join(parts[:3])), "unit", None)
        if len(parts) > 2 and parts[1] == "performance":
            sheet = resolve(self.doc, "/".join(parts[:3] if parts[2] == "overall" else parts[:4]))
            return getattr(sheet, "unit", None)
        return None

    def forget(self) -> None:
        """Drop cached values (after the Document was changed in place)."""
        self._cache.clear()


def _as_decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    return None  # text cells (names, codes) are never summed


def band(n_cells: int, per_cell: Decimal = BAND_PER_CELL) -> Decimal:
    """The rounding band of a sum of n printed cells (at least one cell's worth)."""
    return per_cell * max(n_cells, 1)


def prints_whole_units(doc: Document) -> bool:
    """True when every amount of the tables is printed without decimals (whole 万元)."""
    from schemas.cells import amount_cells

    # Whole 元 are exact to the 万元's fourth decimal: only tables in 万元 count.
    exponents = [value.as_tuple().exponent for pointer, value in amount_cells(doc)
                 if getattr(getattr(doc.tables, pointer.split("/")[2]), "unit", None) in (None, "万元")]
    # A handful of round figures ("40", "100") is no evidence; a whole document of them is.
    return len(exponents) >= 20 and all(isinstance(e, int) and e >= 0 for e in exponents)


def _side(pointers: Iterable[str], values: Values) -> tuple[Decimal, int]:
    total, printed = ZERO, 0
    for pointer in pointers:
        value = values.get(pointer)
        if value is not None:
            total += value
            printed += 1
    return total, printed


def residuals(identity: Identity, values: Values) -> list[tuple[Decimal, Decimal, Decimal]] | None:
    """(lhs − rhs, band, Σ rhs) for the primary form and each alternative; None if it does not apply.

    For constant targets the lhs is each allowed target in turn.
    """
    if identity.targets:
        total, printed = _side(identity.rhs, values)
        if printed == 0:
            return None  # no weight printed at all: nothing to add up
        # Indicator weights are points, not rounded money: they add up exactly.
        return [(target - total, ZERO, total) for target in identity.targets]
    actual, printed_left = _side(identity.left, values)
    if printed_left == 0 and identity.lhs_optional:
        return None
    if identity.rhs_optional and all(values.get(pointer) is None for pointer in identity.rhs):
        return None
    if all(values.get(pointer) is None for pointer in identity.primary):
        return None
    # One cell's band per printed cell, the lhs's own excepted (n × 0.005 in a document of 万元).
    left_bands = sorted(values.band_of(p) for p in identity.left if values.get(p) is not None)
    out = []
    for rhs in (identity.rhs, *identity.alts):
        total, _ = _side(rhs, values)
        bands = [values.band_of(p) for p in rhs if values.get(p) is not None] + left_bands[1:]
        width = max(sum(bands, ZERO), max(bands + left_bands, default=values.per_cell))
        out.append((actual - total, width, total))
    return out


def evaluate(identity: Identity, values: Values) -> Outcome | None:
    """Evaluate an identity; None when it does not apply (nothing printed, lhs not stated).

    expected is Σ rhs, actual the lhs, difference actual − expected (for constant targets:
    expected is the nearest allowed value and actual the sum).
    """
    forms = residuals(identity, values)
    if forms is None:
        return None
    ok = any(abs(diff) <= width for diff, width, _ in forms)
    if identity.targets:
        total = forms[0][2]
        expected = min(identity.targets, key=lambda target: (abs(target - total), target))
        return Outcome(identity, ok, expected, total, total - expected)
    diff, _, total = forms[0]
    unbroken = not ok and all(values.get(pointer) is None for pointer in identity.rhs)
    return Outcome(identity, ok, total, total + diff, diff, unbroken=unbroken)


def holds(identity: Identity, values: Values) -> bool:
    """True when the identity holds (or does not apply) under the current overrides."""
    outcome = evaluate(identity, values)
    return outcome is None or outcome.ok


@dataclass
class Context:
    """What rule generators read: the Document, its values and the shared tree helpers."""

    doc: Document
    values: Values
    extra: dict[str, Any] = field(default_factory=dict)

    def table(self, key: str) -> Any:
        return getattr(self.doc.tables, key)

    def template(self) -> Any:
        """The document's template family (its row sums), or None when it names no known one."""
        from .. import templates

        name = self.doc.template
        return templates.load(name) if name and name in templates.names() else None

    def present(self, *keys: str) -> bool:
        """True when every named table is printed."""
        return all(self.table(key).present for key in keys)

    def tree(self, key: str) -> Any:
        """The code hierarchy of a table's rows, built once per check."""
        from .tree import build_tree

        cache = self.extra.setdefault("trees", {})
        if key not in cache:
            cache[key] = build_tree(self.table(key).rows)
        return cache[key]


def money_fields(model: type[BaseModel], skip: Iterable[str] = ()) -> list[str]:
    """The money columns of a row model, in declaration (printed) order."""
    skipped = set(skip)
    return [name for name, info in model.model_fields.items()
            if name not in skipped and name not in KEY_FIELDS
            and "Decimal" in str(info.annotation)]


def flatten(items: Iterable[Any]) -> Iterator[Any]:
    """Yield identities and findings from generators that may yield lists."""
    for item in items:
        if isinstance(item, (list, tuple)):
            yield from item
        else:
            yield item
