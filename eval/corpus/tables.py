"""The eleven disclosure tables (表1…表11) as ruled grids built from a Document."""

from __future__ import annotations

from decimal import Decimal

from schemas import Document
from schemas.tables import T10_LINE_NAMES

from .grid import Cell, Col, Group, Table
from .style import Style

T1_INCOME = [
    ("current_year_income", "一、本年收入"),
    ("general_budget", "1.一般公共预算拨款"),
    ("general_fiscal_resources", "其中：一般财力"),
    ("general_transfer_upper", "上级一般公共预算安排转移支付"),
    ("gov_fund", "2.政府性基金预算拨款"),
    ("gov_fund_income", "其中：政府性基金收入"),
    ("gov_fund_transfer_upper", "上级政府性基金安排转移支付"),
    ("state_capital", "3.国有资本经营预算拨款"),
    ("state_capital_income", "其中：国有资本经营收入"),
    ("state_capital_transfer_upper", "上级国有资本经营预算安排转移支付"),
    ("fiscal_special_account", "4.财政专户核拨"),
    ("unit_funds", "5.单位资金"),
    ("business_income", "其中：事业收入"),
    ("upper_subsidy_income", "上级补助收入"),
    ("affiliated_remittance", "附属单位上缴收入"),
    ("business_operation_income", "事业单位经营收入"),
    ("other_income", "其他收入"),
    ("carryover", "二、上年结转结余"),
    ("fiscal_carryover", "1.财政拨款结转"),
    ("fiscal_carryover_general", "其中：一般公共预算拨款"),
    ("fiscal_carryover_gov_fund", "政府性基金预算拨款"),
    ("fiscal_carryover_state_capital", "国有资本经营预算拨款"),
    ("nonfiscal_carryover", "2.非财政拨款结转结余"),
    ("nonfiscal_carryover_special_account", "其中：财政专户核拨"),
    ("nonfiscal_carryover_unit_funds", "单位资金"),
]
T4_INCOME = [
    ("fiscal_total", "一、财政拨款（补助）"),
    ("general_budget", "一般公共预算"),
    ("gov_fund", "政府性基金预算"),
    ("state_capital", "国有资本经营预算"),
]
T2_FISCAL = [
    ("fiscal_subtotal", "财政拨款（补助）小计"),
    ("general_budget", "一般公共预算"),
    ("general_transfer_upper", "上级一般公共预算安排的转移支付"),
    ("gov_fund", "政府性基金预算"),
    ("gov_fund_transfer_upper", "上级政府性基金安排的转移支付"),
    ("state_capital", "国有资本经营预算"),
    ("state_capital_transfer_upper", "上级国有资本经营预算安排的转移支付"),
]
T7_ECON = [
    ("wages", "工资福利支出"), ("goods_services", "商品和服务支出"), ("household_transfers", "对个人和家庭的补助"),
    ("debt_interest", "债务利息及费用支出"), ("capital_infrastructure", "资本性支出（基本建设）"),
    ("capital", "资本性支出"), ("enterprise_subsidy_infrastructure", "对企业补助（基本建设）"),
    ("enterprise_subsidy", "对企业补助"), ("social_security_fund", "对社会保障基金补助"), ("other", "其他支出"),
]
T11_SIDE = ["total", "basic_personnel", "basic_public", "project"]
LANDSCAPE = {"t2", "t7", "t11"}


def money(value: Decimal | None) -> str:
    """An amount exactly as the gold records it: blank for None, never reformatted."""
    return "" if value is None else format(value, "f")


