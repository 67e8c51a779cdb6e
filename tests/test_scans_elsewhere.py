"""Scans made another way than the repository's simulator (README, "Scans made another way", #16)."""

from __future__ import annotations

from decimal import Decimal

import numpy as np

from extractor.ocr import PaddleOcrReader


class _StubEngine(PaddleOcrReader):
    """A page reading without models: the page is fed upside down (a mark in its top-left corner
    says so). Read as it lies, its table reads as confident digit soup (upside-down figures read as
    figures: mean confidence 0.9, as a digit-heavy table page did); turned, as Chinese labels. The
    line classifier says 180 for every line of the page as it lies."""

    def __init__(self):
        self.classified = 0

    @staticmethod
    def _as_fed(img: np.ndarray) -> bool:
        return bool(img[20:40, 20:40].mean() < 128)

    def _lines(self, img: np.ndarray, texts: list[str]) -> list:
        h, w = img.shape[:2]
        return [[[(100, 100 + 40 * i), (w - 100, 100 + 40 * i), (w - 100, 125 + 40 * i), (100, 125 + 40 * i)],
                 text, 0.9] for i, text in enumerate(texts)]

    def _ocr(self, img, text_score):
        soup = ["00'000'07", "1 08", "96 0821", "708", "00 000'07", "018"]
        labels = ["工资福利支出 1,303,660.00", "基本工资 2,540,192.00", "津贴补贴 9,572,148.00",
                  "奖金 211,000.00", "绩效工资 1,280,000.00", "住房公积金 1,188,720.00"]
        return self._lines(img, soup if self._as_fed(img) else labels)

    def _detect(self, img):
        return [item[0] for item in self._lines(img, ["x"] * 30)]  # lines lying flat: not on its side

    def _recognise_crops(self, crops):
        return [("", 0.0) for _ in crops]

    def _classify(self, crops):
        self.classified += 1
        return [("180", 0.99) for _ in crops]


def test_an_upside_down_page_read_as_confident_digits_is_turned():
    """The half turn was tried only when the page's mean confidence was below 0.75; an upside-down
    table of figures reads above it (0.75-0.76 on real pages), so it stayed upside down and its
    tables were lost. The line classifier decides, whatever the confidence."""
    img = np.full((1200, 900, 3), 255, np.uint8)
    img[:60, :60] = 0  # the page as fed: upside down
    engine = _StubEngine()
    page = engine.read(_Pixmap(img), 595, 842)
    assert page.rotation == 180
    assert any("工资福利支出" in w.text for w in page.words)


def test_an_upright_page_stays_as_it_is():
    class Upright(_StubEngine):
        def _classify(self, crops):
            return [("0", 0.99) for _ in crops]

    img = np.full((1200, 900, 3), 255, np.uint8)
    img[-60:, -60:] = 0  # the mark at the bottom right: the page is upright
    page = Upright().read(_Pixmap(img), 595, 842)
    assert page.rotation == 0
    assert any("基本工资" in w.text for w in page.words)


class _Pixmap:
    """The few attributes of a PyMuPDF pixmap that ``pixmap_to_array`` reads."""

    def __init__(self, img: np.ndarray):
        self.h, self.w, self.n = img.shape
        self.samples = img.tobytes()


def _t6_page(header: str, conf: float) -> "Page":
    """表6 as OCR reads it: 经济分类科目编码 | 科目名称 | 合计 | <header> | 公用经费, two rows."""
    from extractor.pages import Page, Segment, Word

    xs = [60.0, 140.0, 300.0, 380.0, 460.0, 540.0]
    ys = [100.0 + 18 * k for k in range(5)]
    segments = [Segment(xs[0], y, xs[-1], y) for y in ys] + [Segment(x, ys[0], x, ys[-1]) for x in xs]
    rows = [["科目编码", "科目名称", "合计", header, "公用经费"], ["301", "工资福利支出", "430.09", "430.09", ""],
            ["30101", "基本工资", "48.31", "48.31", ""], ["302", "商品和服务支出", "95.26", "", "95.26"]]
    words = [Word(text, xs[c] + 4, ys[r] + 4, xs[c] + 4 + 6 * len(text), ys[r] + 14, conf if r == 0 and c == 3 else 0.999)
             for r, row in enumerate(rows) for c, text in enumerate(row) if text]
    return Page(1, 595, 842, words=words, segments=segments, source="ocr")


def _t6_rows(header: str, conf: float) -> list[dict]:
    from extractor.grid import page_grids
    from extractor.locate import Region
    from extractor.engines.layout import _money_fields
    from extractor.read_tables import CodedTableReader

    grids = page_grids(_t6_page(header, conf))
    return [row.values for row in CodedTableReader("t6", _money_fields("t6")).read(Region("t6", grids=grids))]


def test_a_money_header_ocr_misread_by_a_character_is_named_by_its_place():
    """A photocopied 表6 read "人员经费" as "人贝经费": the column was kept as an extra and the
    personnel amounts were lost. Between 合计 and 公用经费, one character off 人员: personnel."""
    rows = _t6_rows("人贝经费", 0.93)
    assert [r.get("personnel") for r in rows] == [Decimal("430.09"), Decimal("48.31"), None]
    assert not any(k.startswith("extra/") for r in rows for k in r)


