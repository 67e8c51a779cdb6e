"""Shared building blocks: the strict base model, money and subject codes."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer

# Characters that real documents put inside numbers: thousands separators, spaces,
# full-width digits and punctuation from WPS/Excel exports.
_NUMBER_TRANSLATE = str.maketrans(
    "０１２３４５６７８９．，－＋　",
    "0123456789.,-+ ",
)
_NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_GROUPED_RE = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


def parse_money(value: Any) -> Decimal | None:
    """Turn a printed amount into a Decimal; blank means None.

    Accepts ints, Decimals, floats (via their shortest repr, never float arithmetic)
    and strings with thousands separators or full-width digits. Garbage raises.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError("a boolean is not an amount")
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"not a finite amount: {value}")
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        # repr() is the shortest string that round-trips, i.e. the literal the JSON held.
        return parse_money(repr(value))
    if isinstance(value, str):
        text = value.translate(_NUMBER_TRANSLATE).replace(" ", "").strip()
        if "," in text:
            # Only a thousands separator may be dropped; "1,00" is not one hundred.
            if not _GROUPED_RE.match(text):
                raise ValueError(f"not an amount: {value!r}")
            text = text.replace(",", "")
        if text in ("", "-", "—", "－"):
            return None
        if not _NUMBER_RE.match(text):
            raise ValueError(f"not an amount: {value!r}")
        try:
            return Decimal(text)
        except InvalidOperation as exc:  # pragma: no cover - regex already guards
            raise ValueError(f"not an amount: {value!r}") from exc
    raise ValueError(f"not an amount: {value!r}")


def _serialise_money(value: Decimal | None) -> str | None:
    # A string keeps the printed digits exactly ("518.80" stays "518.80").
    return None if value is None else format(value, "f")


Money = Annotated[
    Decimal | None,
    BeforeValidator(parse_money),
    PlainSerializer(_serialise_money, when_used="json"),
]
"""An amount in 万元 as printed; None for a blank cell."""


MoneyUnit = Literal["元", "万元"]
"""The money unit a table is printed in."""

_PER_WAN = {"万元": 0, "元": -4}


def to_wan(value: Decimal | None, unit: str | None) -> Decimal | None:
    """An amount printed in unit (None: 万元) in 万元, exactly (a decimal shift, no rounding)."""
    if value is None:
        return None
    return value.scaleb(_PER_WAN.get(unit or "万元", 0))


def extra_key(label: str) -> str:
    """A printed header or line label as a key of an ``extra`` map: no spaces, no "/" (a JSON-pointer separator)."""
    return re.sub(r"\s+", "", label).replace("/", "／").replace("~", "～")


Extra = dict[str, Money]
"""Printed amounts the contract has no field for, by their printed header or line label."""


def extra_field(what: str) -> Any:
    return Field(default_factory=dict, description=what)


KEY_FIELDS = frozenset({"code", "name", "project_name", "line", "extra"})
"""Row fields that name or key a row (or hold its extra columns) rather than being one amount."""


def money_field(header: str) -> Any:
    """A money column whose description is its Chinese header."""
    return Field(default=None, description=header)


def _clean_code(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str):
        raise ValueError(f"a subject code is a digit string, got {value!r}")
    text = re.sub(r"\s+", "", value.translate(_NUMBER_TRANSLATE))
    if text == "":
        return None
    if not re.fullmatch(r"\d{3}(\d{2}){0,2}", text):
        raise ValueError(f"a subject code has 3, 5 or 7 digits, got {value!r}")
    return text


SubjectCode = Annotated[str | None, BeforeValidator(_clean_code)]
"""A full concatenated subject code: 类 "201", 款 "20103", 项 "2010350"."""

CODE_LEVELS = {3: "类", 5: "款", 7: "项"}


def code_level(code: str | None) -> str | None:
    """The level 类/款/项 of a subject code, derived from its length."""
    return None if code is None else CODE_LEVELS.get(len(code))


class Strict(BaseModel):
    """Base of every contract model: unknown keys are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, populate_by_name=True)
