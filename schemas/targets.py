"""Normalise printed indicator targets (指标值) into ``Target``.

Real sheets print targets as "≥95%", "＞=3件", ">=80 家", "<=1.2 万元", "=2 间", "有效提高",
or broken over lines ("＜\\n=100\\n元/人\\n/月"). The parser removes the breaks, unifies full-width
and mathematical comparison signs, and splits operator, number and unit. Text that is not
"operator + number + unit" stays as text: dates ("=2024年11月15日前"), ranges ("90%-100%"),
or words ("提高", "是").
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Literal

from pydantic import Field

from .common import Strict

TargetOp = Literal[">=", "<=", "=", ">", "<", "qualitative"]

# Order matters: two-character forms before their one-character prefixes.
_OPERATORS: list[tuple[str, str]] = [
    (">=", ">="), ("=>", ">="), ("≥", ">="), ("≧", ">="), ("大于等于", ">="), ("不低于", ">="),
    ("不少于", ">="), ("大于或等于", ">="),
    ("<=", "<="), ("=<", "<="), ("≤", "<="), ("≦", "<="), ("小于等于", "<="), ("不高于", "<="),
    ("不超过", "<="), ("不多于", "<="), ("小于或等于", "<="),
    ("==", "="), ("=", "="), ("等于", "="),
    (">", ">"), ("大于", ">"), ("高于", ">"),
    ("<", "<"), ("小于", "<"), ("低于", "<"),
]
_NUMBER = re.compile(r"^([+-]?\d+(?:,\d{3})*(?:\.\d+)?)")
# A unit is a short label: no digits (else it is a date or a range), no sentence punctuation.
_UNIT = re.compile(r"^[^\d，。；;,:：、（）()]{1,12}$")


class Target(Strict):
    """指标值, normalised."""

    op: TargetOp = Field(description="比较符：>= <= = > < 或 qualitative（定性）")
    value: Decimal | None = Field(default=None, description="数值")
    unit: str | None = Field(default=None, description="计量单位（如 %、万元、家）")
    text: str | None = Field(default=None, description="定性指标或无法数值化的原文")


def clean_target_text(raw: str) -> str:
    """Remove line breaks and spaces, unify full-width forms (＞＝％ → >=%)."""
    # Full-width ASCII only (＞＝％１ → >=%1); NFKC would also turn "m²" into "m2".
    text = "".join(chr(ord(ch) - 0xFEE0) if 0xFF01 <= ord(ch) <= 0xFF5E else ch for ch in raw)
    text = re.sub(r"\s+", "", text)
    # NFKC leaves these mathematical and CJK forms alone.
    return text.replace("﹥", ">").replace("﹤", "<").replace("﹦", "=").replace("〉", ">").replace("〈", "<")


def parse_target(raw: str | None) -> Target | None:
    """Parse a printed 指标值; None for a blank cell."""
    if raw is None:
        return None
    text = clean_target_text(raw)
    if not text:
        return None
    op = None
    rest = text
    for token, normal in _OPERATORS:
        if text.startswith(token):
            op, rest = normal, text[len(token):]
            break
    match = _NUMBER.match(rest)
    if match:
        number = match.group(1).replace(",", "")
        unit = rest[match.end():] or None
        if unit is None or _UNIT.match(unit):
            return Target(op=op or "=", value=Decimal(number), unit=unit)
    if op is not None:
        # "=2024年11月15日前": an operator over text that is no single number; a bare ">="
        # (its number lost in the source) keeps the operator with no value.
        return Target(op=op, value=None, unit=None, text=rest or None)
    return Target(op="qualitative", value=None, unit=None, text=text)
