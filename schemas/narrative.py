"""Figures stated in the narrative (第三部分 情况说明), used to reconcile text against tables."""

from __future__ import annotations

from pydantic import Field

from .common import Money, Strict, money_field


class UndisclosedProjects(Strict):
    """Projects the narrative declares but does not publish (涉密/转移支付/线下)."""

    kind: str = Field(description="类别：涉密、转移支付、线下 …")
    count: int | None = Field(default=None, description="项目个数")
    amount: Money = money_field("涉及金额（万元）")


class Narrative(Strict):
    total_budget: Money = money_field("收支总预算")
    income_budget: Money = money_field("收入预算")
    expense_budget: Money = money_field("支出预算")
    expense_basic: Money = money_field("基本支出")
    expense_project: Money = money_field("项目支出")
    three_public_total: Money = money_field("“三公”经费预算")
    three_public_outbound: Money = money_field("因公出国（境）费")
    three_public_reception: Money = money_field("公务接待费")
    three_public_vehicle_purchase: Money = money_field("公务用车购置费")
    three_public_vehicle_operation: Money = money_field("公务用车运行费")
    operating_funds: Money = money_field("机关运行经费 / 事业单位运行经费")
    procurement_total: Money = money_field("政府采购预算")
    procurement_goods: Money = money_field("政府采购 货物")
    procurement_works: Money = money_field("政府采购 工程")
    procurement_services: Money = money_field("政府采购 服务")
    procurement_sme: Money = money_field("面向中小企业预留")
    performance_project_count: int | None = Field(default=None, description="当年财政拨款项目 N 个")
    performance_project_amount: Money = money_field("当年财政拨款项目 涉及预算金额")
    nonfiscal_project_count: int | None = Field(default=None, description="当年非财政拨款项目 N 个")
    nonfiscal_project_amount: Money = money_field("当年非财政拨款项目 涉及预算金额")
    undisclosed_projects: list[UndisclosedProjects] = Field(
        default_factory=list, description="不予公开的项目（涉密/转移支付/线下）"
    )
    unfilled_template: list[str] = Field(
        default_factory=list, description="未填写的模板文字（如 XX万元、*部门（单位）*、注意事项）"
    )
