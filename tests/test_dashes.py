"""Dashed and dotted rules are drawn whole before a scan is read; specks, screens and faint lines are not rules."""

from __future__ import annotations

from collections import Counter
import numpy as np
import pymupdf
import pytest

from extractor.dashes import with_solid_dashes
from extractor.ocr import find_rules
from tests.scan_support import as_pixmap, checkered, curl, dashed, full_rows, ocr_backend, sample_t1_page, table_page


def _columns(grey: np.ndarray) -> list[int]:
    return sorted(x0 for x0, y0, x1, y1 in find_rules(grey) if x0 == x1 and y1 - y0 > 1000)


@pytest.mark.parametrize("on, off", [(6, 6), (10, 5), (3, 3)])
def test_dashed_and_dotted_rules_are_drawn_whole(on, off):
    page = table_page()
    broken = dashed(page, on, off)
    assert full_rows(broken) == 0 and _columns(broken) == []  # the rule finder sees no table

    solid, rules = with_solid_dashes(broken, dpi=200)
    assert len(rules) >= 26 + 4
    assert full_rows(solid) == full_rows(page) == 26
    assert [abs(a - b) <= 2 for a, b in zip(_columns(solid), _columns(page))] == [True] * 4
    assert (solid[1000, 600:700] == page[1000, 600:700]).all()  # the cells' print untouched


def test_rules_a_one_bit_scan_dithered_into_a_checkerboard_are_found_whole():
    page = table_page()
    dithered = checkered(page)
    dots = dithered[295:306, 200:400] < 128
    assert dots.any() and not (dots[:, :-1] & dots[:, 1:]).any()  # along the rule, no two dots touch
    assert full_rows(dithered) == full_rows(page) == 26
    assert [abs(a - b) <= 2 for a, b in zip(_columns(dithered), _columns(page))] == [True] * 4


@pytest.mark.parametrize("on, off", [(10, 5), (6, 4), (3, 3)])
def test_rules_are_whole_where_their_dashes_run_together_at_crossings(on, off):
    # Long dashes touching a crossing make one blot longer than any dash: each rule broke there.
    page = table_page()
    solid, rules = with_solid_dashes(dashed(page, on, off, run_together=True), dpi=200)
    assert full_rows(solid) == 26
    assert [abs(a - b) <= 2 for a, b in zip(_columns(solid), _columns(page))] == [True] * 4
    # each drawn from the frame's top rule to its bottom one, over the blots at both ends
    ends = [(r.y0, r.y1) for r in rules if not r.lying]
    assert len(ends) == 4 and all(abs(y0 - 300.5) <= 2 and abs(y1 - 1800.5) <= 2 for y0, y1 in ends)


def test_a_merged_cell_keeps_its_gap_in_a_dashed_rule():
    page = table_page()
    page[902:959, 499:502] = 255  # one cell spans the second column's rule between two row rules
    # read as 300 dpi, the merged cell's 60 px are within the 6 mm (71 px) a break is joined across
    rules = with_solid_dashes(dashed(page, 10, 5, run_together=True), dpi=300)[1]
    second = [(r.y0, r.y1) for r in rules if not r.lying and abs(r.x0 - 500) < 3]
    assert len(second) == 2 and all(y1 <= 905 or y0 >= 955 for y0, y1 in second)


def test_a_few_specks_beside_a_rule_do_not_make_it_a_screen():
    broken = dashed(table_page())
    for y in (900, 930, 960):  # three specks in a row 5 px right of the second column's rule
        broken[y:y + 2, 506:508] = 0
    solid, _ = with_solid_dashes(broken, dpi=200)
    assert len(_columns(solid)) == 4


def test_a_page_without_dashes_comes_back_as_it_was():
    page = table_page()
    same, rules = with_solid_dashes(page, dpi=200)
    assert rules == [] and same is page


def test_a_crooked_dashed_page_is_found_before_the_deskew():
    import cv2

    broken = dashed(table_page())
    turn = cv2.getRotationMatrix2D((700, 1000), 3.0, 1.0)
    crooked = cv2.warpAffine(broken, turn, (1400, 2000), borderValue=255)
    _, rules = with_solid_dashes(crooked, dpi=200)
    assert len(rules) >= 26 + 4
    assert all(abs(r.y1 - r.y0) / abs(r.x1 - r.x0) < 0.07 for r in rules if abs(r.x1 - r.x0) > abs(r.y1 - r.y0))


