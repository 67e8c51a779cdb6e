"""Two pages on one sheet: a bound booklet scanned open on a flatbed, or a file printed two-up.

Each printed page of a spread has its own title, table and page number, side by side. Read as
one page, lines of the left page and the right one at the same height were joined into one line
and the left table's rows ran into the right one's: real Jiangsu js03 printed two-up read none of
its 218 cells. A landscape sheet whose print falls in two blocks, with rules, nothing crossing its
middle (no word, no rule: a landscape table's rules and centred title do), is read as its left
page, then its right page. A sheet without rules is left whole: a table printed without them
leaves its middle empty too (names one side, amounts the other); two-up prose stays joined. The halves keep the sheet's page number and coordinates, so every value still points
at the sheet it is printed on.
"""

from __future__ import annotations

from dataclasses import replace

from .pages import Page

MIN_WORDS = 3  # each half holds at least this many words (a half left blank reads the same either way)
LANDSCAPE = 1.2  # width over height above which a sheet may hold two pages side by side
FOLD_MARGIN = 0.02  # of the sheet's width: the least margin a printed page keeps beside the fold
RULE_SHARE = 0.25  # of a half's width: a page's rules run at least this far (a table's border, its rows)


def halves(page: Page) -> list[Page]:
    """The page as its left and right printed pages when it is a spread, else the page alone."""
    if page.width < LANDSCAPE * page.height or len(page.words) < 10:
        return [page]
    middle = page.width / 2
    if any(w.x0 < middle < w.x1 for w in page.words):
        return [page]
    if any(min(s.x0, s.x1) < middle < max(s.x0, s.x1) for s in page.segments):
        return [page]
    left = [w for w in page.words if w.x1 <= middle]
    right = [w for w in page.words if w.x0 >= middle]
    left_rules = [s for s in page.segments if max(s.x0, s.x1) <= middle]
    right_rules = [s for s in page.segments if min(s.x0, s.x1) >= middle]
    # Rules on a side and none across: a ruled page beside another. A table printed without rules
    # leaves its middle empty too (names one side, amounts the other): a sheet without any rule
    # stays one page, as does one whose only "rules" are a scan's short strokes (一 in a name).
    ruled = any(max(abs(s.x1 - s.x0), abs(s.y1 - s.y0)) >= RULE_SHARE * middle for s in left_rules + right_rules)
    # Each printed page keeps a margin at the fold; a table's figures right beside the middle
    # (a landscape table ruled down only, its columns on both sides) are one page's.
    fold = min(middle - max(w.x1 for w in left), min(w.x0 for w in right) - middle) if left and right else 0.0
    if min(len(left), len(right)) < MIN_WORDS or not ruled or fold < FOLD_MARGIN * page.width:
        return [page]
    return [replace(page, words=left, segments=left_rules), replace(page, words=right, segments=right_rules)]


def as_printed(pages: list[Page]) -> list[Page]:
    """The document's pages as printed: each spread as its two pages, in reading order."""
    return [half for page in pages for half in halves(page)]
