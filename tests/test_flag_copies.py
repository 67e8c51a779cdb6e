"""A number misread alike in most of its copies is flagged by the sums that doubt it."""

from __future__ import annotations

from decimal import Decimal

from extractor.checks import check_document
from extractor.checks.core import resolve
from extractor.confidence import flags
from schemas import Document
from schemas.cells import amount_cells
from schemas.document import Provenance, RunInfo

from .conftest import DATA

# Sample 000's total, 518.8, scanned black and white from its thin typeface: the 5 lost its top
# stroke and read 3 in 表1's income side, 表2, 表3 and 表5, right in 表1's 支出总计, 表4 and the narrative.
MISREAD = ["/tables/t1/total/income_total", "/tables/t1/income/current_year_income",
           "/tables/t1/income/general_budget", "/tables/t2/total/total", "/tables/t2/total/fiscal_subtotal",
           "/tables/t2/total/general_budget", "/tables/t3/total/total", "/tables/t5/total/total"]


def _scanned(misread: list[str], misread_as: dict[str, str] | None = None) -> Document:
    doc = Document.model_validate_json((DATA / "000_5dac6d90f1d45d5f" / "gold.json").read_text(encoding="utf-8"))
    misread_as = {"518.8": "318.8", **(misread_as or {})}
    for pointer in misread:
        parent, field = pointer.rsplit("/", 1)
        printed = str(getattr(resolve(doc, parent), field))
        assert printed in misread_as, (pointer, printed)
        setattr(resolve(doc, parent), field, Decimal(misread_as[printed]))
    doc.run = RunInfo(engine="layout", pages_ocr=list(range(1, 30)))
    doc.provenance = {p: Provenance(page=1, bbox=(0, 0, 10, 10), confidence=0.99) for p, _ in amount_cells(doc)}
    doc.findings, doc.reconcile = check_document(doc)
    return doc


def test_copies_misread_alike_are_flagged_when_a_sum_doubts_them():
    flagged = flags(_scanned(MISREAD))
    # 表3's 合计 is 基本支出 356.6 + 项目支出 162.2: its copies agreeing on 318.8 prove nothing.
    assert all(flagged.get(p) == "failed" for p in MISREAD), [p for p in MISREAD if p not in flagged]


def test_one_copy_misread_leaves_its_agreeing_copies_trusted():
    flagged = flags(_scanned(["/tables/t2/total/total"]))
    assert flagged.get("/tables/t2/total/total") == "failed"
    assert "/tables/t3/total/total" not in flagged and "/tables/t1/total/income_total" not in flagged



def test_copies_misread_alike_are_flagged_when_no_sum_confirms_them():
    # Every copy of 518.8 read 318.8 (表4 and the performance sheet too), and each sum that would
    # doubt them broken by another misreading (项目支出 162.2 read 162, 事业运行 330.39 read 330.89):
    # no sum tells which value is right, and 318.8, read alike in many copies, is confirmed by none.
    everywhere = MISREAD + ["/tables/t4/total/expense_total/total", "/tables/t4/total/expense_total/general_budget"]
    broken = ["/tables/t3/rows/1/project", "/tables/t3/total/project", "/tables/t5/total/project",
              "/tables/t2/rows/0/total", "/tables/t2/rows/0/fiscal_subtotal", "/tables/t2/rows/0/general_budget",
              "/tables/t3/rows/0/total", "/tables/t5/rows/0/total"]
    # 0 + 318.8 + 0 holds for the sheet's budget: a sum of one figure is a copy, no confirmation.
    broken.append("/performance/overall/budget_local")
    flagged = flags(_scanned(everywhere + broken, misread_as={"162.2": "162", "330.39": "330.89"}))
    assert all(p in flagged for p in everywhere), [p for p in everywhere if p not in flagged]


def _t6_read(misread_as: dict[str, str], confidence: dict[str, float]) -> Document:
    """Sample 000 scanned, 表6 lines read as ``misread_as`` (pointer → text), at ``confidence``."""
    doc = _scanned([])
    for pointer, text in misread_as.items():
        parent, field = pointer.rsplit("/", 1)
        setattr(resolve(doc, parent), field, Decimal(text))
    for pointer, sure in confidence.items():
        doc.provenance[pointer] = Provenance(page=9, bbox=(0, 0, 10, 10), confidence=sure)
    doc.findings, doc.reconcile = check_document(doc)
    return doc


def test_a_copy_misread_alike_is_flagged_when_its_small_sum_fails():
    # 办公费 2.5 printed in 合计 and 公用经费, read 2.3 in both (a black-and-white scan): the row holds
    # as a copy, 302's sum of its three lines fails; read at 0.93 the digit is not taken on trust.
    office = ["/tables/t6/rows/12/total", "/tables/t6/rows/12/public"]
    doc = _t6_read({p: "2.3" for p in office}, {p: 0.93 for p in office})
    flagged = flags(doc)
    assert all(flagged.get(p) == "low_confidence" for p in office), {p: flagged.get(p) for p in office}


def test_a_copy_at_the_same_confidence_is_trusted_when_its_sums_hold():
    # 基本工资 22.85 (合计 = 人员经费), read right at 0.93: 301's sum of ten lines holds with it.
    wages = ["/tables/t6/rows/1/total", "/tables/t6/rows/1/personnel"]
    flagged = flags(_t6_read({}, {p: 0.93 for p in wages}))
    assert not [p for p in wages if p in flagged]