def test_specks_a_halftone_screen_and_show_through_are_not_rules():
    rng = np.random.default_rng(0)
    page = table_page()
    specks = page.copy()
    specks[rng.random(page.shape) < 0.03] = 0  # salt and pepper
    specks[rng.random(page.shape) < 0.03] = 255
    assert with_solid_dashes(specks, dpi=200)[1] == []

    screened = page.copy()
    cells = screened[310:350, 160:490]  # a header cell shaded with a dot screen, dots 2 px, 4 apart
    cells[(np.indices(cells.shape) % 4 < 2).all(axis=0)] = 0
    assert with_solid_dashes(screened, dpi=200)[1] == []

    ghost = page.copy()
    faint = dashed(table_page())[300:1801, 150:1251] < 128  # a dashed table on the back, showing through
    ghost[300:1801, 150:1251][faint[::-1, ::-1] & (ghost[300:1801, 150:1251] > 128)] = 215
    ghost[200, 100:1300] = 0  # and one solid rule, so the page's print is black
    assert with_solid_dashes(ghost, dpi=200)[1] == []


def test_a_scan_printed_with_dashed_rules_reads_as_the_ruled_one(monkeypatch):
    import extractor.ocr

    backend = ocr_backend()
    page, size = sample_t1_page()
    clean = as_pixmap(page)
    broken = as_pixmap(np.repeat(dashed(page[:, :, 0], 4, 4)[:, :, None], 3, axis=2))

    def columns(ocr_page) -> list[float]:
        return sorted(round(s.x0) for s in ocr_page.segments if s.x0 == s.x1 and s.y1 - s.y0 > 100)

    before, after = backend.read(clean, *size), backend.read(broken, *size)
    monkeypatch.setattr(extractor.ocr, "with_solid_dashes", lambda img, dpi: (img, []))
    left = backend.read(broken, *size)
    assert len(columns(left)) < len(columns(before)) and len(columns(before)) >= 4
    assert [abs(a - b) <= 2 for a, b in zip(columns(after), columns(before))] == [True] * len(columns(before))
    printed, read = Counter("".join(w.text for w in before.words)), Counter("".join(w.text for w in after.words))
    assert sum((read & printed).values()) >= 0.99 * sum(printed.values()) and sum((read - printed).values()) <= 3


def _contents(frame: bool) -> np.ndarray:
    """A table of contents at 200 dpi: titles, then leader dots; framed, the dots run between two rules."""
    doc = pymupdf.open()
    page = doc.new_page()
    for i, title in enumerate(["一、部门主要职能", "二、部门机构设置", "三、部门预算表", "四、名词解释"]):
        y = 120 + 30 * i
        page.insert_text((72, y), title, fontname="china-s", fontsize=12)
        page.insert_text((72 + 12 * len(title) + 10, y), "." * 70, fontname="helv", fontsize=12)
    if frame:
        page.draw_line((178, 95), (178, 220))
        page.draw_line((520, 95), (520, 220))
    pix = page.get_pixmap(dpi=200, colorspace=pymupdf.csGRAY)
    return np.frombuffer(pix.samples, np.uint8).reshape(pix.h, pix.w)


def test_leader_dots_of_a_table_of_contents_are_not_rules():
    assert with_solid_dashes(_contents(frame=False), dpi=200)[1] == []
    # The same dots met by a rule at their start (the two rows whose dots start at the left rule).
    assert len(with_solid_dashes(_contents(frame=True), dpi=200)[1]) == 2


@pytest.mark.parametrize("bow", [0.0, 0.01])
def test_bridging_leaves_rules_that_print_solid_as_they_are(monkeypatch, bow):
    # Bridging a solid rule thickened it and moved its middle half a pixel: enough for a bowed
    # rule to pass for a blot, or for a column rule to fall inside a character it had split off.
    page = curl(table_page(), bow) if bow else table_page()
    bridged = sorted(find_rules(page))
    monkeypatch.setattr("extractor.ocr.BRIDGED_LONG", 100)  # longer than the page: nothing bridged
    assert bridged == sorted(find_rules(page))


def test_print_lined_up_beside_a_solid_rule_is_not_a_dashed_rule():
    """A fax breaks the "3" opening every code of a column into the tips of its arcs, two a row,
    lined up 1.5 mm beside the column's solid rule. Drawn solid, that line made a column two
    points wide and turned each 3 into an 8."""
    page = table_page()
    x = 150 + 12  # 1.5 mm right of the first column's rule at 200 dpi
    for y in range(300, 1800, 60):
        for top in (y + 20, y + 36):
            page[top:top + 8, x:x + 3] = 0
    solid, rules = with_solid_dashes(page, dpi=200)
    assert not [r for r in rules if not r.lying and abs(r.x0 - x) < 6]
    assert (solid[:, x - 3:x + 6] == page[:, x - 3:x + 6]).all()
