"""Match performance sheets to t7 project rows by fuzzy name and amount.

Names drift between the two places ("党建工作经费" in t7, "党建工作项目" on the sheet; a
"“访惠聚”" prefix on one side only), so names are normalised and compared with rapidfuzz;
an equal amount breaks ties and rescues a weaker name match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from rapidfuzz import fuzz

from schemas import Document

from .tree import is_project

_BRACKETED = re.compile(r"（[^（）]*）|\([^()]*\)")
_NOISE = re.compile(r"[\s“”\"'‘’「」《》·、，,。:：;；\-—_]")
# Generic endings that carry no identity: 项目/经费/资金/费 … (stripped repeatedly). "工作" stays:
# "驻村工作" must still contain enough to be found inside "访惠聚驻村工作".
_SUFFIX = re.compile(r"(项目|经费|资金|支出|费用|费)$")
MIN_SCORE = 60.0  # name similarity plus the amount bonus, to pair a sheet with a t7 project at all
NAME_MIN = 70.0  # below this the pairing rests on the amount: the names are not the same project name
AMOUNT_BONUS = 15.0


def normalise(name: str | None) -> str:
    """A project name reduced to what identifies it."""
    text = _NOISE.sub("", _BRACKETED.sub("", name or ""))
    text = text.removeprefix("部门专项")
    while True:
        shorter = _SUFFIX.sub("", text)
        if shorter == text or len(shorter) < 2:
            return text
        text = shorter


def similarity(a: str | None, b: str | None) -> float:
    """0–100: how alike two project names are after normalising."""
    x, y = normalise(a), normalise(b)
    if not x or not y:
        return 0.0
    if x == y:
        return 100.0
    score = fuzz.ratio(x, y)
    if min(len(x), len(y)) >= 3:
        # One name contained in the other ("驻村工作" in "访惠聚驻村工作") is a good sign.
        score = max(score, 0.9 * fuzz.partial_ratio(x, y))
    return score


@dataclass
class Group:
    """t7 project rows that carry one project name (a project may span several codes)."""

    key: str
    rows: list[int]
    names: list[str]
    amount: Decimal


@dataclass
class Match:
    sheet: int
    group: Group
    score: float  # name similarity 0–100, before the amount bonus
    exact: bool

    @property
    def weak(self) -> bool:
        """Paired by amount more than by name ("开发区驻守项目" vs "开发区工作经费项目", both 50)."""
        return self.score < NAME_MIN


def t7_groups(doc: Document) -> list[Group]:
    """The t7 project rows grouped by normalised name, in printed order."""
    groups: dict[str, Group] = {}
    for i, row in enumerate(doc.tables.t7.rows):
        if not is_project(row) or not has_name(row.project_name):
            continue
        key = normalise(row.project_name) or row.project_name or str(i)
        group = groups.setdefault(key, Group(key, [], [], Decimal(0)))
        group.rows.append(i)
        group.names.append(row.project_name or "")
        group.amount += row.total or 0
    return list(groups.values())


def has_name(text: str | None) -> bool:
    """A project name, not an amount that landed in the name column ("100")."""
    return bool(text) and re.search(r"[^\d.,\s]", text or "") is not None


def is_fiscal(sheet: object) -> bool:
    """A sheet funded by 财政拨款 (a sheet with 财政拨款 0 and 其他资金 only is a non-fiscal project)."""
    fiscal, other = getattr(sheet, "budget_fiscal", None), getattr(sheet, "budget_other", None)
    return not (not fiscal and other is not None and other > 0)


def match_sheets(doc: Document) -> tuple[dict[int, Match], list[Group]]:
    """One-to-one sheet → t7 group matches (greedy on score); and the groups left unmatched."""
    groups = t7_groups(doc)
    pairs: list[tuple[float, float, int, int]] = []
    for s, sheet in enumerate(doc.performance.projects):
        if not is_fiscal(sheet):
            continue  # t7 lists general-budget projects only
        for g, group in enumerate(groups):
            name_score = max(similarity(sheet.project_name, name) for name in group.names)
            score = name_score
            if sheet.budget_total is not None and sheet.budget_total == group.amount:
                score += AMOUNT_BONUS
            if score >= MIN_SCORE:
                pairs.append((score, name_score, s, g))
    pairs.sort(key=lambda item: (-item[0], item[2], item[3]))
    matches: dict[int, Match] = {}
    used: set[int] = set()
    for _, score, s, g in pairs:
        if s in matches or g in used:
            continue
        name = doc.performance.projects[s].project_name
        exact = any((name or "").strip() == n.strip() for n in groups[g].names)
        matches[s] = Match(s, groups[g], score, exact)
        used.add(g)
    return matches, [group for g, group in enumerate(groups) if g not in used]
