"""The layout engine against the labelled set: born-digital samples and other rendering styles."""

from __future__ import annotations

from pathlib import Path

import pytest

from eval.score import score_document, summarise
from extractor.pipeline import Options, extract
from schemas import Document
from schemas.tables import TABLE_TITLES

from .conftest import DATA, SAMPLES
from .grids import erase_line_art, row_rules_only

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


@pytest.mark.skipif(not (SAMPLES / "000_5dac6d90f1d45d5f.pdf").exists(), reason="samples not rendered")
def test_unruled_tables_fall_back_to_word_positions(tmp_path):
    """The same document with every ruling line removed is still read from word positions."""
    import pymupdf

    doc = pymupdf.open(SAMPLES / "000_5dac6d90f1d45d5f.pdf")
    for page in doc:
        erase_line_art(page)
    pdf = tmp_path / "000_5dac6d90f1d45d5f.pdf"
    doc.save(pdf)
    assert not any(page.get_drawings() for page in pymupdf.open(pdf))
    pred = extract(pdf, Options(check=False))
    gold = _gold("000_5dac6d90f1d45d5f")
    report = summarise([score_document(pred, gold)])
    # Narrow wrapped headers make some columns ambiguous without rules; most cells still land.
    assert report["overall"]["cell_recall"] >= 0.85 and report["overall"]["cell_precision"] >= 0.85, report["overall"]
    for key in ("t1", "t3", "t5", "t6"):
        assert report["tables"][key]["cell_exact"] == 1.0, key


@pytest.mark.skipif(not (SAMPLES / "000_5dac6d90f1d45d5f.pdf").exists(), reason="samples not rendered")
def test_tables_ruled_across_but_not_down_are_read_whole(tmp_path):
    """Row rules kept, column rules taken away (a spreadsheet printed without vertical borders):
    the rules keep rows without figures apart and the header's labels place the empty columns."""
    pdf = tmp_path / "000_5dac6d90f1d45d5f.pdf"
    row_rules_only(SAMPLES / pdf.name).save(pdf)
    report = summarise([score_document(extract(pdf, Options(check=False)), _gold(pdf.stem))])
    assert report["overall"]["cell_exact"] == 1.0, {k: v for k, v in report["tables"].items() if v["cell_exact"] < 1}


@pytest.mark.skipif(not (SAMPLES / "004_3fa3241a52f85770.pdf").exists(), reason="samples not rendered")
@pytest.mark.parametrize("printed", ["without rules", "ruled across only"])
def test_performance_sheets_printed_without_column_rules_are_read(tmp_path, printed):
    """The seven sheets of 004 printed without any rule, or with row rules only: every form field,
    indicator, target and weight read as from the ruled sheets."""
    import pymupdf

    src = SAMPLES / "004_3fa3241a52f85770.pdf"
    pdf = tmp_path / src.name
    if printed == "without rules":
        doc = pymupdf.open(src)
        for page in doc:
            erase_line_art(page)
    else:
        doc = row_rules_only(src)
    doc.save(pdf)
    sheets = summarise([score_document(extract(pdf, Options(check=False)), _gold(pdf.stem))])["sheets"]
    assert (sheets["sheet_recall"], sheets["fields"]["cell_exact"], sheets["indicator_recall"]) == (1.0, 1.0, 1.0), sheets
    assert (sheets["target_exact"], sheets["weight_exact"]) == (1.0, 1.0), sheets
