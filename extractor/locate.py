"""Classify the document's parts and group pages into the tables and sheets they hold.

Titles are found by their words, not their position: "单位/部门" variants, a missing "表N"
label and spaced titles ("项 目 支 出 绩 效 目 标 表") all normalise to the same key. A table
continues over pages until the next title, with or without a repeated header.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from .grid import Grid, group_lines, page_grids, words_outside
from .pages import Page, Word
from .wordgrid import word_grid

TABLE_KINDS = {f"t{i}" for i in range(1, 12)}

# Most specific first: "财政拨款收支预算总体情况表" must not be read as t1's "收支总体情况表".
TITLE_PATTERNS: list[tuple[str, re.Pattern]] = [
    ("t4", re.compile(r"财政拨款收支(预算)?总体情况表")),
    ("t1", re.compile(r"收支总体情况表")),
    ("t2", re.compile(r"收入总体情况表")),
    ("t3", re.compile(r"支出总体情况表")),
    ("t6", re.compile(r"般公共预算基本支出情况表")),  # OCR drops the one-stroke "一"
    ("t7", re.compile(r"般公共预算项目支出情况表")),
    ("t5", re.compile(r"般公共预算支出情况表")),
    ("t8", re.compile(r"政府性基金预算支出情况表")),
    ("t9", re.compile(r"国有资本经营预算支出情况表")),
    ("t10", re.compile(r"三公.?经费(预算)?支出情况表")),
    ("t11", re.compile(r"结转结余情况(明细)?表")),
    ("overall", re.compile(r"整体绩效目标表")),
    ("project", re.compile(r"项目支出绩效目标表")),
    ("narrative", re.compile(r"第三部分.{0,20}情况说明|^情况说明$")),
    ("glossary", re.compile(r"第四部分.{0,6}名词解释|^名词解释$")),
    ("tables_part", re.compile(r"第二部分")),
    ("profile", re.compile(r"第一部分|概况$")),
]
# The sentence holding an empty-table remark, up to its full stop.
EMPTY_NOTE_SENTENCE = re.compile(r"(?:备注[:：])?([^。:：]*?(?:本表为空表|空白表|本表无数据|为空表)[^。]*。?)")


def normalise(text: str) -> str:
    """NFKC, no whitespace: the form titles and labels are compared in."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def clean(text: str) -> str:
    """A printed value without the layout's spaces and line breaks, characters kept as printed."""
    return re.sub(r"\s+", "", text)


def title_kind(line: str) -> str | None:
    """The part a short line titles, or None for ordinary text."""
    text = normalise(line)
    if not text or len(text) > 48 or text[-1] in "。，；：,;":
        return None
    # A sentence mentioning a table ("详见表1…", "…，…情况表为空表") is no title.
    if any(mark in text for mark in ("见", "详", "，", ",", "为空", "没有")):
        return None
    for kind, pattern in TITLE_PATTERNS:
        if pattern.search(text):
            return kind
    return _fuzzy_title(text)


# Canonical table titles for OCR'd titles with a misread character ("一般公共预算支出情况衣").
_CANONICAL = [(kind, pattern.pattern.replace("(预算)?", "预算").replace("(明细)?", "明细").replace(".?", ""))
              for kind, pattern in TITLE_PATTERNS[:13]]


def _fuzzy_title(text: str) -> str | None:
    if len(text) < 6 or not text.endswith(("表", "衣", "袁")):
        return None
    from rapidfuzz import fuzz

    best, score = None, 0.0
    for kind, title in _CANONICAL:
        s = fuzz.partial_ratio(title, text) if len(text) >= len(title) else fuzz.ratio(title, text)
        if s > score or (s == score and best and len(title) > len(dict(_CANONICAL)[best])):
            best, score = kind, s
    return best if score >= 88 else None


