"""Document → born-digital PDF, laid out like a real 部门/单位预算公开 (Excel/WPS export).

Order of the parts as in the seeds: optional cover and 目录, 第一部分 概况, 第二部分 表1…表11,
第三部分 情况说明 with the performance sheets under 预算绩效情况, 名词解释. Use
``render(doc, style, seed)`` for bytes, or ``render_file`` for a gold file on disk.
"""

from __future__ import annotations

import random
from pathlib import Path

from schemas import Document
from schemas.tables import TABLE_TITLES

from . import prose
from .grid import Cell, Table, draw, layout, paginate
from .pdf import Writer
from .sheets import overall_table, project_table
from .style import Style, style_for
from .tables import LANDSCAPE, Builder, title_of


class Flow:
    """Places blocks top to bottom, opening pages (portrait or landscape) as needed."""

    def __init__(self, writer: Writer, style: Style) -> None:
        self.w, self.s = writer, style
        self.page = None
        self.landscape = False
        self.y = 0.0
        self.fresh = True  # nothing placed on the current page yet
        self.unnumbered = 0  # cover and 目录 pages carry no page number

    @property
    def left(self) -> float:
        return self.s.margin[0]

    @property
    def right(self) -> float:
        return self.page.rect.width - self.s.margin[2]

    @property
    def bottom(self) -> float:
        return self.page.rect.height - self.s.margin[3]

    @property
    def top(self) -> float:
        return self.s.margin[1]

    def new_page(self, landscape: bool = False) -> None:
        self.page = self.w.new_page(landscape)
        self.landscape = landscape
        self.y = self.top
        self.fresh = True

    def ensure(self, height: float, landscape: bool | None = None) -> None:
        want = self.landscape if landscape is None else landscape
        if self.page is None or want != self.landscape or self.y + height > self.bottom:
            self.new_page(want)

    def line(self, text: str, size: float, bold: bool = False, align: str = "left", gap: float = 0.5) -> None:
        """One or more wrapped lines of text at the cursor."""
        width = self.right - self.left
        for piece in self.w.wrap(text, width, size):
            self.ensure(size * 1.6)
            tw = self.w.width(piece, size)
            x = {"left": self.left, "center": (self.left + self.right - tw) / 2, "right": self.right - tw}[align]
            self.w.text(self.page, x, self.y + size, piece, size, bold=bold)
            self.y += size * (1 + gap)
            self.fresh = False

    def blocks(self, blocks: list[prose.Block]) -> None:
        size = self.s.text_size
        for kind, text in blocks:
            if kind == "h1":
                self.ensure(size * 6)
                self.y += size * 0.5
                self.line(text, size + 4, bold=True, align="center", gap=0.9)
            elif kind == "h2":
                self.ensure(size * 4)
                self.line(text, size, bold=True, gap=0.8)
            else:
                self.line("\u3000\u3000" + text, size, gap=0.75)

    def table(self, table: Table, titles: list[tuple[str, float, bool, str]], caption: tuple[str, str] | None,
              landscape: bool, note: str | None, rng: random.Random) -> None:
        """A titled table, continued over as many pages as its rows need."""
        s = self.s
        if s.table_per_page and not self.fresh or self.page is None or landscape != self.landscape:
            self.new_page(landscape)
        elif self.y + 160 > self.bottom:
            self.new_page(landscape)
        else:
            self.y += s.text_size
        for text, size, bold, align in titles:
            self.line(text, size, bold=bold, align=align, gap=0.6)
        cap_size = s.table_size + 1
        if caption:
            self._caption(caption, cap_size)
        laid = layout(self.w, table, s, self.left, self.right - self.left, rng)
        repeat_cap = caption is not None and s.repeat_caption
        rest = self.bottom - self.top - (cap_size * 1.8 if repeat_cap else 0)
        slices = paginate(laid, self.bottom - self.y, rest, s.repeat_header)
        for i, rows in enumerate(slices):
            if i:
                self.new_page(landscape)
                if repeat_cap:
                    self._caption(caption, cap_size)
            self.y = draw(self.w, self.page, laid, s, self.y, rows, header=i == 0 or s.repeat_header)
            self.fresh = False
        self.y += cap_size * 0.6
        if note:
            self.line(note, cap_size + 0.5, gap=0.6)

    def _caption(self, caption: tuple[str, str], size: float) -> None:
        left, right = caption
        self.w.text(self.page, self.left, self.y + size, left, size)
        self.w.text(self.page, self.right - self.w.width(right, size), self.y + size, right, size)
        self.y += size * 1.8

    def number_pages(self) -> None:
        style = self.s.page_numbers
        if style == "none":
            return
        for i, page in enumerate(self.w.doc):
            if i < self.unnumbered:
                continue
            text = f"- {i + 1 - self.unnumbered} -" if style == "dash" else str(i + 1 - self.unnumbered)
            size = 9.0
            x = (page.rect.width - self.w.width(text, size)) / 2
            self.w.text(page, x, page.rect.height - self.s.margin[3] / 2, text, size)


