"""One document through the stages: pages → locate → engine → checker.

A stage is a callable taking the shared Context; the pipeline is their ordered list, so an
engine or a check can be swapped or added without touching the others.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from schemas import Document, RunInfo, Source

from .engines import ENGINES
from .errors import BudgetxError, LocateError
from .locate import Layout, locate
from .ocr import OCR_BACKENDS
from .pages import Limits, Page, load_pages
from .provenance import to_page_frame


@dataclass
class Options:
    engine: str = "layout"
    ocr: str = "rapidocr"
    # One onnxruntime thread per document: measured faster than two threads fighting over the
    # cores with other work; parallelism comes from --jobs (documents side by side).
    ocr_threads: int | None = 1
    limits: Limits = field(default_factory=Limits)
    check: bool = True
    engine_options: dict = field(default_factory=dict)


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


class LazyOcr:
    """Builds the OCR backend on the first page that needs it (born-digital files never do)."""

    _cache: dict[tuple, object] = {}

    def __init__(self, name: str, threads: int | None):
        self.key = (name, threads)

    def read(self, pixmap, page_width: float, page_height: float):
        backend = self._cache.get(self.key)
        if backend is None:
            name, threads = self.key
            backend = OCR_BACKENDS.create(name, **({"threads": threads} if threads else {}))
            self._cache[self.key] = backend
        return backend.read(pixmap, page_width, page_height)


def stage_pages(ctx: Context) -> None:
    ocr = LazyOcr(ctx.options.ocr, ctx.options.ocr_threads)
    ctx.pages, ctx.source = load_pages(ctx.path, ctx.options.limits, ocr, ctx.on_page)


def stage_locate(ctx: Context) -> None:
    ctx.layout = locate(ctx.pages)
    if not any(r.kind.startswith("t") or r.kind in ("overall", "project") for r in ctx.layout.regions):
        raise LocateError("no budget table or performance sheet found", file=ctx.path)


def stage_engine(ctx: Context) -> None:
    # The PDF path lets an engine render page images (the LLM engine with --vision).
    engine = ENGINES.create(ctx.options.engine, source_path=ctx.path, **ctx.options.engine_options)
    doc = Document(
        doc_id=ctx.path.stem,
        source=Source(**ctx.source),
        run=RunInfo(engine=ctx.options.engine, pages_ocr=[p.number for p in ctx.pages if p.source == "ocr"]),
    )
    try:
        ctx.doc = engine.fill(doc, ctx.layout)
    except BudgetxError as exc:  # a budget stop keeps its document: its boxes are mapped too
        kept = getattr(exc, "document", None)
        if kept is not None:
            _to_page_frames(kept, ctx.pages)
        raise
    _to_page_frames(ctx.doc, ctx.pages)


def _to_page_frames(doc: Document, pages: list[Page]) -> None:
    # Engines place values on the pages as read; a scan was read turned upright and deskewed.
    scanned = {p.number: p for p in pages if p.source == "ocr"}
    for spot in doc.provenance.values():
        if spot.page in scanned and spot.bbox is not None:
            spot.bbox = tuple(round(v, 1) for v in to_page_frame(spot.bbox, scanned[spot.page]))


def stage_check(ctx: Context) -> None:
    if not ctx.options.check:
        return
    try:
        from .checks import check
    except ImportError:  # the checker lands separately; extraction works without it
        return
    ctx.doc.findings = check(ctx.doc)


STAGES: list[Callable[[Context], None]] = [stage_pages, stage_locate, stage_engine, stage_check]


def extract(path: Path, options: Options | None = None,
            on_page: Callable[[int, int], None] | None = None) -> Document:
    """Run every stage on one PDF and return its Document (with run metadata)."""
    ctx = Context(Path(path), options or Options(), on_page=on_page)
    for stage in STAGES:
        stage(ctx)
    ctx.doc.run.seconds = round(time.perf_counter() - ctx.started, 3)
    return ctx.doc
