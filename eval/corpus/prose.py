"""The prose parts: 概况 (with staffing), 情况说明 (with the narrative's figures) and 名词解释.

Wording follows the provincial template the seeds were filled from. Every figure the gold's
narrative records is printed exactly as recorded, so a reader of the PDF can recover it.
"""

from __future__ import annotations

import random
from decimal import Decimal

from schemas import Document

from .tables import money

Block = tuple[str, str]  # ("h1" | "h2" | "p", text)

_DUTIES = [
    "贯彻执行党和国家的各项方针、政策和法律法规，研究拟订本领域发展规划并组织实施",
    "负责本单位职责范围内的社会管理和公共服务工作，协调推进相关重点任务",
    "承担党的建设、党风廉政建设、意识形态、综合治理和民族团结等工作",
    "负责统筹协调有关部门开展业务指导、监督检查和考核评价工作",
    "负责本单位机构编制、人事管理、财务管理和国有资产管理工作",
    "组织开展政策宣传、业务培训和信息化建设工作",
    "完成上级党委、政府交办的其他任务",
]


def _pct(part: Decimal | None, whole: Decimal | None) -> str:
    if not part or not whole:
        return "0"
    return format((part * 100 / whole).quantize(Decimal("0.01")), "f")


def _amount(value: Decimal | None) -> str:
    # A figure the document does not state stays blank, as in an unfilled template ("为 万元"):
    # printing 0 would put a number in the PDF that its gold does not hold.
    return money(value) if value is not None else " "


def _count(value: int | None) -> str:
    return " " if value is None else str(value)


def profile(doc: Document, rng: random.Random) -> list[Block]:
    """第一部分 概况: duties and staffing (编制数/实有人数/在职/退休/离休)."""
    kind = doc.unit_kind or "单位"
    blocks: list[Block] = [("h1", f"第一部分 {doc.year}年{doc.unit_name}{kind}概况"), ("h2", "一、主要职能")]
    duties = rng.sample(_DUTIES, k=rng.randint(4, len(_DUTIES)))
    blocks.append(("p", "；".join(f"{i + 1}.{d}" for i, d in enumerate(duties)) + "。"))
    blocks.append(("h2", "二、机构设置及人员情况"))
    blocks.append(("p", f"从预算单位构成看，{doc.unit_name}无下属预算单位，下设{rng.randint(0, 8)}个科室。"))
    s = doc.staffing
    if s is not None:
        def n(v: int | None) -> str:
            return "" if v is None else str(v)

        blocks.append(("p", f"{doc.unit_name}编制数{n(s.authorized)}，实有人数{n(s.actual)}人，其中：在职{n(s.in_service)}人，"
                            f"增加{rng.randint(0, 3)}人；退休{n(s.retired)}人，增加{rng.randint(0, 2)}人；"
                            f"离休{n(s.separated)}人，增加0人。"))
    return blocks


def explanation(doc: Document, rng: random.Random) -> list[Block]:
    """第三部分 情况说明 up to 预算绩效情况 (the sheets follow it), then the closing section."""
    unit, year, kind = doc.unit_name, doc.year, doc.unit_kind or "单位"
    n = doc.narrative
    t = doc.tables
    about = f"关于{unit}{year}年"
    blocks: list[Block] = [("h1", f"第三部分 {year}年{kind}预算情况说明")]
    total = n.total_budget if n else (t.t1.total.income_total if t.t1.total else None)
    blocks += [("h2", f"一、{about}收支预算情况的总体说明"),
               ("p", f"按照全口径预算的原则，{unit}{year}年所有收入和支出均纳入{kind}预算管理。收支总预算{_amount(total)}万元。")]
    income = n.income_budget if n else total
    general = t.t1.income.general_budget
    blocks += [("h2", f"二、{about}收入预算情况说明"),
               ("p", f"{unit}收入预算{_amount(income)}万元，其中：一般公共预算{_amount(general)}万元，"
                     f"占{_pct(general, income)}%。")]
    expense = n.expense_budget if n else total
    basic = n.expense_basic if n else None
    project = n.expense_project if n else None
    blocks += [("h2", f"三、{about}支出预算情况说明"),
               ("p", f"{unit}{year}年支出预算{_amount(expense)}万元，其中：基本支出{_amount(basic)}万元，"
                     f"占{_pct(basic, expense)}%，主要用于保障机构正常运转和人员支出；项目支出{_amount(project)}万元，"
                     f"占{_pct(project, expense)}%，主要用于完成特定行政工作任务。")]
    fiscal = t.t4.total.income_total if t.t4.total else None
    blocks += [("h2", f"四、{about}财政拨款收支预算情况的总体说明"),
               ("p", f"{year}年财政拨款收支总预算{_amount(fiscal)}万元。")]
    classes = "；".join(f"{r.name}{money(r.amount)}万元" for r in t.t1.rows if r.amount)
    blocks += [("h2", f"五、{about}一般公共预算当年拨款情况说明"),
               ("p", f"一般公共预算当年拨款支出包括：{classes}。" if classes else "本年无一般公共预算当年拨款。")]
    t6 = t.t6.total
    if t6 is not None:
        blocks += [("h2", f"六、{about}一般公共预算基本支出情况说明"),
                   ("p", f"{unit}{year}年一般公共预算基本支出{_amount(t6.total)}万元，其中：人员经费{_amount(t6.personnel)}万元，"
                         "主要包括基本工资、津贴补贴、奖金、社会保障缴费、住房公积金等；"
                         f"公用经费{_amount(t6.public)}万元，主要包括办公费、水电费、差旅费、公务接待费、工会经费等。")]
    projects = [r for r in t.t7.rows if r.project_name]
    blocks.append(("h2", f"七、{about}一般公共预算项目支出情况说明"))
    for i, r in enumerate(projects[:12]):
        blocks.append(("p", f"{i + 1}.项目名称：{r.project_name}；预算安排规模：{money(r.total)}万元；"
                            f"项目承担单位：{unit}；资金执行时间：{year}年1月—{year}年12月。"))
    if not projects:
        blocks.append(("p", "本年无一般公共预算项目支出。"))
    for num, key, what in (("八", "t8", "政府性基金预算"), ("九", "t9", "国有资本经营预算")):
        blocks.append(("h2", f"{num}、{about}{what}拨款情况说明"))
        table = getattr(t, key)
        if table.rows:
            blocks.append(("p", f"{unit}{year}年{what}支出{_amount(table.total.total if table.total else None)}万元。"))
        else:
            blocks.append(("p", f"{unit}{year}年没有使用{what}拨款安排的支出，{what}支出情况表为空表。"))
    if n is not None:
        blocks += [("h2", f"十、{about}财政拨款“三公”经费预算情况说明"),
                   ("p", f"{unit}{year}年财政拨款“三公”经费预算数为{_amount(n.three_public_total)}万元，其中：因公出国（境）费"
                         f"{_amount(n.three_public_outbound)}万元，公务用车购置费{_amount(n.three_public_vehicle_purchase)}万元，"
                         f"公务用车运行费{_amount(n.three_public_vehicle_operation)}万元，"
                         f"公务接待费{_amount(n.three_public_reception)}万元。")]
    carry = t.t11.total.total if t.t11.total else None
    blocks += [("h2", f"十一、{about}上年结转结余预算情况说明"),
               ("p", f"{unit}{year}年上年结转结余{_amount(carry)}万元。" if carry else
                     f"{unit}{year}年无上年结转结余预算的支出，结转结余预算支出情况表为空表。")]
    blocks.append(("h2", "十二、其他重要事项的情况说明"))
    if n is not None:
        blocks += _other_matters(doc, rng)
    return blocks


