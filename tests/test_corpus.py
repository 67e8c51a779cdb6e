"""The corpus: rendered text layers hold every gold amount, scans hold only images, synthetic
documents are valid and consistent except for what was planted, and everything is deterministic."""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pymupdf
import pytest

from schemas import Document
from schemas.cells import amount_cells

ROOT = Path(__file__).resolve().parents[1]
SEED_GOLD = ROOT / "eval" / "data" / "000_5dac6d90f1d45d5f" / "gold.json"


@pytest.fixture(scope="module")
def synthetic():
    from eval.corpus.synth import synth_one

    return synth_one(3, 1)


@pytest.fixture(scope="module")
def subject(synthetic) -> Document:
    """The first real gold file when it exists, else a synthetic document."""
    if SEED_GOLD.exists():
        return Document.model_validate_json(SEED_GOLD.read_text(encoding="utf-8"))
    return synthetic[0]


def _words(data: bytes) -> Counter:
    doc = pymupdf.open("pdf", data)
    return Counter(w[4] for page in doc for w in page.get_text("words"))


def _missing(doc: Document, data: bytes) -> dict[str, tuple[int, int]]:
    """Amount strings printed fewer times than the gold has cells with that value."""
    words = _words(data)
    need = Counter(format(v, "f") for _, v in amount_cells(doc))
    return {k: (n, words[k]) for k, n in need.items() if words[k] < n}


@pytest.mark.parametrize("style", [0, 3])
def test_text_layer_holds_every_amount(subject, style):
    from eval.corpus.render import render

    data = render(subject, style=style, seed=1)
    assert _missing(subject, data) == {}
    doc = pymupdf.open("pdf", data)
    assert any(p.rect.width > p.rect.height for p in doc), "wide tables go on landscape pages"
    fonts = {f[3] for p in doc for f in p.get_fonts()}
    assert fonts and all("+" in name for name in fonts), "the CJK font is embedded as a subset"
    text = "".join(p.get_text() for p in doc)
    for label in ("表1", "表11", "单位：万元", "名词解释"):
        assert label in text.replace(" ", "")


def test_synthetic_render_holds_every_amount(synthetic):
    from eval.corpus.render import render

    doc, _ = synthetic
    assert _missing(doc, render(doc, style=7, seed=2)) == {}


def test_render_is_deterministic(synthetic):
    from eval.corpus.render import render

    doc, _ = synthetic
    assert render(doc, style=5, seed=9) == render(doc, style=5, seed=9)


def test_scan_has_images_and_no_text(synthetic):
    from eval.corpus.render import render
    from eval.corpus.scan import scan_pdf

    clean = pymupdf.open("pdf", render(synthetic[0], style=2, seed=0))
    landscape = next(p.number for p in clean if p.rect.width > p.rect.height)
    pages = [0, landscape]
    data = scan_pdf(clean.tobytes(), seed=4, dpi=150, pages=pages)
    assert data == scan_pdf(clean.tobytes(), seed=4, dpi=150, pages=pages)
    scanned = pymupdf.open("pdf", data)
    assert scanned.page_count == 2
    for page in scanned:
        assert page.get_text().strip() == ""
        assert len(page.get_images()) == 1
        assert page.rect.height > page.rect.width, "the landscape page was scanned rotated"


def test_synthetic_documents_are_consistent():
    from eval.corpus.identities import check
    from eval.corpus.synth import synth_one

    for i in range(8):
        doc, findings = synth_one(11, i, plants=False)
        Document.model_validate_json(doc.model_dump_json())
        assert findings == []
        t = doc.tables
        # Independent of the oracle: column and hierarchy identities hold exactly.
        for row in t.t3.rows + [t.t3.total]:
            assert (row.total or 0) == (row.basic or 0) + (row.project or 0)
        for row in t.t5.rows:
            if row.code and len(row.code) < 7:
                kids = [r for r in t.t5.rows if r.code and len(r.code) == len(row.code) + 2 and r.code.startswith(row.code)]
                if kids:
                    assert row.total == sum((k.total or Decimal(0) for k in kids), Decimal(0))
        assert t.t1.total.income_total == t.t3.total.total == t.t2.total.total
        assert t.t5.total.project == t.t7.total.total
        for sheet in doc.performance.projects:
            assert sum(ind.weight for ind in sheet.indicators) == 90
        assert check(doc) == []


def test_planted_findings_use_known_rules():
    from eval.corpus.synth import synth

    rules_md = (ROOT / "eval" / "data" / "RULES.md").read_text(encoding="utf-8")
    known = set(re.findall(r"`([A-Za-z0-9_]+\.[a-z0-9_]+)`", rules_md)) | {"t2.row_fiscal_subtotal", "t1.expense_total"}
    for doc, findings in synth(6, seed=5):
        assert findings, doc.doc_id
        for f in findings:
            assert f.cause == "source"
            base = re.sub(r"^t\d+\.", "tN.", f.rule)
            assert f.rule in known or base in known, f.rule
        assert any(f.suspect for f in findings)
