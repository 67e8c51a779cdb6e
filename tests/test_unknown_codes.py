"""A scanned line whose subject code is under no 类 of its classification, or is another line's, is reported."""

from __future__ import annotations

from extractor.checks import check_document
from schemas import Document
from schemas.document import RunInfo

from .conftest import DATA


def _js03(cut: bool, ocr: bool) -> Document:
    """js03's gold; ``cut``: 表6 as a scan with its left margin cut read it (30101 → "101")."""
    doc = Document.model_validate_json((DATA / "js03" / "gold.json").read_text(encoding="utf-8"))
    if cut:
        for row in doc.tables.t6.rows:
            row.code = row.code[2:] if row.code and len(row.code) == 5 else None
    doc.run = RunInfo(engine="layout", pages_ocr=list(doc.tables.t6.pages) if ocr else [])
    return doc


def _unknown(doc: Document):
    findings, _ = check_document(doc)
    return [f for f in findings if f.rule == "codes.unknown_class"]


def test_codes_a_cut_margin_shortened_are_reported_line_by_line():
    printed = [row.code for row in _js03(cut=False, ocr=True).tables.t6.rows]
    doc = _js03(cut=True, ocr=True)
    [finding] = _unknown(doc)
    assert finding.tables == ["t6"]
    named = {int(p.split("/")[4]) for p in finding.locations}
    # 工资福利 (301xx) and 商品和服务 (302xx) lines read 1xx and 2xx: no economic 类. (A 30301 read
    # "301" looks like one and cannot be told.)
    assert named == {i for i, code in enumerate(printed) if code and len(code) == 5 and code[:3] in ("301", "302")}
    assert len(named) >= 10 and all(p.endswith("/code") for p in finding.locations)


def test_codes_as_printed_or_on_a_text_layer_are_not_reported():
    assert not _unknown(_js03(cut=False, ocr=True))
    assert not _unknown(_js03(cut=True, ocr=False))


def test_a_function_code_under_no_class_is_reported_in_its_table():
    doc = _js03(cut=False, ocr=False)
    i, row = next((i, row) for i, row in enumerate(doc.tables.t5.rows) if row.code)
    row.code = "9" + row.code[1:]  # 2xx read as 9xx
    doc.run = RunInfo(engine="layout", pages_ocr=list(doc.tables.t5.pages))
    [finding] = _unknown(doc)
    assert finding.tables == ["t5"] and finding.locations == [f"/tables/t5/rows/{i}/code"]


def test_a_code_read_as_another_lines_is_reported_on_a_scan_only():
    """A fax read sh12's 30204 (手续费) as 30201, 办公费's code: the amounts were right, the line was
    scored and exported under 办公费's code, and no sum could tell."""
    doc = Document.model_validate_json((DATA / "sh12" / "gold.json").read_text(encoding="utf-8"))
    rows = doc.tables.t6.rows
    first, misread = next((i, j) for i, a in enumerate(rows) for j, b in enumerate(rows)
                          if i < j and a.code and b.code and a.code[:3] == b.code[:3] and len(a.code) == len(b.code))
    for ocr in (True, False):
        doc.run = RunInfo(engine="layout", pages_ocr=list(doc.tables.t6.pages) if ocr else [])
        findings, _ = check_document(doc)
        assert not [f for f in findings if f.rule == "codes.repeated"]  # as printed: every code once
    rows[misread].code = rows[first].code
    for ocr in (True, False):
        doc.run = RunInfo(engine="layout", pages_ocr=list(doc.tables.t6.pages) if ocr else [])
        findings, _ = check_document(doc)
        repeated = [f.locations for f in findings if f.rule == "codes.repeated"]
        assert repeated == ([[f"/tables/t6/rows/{first}/code", f"/tables/t6/rows/{misread}/code"]] if ocr else [])


def _disagree(doc: Document):
    findings, _ = check_document(doc)
    return [f for f in findings if f.rule == "codes.disagree"]


def test_one_line_read_under_two_codes_in_two_tables_is_reported():
    """A fax read 2080504 (未归口管理的行政单位离退休) as 2080501, a valid code of the same 款, in the
    table kept as printed (公开表五) only: t5 read it right, no sum could tell."""
    doc = _js03(cut=False, ocr=False)
    assert not _disagree(doc)
    g, table = next((g, t) for g, t in enumerate(doc.generic_tables) if any(r and r[0] == "2080504" for r in t.rows))
    i = next(i for i, r in enumerate(table.rows) if r[0] == "2080504")
    table.rows[i][0] = "2080501"
    assert not _disagree(doc)  # a text layer prints what it prints
    doc.run = RunInfo(engine="layout", pages_ocr=list(table.pages))
    [finding] = _disagree(doc)
    t5 = next(j for j, row in enumerate(doc.tables.t5.rows) if row.code == "2080504")
    assert set(finding.locations) == {f"/generic_tables/{g}/rows/{i}/0", f"/tables/t5/rows/{t5}/code"}
    # A table that prints both codes prints two subjects: no misreading then.
    doc.tables.t5.rows[t5 - 1].code = "2080501"
    assert not _disagree(doc)
