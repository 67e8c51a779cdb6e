"""One document through the stages: pages → locate → engine → checker.

A stage is a callable taking the shared Context; the pipeline is their ordered list, so an
engine or a check can be swapped or added without touching the others.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from schemas import Document, RunInfo, Seal, Source, Watermark

from .engines import ENGINES
from . import templates
from .errors import BudgetxError, LocateError, UnsupportedDocumentError
from .grid import group_lines
from .locate import Layout, document_kind_of, locate
from .ocr_backends import LazyOcr, default_ocr
from .page_pool import load_pages_side_by_side
from .pages import Limits, Page, load_pages
from .confidence import attach as attach_confidence
from .outline import mend_document
from .provenance import to_page_frame
from .spreads import as_printed
from .watch import Progress, alarm, check_deadline, deadline_of


@dataclass
class Options:
    engine: str = "layout"
    ocr: str = field(default_factory=default_ocr)
    # One inference thread per document (onnxruntime or OpenVINO): measured faster than two
    # threads fighting over the cores with other work; parallelism comes from --jobs (pages side by side).
    ocr_threads: int | None = 1
    # Processes reading one document's scanned pages side by side, for callers of ``extract``
    # (a batch with --jobs N cuts its work by page itself: ``batch.run_batch``).
    page_jobs: int = 1
    limits: Limits = field(default_factory=Limits)
    check: bool = True
    engine_options: dict = field(default_factory=dict)
    template: str | None = None  # a family name forces it; None detects it from the printed words
    parts: list[str] = field(default_factory=list)  # further PDFs of the same unit (narrative + tables)
    progress: bool = False  # page progress of long documents on stderr


@dataclass
class Context:
    path: Path
    options: Options
    pages: list[Page] = field(default_factory=list)
    source: dict = field(default_factory=dict)
    layout: Layout | None = None
    doc: Document | None = None
    on_page: Callable[[int, int], None] | None = None  # progress: pages read of total
    started: float = field(default_factory=time.perf_counter)
    deadline: float | None = None  # time.monotonic() the document must end by (--timeout)
    loaded: tuple[list[Page], dict] | None = None  # pages read already (a batch cut by page)


def stage_pages(ctx: Context) -> None:
    if ctx.loaded is not None:
        ctx.pages, ctx.source = ctx.loaded
        _collect_marks(ctx)
        return
    ocr = LazyOcr(ctx.options.ocr, ctx.options.ocr_threads)

    def load(path: Path):
        if ctx.options.page_jobs > 1:
            return load_pages_side_by_side(path, ctx.options.limits, ocr, ctx.options.page_jobs,
                                           progress=_on_page(ctx), deadline=ctx.deadline)
        return load_pages(path, ctx.options.limits, ocr, progress=_on_page(ctx), deadline=ctx.deadline)

    ctx.pages, ctx.source = load(ctx.path)
    for part in ctx.options.parts:  # one unit published as several files: pages numbered on
        pages, _ = load(Path(part))
        offset = len(ctx.pages)
        for page in pages:
            page.number += offset
        ctx.pages += pages
        ctx.source["page_count"] = len(ctx.pages)
        ctx.source.setdefault("parts", []).append(Path(part).name)
    _collect_marks(ctx)


def _collect_marks(ctx: Context) -> None:
    """Watermarks and seals read on the pages, kept in the document's source."""
    marks = [Watermark(page=p.number, text=p.watermark) for p in ctx.pages if p.watermark]
    if marks:
        ctx.source["watermarks"] = marks
    seals = [Seal(page=p.number, text=m.text, box=(m.x0, m.y0, m.x1, m.y1)) for p in ctx.pages for m in p.seals]
    if seals:
        ctx.source["seals"] = seals


def _on_page(ctx: Context):
    """What hears of each page read: the stderr progress of a long document, a service's job record."""
    listeners = [f for f in (Progress(ctx.path) if ctx.options.progress else None, ctx.on_page) if f is not None]
    if not listeners:
        return None

    def report(done: int, total: int) -> None:
        for listener in listeners:
            listener(done, total)
    return report


