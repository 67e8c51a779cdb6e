"""The eleven standard tables (第二部分 预算公开表), t1 … t11.

Every table object has ``present``, ``empty_note``, ``pages``, ``rows`` and the printed total
row kept apart as ``total``. Each field's description is the Chinese header it comes from.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .common import KEY_FIELDS, Extra, Money, MoneyUnit, Strict, SubjectCode, code_level, extra_field, money_field


class _Table(Strict):
    present: bool = Field(default=False, description="表格是否出现在文件中")
    title: str | None = Field(default=None, description="印刷的表名（含编号，如“公开表五 财政拨款支出预算表”）")
    unit: MoneyUnit | None = Field(default=None, description="本表金额单位（空：同文件，万元）")
    empty_note: str | None = Field(default=None, description="备注：本表为空表（原文）")
    pages: list[int] = Field(default_factory=list, description="所在页码（从1开始）")
    extra: Extra = extra_field("合同无对应字段的印刷行（按原文行名）")


class _CodedRow(Strict):
    code: SubjectCode = Field(default=None, description="科目编码（类/款/项连写）")
    name: str | None = Field(default=None, description="科目名称")
    extra: Extra = extra_field("合同无对应字段的印刷列（按原文表头）")

    @property
    def level(self) -> str | None:
        """类/款/项, derived from the code length."""
        return code_level(self.code)


# ---- t1 收支总体情况表 -------------------------------------------------------------


class T1Income(Strict):
    current_year_income: Money = money_field("一、本年收入")
    general_budget: Money = money_field("1.一般公共预算拨款")
    general_fiscal_resources: Money = money_field("其中：一般财力")
    general_transfer_upper: Money = money_field("上级一般公共预算安排转移支付")
    gov_fund: Money = money_field("2.政府性基金预算拨款")
    gov_fund_income: Money = money_field("其中：政府性基金收入")
    gov_fund_transfer_upper: Money = money_field("上级政府性基金安排转移支付")
    state_capital: Money = money_field("3.国有资本经营预算拨款")
    state_capital_income: Money = money_field("其中：国有资本经营收入")
    state_capital_transfer_upper: Money = money_field("上级国有资本经营预算安排转移支付")
    fiscal_special_account: Money = money_field("4.财政专户核拨")
    unit_funds: Money = money_field("5.单位资金")
    business_income: Money = money_field("其中：事业收入")
    upper_subsidy_income: Money = money_field("上级补助收入")
    affiliated_remittance: Money = money_field("附属单位上缴收入")
    business_operation_income: Money = money_field("事业单位经营收入")
    other_income: Money = money_field("其他收入")
    carryover: Money = money_field("二、上年结转结余")
    fiscal_carryover: Money = money_field("1.财政拨款结转")
    fiscal_carryover_general: Money = money_field("其中：一般公共预算拨款（结转）")
    fiscal_carryover_gov_fund: Money = money_field("政府性基金预算拨款（结转）")
    fiscal_carryover_state_capital: Money = money_field("国有资本经营预算拨款（结转）")
    nonfiscal_carryover: Money = money_field("2.非财政拨款结转结余")
    nonfiscal_carryover_special_account: Money = money_field("其中：财政专户核拨（结转结余）")
    nonfiscal_carryover_unit_funds: Money = money_field("单位资金（结转结余）")


class T1ExpenseRow(_CodedRow):
    amount: Money = money_field("预算数")


class T1Total(Strict):
    income_total: Money = money_field("收入总计")
    expense_total: Money = money_field("支出总计")
    extra: Extra = extra_field("支出总计行上合同无对应字段的印刷列（按原文表头，如基本支出/项目支出）")


class T1(_Table):
    """收支总体情况表."""

    income: T1Income = Field(default_factory=T1Income, description="收入")
    rows: list[T1ExpenseRow] = Field(default_factory=list, description="支出（功能分类 类）")
    total: T1Total | None = Field(default=None, description="收入总计 / 支出总计")


# ---- t2 收入总体情况表 -------------------------------------------------------------


class T2Row(_CodedRow):
    total: Money = money_field("总计")
    fiscal_subtotal: Money = money_field("财政拨款（补助）小计")
    general_budget: Money = money_field("一般公共预算")
    general_transfer_upper: Money = money_field("上级一般公共预算安排的转移支付")
    gov_fund: Money = money_field("政府性基金预算")
    gov_fund_transfer_upper: Money = money_field("上级政府性基金安排的转移支付")
    state_capital: Money = money_field("国有资本经营预算")
    state_capital_transfer_upper: Money = money_field("上级国有资本经营预算安排的转移支付")
    fiscal_special_account: Money = money_field("财政专户（教育收费/援疆资金等）")
    unit_funds: Money = money_field("单位资金")
    fiscal_carryover: Money = money_field("财政拨款结转")
    nonfiscal_carryover: Money = money_field("非财政拨款结转结余")


class T2(_Table):
    """收入总体情况表."""

    special_account_label: str | None = Field(
        default=None, description="财政专户列的括注（如 教育收费、援疆资金）"
    )
    rows: list[T2Row] = Field(default_factory=list)
    total: T2Row | None = None


# ---- t3 / t5 支出总体情况表, 一般公共预算支出情况表 -------------------------------------


class BasicProjectRow(_CodedRow):
    total: Money = money_field("合计")
    basic: Money = money_field("基本支出")
    project: Money = money_field("项目支出")


class T3(_Table):
    """支出总体情况表."""

    rows: list[BasicProjectRow] = Field(default_factory=list)
    total: BasicProjectRow | None = None


class T5(_Table):
    """一般公共预算支出情况表."""

    rows: list[BasicProjectRow] = Field(default_factory=list)
    total: BasicProjectRow | None = None


# ---- t4 财政拨款收支预算总体情况表 ---------------------------------------------------


class T4Income(Strict):
    fiscal_total: Money = money_field("一、财政拨款（补助）")
    general_budget: Money = money_field("一般公共预算")
    gov_fund: Money = money_field("政府性基金预算")
    state_capital: Money = money_field("国有资本经营预算")


class T4Row(_CodedRow):
    total: Money = money_field("合计")
    general_budget: Money = money_field("一般公共预算")
    gov_fund: Money = money_field("政府性基金预算")
    state_capital: Money = money_field("国有资本经营预算")


class T4ExpenseTotal(Strict):
    total: Money = money_field("支出总计 合计")
    general_budget: Money = money_field("支出总计 一般公共预算")
    gov_fund: Money = money_field("支出总计 政府性基金预算")
    state_capital: Money = money_field("支出总计 国有资本经营预算")


class T4Total(Strict):
    income_total: Money = money_field("收入总计")
    expense_total: T4ExpenseTotal = Field(default_factory=T4ExpenseTotal, description="支出总计")


class T4(_Table):
    """财政拨款收支预算总体情况表."""

    income: T4Income = Field(default_factory=T4Income, description="财政拨款收入")
    rows: list[T4Row] = Field(default_factory=list, description="财政拨款支出（功能分类 类）")
    total: T4Total | None = None


# ---- t6 一般公共预算基本支出情况表 ---------------------------------------------------


class T6Row(_CodedRow):
    code: SubjectCode = Field(default=None, description="经济分类科目编码（类/款连写）")
    name: str | None = Field(default=None, description="经济分类科目名称")
    total: Money = money_field("合计")
    personnel: Money = money_field("人员经费")
    public: Money = money_field("公用经费")


class T6(_Table):
    """一般公共预算基本支出情况表."""

    rows: list[T6Row] = Field(default_factory=list)
    total: T6Row | None = None


# ---- t7 一般公共预算项目支出情况表 ---------------------------------------------------


class T7Row(_CodedRow):
    project_name: str | None = Field(default=None, description="项目名称（空表示科目小计行）")
    total: Money = money_field("项目支出合计")
    wages: Money = money_field("工资福利支出")
    goods_services: Money = money_field("商品和服务支出")
    household_transfers: Money = money_field("对个人和家庭的补助")
    debt_interest: Money = money_field("债务利息及费用支出")
    capital_infrastructure: Money = money_field("资本性支出（基本建设）")
    capital: Money = money_field("资本性支出")
    enterprise_subsidy_infrastructure: Money = money_field("对企业补助（基本建设）")
    enterprise_subsidy: Money = money_field("对企业补助")
    social_security_fund: Money = money_field("对社会保障基金补助")
    other: Money = money_field("其他支出")


class T7(_Table):
    """一般公共预算项目支出情况表."""

    rows: list[T7Row] = Field(default_factory=list)
    total: T7Row | None = None


# ---- t8 / t9 政府性基金, 国有资本经营预算支出情况表 --------------------------------------


class FundRow(_CodedRow):
    total: Money = money_field("合计")
    basic_personnel: Money = money_field("基本支出 人员经费")
    basic_public: Money = money_field("基本支出 公用经费")
    project: Money = money_field("项目支出")


class T8(_Table):
    """政府性基金预算支出情况表."""

    rows: list[FundRow] = Field(default_factory=list)
    total: FundRow | None = None


class T9(_Table):
    """国有资本经营预算支出情况表."""

    rows: list[FundRow] = Field(default_factory=list)
    total: FundRow | None = None


# ---- t10 财政拨款“三公”经费支出情况表 -------------------------------------------------

T10Line = Literal["total", "outbound", "reception", "vehicles", "vehicle_purchase", "vehicle_operation"]

T10_LINE_NAMES: dict[str, str] = {
    "total": "合计",
    "outbound": "因公出国（境）费",
    "reception": "公务接待费",
    "vehicles": "公务用车购置及运行费（小计）",
    "vehicle_purchase": "其中：公务用车购置费",
    "vehicle_operation": "公务用车运行费",
}


class T10Row(Strict):
    line: T10Line = Field(description="固定行：合计/因公出国（境）费/公务接待费/公务用车购置及运行费/购置费/运行费")
    name: str | None = Field(default=None, description="“三公”经费支出内容（原文）")
    total: Money = money_field("合计")
    general_budget: Money = money_field("一般公共预算")
    gov_fund: Money = money_field("政府性基金")
    state_capital: Money = money_field("国有资本经营预算")
    extra: Extra = extra_field("合同无对应字段的印刷列（按原文表头）")


class T10(_Table):
    """财政拨款“三公”经费支出情况表."""

    rows: list[T10Row] = Field(default_factory=list)
    total: T10Row | None = None


# ---- t11 上年结转结余情况明细表 -----------------------------------------------------


class T11Row(Strict):
    name: str | None = Field(default=None, description="项目")
    total: Money = money_field("总计")
    fiscal_total: Money = money_field("财政拨款 合计")
    fiscal_basic_personnel: Money = money_field("财政拨款 基本支出 人员经费")
    fiscal_basic_public: Money = money_field("财政拨款 基本支出 公用经费")
    fiscal_project: Money = money_field("财政拨款 项目支出")
    nonfiscal_total: Money = money_field("非财政拨款 合计")
    nonfiscal_basic_personnel: Money = money_field("非财政拨款 基本支出 人员经费")
    nonfiscal_basic_public: Money = money_field("非财政拨款 基本支出 公用经费")
    nonfiscal_project: Money = money_field("非财政拨款 项目支出")
    extra: Extra = extra_field("合同无对应字段的印刷列（按原文表头）")


class T11(_Table):
    """上年结转结余情况明细表."""

    rows: list[T11Row] = Field(default_factory=list)
    total: T11Row | None = None


# ---- a printed table the contract has no slot for -------------------------------------


class GenericTable(Strict):
    """A printed table kept as printed: 政府采购支出预算表, 机关运行经费支出预算表 …"""

    title: str = Field(description="印刷的表名")
    number: str | None = Field(default=None, description="印刷的表号（表1、公开表十二…）")
    unit: MoneyUnit | None = Field(default=None, description="金额单位")
    pages: list[int] = Field(default_factory=list, description="所在页码（从1开始）")
    header: list[list[str]] = Field(default_factory=list, description="表头各行（合并单元格只记一次，其余为空串）")
    rows: list[list[str | None]] = Field(default_factory=list, description="表体各行的单元格原文（空格为 null）")


TABLE_TITLES: dict[str, str] = {
    "t1": "收支总体情况表",
    "t2": "收入总体情况表",
    "t3": "支出总体情况表",
    "t4": "财政拨款收支预算总体情况表",
    "t5": "一般公共预算支出情况表",
    "t6": "一般公共预算基本支出情况表",
    "t7": "一般公共预算项目支出情况表",
    "t8": "政府性基金预算支出情况表",
    "t9": "国有资本经营预算支出情况表",
    "t10": "财政拨款“三公”经费支出情况表",
    "t11": "上年结转结余情况明细表",
}


class Tables(Strict):
    """The eleven tables; an absent table is present=false, never missing."""

    t1: T1 = Field(default_factory=T1, description="表1 收支总体情况表")
    t2: T2 = Field(default_factory=T2, description="表2 收入总体情况表")
    t3: T3 = Field(default_factory=T3, description="表3 支出总体情况表")
    t4: T4 = Field(default_factory=T4, description="表4 财政拨款收支预算总体情况表")
    t5: T5 = Field(default_factory=T5, description="表5 一般公共预算支出情况表")
    t6: T6 = Field(default_factory=T6, description="表6 一般公共预算基本支出情况表")
    t7: T7 = Field(default_factory=T7, description="表7 一般公共预算项目支出情况表")
    t8: T8 = Field(default_factory=T8, description="表8 政府性基金预算支出情况表")
    t9: T9 = Field(default_factory=T9, description="表9 国有资本经营预算支出情况表")
    t10: T10 = Field(default_factory=T10, description="表10 财政拨款“三公”经费支出情况表")
    t11: T11 = Field(default_factory=T11, description="表11 上年结转结余情况明细表")


TABLE_MODELS: dict[str, type[_Table]] = {
    name: Tables.model_fields[name].annotation for name in TABLE_TITLES  # type: ignore[misc]
}


def money_fields(table: str) -> list[str]:
    """A table's row fields that hold one amount each (not the code, name or extra columns)."""
    row_model = TABLE_MODELS[table].model_fields["rows"].annotation.__args__[0]  # list[Row]
    return [n for n, f in row_model.model_fields.items() if n not in KEY_FIELDS]
