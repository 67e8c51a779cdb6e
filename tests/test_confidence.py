"""Per-value confidence and flags (extractor/confidence.py), and the scorer's "errors flagged"."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from typer.testing import CliRunner

from eval.score import score_document, summarise
from extractor.checks import check_document
from extractor.confidence import INEXACT_CONFIDENCE, LOW_CONFIDENCE, attach, flags, ocr_confidence
from extractor.pages import Page, Word
from schemas import Document
from schemas.cells import amount_cells
from schemas.document import Provenance, RunInfo

from .conftest import DATA, small_document


def _checked(doc: Document) -> Document:
    doc.findings, doc.reconcile = check_document(doc)
    return doc


def _with_loose_figure(doc: Document) -> Document:
    """A printed column no identity reads (an extra column of t7's row)."""
    doc.tables.t7.rows[0].extra = {"备注金额": Decimal("3")}
    return doc


def _scanned(doc: Document, confidence: float = 0.99) -> Document:
    """doc as if every amount had been OCR'd on page 1 at the given confidence."""
    doc.run = RunInfo(engine="layout", pages_ocr=[1])
    doc.provenance = {p: Provenance(page=1, bbox=(0, 0, 10, 10), confidence=confidence)
                      for p, _ in amount_cells(doc)}
    return doc


def test_confidence_is_the_weakest_ocr_word_under_the_box():
    page = Page(number=1, width=600, height=800, source="ocr",
                words=[Word("5", 100, 100, 106, 110, 0.62), Word("18.80", 108, 100, 130, 110, 0.97),
                       Word("其他", 200, 100, 230, 110, 0.40)])
    assert ocr_confidence(page, (95, 95, 135, 115)) == pytest.approx(0.62)
    assert ocr_confidence(page, (107, 95, 135, 115)) == pytest.approx(0.97)
    assert ocr_confidence(page, (300, 300, 320, 320)) is None  # nothing printed there
    text = Page(number=1, width=600, height=800, source="text", words=page.words)
    assert ocr_confidence(text, (95, 95, 135, 115)) is None  # a text layer is exact


def test_attach_gives_confidence_to_ocr_values_only():
    doc = small_document()
    doc.provenance = {"/tables/t3/rows/0/total": Provenance(page=1, bbox=(95, 95, 135, 115)),
                      "/tables/t3/rows/1/total": Provenance(page=2, bbox=(95, 95, 135, 115))}
    words = [Word("330.39", 100, 100, 130, 110, 0.91)]
    attach(doc, [Page(1, 600, 800, words=words, source="ocr"), Page(2, 600, 800, words=words, source="text")])
    assert doc.provenance["/tables/t3/rows/0/total"].confidence == pytest.approx(0.91)
    assert doc.provenance["/tables/t3/rows/1/total"].confidence is None
    dumped = json.loads(doc.model_dump_json())["provenance"]
    assert dumped["/tables/t3/rows/0/total"]["confidence"] == pytest.approx(0.91)
    assert "confidence" not in dumped["/tables/t3/rows/1/total"]  # absent, not null


def test_born_digital_extraction_has_no_confidence_and_no_flags_without_findings():
    from extractor.pipeline import extract

    from .conftest import SAMPLES

    doc = extract(SAMPLES / "004_3fa3241a52f85770.pdf")
    assert len(doc.provenance) > 100
    assert all(spot.confidence is None for spot in doc.provenance.values())
    assert not doc.findings and doc.flagged == {}


@pytest.mark.parametrize("doc_id", ["004_3fa3241a52f85770", "001_e83e4d58071336c6"])
def test_a_planted_wrong_value_is_flagged_by_its_failed_identity(doc_id):
    gold = _checked(Document.model_validate_json((DATA / doc_id / "gold.json").read_text(encoding="utf-8")))
    trusted = [p for p, _ in amount_cells(gold) if p not in flags(gold)]
    assert len(trusted) > 300
    for pointer in trusted[::7]:
        doc = gold.model_copy(deep=True)
        parent, field = pointer.rsplit("/", 1)
        row = _resolve(doc, parent)
        value = row[field] if isinstance(row, dict) else getattr(row, field)
        if isinstance(row, dict):
            row[field] = value + 10
        else:
            setattr(row, field, value + 10)
        flagged = flags(_checked(doc))
        assert flagged.get(pointer) == "failed", pointer


def _resolve(doc, pointer):
    from extractor.checks.core import resolve

    return resolve(doc, pointer)


def test_ocr_values_are_flagged_when_unsure_or_unvouched():
    doc = _checked(_scanned(_with_loose_figure(small_document())))
    # Every cell takes part in a row or column sum that holds, but the extra column in none.
    assert flags(doc) == {"/tables/t7/rows/0/extra/备注金额": "uncorroborated"}
    # An unsure reading that sums confirm to the last digit stands: one wrong digit would break them.
    doc.provenance["/tables/t3/rows/0/basic"].confidence = LOW_CONFIDENCE - 0.01
    assert "/tables/t3/rows/0/basic" not in flags(doc)
    # Confirmed only within the rounding band (502.47 against 502.46), the OCR's doubt decides.
    doc.tables.t3.total.total = Decimal("502.47")
    doc = _checked(doc)
    assert "/tables/t3/total/total" not in flags(doc)
    doc.provenance["/tables/t3/total/total"].confidence = LOW_CONFIDENCE - 0.01
    assert flags(doc)["/tables/t3/total/total"] == "low_confidence"
    # Read fairly surely (above LOW_CONFIDENCE) but vouched for only within the band: a last
    # digit misread by a few fen hides there (242.84 read as 242.81), so it must be read surer.
    doc.provenance["/tables/t3/total/total"].confidence = (LOW_CONFIDENCE + INEXACT_CONFIDENCE) / 2
    assert flags(doc)["/tables/t3/total/total"] == "low_confidence"
    doc.provenance["/tables/t3/total/total"].confidence = INEXACT_CONFIDENCE
    assert "/tables/t3/total/total" not in flags(doc)
    doc.provenance["/tables/t3/rows/0/basic"].confidence = (LOW_CONFIDENCE + INEXACT_CONFIDENCE) / 2
    assert "/tables/t3/rows/0/basic" not in flags(doc)  # confirmed to the last digit
    text = _checked(_with_loose_figure(small_document()))
    text.tables.t3.total.total = Decimal("502.47")
    assert flags(_checked(text)) == {}  # the same figures on a text layer: exact, nothing to doubt


def test_score_counts_errors_flagged_and_false_alarms():
    gold = _with_loose_figure(small_document())
    pred = _scanned(_with_loose_figure(small_document()))
    pred.tables.t3.rows[0].total = Decimal("330.89")  # wrong: breaks its row and the 合计 column
    del pred.tables.t3.rows[2]  # two cells missing: the column totals no longer add up
    _checked(pred)
    score = score_document(pred, gold)
    assert score.flagged["/tables/t3/rows/0/total"] == "failed"
    assert score.flagged["/tables/t3/rows/2/total"] == "table_finding"
    assert score.flagged["/tables/t7/rows/0/extra/备注金额"] == "uncorroborated"  # correct, nothing vouches for it
    m = summarise([score])["flags"]
    assert (m["errors"], m["errors_flagged"], m["errors_silent"]) == (3, 3, 0)
    wrongly = sorted(p for p, why in score.flagged.items() if score.cells[p] == "correct")
    assert m["false_alarms"] == len(wrongly) and "/tables/t7/rows/0/extra/备注金额" in wrongly
    assert m["correct"] == summarise([score])["overall"]["correct"]


def test_a_silent_error_is_counted_as_such():
    gold = _with_loose_figure(small_document())
    pred = _with_loose_figure(small_document())  # a text layer: exact, flagged only by failed identities
    pred.tables.t7.rows[0].extra["备注金额"] = Decimal("8")  # in no identity
    m = summarise([score_document(_checked(pred), gold)])["flags"]
    assert (m["errors"], m["errors_flagged"], m["errors_silent"], m["false_alarms"]) == (1, 0, 1, 0)


def test_cli_prints_errors_flagged(tmp_path):
    from cli import app

    gold_dir, pred_dir = tmp_path / "gold", tmp_path / "pred"
    (gold_dir / "g").mkdir(parents=True)
    pred_dir.mkdir()
    (gold_dir / "g" / "gold.json").write_text(small_document().model_dump_json(), encoding="utf-8")
    pred = small_document()
    pred.tables.t3.rows[0].total = Decimal("330.89")
    (pred_dir / "g.json").write_text(_checked(pred).model_dump_json(), encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", "score", str(pred_dir), str(gold_dir)])
    assert result.exit_code == 0, result.output
    assert "errors flagged: 1 of 1" in " ".join(result.output.split())
    as_json = CliRunner().invoke(app, ["eval", "score", str(pred_dir), str(gold_dir), "--json"])
    report = json.loads(as_json.output)
    assert report["flags"]["errors_flagged"] == 1
    assert report["documents"]["g"]["flagged"] == {"/tables/t3/rows/0/total": "failed"}


def test_scanned_page_values_carry_ocr_confidence(tmp_path):
    """One page of a born-digital sample printed as an image: its values come back with a confidence."""
    pytest.importorskip("rapidocr_onnxruntime")
    import pymupdf

    from extractor.pipeline import extract

    from .conftest import SAMPLES

    scan = tmp_path / "t10.pdf"
    with pymupdf.open(SAMPLES / "004_3fa3241a52f85770.pdf") as src, pymupdf.open() as out:
        page = src[13]  # 表10 “三公”经费支出预算表: a small table with row sums
        image = page.get_pixmap(dpi=200)
        target = out.new_page(width=page.rect.width, height=page.rect.height)
        target.insert_image(target.rect, pixmap=image)
        out.save(scan)
    doc = extract(scan)
    assert doc.run.pages_ocr == [1]
    read = [p for p, _ in amount_cells(doc) if p.startswith("/tables/t10/")]
    assert read, "the scanned t10 was not read"
    confidences = [doc.provenance[p].confidence for p in read]
    assert all(c is not None and 0.5 <= c <= 1 for c in confidences), confidences
    # What the pipeline wrote is what flags() says; a value it trusts is corroborated and sure.
    assert doc.flagged == flags(doc)
    for pointer in set(read) - set(doc.flagged):
        assert doc.provenance[pointer].confidence >= LOW_CONFIDENCE