@dataclass
class Region:
    """One part of the document: a table, a sheet, or a text part."""

    kind: str
    title: str = ""
    pages: list[int] = field(default_factory=list)
    grids: list[Grid] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    # Where the title and each line of lines were printed (page, words): for provenance.
    title_words: tuple[int, list[Word]] | None = None
    line_words: list[tuple[int, list[Word]]] = field(default_factory=list)

    def add_page(self, number: int) -> None:
        if number not in self.pages:
            self.pages.append(number)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    @property
    def empty_note(self) -> str | None:
        """The "本表为空表" remark, joined over its wrapped lines, without its "备注：" label."""
        cells = [g.cell(r, 0).text for g in self.grids for r in range(g.n_rows)]
        for chunk in ("".join(clean(x) for x in self.lines), *map(clean, cells)):
            match = EMPTY_NOTE_SENTENCE.search(chunk)
            if match:
                return match.group(1)
        return None


@dataclass
class Layout:
    """The located parts in document order, plus document-level facts."""

    regions: list[Region]
    front_lines: list[str]
    front_words: list[tuple[int, list[Word]]] = field(default_factory=list)

    def tables(self, kind: str) -> list[Region]:
        return [r for r in self.regions if r.kind == kind]

    def first(self, kind: str) -> Region | None:
        found = self.tables(kind)
        return found[0] if found else None

    @property
    def all_text(self) -> str:
        return "\n".join(self.front_lines + [line for r in self.regions for line in r.lines])


def locate(pages: list[Page]) -> Layout:
    """Walk pages top to bottom and group titles, grids and text into regions."""
    regions: list[Region] = []
    front: list[str] = []
    front_words: list[tuple[int, list[Word]]] = []
    current: Region | None = None
    for page in pages:
        grids = page_grids(page)
        items: list[tuple[float, str, object]] = []
        for line in group_lines(words_outside(page, grids)):
            items.append((min(w.y0 for w in line), "line", line))
        for grid in grids:
            items.append((grid.bbox[1], "grid", grid))
        loose: dict[int, tuple[Region, list]] = {}  # words of table regions on a page without rules
        for _, what, obj in sorted(items, key=lambda it: it[0]):
            if what == "line":
                text = " ".join(w.text for w in obj)  # type: ignore[union-attr]
                kind = title_kind(text)
                if kind and not _same_table_repeated(current, kind):
                    current = Region(kind=kind, title=normalise(text), title_words=(page.number, obj))
                    current.add_page(page.number)
                    regions.append(current)
                    continue
                if current is None:
                    front.append(text)
                    front_words.append((page.number, obj))
                else:
                    current.lines.append(text)
                    current.line_words.append((page.number, obj))
                    current.add_page(page.number)
                    if not grids and current.kind in TABLE_KINDS:
                        loose.setdefault(id(current), (current, []))[1].extend(obj)  # type: ignore[arg-type]
            else:
                if current is None:
                    continue
                current.grids.append(obj)  # type: ignore[arg-type]
                current.add_page(page.number)
        for region, words in loose.values():
            grid = word_grid(page.number, words)
            if grid is not None:
                region.grids.append(grid)
    return Layout(regions=regions, front_lines=front, front_words=front_words)


def _same_table_repeated(current: Region | None, kind: str) -> bool:
    # A continuation page that repeats the table's title ("表7（续）") stays in the same table.
    return current is not None and kind == current.kind and kind.startswith("t") and bool(current.grids)


def document_kind(layout: Layout) -> str | None:
    """单位 or 部门, by majority over the table and part titles."""
    votes: Counter[str] = Counter()
    for region in layout.regions:
        title = region.title
        if region.kind.startswith("t") or region.kind in ("tables_part", "narrative", "profile"):
            if "部门(单位)" in title or "部门（单位）" in title:
                continue
            if "单位" in title:
                votes["单位"] += 1
            if "部门" in title:
                votes["部门"] += 1
    return votes.most_common(1)[0][0] if votes else None