def render(doc: Document, style: Style | int = 0, seed: int = 0) -> bytes:
    """Render a Document to PDF bytes; the same (doc, style, seed) gives the same bytes."""
    style = style_for(style) if isinstance(style, int) else style
    rng = random.Random(f"render-{seed}-{style.number}")
    writer = Writer(style.font)
    flow = Flow(writer, style)
    kind = doc.unit_kind or "单位"
    if style.cover:
        _cover(flow, doc, kind)
    flow.new_page()
    flow.blocks(prose.profile(doc, rng))
    builder = Builder(doc, style, num_weight=rng.uniform(0.35, 1.1))
    flow.new_page()
    flow.blocks([("h1", f"第二部分 {doc.year}年{kind}预算公开表")])
    flow.fresh = True  # the part heading shares the page of 表1
    title_variant = rng.randint(0, 1)
    for key in TABLE_TITLES:
        table_obj = getattr(doc.tables, key)
        if not table_obj.present:
            continue
        table = getattr(builder, key)()
        note = _note(table_obj.empty_note, rng)
        if note and style.note_inside and not table_obj.rows:
            table.rows.append([Cell(note, 0, colspan=len(table.leaves))])
            note = None
        label = f"表 {key[1:]}" if style.spaced_labels else f"表{key[1:]}"
        titles = [(label, style.text_size, False, style.label_position),
                  (title_of(key, doc, title_variant), style.title_size, True, "center")]
        caption = (f"编制{kind}：{doc.unit_name or ''}", "单位：万元")
        flow.table(table, titles, caption, key in LANDSCAPE, note, rng)
    flow.new_page()
    flow.blocks(prose.explanation(doc, rng))
    _sheets(flow, doc, kind, rng)
    flow.blocks(prose.closing(doc))
    flow.y += style.text_size * 2
    flow.line(doc.unit_name or "", style.text_size, align="right")
    flow.number_pages()
    return writer.save()


def _note(note: str | None, rng: random.Random) -> str | None:
    if not note:
        return None
    return note if "备注" in note or rng.random() < 0.3 else f"备注：{note}"


def _sheets(flow: Flow, doc: Document, kind: str, rng: random.Random) -> None:
    year = doc.year
    sub = (f"（{year}年）", flow.s.text_size, False, "center")
    overall = doc.performance.overall
    if overall is not None:
        name = f"{kind}整体绩效目标表" if rng.random() < 0.6 else "部门（单位）整体绩效目标表"
        flow.table(overall_table(overall), [(name, flow.s.title_size, True, "center"), sub], None, False, None, rng)
    for sheet in doc.performance.projects:
        title = "项目支出绩效目标表" if rng.random() < 0.5 else "项 目 支 出 绩 效 目 标 表"
        flow.table(project_table(sheet), [(title, flow.s.title_size, True, "center"), sub], None, False, None, rng)
    if overall is not None or doc.performance.projects:
        flow.new_page()


def _cover(flow: Flow, doc: Document, kind: str) -> None:
    flow.new_page()
    size = flow.s.title_size + 8
    flow.y = flow.page.rect.height * 0.3
    flow.line(doc.unit_name or "", size, bold=True, align="center", gap=1.0)
    flow.line(f"{doc.year}年{kind}预算公开", size, bold=True, align="center", gap=1.0)
    flow.new_page()
    flow.line("目 录", flow.s.title_size, bold=True, align="center", gap=1.2)
    numerals = "一二三四五六七八九十"
    items = [f"第一部分 {doc.year}年{kind}概况", "一、主要职能", "二、机构设置及人员情况",
             f"第二部分 {doc.year}年{kind}预算公开表"]
    for i, key in enumerate(TABLE_TITLES):
        num = numerals[i] if i < 10 else "十一"
        items.append(f"{num}、{title_of(key, doc, 0)}")
    items += [f"第三部分 {doc.year}年{kind}预算情况说明", "第四部分 名词解释"]
    for item in items:
        flow.line(item, flow.s.text_size, bold=item.startswith("第"), gap=0.9)
    flow.unnumbered = 2


def render_file(gold: str | Path, out: str | Path, style: int = 0, seed: int = 0, scan: bool = False,
                severity: float | str | None = None, phone: bool = False, bilevel: bool = False) -> Path:
    """Render a gold.json to a PDF file (scanned when asked, at a severity if given); returns the output path."""
    doc = Document.model_validate_json(Path(gold).read_text(encoding="utf-8"))
    data = render(doc, style, seed)
    if scan or severity is not None or phone or bilevel:
        from .scan import scan_pdf

        data = scan_pdf(data, seed=seed, severity=severity, phone=phone, bilevel=bilevel)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    return out
