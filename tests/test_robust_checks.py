"""The checker never raises on a Document that validates.

Documents are drawn from the hand-made fixture and the gold set, then bent: tables absent,
emptied or without their 合计 row, rows dropped or doubled, cells blanked or given odd
amounts, odd subject codes and names, no narrative, no sheets. Whatever comes out must be a
list of valid Findings that the report can print.
Run it long once with `HYPOTHESIS_PROFILE=thorough python -m pytest tests/test_robust_checks.py`.
"""

from __future__ import annotations

import io
import typing
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError
from rich.console import Console

from extractor.checks import check
from extractor.checks.report import print_findings
from schemas import Document, Finding
from schemas.pointer import assign
from schemas.tables import TABLE_TITLES

from .checks_doc import clean_doc
from .conftest import gold_paths

BASES = [clean_doc().model_dump(mode="json")] + [
    Document.model_validate_json(p.read_text(encoding="utf-8")).model_dump(mode="json") for p in gold_paths()]
TABLES = list(TABLE_TITLES)

AMOUNTS = st.one_of(
    st.none(),
    st.decimals(min_value=-1000, max_value=10**6, places=2, allow_nan=False, allow_infinity=False),
    st.decimals(min_value=0, max_value=10**12, places=0, allow_nan=False, allow_infinity=False),
    st.sampled_from([Decimal("0"), Decimal("0.001"), Decimal("-0.00"), Decimal("1E+3"), Decimal("4.133")]),
)
CODES = st.one_of(st.none(), st.from_regex(r"\A\d{3}(\d{2}){0,2}\Z"),
                  st.sampled_from(["201", "20103", "2010301", "2010399", "208", "999", "0000000", "30217"]))
TEXTS = st.one_of(st.none(), st.sampled_from(["", "合计", "小计", "其中：", "XX项目", "本表为空表", "党建工作经费",
                                              "一般公共服务支出", "\ufffd\ue000"]), st.text(max_size=12))
STRUCTURE = st.lists(st.tuples(
    st.sampled_from(["absent", "empty", "no_total", "drop_row", "dup_row", "no_narrative", "no_overall",
                     "drop_sheet", "no_indicators", "no_staffing", "ocr_all"]),
    st.sampled_from(TABLES), st.integers(0, 200)), max_size=8)


def _restructure(data: dict, op: str, key: str, n: int) -> None:
    table = data["tables"][key]
    if op == "absent":
        data["tables"][key] = {"present": False}
    elif op == "empty":
        table.update(rows=[], total=None, empty_note="本表为空表")
    elif op == "no_total" and "total" in table:
        table["total"] = None
    elif op in ("drop_row", "dup_row") and table.get("rows"):
        i = n % len(table["rows"])
        table["rows"][i:i + 1] = [table["rows"][i]] * (2 if op == "dup_row" else 0)
    elif op == "no_narrative":
        data["narrative"] = None
    elif op == "no_overall":
        data["performance"]["overall"] = None
    elif op == "drop_sheet" and data["performance"]["projects"]:
        del data["performance"]["projects"][n % len(data["performance"]["projects"])]
    elif op == "no_indicators" and data["performance"]["projects"]:
        data["performance"]["projects"][n % len(data["performance"]["projects"])]["indicators"] = []
    elif op == "no_staffing":
        data["staffing"] = None
    elif op == "ocr_all":
        data["run"] = {"engine": "layout", "pages_ocr": list(range(1, 40))}


def _leaves(obj: object, pointer: str = "") -> typing.Iterator[tuple[str, str]]:
    """(pointer, kind) of every scalar field a bent Document may change: money, code, text, count."""
    if isinstance(obj, list):
        for i, item in enumerate(obj):
            yield from _leaves(item, f"{pointer}/{i}")
        return
    if not isinstance(obj, BaseModel):
        return
    for name, info in type(obj).model_fields.items():
        if name in ("provenance", "findings", "run", "source", "doc_id", "schema_version", "pages", "target"):
            continue
        value = getattr(obj, name)
        text = str(info.annotation) + str(info.metadata)
        if isinstance(value, (BaseModel, list)):
            yield from _leaves(value, f"{pointer}/{name}")
        elif "Decimal" in text:
            yield f"{pointer}/{name}", "money"
        elif name == "code":
            yield f"{pointer}/{name}", "code"
        elif "int" in text and "year" != name:
            yield f"{pointer}/{name}", "count"
        elif "str" in text and "Literal" not in text:
            yield f"{pointer}/{name}", "text"


@st.composite
def documents(draw) -> Document:
    data = draw(st.sampled_from(BASES))
    data = __import__("copy").deepcopy(data)
    for op, key, n in draw(STRUCTURE):
        _restructure(data, op, key, n)
    doc = Document.model_validate(data)
    leaves = list(_leaves(doc))
    values = {"money": AMOUNTS, "code": CODES, "text": TEXTS, "count": st.none() | st.integers(0, 10**6)}
    for _ in range(draw(st.integers(0, 25))):
        pointer, kind = leaves[draw(st.integers(0, len(leaves) - 1))]
        try:
            assign(doc, pointer, draw(values[kind]))
        except ValidationError:  # a required field (None) or a bound (a negative count): left as it was
            continue
    return Document.model_validate(doc.model_dump(mode="json"))


@given(documents())
def test_checker_never_raises_on_a_valid_document(doc):
    findings = check(doc)
    assert all(isinstance(f, Finding) for f in findings)
    Document.model_validate({**doc.model_dump(mode="json"), "findings": [f.model_dump(mode="json") for f in findings]})
    print_findings(Console(file=io.StringIO(), width=120), "fuzz.json", doc, findings)


def test_total_row_missing_under_rows_is_no_crash():
    """The TypeError of issue #12: t3/t5/t6 rows printed but no 合计 row."""
    doc = clean_doc()
    for key in ("t3", "t5", "t6"):
        getattr(doc.tables, key).total = None
    rules = {f.rule for f in check(doc)}
    assert not any(r.startswith(("narr.expense", "narr.operating")) for r in rules)


def test_narrative_project_spending_is_never_compared_with_t5():
    """The false error of issue #12: t3 not printed, t5 is the general budget only.

    The narrative's 项目支出 (20.00) counts every fund; t5's project total (15.00) does not.
    """
    doc = clean_doc()
    doc.tables.t3.present, doc.tables.t3.rows, doc.tables.t3.total = False, [], None
    rules = {f.rule for f in check(doc)}
    assert not any(r.startswith("narr.expense") for r in rules)
    assert "complete.table_missing" in rules
    doc = clean_doc()
    doc.narrative.expense_project = Decimal("18.00")  # with t3 printed the rule still bites
    assert "narr.expense_project" in {f.rule for f in check(doc)}
