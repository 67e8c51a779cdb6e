"""Header words → schema columns (the family's rules, see extractor/templates), and cell values.

Labels are the concatenated header texts over a column ("财政拨款（补助）上级一般公共预算安排的转移
支付"). Rules are ordered most specific first; the first rule whose words all occur wins.
"""

from __future__ import annotations

import re

from schemas.common import parse_money

from . import templates
from .locate import normalise
from .templates import Template, match_words

# Header words that mark a column as part of the row key rather than an amount.
_CODE_PART = re.compile(r"(类|款|项)$")


EXTRA = "extra/"  # role prefix of a printed money column the contract has no field for


def money_role(table: str, label: str, template: Template | None = None) -> str | None:
    """The schema field a money column's header label names in the family's vocabulary, or None."""
    return match_words(label, (template or templates.default()).column_rules(table))


def key_role(table: str, label: str) -> str | None:
    """code_l/code_k/code_x (类/款/项 parts), code, project_name or name, from a header label."""
    text = normalise(label)
    if table == "t7" and "项目名称" in text:
        return "project_name"
    if table == "t11" and (text in ("项目", "项目名称") or text.endswith("名称")):
        return "name"
    if "名称" in text or text.endswith("内容"):
        return "name"
    if _CODE_PART.search(text) and ("编码" in text or "代码" in text or "科目" in text or len(text) == 1):
        return {"类": "code_l", "款": "code_k", "项": "code_x"}[text[-1]]
    if "编码" in text or "代码" in text:  # 科目编码, 功能科目代码
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
    if re.fullmatch(r"\d+[,:]\d{1,2}", text):  # OCR reads a decimal point as a comma or colon
        text = text.replace(",", ".").replace(":", ".")
    elif re.fullmatch(r"\d{1,3}(?:,\d{3})+[,:：]\d{1,2}", text):
        # "1,068:78", "2,827,41": after groups of three, one or two digits are cents (a colon is
        # never a separator; a comma there groups nothing)
        head, cents = re.split(r"[,:：](?=\d{1,2}$)", text)
        text = f"{head}.{cents}"
    elif (m := re.fullmatch(r"(\d+)((?:,\d+)+)(\.\d{1,2})?", text)) \
            and all(len(g) % 3 == 0 for g in m[2].split(",")[1:]):
        text = text.replace(",", "")  # "1097,073.43", "1,097073.43": a separator lost, the others in their places
    elif re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+\.\d{1,2}", text) and text.count(".") > 1:
        # "91,016.775.35": a comma read as a point; groups of three before the last point are thousands.
        head, _, cents = text.rpartition(".")
        text = head.replace(".", ",") + "." + cents
    if text.count(".") == 2 and (text[0] == "." or text[-1] == "."):
        text = text.strip(".")  # a speck at one end of a decimal number ("11.85.")
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
_SEPARATOR = re.compile(r"\d[.,:：]\d")


def is_amount(text: str) -> bool:
    """Whether a cell prints an amount: a number that is no code, or one OCR garbled in a way
    ``as_money`` mends ("3.580.05" for 3,580.05: a 合计 line read so was taken for header)."""
    plain = text.replace(" ", "")
    if _NUMERIC.match(plain):
        return not _DIGITS.match(text) or len(text) not in (2, 3, 5, 7)
    return bool(_SEPARATOR.search(plain)) and as_money(plain) is not None


def is_code_text(text: str) -> bool:
    return bool(_DIGITS.match(text)) and len(text) in (2, 3, 5, 7)


def one_char_off(label: str, words: tuple[str, ...]) -> bool:
    """Every word in the label, one of them with one character wrong (in place, none lost)."""
    def near(word: str) -> bool:
        return any(sum(a != b for a, b in zip(word, label[i:i + len(word)])) <= 1
                   for i in range(len(label) - len(word) + 1))

    exact = [w for w in words if w in label]
    return len(exact) >= len(words) - 1 and all(near(w) for w in words) and len(exact) < len(words)