def test_a_header_read_surely_or_far_from_a_field_stays_an_extra():
    # Read without doubt (or from a text layer): printed so, a column of its own.
    assert all(r.get("personnel") is None for r in _t6_rows("人贝经费", 1.0))
    # Nothing like 人员 in it: not the personnel column, whatever its place.
    assert all(r.get("personnel") is None for r in _t6_rows("其他经费", 0.9))


def _js03_t6_read_partly(ocr: bool):
    """js03's gold with 表6 read as a fax read it: three 款 rows of 25, their 类 and the 合计 lost."""
    from extractor.checks import check_document
    from schemas import Document
    from schemas.document import RunInfo

    from .conftest import DATA

    doc = Document.model_validate_json((DATA / "js03" / "gold.json").read_text(encoding="utf-8"))
    t6 = doc.tables.t6
    t6.rows = [row for row in t6.rows if row.code in ("30101", "30102", "30103")]
    t6.total = None
    doc.run = RunInfo(engine="layout", pages_ocr=list(t6.pages) if ocr else [])
    doc.findings, doc.reconcile = check_document(doc)
    return doc


def test_a_scanned_table_no_sum_could_check_is_reported():
    """A fax-like scan read three rows of 表6 and no total: nothing failed, so the 22 rows lost were
    silent. No identity reads the table: a warning says so, and the lost cells are flagged."""
    from eval.score import score_document
    from schemas import Document

    from .conftest import DATA

    doc = _js03_t6_read_partly(ocr=True)
    assert [f.tables for f in doc.findings if f.rule == "complete.table_unchecked"] == [["t6"]]
    gold = Document.model_validate_json((DATA / "js03" / "gold.json").read_text(encoding="utf-8"))
    score = score_document(doc, gold)
    lost = [p for p, outcome in score.cells.items() if p.startswith("/tables/t6/") and outcome == "missing"]
    assert lost and all(p in score.flagged for p in lost)


def test_a_table_read_to_a_figure_another_table_repeats_is_reported():
    """augraphy's default pipeline read js20's 公开04表 to one figure, its general-budget income;
    the identity with 表1 holds, but it reads one cell of 表4 and none of its lines: the total and
    three expense lines lost were silent. Only a sum within the table checks its lines."""
    from extractor.checks import check_document
    from schemas import Document
    from schemas.document import RunInfo
    from schemas.tables import T4Total

    from .conftest import DATA

    doc = Document.model_validate_json((DATA / "js20" / "gold.json").read_text(encoding="utf-8"))
    t4 = doc.tables.t4
    assert t4.income.general_budget is not None and t4.extra
    t4.extra, t4.total = {}, T4Total()
    for ocr in (True, False):
        doc.run = RunInfo(engine="layout", pages_ocr=list(t4.pages) if ocr else [])
        findings, reconcile = check_document(doc)
        assert any(o for o in reconcile.by_rule if o.startswith("x.")), "a cross-table identity still reads 表4"
        unchecked = [f.tables for f in findings if f.rule == "complete.table_unchecked"]
        assert unchecked == ([["t4"]] if ocr else [])


def test_a_checked_or_born_digital_table_is_not_reported():
    assert not [f for f in _js03_t6_read_partly(ocr=False).findings if f.rule == "complete.table_unchecked"]
    from extractor.checks import check_document
    from schemas import Document
    from schemas.document import RunInfo

    from .conftest import DATA

    doc = Document.model_validate_json((DATA / "js03" / "gold.json").read_text(encoding="utf-8"))
    doc.run = RunInfo(engine="layout", pages_ocr=list(range(1, 40)))  # every page scanned, read whole
    findings, _ = check_document(doc)
    assert not [f for f in findings if f.rule == "complete.table_unchecked"]


def test_a_scanned_table_read_to_no_figure_is_reported():
    """A fax of sample 000 found 表7's title and read none of its lines: no sum broke, nothing was
    flagged. A table on a scanned page read to no figure, without a note that it is empty, is
    reported, and its lost cells are flagged; a text layer's blank table is what the file prints."""
    from eval.score import score_document
    from extractor.checks import check_document
    from schemas import Document
    from schemas.document import RunInfo
    from schemas.tables import T7Row

    from .conftest import DATA

    gold = Document.model_validate_json((DATA / "000_5dac6d90f1d45d5f" / "gold.json").read_text(encoding="utf-8"))
    doc = gold.model_copy(deep=True)
    t7 = doc.tables.t7
    t7.rows, t7.total, t7.pages = [], T7Row(name="合计"), [10]
    for ocr, note in ((True, None), (False, None), (True, "本单位无一般公共预算项目支出")):
        t7.empty_note = note
        doc.run = RunInfo(engine="layout", pages_ocr=[10] if ocr else [])
        doc.findings, doc.reconcile = check_document(doc)
        unread = [f.tables for f in doc.findings if f.rule == "complete.table_unread"]
        assert unread == ([["t7"]] if ocr and not note else [])
    t7.empty_note = None
    doc.run = RunInfo(engine="layout", pages_ocr=[10])
    doc.findings, doc.reconcile = check_document(doc)
    score = score_document(doc, gold)
    lost = [p for p, outcome in score.cells.items() if p.startswith("/tables/t7/") and outcome == "missing"]
    assert lost and all(p in score.flagged for p in lost)
