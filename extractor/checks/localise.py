"""Localise: which cell, changed alone, makes the failing identities hold.

A cell is blamed for the failing identities that one new value of it would fix without
breaking any identity that holds now. The cell that explains the most failures is the suspect
(a cell breaking a row sum and a column sum at once explains both). The repair is the
OCR-plausible value (see ``repair``) that does it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from pydantic import BaseModel

from schemas import Repair

from schemas.pointer import resolve

from .core import Outcome, Values, evaluate, residuals
from .repair import KIND_RANK, candidates, readings, split_candidates


@dataclass
class Blame:
    """What changing one cell would fix."""

    pointer: str
    value: Decimal
    explains: frozenset[int]
    repair: Repair | None = None
    neighbour: str | None = None  # for a split: the cell that received the spilled digits
    repair_explains_all: bool = False
    residual: Decimal = Decimal(0)  # what is left of all its identities' differences after the change

    @property
    def rank(self) -> tuple[int, bool, Decimal]:
        # More failures explained first; then a change that is a plausible misreading; then
        # the change that leaves every identity closest to exact (breaks 0.01 ties).
        return len(self.explains), self.repair_explains_all, -self.residual


@dataclass
class _Trial:
    fixed: frozenset[int]
    broken: bool
    residual: Decimal  # Σ |difference| over every identity the change touches


@dataclass
class Localiser:
    """Blames cells for the failing outcomes of one check run."""

    outcomes: list[Outcome]
    values: Values
    index: dict[str, list[int]] = field(default_factory=dict)
    failing: frozenset[int] = frozenset()

    def __post_init__(self) -> None:
        failing = set()
        for i, outcome in enumerate(self.outcomes):
            if outcome.unbroken:
                continue  # a total with no printed parts: no single cell explains it
            for pointer in outcome.identity.cells:
                self.index.setdefault(pointer, []).append(i)
            if not outcome.ok:
                failing.add(i)
        self.failing = frozenset(failing)

    def suspects(self) -> dict[int, Blame]:
        """For each failing outcome (by index), the blamed cell when one stands out."""
        blames: dict[str, Blame | None] = {}
        for i in self.failing:
            for pointer in self.outcomes[i].identity.primary:
                if pointer not in blames:
                    blames[pointer] = self.blame(pointer)
        result: dict[int, Blame] = {}
        for i in self.failing:
            options = [b for p in self.outcomes[i].identity.primary
                       if (b := blames.get(p)) is not None and i in b.explains]
            options.sort(key=lambda b: b.rank, reverse=True)
            if options and (len(options) == 1 or options[0].rank > options[1].rank):
                result[i] = options[0]
        return result

    def blame(self, pointer: str) -> Blame | None:
        """The best single change of one cell, or None when no change of it helps."""
        printed = self.values.get(pointer)
        fails = [i for i in self.index.get(pointer, []) if i in self.failing]
        if not fails:
            return None
        old = printed if printed is not None else Decimal(0)  # a blank cell may be the one missing
        targets = self._required(pointer, old, fails)
        best: tuple[tuple, Decimal, _Trial] | None = None
        for value in {v for v, _ in targets if v >= 0}:  # amounts are never negative
            trial = self._try({pointer: value})
            if trial.fixed and not trial.broken:
                key = (len(trial.fixed), -trial.residual)
                if best is None or key > best[0]:
                    best = (key, value, trial)
        repair, neighbour, repaired = (self._repair(pointer, old, targets) if printed is not None
                                       else (None, None, None))
        if repaired is not None and (best is None or len(repaired.fixed) >= len(best[2].fixed)):
            assert repair is not None and repair.new is not None
            return Blame(pointer, repair.new, repaired.fixed, repair, neighbour, True, repaired.residual)
        if best is None:
            return None
        return Blame(pointer, best[1], best[2].fixed, repair, neighbour, False, best[2].residual)

    def best_reading(self, pointer: str, kinds: frozenset[str]) -> Repair | None:
        """The plausible correct reading of a cell whose printed form is itself wrong (4.133).

        Its identities may all hold (inside the band); among readings of the given kinds, the
        one that keeps them holding and leaves them closest to exact wins.
        """
        old = self.values.get(pointer)
        if old is None:
            return None
        scored = []
        for value, kind in readings(old, kinds).items():
            trial = self._try({pointer: value})
            if not trial.broken:
                scored.append(((trial.residual, KIND_RANK[kind]), value, kind))
        scored.sort(key=lambda item: item[0])
        if not scored or (len(scored) > 1 and scored[0][0] == scored[1][0]):
            return None
        _, value, kind = scored[0]
        return Repair(pointer=pointer, old=old, new=value, kind=kind)

    def _required(self, pointer: str, old: Decimal, fails: list[int]) -> list[tuple[Decimal, Decimal]]:
        """(value, tolerance) pairs: what the cell must read for each failing form to hold."""
        out = []
        for i in fails:
            identity = self.outcomes[i].identity
            forms = residuals(identity, self.values) or []
            for k, (diff, width, _) in enumerate(forms):
                rhs = identity.rhs if identity.targets or k == 0 else identity.alts[k - 1]
                if not identity.targets and pointer in identity.left:
                    out.append((old - diff, width))
                elif pointer in rhs:
                    out.append((old + diff, width))
        return out

    def _repair(self, pointer: str, old: Decimal, targets: list[tuple[Decimal, Decimal]]
                ) -> tuple[Repair | None, str | None, _Trial | None]:
        scored: list[tuple[tuple, Decimal, str, str | None, _Trial]] = []

        def consider(value: Decimal, kind: str, neighbour: str | None = None) -> None:
            if not any(abs(value - target) <= width for target, width in targets):
                return  # cannot fix any failing identity: skip the expensive trial
            overrides = {pointer: value} | ({neighbour: None} if neighbour else {})
            trial = self._try(overrides)
            if trial.fixed and not trial.broken:
                key = (-len(trial.fixed), trial.residual, KIND_RANK[kind])
                scored.append((key, value, kind, neighbour, trial))

        for value, kind in candidates(old).items():
            consider(value, kind)
        neighbour = next_cell(self.values.doc, pointer)
        spilled = self.values.get(neighbour) if neighbour else None
        if neighbour and spilled is not None:
            for value in split_candidates(old, spilled):
                consider(value, "split", neighbour)
        if not scored:
            return None, None, None
        scored.sort(key=lambda item: item[0])
        if len(scored) > 1 and scored[1][0] == scored[0][0] and scored[1][1] != scored[0][1]:
            return None, None, None  # two different values explain it equally well: do not guess
        _, value, kind, neighbour, trial = scored[0]
        return Repair(pointer=pointer, old=old, new=value, kind=kind), neighbour, trial

    def _try(self, overrides: dict[str, Decimal | None]) -> _Trial:
        touched = sorted({i for p in overrides for i in self.index.get(p, [])})
        self.values.overrides = overrides
        try:
            fixed, broken, residual = set(), False, Decimal(0)
            for i in touched:
                outcome = evaluate(self.outcomes[i].identity, self.values)
                ok = outcome is None or outcome.ok
                if outcome is not None and outcome.difference is not None:
                    residual += abs(outcome.difference)
                if i in self.failing:
                    if ok:
                        fixed.add(i)
                elif not ok:
                    broken = True
            return _Trial(frozenset(fixed), broken, residual)
        finally:
            self.values.overrides = {}


def next_cell(doc: object, pointer: str) -> str | None:
    """The money cell printed right of this one in the same row (where a split number spills)."""
    parent, _, leaf = pointer.rpartition("/")
    row = resolve(doc, parent)
    if not isinstance(row, BaseModel):
        return None
    names = [n for n, info in type(row).model_fields.items()
             if "Decimal" in str(info.annotation) and n != "extra"]
    if leaf not in names or names.index(leaf) + 1 >= len(names):
        return None
    return f"{parent}/{names[names.index(leaf) + 1]}"
