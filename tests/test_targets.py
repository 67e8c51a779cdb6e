"""The target parser (指标值 → Target) on hand-made cases and on every target the eval set prints."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from schemas.targets import _OPERATORS, clean_target_text, parse_target

from .conftest import gold_paths


@pytest.mark.parametrize(
    "raw, op, value, unit, text",
    [
        ("≥95%", ">=", "95", "%", None),
        ("＞=3件", ">=", "3", "件", None),
        (">=80 家", ">=", "80", "家", None),
        ("<=1.2 万元", "<=", "1.2", "万元", None),
        ("=2 间", "=", "2", "间", None),
        ("有效提高", "qualitative", None, None, "有效提高"),
        ("＜\n=100\n元/人\n/月", "<=", "100", "元/人/月", None),
        ("100%", "=", "100", "%", None),
        ("≤ 0.5万元", "<=", "0.5", "万元", None),
        ("=2024年11月15日前", "=", None, None, "2024年11月15日前"),
        (">4 个", ">", "4", "个", None),
        ("1", "=", "1", None, None),
        (">=", ">=", None, None, None),
        ("不少于3次", ">=", "3", "次", None),
        ("90%-100%", "qualitative", None, None, "90%-100%"),
        (">=740.34 m ²", ">=", "740.34", "m²", None),
        ("＞＝１００％", ">=", "100", "%", None),
    ],
)
def test_parse_target_cases(raw, op, value, unit, text):
    target = parse_target(raw)
    assert target.op == op
    assert target.value == (Decimal(value) if value is not None else None)
    assert target.unit == unit
    assert target.text == text


def test_blank_target_is_none():
    assert parse_target(None) is None
    assert parse_target(" \n ") is None


def _gold_targets() -> list[str]:
    raws: set[str] = set()
    for path in gold_paths():
        doc = json.loads(path.read_text(encoding="utf-8"))
        perf = doc.get("performance") or {}
        sheets = ([perf["overall"]] if perf.get("overall") else []) + perf.get("projects", [])
        for sheet in sheets:
            for ind in sheet.get("indicators", []):
                if ind.get("target_raw"):
                    raws.add(ind["target_raw"])
    return sorted(raws)


_CANONICAL = {normal: normal for _, normal in _OPERATORS}


def _spelled_op(text: str) -> tuple[str | None, str]:
    for token, normal in _OPERATORS:
        if text.startswith(token):
            return normal, text[len(token):]
    return None, text


@pytest.mark.parametrize("raw", _gold_targets())
def test_every_target_in_the_eval_set_round_trips(raw):
    """op + value + unit (or op + text) spells the printed target back exactly."""
    target = parse_target(raw)
    assert target is not None
    cleaned = clean_target_text(raw)
    op, rest = _spelled_op(cleaned)
    if target.op == "qualitative":
        assert op is None, "an operator was printed but the parse lost it"
        assert target.text == cleaned
        return
    assert target.op == (op or "=")
    if target.value is not None:
        printed_number = rest[: len(rest) - len(target.unit or "")].replace(",", "")
        assert Decimal(printed_number) == target.value
        assert rest.endswith(target.unit or "")
        assert not any(ch.isdecimal() for ch in (target.unit or ""))
    else:
        assert target.text == (rest or None)
