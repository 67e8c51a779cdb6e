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

from . import templates
from .grid import Grid, group_lines, page_grids, words_outside
from .numerals import numeral
from .pages import Page, Word
from .series import mend_numbers
from .sheetgrid import sheet_grids
from .templates import Template
from .wordgrid import word_grid

TABLE_KINDS = {f"t{i}" for i in range(1, 12)}
SHEET_KINDS = {"overall", "project"}
# A printed table number on its own line or before a title: 表1, 表一, 公开表三, 公开01表, 附表2.
NUMBER = re.compile(r"^((?:公开|附)?表(?:[0-9]+|[一二三四五六七八九十]+)"
                    r"|公开(?:[0-9]+|[一二三四五六七八九十]+)表"
                    r"|公开表[\u4e00-\u9fff]$)")  # 公开表 and one character alone: a numeral misread (六 as 大)
# A title-like line of a table no family names: kept as a generic table when a grid follows.
GENERIC_TITLE = re.compile(r"(预算|决算|情况|明细|汇总|统计)[^，。,]{0,6}表$")
# The sentence holding an empty-table remark, up to its full stop.
EMPTY_NOTE_SENTENCE = re.compile(r"(?:备注[:：])?([^。:：]*?(?:本表为空表|空白表|本表无数据|为空表)[^。]*。?)")


def normalise(text: str) -> str:
    """NFKC, no whitespace: the form titles and labels are compared in."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def clean(text: str) -> str:
    """A printed value without the layout's spaces and line breaks, characters kept as printed."""
    return re.sub(r"\s+", "", text)


def title_kind(line: str, template: Template | None = None) -> str | None:
    """The part a short line titles, or None for ordinary text."""
    text = NUMBER.sub("", normalise(line)) or normalise(line)
    if not text or len(text) > 48 or text[-1] in "。，；：,;":
        return None
    # A sentence mentioning a table ("详见表1…", "…，…情况表为空表") is no title.
    if any(mark in text for mark in ("见", "详", "，", ",", "为空", "没有")):
        return None
    template = template or templates.default()
    # "一、收支预算总表情况说明" heads the narrative's paragraph about a table, not the table.
    explains = text.endswith(("说明", "解释"))
    # A bracket after the title qualifies it ("…支出预算表（一般公共预算）"): the title is before it.
    for candidate in dict.fromkeys((text, _BRACKETED.sub("", text))):
        for kind, pattern in template.title_patterns:
            if pattern.search(candidate) and not (explains and (kind in TABLE_KINDS or kind == "generic")):
                return kind
    return None if explains else _fuzzy_title(text, template)


def printed_number(line: str) -> str | None:
    """The table number a line prints (表1, 公开表十二, 公开01表), or None."""
    match = NUMBER.match(normalise(line))
    if not match:
        return None
    number = match.group(1)
    tail = re.search(r"[一二三四五六七八九十]+$", number)
    if not tail:
        return number
    # The title runs on after the numeral: 公开表七一般… is 公开表七 then 一般…; where a space
    # parts them, that says where the numeral ends (公开表十 一般… is not 公开表十一).
    head = number[:tail.start()]
    whole = [tail.group()[:k] for k in range(len(tail.group()), 0, -1) if numeral(tail.group()[:k])]
    first = normalise(unicodedata.normalize("NFKC", line).split()[0]) if line.strip() else ""
    spaced = first[len(head):] if first.startswith(head) else ""
    return head + (spaced if spaced in whole else whole[0] if whole else tail.group())


def _fuzzy_title(text: str, template: Template) -> str | None:
    """A table title with one misread or lost character ("一般公共预算支出情况衣", "财政拨款支出算表
    (功能科目)"), by similarity."""
    match = _closest_title(text, template)
    if match is not None:
        return match[0]
    core = _BRACKETED.sub("", text)
    return "generic" if len(core) >= 6 and GENERIC_TITLE.search(core) else None


def mended_title(text: str, template: Template | None = None) -> str:
    """A title as printed, a misread character of the family's wording put right (OCR lost 预 in
    财政拨款支出预算表): what the whole title matches, with the printed number and bracket kept."""
    template = template or templates.default()
    title = normalise(text)
    number = printed_number(title) or ""
    body = title[len(number):]
    suffix = _BRACKETED.search(body)
    core = body[:suffix.start()] if suffix else body
    if any(pattern.search(t) for _, pattern in template.title_patterns for t in (title, core)):
        return title
    from rapidfuzz import fuzz

    match = _closest_title(core, template)
    if match is None or fuzz.ratio(match[1], core) < 88:  # a title inside a longer line: left as read
        return title
    return number + match[1] + (suffix.group(0) if suffix else "")


