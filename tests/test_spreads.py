"""Two printed pages on one sheet (a booklet scanned open, a file printed two-up) read as two pages."""

from __future__ import annotations

import json

import pymupdf
from typer.testing import CliRunner

from cli import app
from extractor.pages import Page, Segment, Word
from extractor.spreads import halves

from .conftest import SAMPLES

SAMPLE = SAMPLES / "004_3fa3241a52f85770.pdf"


def _words(x0: float, n: int, y0: float = 100) -> list[Word]:
    return [Word(f"项目{i}", x0, y0 + 20 * i, x0 + 60, y0 + 20 * i + 10) for i in range(n)]


def test_a_sheet_of_two_pages_is_read_as_its_left_then_its_right_page():
    page = Page(3, 1190, 842, words=_words(60, 6) + _words(655, 5),
                segments=[Segment(50, 90, 540, 90), Segment(650, 90, 1140, 90)])
    left, right = halves(page)
    assert [w.x0 for w in left.words] == [60] * 6 and [w.x0 for w in right.words] == [655] * 5
    assert len(left.segments) == len(right.segments) == 1
    assert left.number == right.number == 3 and left.width == page.width  # still the sheet's page and points


def test_a_landscape_page_whose_print_crosses_its_middle_or_has_no_rule_is_one_page():
    words = _words(60, 6) + _words(655, 5)
    ruled = Page(1, 1190, 842, words=words, segments=[Segment(50, 90, 1140, 90)])  # a table's rule across
    titled = Page(1, 1190, 842, words=words + [Word("支出预算总表", 540, 40, 650, 60)])  # a centred title
    portrait = Page(1, 595, 842, words=_words(60, 6) + _words(320, 5))
    # A table printed without rules: names on the left, amounts on the right, nothing in between.
    unruled = Page(1, 1190, 842, words=words)
    # The same scanned: the rule finder took a few strokes of its names (一) for short rules.
    strokes = Page(1, 1190, 842, words=words, segments=[Segment(205, 86, 219, 86), Segment(229, 107, 243, 107)])
    # A landscape table ruled down only (js03's 收入预算总表): names left, figures just right of
    # the middle, its frame's two sides one each side.
    down = Page(1, 1190, 842, words=_words(60, 6) + _words(603, 5),
                segments=[Segment(x, 184, x, 735) for x in (42, 234, 507, 733)])
    assert [len(halves(p)) for p in (ruled, titled, portrait, unruled, strokes, down)] == [1, 1, 1, 1, 1, 1]


def test_a_file_printed_two_up_reads_as_the_file(tmp_path):
    two_up = tmp_path / "two_up.pdf"
    with pymupdf.open(SAMPLE) as src, pymupdf.open() as out:
        w, h = max(p.rect.width for p in src), max(p.rect.height for p in src)
        for i in range(0, src.page_count, 2):
            sheet = out.new_page(width=2 * w, height=h)
            for side, number in enumerate(range(i, min(i + 2, src.page_count))):
                sheet.show_pdf_page(pymupdf.Rect(side * w, 0, (side + 1) * w, h), src, number)
        out.save(two_up)
    runner = CliRunner()
    for pdf, folder in ((SAMPLE, "one"), (two_up, "two")):
        result = runner.invoke(app, ["extract", str(pdf), "-o", str(tmp_path / folder)])
        assert result.exit_code == 0, result.output
    one, two = (json.loads(next((tmp_path / f).glob("*.json")).read_text(encoding="utf-8")) for f in ("one", "two"))
    assert _cells(two) == _cells(one) and len(_cells(one)) > 300


def _cells(doc: dict) -> list:
    """Every table's figures and names in order (pages differ: a sheet holds two)."""
    out = []
    for key, table in sorted(doc["tables"].items()):
        for row in table.get("rows") or []:
            out += [(key, field, value) for field, value in row.items() if value not in (None, {}, "")]
    return out
