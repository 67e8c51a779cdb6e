"""Template knowledge: which header words name which schema column.

Labels are the concatenated header texts over a column ("财政拨款（补助）上级一般公共预算安排的转移
支付"). Rules are ordered most specific first; the first rule whose words all occur wins.
"""

from __future__ import annotations

import re

from schemas.common import parse_money

from .locate import normalise

Rule = tuple[tuple[str, ...], str]

COLUMN_RULES: dict[str, list[Rule]] = {
    "t2": [
        (("非财政",), "nonfiscal_carryover"),
        (("结转",), "fiscal_carryover"),
        (("小计",), "fiscal_subtotal"),
        (("上级", "般公共"), "general_transfer_upper"),
        (("上级", "政府性基金"), "gov_fund_transfer_upper"),
        (("上级", "国有资本"), "state_capital_transfer_upper"),
        (("般公共",), "general_budget"),
        (("政府性基金",), "gov_fund"),
        (("国有资本",), "state_capital"),
        (("专户",), "fiscal_special_account"),
        (("单位资金",), "unit_funds"),
        (("总计",), "total"),
        (("合计",), "total"),
    ],
    "basic_project": [
        (("基本",), "basic"),
        (("项目",), "project"),
        (("合计",), "total"),
        (("总计",), "total"),
    ],
    "t6": [
        (("人员",), "personnel"),
        (("公用",), "public"),
        (("合计",), "total"),
    ],
    "t7": [
        (("工资福利",), "wages"),
        (("商品和服务",), "goods_services"),
        (("个人和家庭",), "household_transfers"),
        (("债务",), "debt_interest"),
        (("资本性", "基本建设"), "capital_infrastructure"),
        (("资本性",), "capital"),
        (("企业", "基本建设"), "enterprise_subsidy_infrastructure"),
        (("企业",), "enterprise_subsidy"),
        (("社会保障基金",), "social_security_fund"),
        (("其他支出",), "other"),
        (("合计",), "total"),
    ],
    "fund": [
        (("人员",), "basic_personnel"),
        (("公用",), "basic_public"),
        (("项目",), "project"),
        (("合计",), "total"),
    ],
    "t11": [
        (("非财政", "人员"), "nonfiscal_basic_personnel"),
        (("非财政", "公用"), "nonfiscal_basic_public"),
        (("非财政", "项目"), "nonfiscal_project"),
        (("非财政", "合计"), "nonfiscal_total"),
        (("财政", "人员"), "fiscal_basic_personnel"),
        (("财政", "公用"), "fiscal_basic_public"),
        (("财政", "项目"), "fiscal_project"),
        (("财政", "合计"), "fiscal_total"),
        (("总计",), "total"),
        (("合计",), "total"),
    ],
    "sources": [  # t4 expense side and t10: 合计 + the three fiscal sources
        (("般公共",), "general_budget"),
        (("政府性基金",), "gov_fund"),
        (("国有资本",), "state_capital"),
        (("合计",), "total"),
        (("小计",), "total"),
    ],
}
RULESET = {"t2": "t2", "t3": "basic_project", "t5": "basic_project", "t6": "t6", "t7": "t7",
           "t8": "fund", "t9": "fund", "t11": "t11", "t4": "sources", "t10": "sources"}

# Header words that mark a column as part of the row key rather than an amount.
_CODE_PART = re.compile(r"(类|款|项)$")


def match_words(label: str, rules: list[Rule]) -> str | None:
    """The name of the first rule whose words all occur in the (normalised) label."""
    text = normalise(label)
    for words, name in rules:
        if all(w in text for w in words):
            return name
    return None


def money_role(table: str, label: str) -> str | None:
    """The schema field a money column's header label names, or None."""
    return match_words(label, COLUMN_RULES[RULESET[table]])


def key_role(table: str, label: str) -> str | None:
    """code_l/code_k/code_x (类/款/项 parts), code, project_name or name, from a header label."""
    text = normalise(label)
    if table == "t7" and "项目名称" in text:
        return "project_name"
    if table == "t11" and (text in ("项目", "项目名称") or text.endswith("名称")):
        return "name"
    if "名称" in text or text.endswith("内容"):
        return "name"
    if _CODE_PART.search(text) and ("编码" in text or "科目" in text or len(text) == 1):
        return {"类": "code_l", "款": "code_k", "项": "code_x"}[text[-1]]
    if "编码" in text:
        return "code"
    return None


SPECKS = "*·•'`‘’\"“”、，。:：;；_~^"
_DIGIT_LOOKALIKES = str.maketrans({"O": "0", "o": "0", "D": "0", "S": "5", "s": "5", "l": "1", "I": "1",
                                   "|": "1", "Z": "2", "z": "2", "B": "8"})


def as_money(text: str):
    """A cell as an amount, or None when it is blank or not a number."""
    text = text.strip()
    if not text:
        return None
    # A speck beside a number reads as a mark of its own ("*7654", "·12.5"): not part of it.
    text = text.strip(SPECKS) or text
    if re.fullmatch(r"\d+,\d{1,2}", text):  # OCR reads a decimal point as a comma
        text = text.replace(",", ".")
    if re.fullmatch(r"\d*[A-Za-z|]?\d*\.\d*[A-Za-z|]?\d*", text) and sum(ch.isdigit() for ch in text) >= 2:
        # A letter in a decimal number is a digit OCR misread ("S11.78"). Only with the decimal
        # point: "2O8" may be a code, which code_text mends on its own side.
        text = text.translate(_DIGIT_LOOKALIKES)
    try:
        return parse_money(text)
    except ValueError:
        return None


_DIGITS = re.compile(r"^\d+$")
_NUMERIC = re.compile(r"^[+-]?[\d,]*[.,]?\d+$")


def is_amount(text: str) -> bool:
    return bool(_NUMERIC.match(text.replace(" ", ""))) and not _DIGITS.match(text) or (
        bool(_DIGITS.match(text)) and len(text) not in (2, 3, 5, 7)
    )


def is_code_text(text: str) -> bool:
    return bool(_DIGITS.match(text)) and len(text) in (2, 3, 5, 7)