# A title's bracketed tail, as NFKC prints it: (功能科目), (按经济分类).
_BRACKETED = re.compile(r"\([^()]{1,10}\)$")


def _closest_title(text: str, template: Template) -> tuple[str, str] | None:
    """The family's title (kind, wording) a title-like line reads as, or None."""
    core = _BRACKETED.sub("", text)
    if len(core) < 6 or not core.endswith(("表", "衣", "袁")):
        return None
    from rapidfuzz import fuzz

    best, score = None, 0.0
    for kind, title in _canonical(template):
        if len(title) < 0.6 * len(core):  # a short title's words inside a longer one's: no evidence
            continue
        s = fuzz.partial_ratio(title, core) if len(core) >= len(title) else fuzz.ratio(title, core)
        if s > score or (s == score and best and len(title) > len(best[1])):
            best, score = (kind, title), s
    return best if score >= 88 else None


def _canonical(template: Template) -> list[tuple[str, str]]:
    # The titles as plain strings, each optional part taken and left out, wildcards dropped.
    out = []
    for kind, pattern in template.title_patterns:
        if kind in TABLE_KINDS | SHEET_KINDS | {"generic"}:
            for keep in (r"\1", ""):
                plain = re.sub(r"\(\?<?[!=][^)]*\)", "", pattern.pattern)  # lookarounds
                plain = re.sub(r"\(([^()?][^()]*)\)\?", keep, plain)
                plain = re.sub(r"\.(\*|\?|\{\d*,?\d*\})", "", plain).strip("^$")
                if re.fullmatch(r"[\w“”\"]+", plain) and (kind, plain) not in out:
                    out.append((kind, plain))
    return out


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
    number: str | None = None  # the printed table number (表1, 公开表十二)

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
    template: Template | None = None

    def tables(self, kind: str) -> list[Region]:
        return [r for r in self.regions if r.kind == kind]

    def first(self, kind: str) -> Region | None:
        found = self.tables(kind)
        return found[0] if found else None

    @property
    def all_text(self) -> str:
        return "\n".join(self.front_lines + [line for r in self.regions for line in r.lines])


def locate(pages: list[Page], template: Template | None = None) -> Layout:
    """Walk pages top to bottom and group titles, grids and text into regions."""
    template = template or templates.default()
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
        number: str | None = None  # a table number printed on this page, for the title it belongs to
        preamble = False  # a 编制部门/部门： line on this page: a new table starts here
        toc = False  # a 目录 page: the titles on it are entries, not parts
        for _, what, obj in sorted(items, key=lambda it: it[0]):
            if what == "line":
                text = " ".join(w.text for w in obj)  # type: ignore[union-attr]
                toc = toc or normalise(text) in ("目录", "目次")
                kind = None if toc else title_kind(text, template)
                number = printed_number(text) or number
                title = mended_title(text, template) if kind else ""
                if kind and not _same_table_repeated(current, kind, title):
                    current = Region(kind=kind, title=title, number=number, title_words=(page.number, obj))
                    current.add_page(page.number)
                    regions.append(current)
                    preamble = False
                    continue
                preamble = preamble or bool(PREAMBLE.match(normalise(text)))
                if current is None:
                    front.append(text)
                    front_words.append((page.number, obj))
                elif printed_number(text) == normalise(text) or PAGE_NUMBER.match(normalise(text)):
                    continue  # the next table's number, a page number: no content of this part
                else:
                    current.lines.append(text)
                    current.line_words.append((page.number, obj))
                    current.add_page(page.number)
                    if not grids and current.kind in TABLE_KINDS | SHEET_KINDS | {"generic"}:
                        loose.setdefault(id(current), (current, []))[1].extend(obj)  # type: ignore[arg-type]
            else:
                inner = _grid_title(obj, template)  # type: ignore[arg-type]
                if inner and not toc and not (current is not None and current.kind == inner and not current.grids) \
                        and not _same_table_repeated(current, inner, ""):
                    # A title printed in the grid's first row, across the whole table (a sheet form).
                    current = Region(kind=inner, title=normalise(obj.text(0, 0)), number=number)  # type: ignore[union-attr]
                    regions.append(current)
                    preamble = False
                if preamble and current is not None and current.grids and current.grids[-1].page != page.number \
                        and _new_header(current.grids[0], obj):  # type: ignore[arg-type]
                    # A table whose title is not in the text layer: its own region, named by its header.
                    current = Region(kind=untitled_kind(obj), title="")  # type: ignore[arg-type]
                    regions.append(current)
                preamble = False
                if current is None:
                    current = Region(kind="generic", title="")  # a table before any title: kept
                    regions.append(current)
                current.grids.append(obj)  # type: ignore[arg-type]
                current.add_page(page.number)
            if number and current is not None and current.number is None and page.number in current.pages \
                    and current.kind in TABLE_KINDS | {"generic"}:
                current.number = number
        for region, words in loose.values():
            if region.kind in SHEET_KINDS:  # a form over an indicator table, not a table of figures
                region.grids.extend(sheet_grids(page.number, words, page.segments, template, region.grids))
                continue
            grid = word_grid(page.number, words, page.segments, region.grids[0] if region.grids else None)
            if grid is not None:
                region.grids.append(grid)
    _mend_numbers(regions, {page.number for page in pages if page.source == "ocr"}, template)
    return Layout(regions=regions, front_lines=front, front_words=front_words, template=template)


