"""Performance target sheets (绩效目标表) as bordered forms: a form block on top, then the
indicator grid whose 一级/二级 cells are merged over the rows they share."""

from __future__ import annotations

from schemas import Indicator, OverallSheet, ProjectSheet

from .grid import Cell, Col, Table
from .tables import money

PROJECT_COLS = [
    ("level1", "一级指标", 0.9), ("level2", "二级指标", 1.0), ("level3", "三级指标", 2.0),
    ("target_raw", "指标值", 1.1), ("basis", "指标值设置依据", 1.1), ("last_year", "上年完成值", 0.9),
    ("weight", "指标分值权重", 0.9), ("scoring_rule", "指标赋分规则", 1.3), ("evidence", "佐证资料", 1.1),
]
OVERALL_COLS = [
    ("level1", "一级指标", 1.0), ("level2", "二级指标", 1.0), ("level3", "三级指标", 2.2),
    ("target_raw", "指标值", 1.2), ("basis", "指标设定依据", 1.4), ("weight", "分值权重", 0.9),
]


def _weight_text(ind: Indicator) -> str:
    if ind.weight is not None:
        return money(ind.weight)
    return ind.weight_raw or ""


def _indicator_rows(indicators: list[Indicator], cols, first_row: int) -> list[list[Cell]]:
    """Indicator rows; equal consecutive 一级 (and 二级 within them) become one merged cell."""
    rows: list[list[Cell]] = [[Cell(head, i, kind="text", align="center") for i, (_, head, _) in enumerate(cols)]]
    spans: dict[tuple[int, int], int] = {}
    i = 0
    while i < len(indicators):
        j = i
        while j + 1 < len(indicators) and indicators[j + 1].level1 == indicators[i].level1:
            j += 1
        spans[(i, 0)] = j - i + 1
        k = i
        while k <= j:
            m = k
            while m + 1 <= j and indicators[m + 1].level2 == indicators[k].level2:
                m += 1
            spans[(k, 1)] = m - k + 1
            k = m + 1
        i = j + 1
    for r, ind in enumerate(indicators):
        row: list[Cell] = []
        for c, (key, _, _) in enumerate(cols):
            if c < 2:
                if (r, c) not in spans:
                    continue  # covered by the merged cell above
                row.append(Cell(getattr(ind, key) or "", c, rowspan=spans[(r, c)], align="center"))
            elif key == "weight":
                text = _weight_text(ind)
                row.append(Cell(text, c, kind="num" if ind.weight is not None else "text", align="center"))
            else:
                row.append(Cell(getattr(ind, key) or "", c, align="left" if key in ("level3", "scoring_rule") else "center"))
        rows.append(row)
    return rows


def overall_table(sheet: OverallSheet) -> Table:
    """整体绩效目标表 on six (or nine, when the sheet records more columns) columns."""
    extra = any(i.last_year or i.scoring_rule or i.evidence for i in sheet.indicators)
    cols = PROJECT_COLS if extra else OVERALL_COLS
    last = len(cols) - 1
    value_col = last - 1
    rows: list[list[Cell]] = [
        [Cell("单位名称（盖章）", 0, colspan=2), Cell(sheet.unit_name or "", 2, colspan=last - 1)],
        [Cell("单位联系人", 0, colspan=2), Cell(sheet.contact or "", 2),
         Cell("联系电话：", 3), Cell(sheet.phone or "", 4, colspan=last - 3)],
        [Cell("年度绩效目标", 0, colspan=2), Cell(sheet.annual_goal or "", 2, colspan=last - 1)],
    ]
    budget = [[Cell("资金来源", 1, colspan=value_col - 1, align="center"),
               Cell("资金总额（万元）", value_col, colspan=2, align="center")]]
    if sheet.budget_total is not None:
        budget.append([Cell("合计", 1, colspan=value_col - 1, align="center"),
                       Cell(money(sheet.budget_total), value_col, colspan=2, kind="num")])
    budget += [
        [Cell("财政资金（万元）", 1, rowspan=2), Cell("上级安排", 2, colspan=value_col - 2),
         Cell(money(sheet.budget_upper), value_col, colspan=2, kind="num")],
        [Cell("本级安排", 2, colspan=value_col - 2), Cell(money(sheet.budget_local), value_col, colspan=2, kind="num")],
        [Cell("其他资金（万元）", 1), Cell("其他", 2, colspan=value_col - 2),
         Cell(money(sheet.budget_other), value_col, colspan=2, kind="num")],
    ]
    budget[0].insert(0, Cell("年度预算（万元）", 0, rowspan=len(budget), align="center"))
    rows += budget
    rows += _indicator_rows(sheet.indicators, cols, len(rows))
    return Table([Col("", "text", w) for _, _, w in cols], rows, show_header=False)


def project_table(sheet: ProjectSheet) -> Table:
    """项目支出绩效目标表 on nine columns."""
    cols = PROJECT_COLS
    rows: list[list[Cell]] = [
        [Cell("预算单位", 0, colspan=2), Cell(sheet.unit_name or "", 2, colspan=7)],
        [Cell("项目名称", 0, colspan=2), Cell(sheet.project_name or "", 2, colspan=4),
         Cell("项目负责人", 6), Cell(sheet.manager or "", 7, colspan=2)],
        [Cell("项目资金（万元）", 0, colspan=2), Cell("年度预算总额：", 2), Cell(money(sheet.budget_total), 3, kind="num"),
         Cell("其中：财政拨款", 4), Cell(money(sheet.budget_fiscal), 5, kind="num"),
         Cell("其他资金：", 6), Cell(money(sheet.budget_other), 7, colspan=2, kind="num")],
        [Cell("项目总体目标", 0, colspan=2), Cell(sheet.overall_goal or "", 2, colspan=7)],
    ]
    rows += _indicator_rows(sheet.indicators, cols, len(rows))
    return Table([Col("", "text", w) for _, _, w in cols], rows, show_header=False)
