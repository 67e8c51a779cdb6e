"""Token usage, cost and the per-document budget that stops runaway re-asks.

Every paid call goes through ``Ledger.before_call`` (which refuses it once a limit is reached)
and ``Ledger.record`` (which adds its usage to the call's table and the document). The ledger
is shared by the threads of one document, hence the lock.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from schemas import Usage

from ..errors import BudgetExceededError

# USD per million tokens (input, output). A model not listed costs 0 (a local server).
# Override with a JSON file {"model": [input, output], ...} via --prices or BUDGETX_PRICES.
DEFAULT_PRICES: dict[str, tuple[str, str]] = {
    "gpt-4o-mini": ("0.15", "0.60"),
    "gpt-4o": ("2.50", "10.00"),
    "gpt-4.1-mini": ("0.40", "1.60"),
    "gpt-4.1-nano": ("0.10", "0.40"),
    "gpt-4.1": ("2.00", "8.00"),
}
MILLION = Decimal(1_000_000)


def load_prices(path: str | Path | None = None) -> dict[str, tuple[Decimal, Decimal]]:
    """The price table: defaults, overridden by a JSON file when one is given."""
    table = {k: (Decimal(a), Decimal(b)) for k, (a, b) in DEFAULT_PRICES.items()}
    path = path or os.environ.get("BUDGETX_PRICES")
    if path:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        table.update({k: (Decimal(str(a)), Decimal(str(b))) for k, (a, b) in data.items()})
    return table


def price_of(prices: dict[str, tuple[Decimal, Decimal]], model: str) -> tuple[Decimal, Decimal]:
    """Exact name first, then the longest listed prefix ("gpt-4o-mini-2024-07-18" → gpt-4o-mini)."""
    if model in prices:
        return prices[model]
    for name in sorted(prices, key=len, reverse=True):
        if model.startswith(name):
            return prices[name]
    return Decimal(0), Decimal(0)


@dataclass
class Budget:
    """Per-document caps; None means unlimited."""

    max_calls: int | None = None
    max_tokens: int | None = None
    max_cost: Decimal | None = None


@dataclass
class Ledger:
    """Usage per table and for the document, checked against the limits before every call."""

    model: str
    budget: Budget = field(default_factory=Budget)
    prices: dict[str, tuple[Decimal, Decimal]] = field(default_factory=load_prices)
    total: Usage = field(default_factory=lambda: Usage(cost=Decimal(0)))
    by_table: dict[str, Usage] = field(default_factory=dict)
    in_flight: int = 0  # calls let through and not yet answered (threads of one document)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def cost(self, input_tokens: int, output_tokens: int) -> Decimal:
        price_in, price_out = price_of(self.prices, self.model)
        return (price_in * input_tokens + price_out * output_tokens) / MILLION

    def before_call(self, label: str) -> None:
        """Refuse the call when the document has used up a limit; else reserve it (see record)."""
        with self._lock:
            t, lim = self.total, self.budget
            spent = t.input_tokens + t.output_tokens
            reason = None
            if lim.max_calls is not None and t.calls + self.in_flight >= lim.max_calls:
                reason = f"{t.calls + self.in_flight} calls (limit {lim.max_calls})"
            elif lim.max_tokens is not None and spent >= lim.max_tokens:
                reason = f"{spent} tokens (limit {lim.max_tokens})"
            elif lim.max_cost is not None and (t.cost or 0) >= lim.max_cost:
                reason = f"cost {t.cost:.4f} (limit {lim.max_cost})"
            if reason:
                raise BudgetExceededError(f"LLM budget exhausted after {reason}; {label} was not extracted")
            self.in_flight += 1  # reserved, so concurrent threads cannot overshoot max_calls

    def release(self) -> None:
        """A reserved call that got no answer (a transport failure): it costs nothing."""
        with self._lock:
            self.in_flight -= 1

    def record(self, label: str, input_tokens: int, output_tokens: int) -> Usage:
        """Add one call's usage; returns that call's Usage."""
        call = Usage(calls=1, input_tokens=input_tokens, output_tokens=output_tokens,
                     cost=self.cost(input_tokens, output_tokens))
        with self._lock:
            self.in_flight -= 1
            self.total = add(self.total, call)
            self.by_table[label] = add(self.by_table.get(label, Usage(cost=Decimal(0))), call)
        return call


def add(a: Usage, b: Usage) -> Usage:
    """The sum of two usages."""
    return Usage(calls=a.calls + b.calls, input_tokens=a.input_tokens + b.input_tokens,
                 output_tokens=a.output_tokens + b.output_tokens, cost=(a.cost or 0) + (b.cost or 0))
