"""A family's own sums of the lines the contract keeps in a table's ``extra`` (template data).

The contract has no field for some printed lines (Jiangsu's 一、基本支出 / 二、项目支出 /
三、单位预留机动经费 beside t4's expense total, its 三公 table's 会议费 and 培训费 beside the
合计), so no built-in identity reads them: read by OCR, nothing vouched for them. The family
says how they add up (``line_sums`` in its TOML: per table, the total's pointer then its parts,
relative to the table). A line the table does not print is blank; a sum whose total or whose
parts are all blank is not evaluated, so a family's variants (当年收入 / 当年收入小计) are
listed side by side. ``rows/*/…`` in the total names one sum per row; in a part only, that
column of every row. A part read under another label (OCR lost its numeral: 基本支出) is blank
here: the sum fails and the table is reported.
"""

from __future__ import annotations

from collections.abc import Iterator

from .core import Context, Identity, rule

LINE_SUM = rule("family.line_sum", "模板所载行间关系：合计行 = 各组成行之和",
                "the family's own line sum: a total line = Σ its lines")


def family_rules(ctx: Context) -> Iterator[Identity]:
    """The identities of the family's line sums, for each table it prints."""
    family = ctx.template()
    if family is None:
        return
    for key, sums in family.line_sums.items():
        if not ctx.present(key):
            continue
        rows = range(len(getattr(ctx.table(key), "rows", None) or []))
        for total, *parts in sums:
            base = f"/tables/{key}/"
            if "*" in total:  # one sum per row: "rows/*/amount" = "rows/*/extra/人员经费" + …
                for i in rows:
                    yield _sum(key, base + total.replace("*", str(i)), [base + p.replace("*", str(i)) for p in parts])
            else:  # a part "rows/*/…" is that column of every row (the total line = Σ the rows)
                yield _sum(key, base + total, [base + p.replace("*", str(i)) for p in parts
                                               for i in (rows if "*" in p else [0])])


def _sum(key: str, total: str, parts: list[str]) -> Identity:
    return Identity(LINE_SUM, total, tuple(parts), (key,), lhs_optional=True, rhs_optional=True)
