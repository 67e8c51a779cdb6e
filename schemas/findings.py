"""What the checker emits: one finding per identity that does not hold."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .common import Money, Strict, money_field

Severity = Literal["error", "warning", "info"]
Cause = Literal["extraction", "source", "unknown"]


class Repair(Strict):
    """A single-cell correction that makes every affected identity hold."""

    pointer: str = Field(description="JSON pointer of the cell")
    old: Money = money_field("读出值")
    new: Money = money_field("建议值")
    kind: str = Field(description="digit_swap, digit_drop, digit_dup, decimal_shift, transposition, split …")


class Finding(Strict):
    rule: str = Field(description='stable rule id, e.g. "t3.row_sum", "x.t1_total_eq_t3_total"')
    severity: Severity = "error"
    tables: list[str] = Field(default_factory=list)
    locations: list[str] = Field(default_factory=list, description="JSON pointers of the cells involved")
    expected: Money = money_field("应为")
    actual: Money = money_field("实为")
    difference: Money = money_field("差额")
    message: str = ""
    suspect: str | None = Field(default=None, description="JSON pointer of the cell most likely wrong")
    cause: Cause = "unknown"
    repair: Repair | None = None


class Tally(Strict):
    evaluated: int = Field(default=0, ge=0, description="identities evaluated")
    held: int = Field(default=0, ge=0, description="identities that held")


class Reconcile(Tally):
    """How many of the checker's identities were evaluated on the document and how many held."""

    by_rule: dict[str, Tally] = Field(default_factory=dict, description="per rule id")

    @property
    def rate(self) -> float | None:
        """Share of the evaluated identities that held (None when none was evaluated)."""
        return self.held / self.evaluated if self.evaluated else None