def stage_locate(ctx: Context) -> None:
    printed = as_printed(ctx.pages)  # a spread (two pages on one sheet) as its two pages
    lines = [" ".join(w.text for w in line) for page in printed for line in group_lines(page.words)]
    if document_kind_of(lines) == "决算":
        raise UnsupportedDocumentError("final accounts (决算) are not supported yet: budgetx reads budgets (预算)",
                                       file=ctx.path)
    template = templates.load(ctx.options.template) if ctx.options.template else templates.detect("\n".join(lines))
    ctx.layout = locate(printed, template)
    if not any(r.kind.startswith("t") or r.kind in ("overall", "project", "generic") for r in ctx.layout.regions):
        raise LocateError(_nothing_found(ctx), file=ctx.path)


def _nothing_found(ctx: Context) -> str:
    layout = ctx.layout
    if any(r.kind == "narrative" for r in layout.regions) or "情况说明" in layout.all_text:
        return ("narrative only: this file holds no budget table (its tables are published as another file; "
                "extract both together with --group)")
    blank = sum(p.source == "blank" for p in ctx.pages)
    what = f"{len(ctx.pages)} pages, {blank} blank" if blank else f"{len(ctx.pages)} pages"
    return f"no budget table or performance sheet found ({what})"


def stage_nonempty(ctx: Context) -> None:
    """A document from which nothing was read is a failure, whatever headings it has."""
    doc = ctx.doc
    tables = any(getattr(doc.tables, k).present for k in type(doc.tables).model_fields)
    if not (tables or doc.generic_tables or doc.performance.overall or doc.performance.projects):
        raise LocateError(_nothing_found(ctx), file=ctx.path)


def stage_engine(ctx: Context) -> None:
    # The PDF path lets an engine render page images (the LLM engine with --vision).
    engine = ENGINES.create(ctx.options.engine, source_path=ctx.path, **ctx.options.engine_options)
    doc = Document(
        doc_id=ctx.path.stem,
        source=Source(**ctx.source),
        run=RunInfo(engine=ctx.options.engine, pages_ocr=[p.number for p in ctx.pages if p.source == "ocr"],
                    pages_pictures=[p.number for p in ctx.pages if p.pictures]),
    )
    try:
        ctx.doc = engine.fill(doc, ctx.layout)
    except BudgetxError as exc:  # a budget stop keeps its document: its boxes are mapped too
        kept = getattr(exc, "document", None)
        if kept is not None:
            _to_page_frames(kept, ctx.pages)
        raise
    _to_page_frames(ctx.doc, ctx.pages)
    # OCR'd labels (an outline's numerals, names a character off), once confidences are known.
    ctx.doc = mend_document(ctx.doc, ctx.layout.template if ctx.layout else None)


def _to_page_frames(doc: Document, pages: list[Page]) -> None:
    # Engines place values on the pages as read; a scan was read turned upright and deskewed.
    attach_confidence(doc, pages)  # while the boxes are in the frame of the OCR words
    scanned = {p.number: p for p in pages if p.source == "ocr"}
    for spot in doc.provenance.values():
        if spot.page in scanned and spot.bbox is not None:
            spot.bbox = tuple(round(v, 1) for v in to_page_frame(spot.bbox, scanned[spot.page]))


def stage_check(ctx: Context) -> None:
    if not ctx.options.check:
        return
    from .recheck import recheck

    recheck(ctx.doc)


STAGES: list[Callable[[Context], None]] = [stage_pages, stage_locate, stage_engine, stage_nonempty, stage_check]


def extract(path: Path, options: Options | None = None,
            on_page: Callable[[int, int], None] | None = None,
            loaded: tuple[list[Page], dict] | None = None, started: float | None = None) -> Document:
    """Run every stage on one PDF and return its Document (with run metadata).

    ``loaded``: its pages and source, read already (a batch cut by page, ``batch.run_batch``); ``started``: the
    ``time.monotonic()`` the document started at, from which its --timeout counts (default now).
    """
    options = options or Options()
    seconds = options.limits.max_seconds
    ctx = Context(Path(path), options, deadline=deadline_of(seconds, started), on_page=on_page, loaded=loaded)
    if started is not None:  # the run's seconds count from the document's start, not this call's
        ctx.started -= time.monotonic() - started
    with alarm(seconds, ctx.path, ctx.deadline):
        for stage in STAGES:
            check_deadline(ctx.deadline, seconds, ctx.path, stage.__name__.removeprefix("stage_"))
            stage(ctx)
    ctx.doc.run.seconds = round(time.perf_counter() - ctx.started, 3)
    return ctx.doc
