"""Performance target sheets (绩效目标表): the overall sheet and the project sheets."""

from __future__ import annotations

from pydantic import Field, model_validator

from .common import Money, Strict, money_field, MoneyUnit
from .targets import Target, parse_target


class Indicator(Strict):
    """One indicator row; merged 一级/二级 cells are filled down."""

    level1: str | None = Field(default=None, description="一级指标（产出指标/效益指标/满意度指标/成本指标/履职效能…）")
    level2: str | None = Field(default=None, description="二级指标")
    level3: str | None = Field(default=None, description="三级指标（指标名称）")
    target_raw: str | None = Field(default=None, description="指标值（原文）")
    target: Target | None = Field(default=None, description="指标值（规范化）")
    basis: str | None = Field(default=None, description="指标值设置依据 / 指标设定依据")
    last_year: str | None = Field(default=None, description="上年完成值（原文）")
    weight: Money = money_field("分值权重 / 指标分值权重")
    weight_raw: str | None = Field(
        default=None, description="分值权重列印的非数字原文（如 是/否）；数字时为空"
    )
    scoring_rule: str | None = Field(default=None, description="指标赋分规则")
    evidence: str | None = Field(default=None, description="佐证资料")

    @model_validator(mode="after")
    def _fill_target(self) -> "Indicator":
        # The normalised target is a function of the printed one; fill it when absent.
        if self.target is None and self.target_raw is not None:
            object.__setattr__(self, "target", parse_target(self.target_raw))
        return self


class OverallSheet(Strict):
    """单位/部门整体绩效目标表."""

    unit_name: str | None = Field(default=None, description="单位名称 / 部门（单位）名称")
    contact: str | None = Field(default=None, description="单位联系人")
    phone: str | None = Field(default=None, description="联系电话")
    annual_goal: str | None = Field(default=None, description="年度绩效目标 / 年度主要任务")
    unit: MoneyUnit | None = Field(default=None, description="金额单位（空：万元）")
    budget_total: Money = money_field("年度预算 资金总额（万元）")
    budget_upper: Money = money_field("财政资金 上级安排")
    budget_local: Money = money_field("财政资金 本级安排")
    budget_other: Money = money_field("其他资金")
    indicators: list[Indicator] = Field(default_factory=list, description="绩效指标")
    pages: list[int] = Field(default_factory=list, description="所在页码")


class ProjectSheet(Strict):
    """项目支出绩效目标表."""

    unit_name: str | None = Field(default=None, description="预算单位 / 单位名称")
    project_name: str | None = Field(default=None, description="项目名称")
    manager: str | None = Field(default=None, description="项目负责人")
    unit: MoneyUnit | None = Field(default=None, description="金额单位（空：万元）")
    budget_total: Money = money_field("年度预算总额")
    budget_fiscal: Money = money_field("其中：财政拨款")
    budget_other: Money = money_field("其他资金")
    overall_goal: str | None = Field(default=None, description="项目总体目标")
    indicators: list[Indicator] = Field(default_factory=list, description="绩效指标")
    pages: list[int] = Field(default_factory=list, description="所在页码")


class Performance(Strict):
    overall: OverallSheet | None = Field(default=None, description="整体绩效目标表")
    projects: list[ProjectSheet] = Field(default_factory=list, description="项目支出绩效目标表")
