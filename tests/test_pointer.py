"""schemas/pointer.py: the one JSON-pointer walker (RFC 6901) over models, lists and dicts."""

from __future__ import annotations

from decimal import Decimal

import pytest

from schemas import Document
from schemas.pointer import PointerError, assign, escape, exists, join, lookup, resolve, split, walk


def _doc() -> Document:
    doc = Document(doc_id="x")
    doc.tables.t3.rows = [{"code": "201", "name": "一般公共服务支出", "total": Decimal("3"), "basic": Decimal("1"),
                           "project": Decimal("2"), "extra": {"其他/资金": Decimal("5"), "a~b": Decimal("6")}}]
    return doc


def test_escaping_round_trips_keys_with_slash_and_tilde():
    assert escape("a/b~c") == "a~1b~0c" and split(join("extra", "a/b~c")) == ["extra", "a/b~c"]
    assert split("/") == [] and split("rows/3/total") == ["rows", "3", "total"]  # a leading "/" is optional


def test_resolve_lookup_exists_on_a_document():
    doc = _doc()
    assert resolve(doc, "/tables/t3/rows/0/total") == Decimal("3")
    assert resolve(doc, join("tables", "t3", "rows", 0, "extra", "其他/资金")) == Decimal("5")
    assert resolve(doc, "/tables/t3/rows/0/extra/a~0b") == Decimal("6")
    assert resolve(doc, "/tables/t3/rows/5/total") is None and resolve(doc, "/tables/t3/total/total") is None
    assert resolve(doc, "/tables/t3/rows/x") is None and resolve(doc, "/nope", "d") == "d"
    assert exists(doc, "/tables/t3/total") and not exists(doc, "/tables/t3/total/total")
    with pytest.raises(PointerError):
        lookup(doc, "/tables/t3/rows/1")


def test_assign_validates_models_and_makes_dicts_on_request():
    doc = _doc()
    assign(doc, "/tables/t3/rows/0/basic", Decimal("7"))
    assert doc.tables.t3.rows[0].basic == Decimal("7")
    data: dict = {"rows": [{}]}
    assign(data, "rows/0/extra/其他", 1, create=True)
    assign(data, "income/general", 2, create=True)
    assert data == {"rows": [{"extra": {"其他": 1}}], "income": {"general": 2}}
    with pytest.raises(PointerError, match="past the rows given"):
        assign(data, "rows/3/name", "x", create=True)
    with pytest.raises(PointerError):
        assign(data, "", 1)


def test_walk_yields_escaped_pointers_that_resolve():
    doc = _doc()
    leaves = dict(walk(doc.tables.t3, "/tables/t3"))
    assert leaves["/tables/t3/rows/0/extra/其他~1资金"] == Decimal("5")
    assert all(resolve(doc, p) == v for p, v in leaves.items())