def _other_matters(doc: Document, rng: random.Random) -> list[Block]:
    n = doc.narrative
    assert n is not None
    unit, year = doc.unit_name, doc.year
    which = rng.choice(["机关运行经费", "事业单位运行经费"])
    blocks: list[Block] = [("h2", "（一）运行经费情况"),
                           ("p", f"{unit}{year}年的{which}财政拨款预算{_amount(n.operating_funds)}万元。"),
                           ("h2", "（二）政府采购情况"),
                           ("p", f"{year}年，{unit}政府采购预算{_amount(n.procurement_total)}万元，其中：政府采购货物预算"
                                 f"{_amount(n.procurement_goods)}万元，政府采购工程预算{_amount(n.procurement_works)}万元，"
                                 f"政府采购服务预算{_amount(n.procurement_services)}万元。"),
                           ("p", f"{year}年，{unit}面向中小企业预留政府采购项目预算金额{_amount(n.procurement_sme)}万元。"),
                           ("h2", "（三）国有资产占用使用情况"),
                           ("p", f"截至{year - 1}年底，{unit}占用使用国有资产总体情况为：1.房屋0平方米；2.车辆"
                                 f"{rng.randint(0, 3)}辆；3.办公家具价值{rng.randint(2, 40)}万元。"),
                           ("h2", "（四）预算绩效情况")]
    overall = doc.performance.overall
    text = (f"{year}年，本部门预算绩效管理整体预算绩效目标{1 if overall else 0}个，涉及金额"
            f"{_amount(overall.budget_total if overall and overall.budget_total is not None else n.total_budget)}万元；"
            f"当年财政拨款项目{_count(n.performance_project_count)}个，涉及预算金额{_amount(n.performance_project_amount)}万元；"
            f"当年非财政拨款项目{_count(n.nonfiscal_project_count)}个，涉及预算金额{_amount(n.nonfiscal_project_amount)}万元。")
    for u in n.undisclosed_projects:
        text += f"另有{u.kind}项目{u.count or 0}个，涉及金额{_amount(u.amount)}万元，不予公开。"
    blocks.append(("p", text + "具体情况见下表："))
    for leftover in n.unfilled_template:
        blocks.append(("p", leftover))
    return blocks


def closing(doc: Document) -> list[Block]:
    """（五）其他需说明的事项 and 第四部分 名词解释."""
    return [("h2", "（五）其他需说明的事项"), ("p", f"本{doc.unit_kind or '单位'}无其他需说明的事项。"),
            ("h1", "第四部分 名词解释")] + [("p", text) for text in GLOSSARY]


GLOSSARY = [
    "一、财政拨款：指由一般公共预算、政府性基金预算、国有资本经营预算安排的财政拨款数。",
    "二、一般公共预算：包括公共财政拨款（补助）资金、专项收入。",
    "三、财政专户管理资金：包括专户管理行政事业性收费（主要是教育收费）、其他非税收入。",
    "四、其他资金：包括事业收入、事业经营收入、其他收入等。",
    "五、基本支出：包括人员经费、公用经费（定额）。其中，人员经费包括工资福利支出、对个人和家庭的补助。",
    "六、项目支出：部门（单位）支出预算的组成部分，是各部门（单位）为完成其特定的行政任务或事业发展目标，"
    "在基本支出预算之外编制的年度项目支出计划。",
    "七、“三公”经费：指部门（单位）因公出国（境）费、公务用车购置及运行维护费和公务接待费。",
    "八、机关运行经费：指行政单位（含参照公务员法管理事业单位）的公用经费，包括办公及印刷费、邮电费、差旅费、"
    "会议费、福利费、日常维修费、专用材料及一般设备购置费、办公用房水电费、办公用房取暖费、办公用房物业管理费、"
    "公务用车运行维护费及其他费用。",
]
