"""The contract models: strictness, money as Decimal, codes, round trips."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from pydantic import ValidationError

from schemas import T3, Document, Finding, Indicator, ProjectSheet, parse_money
from schemas.cells import amount_cells
from schemas.pointer import assign, lookup
from schemas.tables import BasicProjectRow, T10Row

from .conftest import gold_paths


@pytest.mark.parametrize(
    "printed, expected",
    [("518.8", Decimal("518.8")), ("2,287.86", Decimal("2287.86")), ("０.５", Decimal("0.5")),
     (" 3.80 ", Decimal("3.80")), (7, Decimal(7)), (1971.59, Decimal("1971.59")), ("", None), (None, None)],
)
def test_money_parses_printed_forms(printed, expected):
    assert parse_money(printed) == expected


@pytest.mark.parametrize("garbage", ["abc", "1.2.3", "NaN", "12元", True, float("inf"), "1,00", "12,3456"])
def test_money_rejects_garbage(garbage):
    with pytest.raises(ValueError):
        parse_money(garbage)


def test_money_keeps_printed_digits_in_json():
    row = BasicProjectRow(code="201 03 50", name="事业运行", total="3.80", basic=3.8)
    data = json.loads(row.model_dump_json())
    assert data["total"] == "3.80" and data["basic"] == "3.8"
    assert row.total == row.basic  # 3.80 and 3.8 are the same amount


def test_float_sum_would_differ_but_decimal_does_not():
    row = BasicProjectRow(total="0.3", basic="0.1", project="0.2")
    assert row.basic + row.project == row.total


@pytest.mark.parametrize("code, level", [("201", "类"), ("20103", "款"), ("20 1 03 50", "项"), ("30101", "款")])
def test_code_level_is_derived_from_length(code, level):
    assert BasicProjectRow(code=code).level == level


@pytest.mark.parametrize("bad", ["2010", "20a", "201035012"])
def test_bad_codes_are_rejected(bad):
    with pytest.raises(ValidationError):
        BasicProjectRow(code=bad)


def test_unknown_keys_are_rejected():
    with pytest.raises(ValidationError):
        T3.model_validate({"present": True, "rows": [], "colour": "red"})
    with pytest.raises(ValidationError):
        BasicProjectRow.model_validate({"code": "201", "totl": "1"})


def test_t10_line_is_a_fixed_vocabulary():
    with pytest.raises(ValidationError):
        T10Row(line="travel")


def test_indicator_target_is_filled_from_raw():
    ind = Indicator(level3="媒体合作个数", target_raw=">=2 家", weight=20)
    assert (ind.target.op, ind.target.value, ind.target.unit) == (">=", Decimal(2), "家")


def test_weight_text_goes_to_weight_raw_not_weight():
    with pytest.raises(ValidationError):
        Indicator(weight="是")
    assert Indicator(weight=None, weight_raw="是").weight_raw == "是"


def test_absent_tables_are_objects_not_missing():
    doc = Document(doc_id="x")
    assert doc.tables.t8.present is False and doc.tables.t8.rows == []
    again = Document.model_validate_json(doc.model_dump_json())
    assert again == doc


def test_pointers_resolve_and_assign():
    doc = Document(doc_id="x")
    doc.tables.t3.rows.append(BasicProjectRow(code="2010350", total="1"))
    assign(doc, "/tables/t3/rows/0/total", Decimal("2"))
    assert lookup(doc, "/tables/t3/rows/0/total") == Decimal("2")
    assert [p for p, _ in amount_cells(doc)] == ["/tables/t3/rows/0/total"]


def test_project_sheet_rejects_extra_fields():
    with pytest.raises(ValidationError):
        ProjectSheet(project_name="x", budget="1")


@pytest.mark.parametrize("path", gold_paths(), ids=lambda p: p.parent.name)
def test_every_gold_file_validates(path):
    doc = Document.model_validate_json(path.read_text(encoding="utf-8"))
    assert doc.doc_id == path.parent.name
    # A round trip through JSON loses nothing.
    assert Document.model_validate_json(doc.model_dump_json()) == doc
    findings = path.with_name("expected_findings.json")
    if findings.exists():
        for item in json.loads(findings.read_text(encoding="utf-8")):
            finding = Finding.model_validate(item)
            for pointer in finding.locations:
                lookup(doc, pointer)  # every location points at a real cell
