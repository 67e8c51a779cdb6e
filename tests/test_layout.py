"""The layout engine against the labelled set: born-digital samples and other rendering styles."""

from __future__ import annotations

from pathlib import Path

import pytest

from eval.score import score_document, summarise
from extractor.pipeline import Options, extract
from schemas import Document
from schemas.tables import TABLE_TITLES

from .conftest import DATA, SAMPLES

BORN_DIGITAL = sorted(p for p in SAMPLES.glob("*.pdf") if not p.name.endswith(".scan.pdf"))


def _gold(doc_id: str) -> Document:
    return Document.model_validate_json((DATA / doc_id / "gold.json").read_text(encoding="utf-8"))


def _assert_matches_gold(pred: Document, gold: Document, min_exact: float = 0.995) -> dict:
    report = summarise([score_document(pred, gold)])
    assert report["overall"]["cell_exact"] >= min_exact, report["overall"]
    for key in TABLE_TITLES:
        assert getattr(pred.tables, key).present == getattr(gold.tables, key).present, key
        assert bool(getattr(pred.tables, key).empty_note) == bool(getattr(gold.tables, key).empty_note), key
    sheets = report["sheets"]["counts"]
    assert sheets["matched_sheets"] == sheets["gold_sheets"] == sheets["pred_sheets"]
    assert report["sheets"]["indicator_recall"] >= 0.99
    assert (pred.unit_name, pred.unit_kind, pred.year) == (gold.unit_name, gold.unit_kind, gold.year)
    return report


@pytest.mark.parametrize("pdf", BORN_DIGITAL, ids=lambda p: p.stem)
def test_born_digital_sample_matches_gold(pdf: Path):
    pred = extract(pdf, Options(check=False))
    assert pred.run.pages_ocr == []  # a text layer is read, never OCR'd
    _assert_matches_gold(pred, _gold(pdf.stem))
    # Every amount carries provenance: a page and a box on it.
    assert pred.provenance and all(p.bbox is not None for p in pred.provenance.values())


@pytest.mark.parametrize("style", [1, 3, 5])
def test_other_rendering_styles(tmp_path, style):
    """Fonts, line widths, column widths and page breaks change; the tables are still read."""
    render = pytest.importorskip("eval.corpus.render")
    gold = _gold("004_3fa3241a52f85770")
    pdf = tmp_path / "004_3fa3241a52f85770.pdf"
    pdf.write_bytes(render.render(gold, style=style, seed=style))
    _assert_matches_gold(extract(pdf, Options(check=False)), gold)
