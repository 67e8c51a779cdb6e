"""Reading fixes found on the scanned samples, tested on small grids built from their text."""

from __future__ import annotations

from decimal import Decimal

from extractor.grid import Cell, Grid
from extractor.locate import Region
from extractor.pages import Word
from extractor.read_fixed import read_two_sided


def grid_of(rows: list[list[str]], page: int = 1) -> Grid:
    """A ruled grid of one-word cells, 10 points per row and 40 per column."""
    cells, owner = [], []
    for r, texts in enumerate(rows):
        owner.append([])
        for c, text in enumerate(texts):
            box = (40.0 * c, 10.0 * r, 40.0 * (c + 1), 10.0 * (r + 1))
            words = [Word(text, box[0] + 1, box[1] + 1, box[2] - 1, box[3] - 1)] if text else []
            owner[-1].append(len(cells))
            cells.append(Cell(r, c, words=words, bbox=box))
    return Grid(page, (0, 0, 40.0 * len(rows[0]), 10.0 * len(rows)),
                [10.0 * r for r in range(len(rows) + 1)], [40.0 * c for c in range(len(rows[0]) + 1)],
                cells, owner)


T4_HEADER = ["项目", "预算数", "功能分类科目编码", "功能分类科目名称", "合计", "一般公共预算", "政府性基金预算",
             "国有资本经营预算"]


def test_t4_blank_row_with_a_misread_code_stays_blank():
    # 001's scan reads the 类 code 234 of a blank line as "23" (its 4 under a speck).
    grid = grid_of([T4_HEADER,
                    ["一、本年收入", "7113.05", "201", "一般公共服务支出", "296.67", "296.67", "", ""],
                    ["", "", "233", "债务发行费用", "", "", "", ""],
                    ["", "", "23", "抗疫特别国债", "", "", "", ""],
                    ["", "", "229", "其他支出", "2.64", "2.64", "", ""]])
    _, rows, _ = read_two_sided(Region("t4", grids=[grid]), "t4")
    assert [(r["code"], r["name"]) for r in rows] == [("201", "一般公共服务支出"), ("233", "债务发行费用"),
                                                      ("229", "其他支出")]
    assert [r.get("total") for r in rows] == [Decimal("296.67"), None, Decimal("2.64")]