class Builder:
    """Builds the grid of each table in a style; num_weight makes amount columns narrow or wide."""

    def __init__(self, doc: Document, style: Style, num_weight: float) -> None:
        self.doc, self.style, self.nw = doc, style, num_weight

    # ---- column helpers -------------------------------------------------------------
    def num(self, head: str) -> Col:
        return Col(head, "num", self.nw)

    def code_cols(self, head: str, parts: tuple[str, ...] = ("类", "款", "项")) -> list[Col | Group]:
        if self.style.code_layout == "joined":
            return [Col(head, "code", 0.6)]
        return [Group(head, [Col(p, "code", 0.35) for p in parts])]

    def code_cells(self, code: str | None, n_parts: int = 3) -> list[Cell]:
        if self.style.code_layout == "joined":
            return [Cell(code or "", 0, kind="code", align="left")]
        code = code or ""
        parts = [code[0:3], code[3:5], code[5:7]][:n_parts]
        return [Cell(p, i, kind="code", align="center") for i, p in enumerate(parts)]

    def label(self, text: str) -> str:
        if self.style.spaced_labels and len(text) <= 5:
            return " ".join(text)
        return text

    def coded_row(self, code: str | None, name: str | None, values: list, n_parts: int = 3,
                  extra_text: list[str] | None = None) -> list[Cell]:
        cells = self.code_cells(code, n_parts)
        col = len(cells)
        for text in [name or ""] + (extra_text or []):
            cells.append(Cell(text, col, kind="text"))
            col += 1
        for value in values:
            cells.append(Cell(money(value), col, kind="num", align="right"))
            col += 1
        return cells

    def total_row(self, name: str | None, values: list, n_code: int, n_text: int = 1) -> list[Cell]:
        label = self.label(name or "合计")
        if self.style.total_spans_codes:
            cells = [Cell(label, 0, colspan=n_code + n_text, align="center")]
        else:
            cells = [Cell("", i, kind="code") for i in range(n_code)]
            cells.append(Cell(label, n_code, colspan=n_text, align="center"))
        col = n_code + n_text
        for value in values:
            cells.append(Cell(money(value), col, kind="num", align="right"))
            col += 1
        return cells

    def n_code(self, parts: int = 3) -> int:
        return 1 if self.style.code_layout == "joined" else parts

    def with_total(self, rows: list[list[Cell]], total: list[Cell] | None) -> list[list[Cell]]:
        if total is None:
            return rows
        return [total] + rows if self.style.total_position == "top" else rows + [total]

    # ---- the tables -----------------------------------------------------------------------
    def t1(self) -> Table:
        t = self.doc.tables.t1
        right: list[Col | Group]
        if self.style.t1_code_cell == "together":
            right = [Col("功能分类", "text", 3)]
        else:
            right = [Col("功能分类科目编码", "code", 0.6), Col("功能分类科目名称", "text", 3)]
        cols = [Group(self.label("收入"), [Col(self.label("项目"), "text", 3), self.num("预算数")]),
                Group(self.label("支出"), right + [self.num("预算数")])]
        n = max(len(T1_INCOME), len(t.rows))
        body = []
        for i in range(n):
            cells: list[Cell] = []
            if i < len(T1_INCOME):
                key, label = T1_INCOME[i]
                cells += [Cell(label, 0), Cell(money(getattr(t.income, key)), 1, kind="num")]
            else:
                cells += [Cell("", 0), Cell("", 1, kind="num")]
            cells += self._expense_cells(t.rows[i] if i < len(t.rows) else None, 2, [
                getattr(t.rows[i], "amount") if i < len(t.rows) else None])
            body.append(cells)
        total = t.total
        if total is not None:
            cells = [Cell(self.label("收入总计"), 0, align="center"), Cell(money(total.income_total), 1, kind="num")]
            span = 1 if self.style.t1_code_cell == "together" else 2
            cells += [Cell(self.label("支出总计"), 2, colspan=span, align="center"),
                      Cell(money(total.expense_total), 2 + span, kind="num")]
            body.append(cells)
        return Table(cols, body)

    def _expense_cells(self, row, col: int, values: list) -> list[Cell]:
        code = row.code if row is not None else ""
        name = row.name if row is not None else ""
        if self.style.t1_code_cell == "together":
            cells = [Cell(f"{code or ''} {name or ''}".strip(), col)]
        else:
            cells = [Cell(code or "", col, kind="code"), Cell(name or "", col + 1)]
        col += len(cells)
        for value in values:
            cells.append(Cell(money(value) if row is not None else "", col, kind="num"))
            col += 1
        return cells

    def t2(self) -> Table:
        t = self.doc.tables.t2
        label = f"财政专户（{t.special_account_label}）" if t.special_account_label else "财政专户"
        cols = self.code_cols("功能分类科目编码") + [
            Col("功能分类科目名称", "text", 2.5), self.num("总计"),
            Group("财政拨款（补助）", [self.num(h) for _, h in T2_FISCAL]),
            self.num(label), self.num("单位资金"), self.num("财政拨款结转"), self.num("非财政拨款结转结余")]
        keys = ["total"] + [k for k, _ in T2_FISCAL] + [
            "fiscal_special_account", "unit_funds", "fiscal_carryover", "nonfiscal_carryover"]
        return self._coded_table(t, cols, keys)

    def _coded_table(self, t, cols, keys, extra: str | None = None, parts: int = 3) -> Table:
        rows = []
        for row in t.rows:
            values = [getattr(row, k) for k in keys]
            extra_text = [getattr(row, extra) or ""] if extra else None
            rows.append(self.coded_row(row.code, row.name, values, parts, extra_text))
        total = None
        if t.total is not None:
            total = self.total_row(t.total.name, [getattr(t.total, k) for k in keys], self.n_code(parts),
                                   2 if extra else 1)
        elif not t.rows:
            total = self.total_row("合计", [None] * len(keys), self.n_code(parts), 2 if extra else 1)
        return Table(cols, self.with_total(rows, total), self.style.serial_row)

    def t3(self, head: str = "支出预算") -> Table:
        cols = [Group(self.label("科目"), self.code_cols("功能分类科目编码") + [Col("功能分类科目名称", "text", 3)]),
                Group(head, [self.num(self.label("合计")), self.num("基本支出"), self.num("项目支出")])]
        return self._coded_table(self.doc.tables.t3 if head == "支出预算" else self.doc.tables.t5, cols,
                                 ["total", "basic", "project"])

    def t5(self) -> Table:
        return self.t3("一般公共预算支出")

    def t4(self) -> Table:
        t = self.doc.tables.t4
        right: list[Col | Group]
        if self.style.t1_code_cell == "together":
            right = [Col("功能分类", "text", 3)]
        else:
            right = [Col("功能分类科目编码", "code", 0.6), Col("功能分类科目名称", "text", 3)]
        cols = [Group("财政拨款收入", [Col(self.label("项目"), "text", 3), self.num(self.label("合计"))]),
                Group("财政拨款支出", right + [self.num(self.label("合计")), self.num("一般公共预算"),
                                           self.num("政府性基金预算"), self.num("国有资本经营预算")])]
        keys = ["total", "general_budget", "gov_fund", "state_capital"]
        body = []
        for i in range(max(len(T4_INCOME), len(t.rows))):
            cells: list[Cell] = []
            if i < len(T4_INCOME):
                key, label = T4_INCOME[i]
                cells += [Cell(label, 0), Cell(money(getattr(t.income, key)), 1, kind="num")]
            else:
                cells += [Cell("", 0), Cell("", 1, kind="num")]
            row = t.rows[i] if i < len(t.rows) else None
            cells += self._expense_cells(row, 2, [getattr(row, k) if row else None for k in keys])
            body.append(cells)
        if t.total is not None:
            span = 1 if self.style.t1_code_cell == "together" else 2
            cells = [Cell(self.label("收入总计"), 0, align="center"), Cell(money(t.total.income_total), 1, kind="num"),
                     Cell(self.label("支出总计"), 2, colspan=span, align="center")]
            for j, k in enumerate(keys):
                cells.append(Cell(money(getattr(t.total.expense_total, k)), 2 + span + j, kind="num"))
            body.append(cells)
        return Table(cols, body)

    def t6(self) -> Table:
        cols = [Group(self.label("科目"), self.code_cols("经济分类科目编码", ("类", "款")) +
                      [Col("经济分类科目名称", "text", 3)]),
                Group("一般公共预算基本支出", [self.num(self.label("合计")), self.num("人员经费"), self.num("公用经费")])]
        return self._coded_table(self.doc.tables.t6, cols, ["total", "personnel", "public"], parts=2)

    def t7(self) -> Table:
        cols = self.code_cols("科目编码") + [Col("科目名称", "text", 2.2), Col("项目名称", "text", 3),
                                            self.num("项目支出合计")] + [self.num(h) for _, h in T7_ECON]
        return self._coded_table(self.doc.tables.t7, cols, ["total"] + [k for k, _ in T7_ECON], extra="project_name")

    def t8(self, which: str = "t8") -> Table:
        head = "政府性基金预算支出" if which == "t8" else "国有资本经营预算支出"
        cols = [Group(self.label("科目"), self.code_cols("功能分类科目编码") + [Col("功能分类科目名称", "text", 3)]),
                Group(head, [self.num(self.label("合计")), Group("基本支出", [self.num("人员经费"), self.num("公用经费")]),
                             self.num("项目支出")])]
        return self._coded_table(getattr(self.doc.tables, which), cols,
                                 ["total", "basic_personnel", "basic_public", "project"])

    def t9(self) -> Table:
        return self.t8("t9")

    def t10(self) -> Table:
        t = self.doc.tables.t10
        cols = [Col("“三公”经费支出内容", "text", 3), self.num(self.label("合计")),
                Group("资金来源", [self.num("一般公共预算"), self.num("政府性基金"), self.num("国有资本经营预算")])]
        keys = ["total", "general_budget", "gov_fund", "state_capital"]
        lines = ([t.total] if t.total is not None else []) + list(t.rows)
        body = []
        for row in lines:
            name = row.name or T10_LINE_NAMES[row.line]
            body.append([Cell(self.label(name) if row.line == "total" else name, 0)] +
                        [Cell(money(getattr(row, k)), 1 + j, kind="num") for j, k in enumerate(keys)])
        return Table(cols, body, self.style.serial_row)

    def t11(self) -> Table:
        t = self.doc.tables.t11

        def side(head: str) -> Group:
            return Group(head, [self.num(self.label("合计")), Group("基本支出", [self.num("人员经费"), self.num("公用经费")]),
                                self.num("项目支出")])

        cols = [Col(self.label("项目"), "text", 4), self.num("总计"), side("财政拨款"), side("非财政拨款")]
        keys = ["total"] + [f"fiscal_{k}" for k in T11_SIDE] + [f"nonfiscal_{k}" for k in T11_SIDE]
        body = [[Cell(row.name or "", 0)] + [Cell(money(getattr(row, k)), 1 + j, kind="num") for j, k in enumerate(keys)]
                for row in t.rows]
        total = None
        if t.total is not None:
            total = [Cell(self.label(t.total.name or "合计"), 0, align="center")] + [
                Cell(money(getattr(t.total, k)), 1 + j, kind="num") for j, k in enumerate(keys)]
        return Table(cols, self.with_total(body, total), self.style.serial_row)


def title_of(key: str, doc: Document, variant: int) -> str:
    """The printed title: 表1–3 carry the 单位/部门 prefix (部门 documents sometimes 部门（单位）)."""
    from schemas.tables import TABLE_TITLES

    title = TABLE_TITLES[key]
    if key in ("t1", "t2", "t3"):
        kind = doc.unit_kind or "单位"
        if kind == "部门" and variant % 2:
            kind = "部门（单位）"
        title = kind + title
    return title
