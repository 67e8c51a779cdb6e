"""Causes of cells lost on real layouts scanned at moderate severity (README, "Robustness on degraded real layouts")."""

from __future__ import annotations

from extractor.columns import key_role, money_role
from extractor.grid import page_grids
from extractor.pages import Page, Segment, Word


def test_a_header_ocr_read_with_a_lookalike_character_still_names_its_column():
    assert money_role("t3", "项目支出") == "project"
    assert money_role("t3", "项自支出") == "project"  # 目 read 自
    assert money_role("t3", "基本支出") == "basic"
    assert money_role("t3", "自筹资金") is None  # a lookalike alone names nothing


def test_a_code_column_headed_daima_is_the_code():
    assert key_role("t5", "功能科目代码") == "code"
    assert key_role("t5", "科目编码") == "code"
    assert key_role("t5", "功能科目名称") == "name"


def _table(left_border: bool) -> Page:
    """科目编码 | 科目名称 | 金额 with row rules from x=80 to 540; the left border drawn or lost."""
    xs = [80.0, 240.0, 396.0, 540.0] if left_border else [240.0, 396.0, 540.0]
    ys = [225.0 + 20 * k for k in range(6)]
    segments = [Segment(80.0 - k * 0.4, y, 540.0, y) for k, y in enumerate(ys)]  # ends lean a little
    segments += [Segment(x, ys[0], x, ys[-1]) for x in xs]
    rows = [["科目编码", "科目名称", "金额"], ["", "合计", "7,877.76"], ["301", "工资福利支出", "5,469.17"],
            ["30101", "基本工资", "1,186.73"], ["30102", "津贴补贴", "2,752.80"]]
    words = [Word(text, (90.0, 250.0, 480.0)[c], ys[r] + 5, (90.0, 250.0, 480.0)[c] + 9 * len(text), ys[r] + 15)
             for r, row in enumerate(rows) for c, text in enumerate(row) if text]
    return Page(1, 595, 842, words=words, segments=segments, source="ocr")


def test_a_lost_left_border_is_where_the_row_rules_end():
    for drawn in (True, False):
        (grid,) = page_grids(_table(drawn))
        assert [grid.text(r, 0) for r in range(grid.n_rows)] == ["科目编码", "", "301", "30101", "30102"]
        assert grid.n_cols == 3


def test_row_rules_running_past_a_border_with_nothing_there_add_no_column():
    page = _table(False)
    page.words = [w for w in page.words if w.x0 > 200]
    (grid,) = page_grids(page)
    assert grid.n_cols == 2