def _mend_numbers(regions: list[Region], ocr_pages: set[int], template: Template) -> None:
    """Table numbers OCR misread or lost, from the series the others print (`series.mend_numbers`)."""
    tables = [r for r in regions if r.kind in TABLE_KINDS | {"generic"}]
    scanned = [bool(r.pages) and set(r.pages) <= ocr_pages for r in tables]
    for region, number in zip(tables, mend_numbers([r.number for r in tables], scanned, template.numbered)):
        region.number = number


def _grid_title(grid: Grid, template: Template) -> str | None:
    """The part a grid's first row titles, when one cell spans the whole width."""
    cell = grid.cell(0, 0)
    if grid.n_cols < 2 or cell.col_span != grid.n_cols:
        return None
    return title_kind(cell.text, template)


def _new_header(first: Grid, grid: Grid) -> bool:
    """The grid opens with a header row of its own (no figure in it) unlike the table's first grid."""
    def top(g: Grid) -> list[str]:
        return [normalise(g.text(0, c, anchor_only=False)) for c in range(g.n_cols)]

    row = top(grid)
    return any(row) and not any(ch.isdigit() for t in row for ch in t) and row != top(first)


# A page number as printed: "9", "- 9 -", "─1 ─", "第9页".
PAGE_NUMBER = re.compile(r"^[-─—－]*(第)?\d{1,4}(页)?[-─—－]*$")

# The line above a table naming whose budget it is: "编制部门：…", "部门：…", "部门名称：…".
PREAMBLE = re.compile(r"^(编制)?(部门|单位)(名称)?[:：](?!万?元)")


def untitled_kind(grid: Grid) -> str:
    """A table printed without a title in the text layer, by its header's words."""
    header = "".join(normalise(grid.text(r, c, anchor_only=False))
                     for r in range(min(grid.n_rows, 4)) for c in range(grid.n_cols))
    if "出国" in header and "接待" in header:
        return "t10"
    return "generic"


def _same_table_repeated(current: Region | None, kind: str, title: str) -> bool:
    # A continuation page that repeats the table's title ("表7（续）") stays in the same table.
    if current is None or kind != current.kind or not current.grids:
        return False
    return kind.startswith("t") or (kind == "generic" and title == current.title)


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
    if not votes:  # titles without 部门/单位 (Jiangsu's 收支预算总表): the tables' "部门：" lines
        for region in layout.regions:
            for line in region.lines:
                match = PREAMBLE.match(normalise(line))
                if match:
                    votes[match.group(2)] += 1
    return votes.most_common(1)[0][0] if votes else None


def document_kind_of(lines: list[str]) -> str:
    """预算 or 决算 (final accounts), by the short lines (titles) that name one or the other."""
    titles = [normalise(line) for line in lines if len(normalise(line)) <= 40]
    final = sum("决算" in t for t in titles)
    budget = sum("预算" in t and "决算" not in t for t in titles)
    return "决算" if final > budget else "预算"
