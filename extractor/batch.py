"""Batches of PDFs: every document processed even when others fail, outputs written atomically,
and a re-run skips documents whose output is already up to date."""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, wait
from dataclasses import dataclass, field, replace
from pathlib import Path

from .errors import BudgetExceededError, BudgetxError
from .page_pool import read_page, spawn_pool
from .pages import load_pages, sha256_file, stop_if_late
from .pipeline import Options, extract
from .watch import Progress, deadline_of

# Bump when a reading change makes old outputs stale (12: a scan's table numbers mended from their
# series; a scanned table read to no figure reported).
OUTPUT_VERSION = "14"


@dataclass
class Result:
    """One document's outcome, as printed in the summary line."""

    path: Path
    status: str  # "ok", "skipped", "failed"
    output: Path | None = None
    error: str | None = None
    summary: dict = field(default_factory=dict)


def find_inputs(paths: list[Path]) -> list[Path]:
    """PDF files named directly, or found under directories (sorted, so batches are repeatable)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() == ".pdf")
        else:
            found.append(path)
    return found


def write_atomic(path: Path, text: str) -> None:
    """Write through a temporary file and rename: a crash never leaves half a JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _drop_stale_temps(out: Path) -> None:
    for tmp in out.parent.glob(f".{out.name}.*.tmp"):
        tmp.unlink(missing_ok=True)


def output_path(outdir: Path, pdf: Path) -> Path:
    return outdir / f"{pdf.stem}.json"


def _stamp(pdf: Path, options: Options) -> dict:
    # An LLM run made with another model or prompt is not up to date either.
    llm = {k: options.engine_options[k] for k in ("model", "prompt") if options.engine_options.get(k)}
    return {"sha256": sha256_file(pdf), "engine": options.engine, "version": OUTPUT_VERSION, **llm}


def is_up_to_date(out: Path, stamp: dict) -> bool:
    """True when out was made from the same bytes by the same engine and output version."""
    try:
        data = json.loads(out.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    run = data.get("run") or {}
    return (data.get("source") or {}).get("sha256") == stamp["sha256"] and \
        run.get("engine") == stamp["engine"] and run.get("version") == stamp["version"] and \
        ("model" not in stamp or run.get("model") == stamp["model"]) and \
        ("prompt" not in stamp or (run.get("prompt") or "").split("@")[0] == stamp["prompt"])


def summarise(doc) -> dict:
    present = sum(1 for k in type(doc.tables).model_fields if getattr(doc.tables, k).present)
    errors = sum(1 for f in doc.findings if f.severity == "error")
    rec = doc.reconcile
    return {
        "tables": present,
        "generic_tables": len(doc.generic_tables),
        "template": doc.template,
        "identities": rec.evaluated if rec else 0,
        "held": rec.held if rec else 0,
        "sheets": len(doc.performance.projects) + (1 if doc.performance.overall else 0),
        "pages": (doc.source.page_count if doc.source else None),
        "pages_ocr": len(doc.run.pages_ocr) if doc.run else 0,
        "findings": len(doc.findings),
        "errors": errors,
        "flagged": len(doc.flagged),
        "seconds": doc.run.seconds if doc.run else None,
        "usage": doc.run.usage.model_dump(mode="json") if doc.run and doc.run.usage else None,
        "llm_failed": sorted(doc.run.llm_failed) if doc.run else [],
    }


def process_one(pdf: Path, outdir: Path, options: Options, force: bool = False,
                loaded: tuple | None = None, started: float | None = None) -> Result:
    """Extract one PDF into outdir; never raises for a bad document, reports it instead.

    ``loaded`` and ``started``: its pages read already and when it started (a batch cut by page).
    """
    out = output_path(outdir, pdf)
    try:
        _drop_stale_temps(out)  # left by a batch killed while writing this output
        if loaded is None and not force and is_up_to_date(out, _stamp(pdf, options)):
            return Result(pdf, "skipped", out)
        doc = extract(pdf, options, loaded=loaded, started=started)
        doc.run.version = OUTPUT_VERSION
        write_atomic(out, doc.model_dump_json(indent=1))
        return Result(pdf, "ok", out, summary=summarise(doc))
    except BudgetExceededError as exc:
        # The LLM budget ran out: what was extracted is written, and the document still fails.
        partial = getattr(exc, "document", None)
        if partial is None:
            return failure(pdf, exc)
        partial.run.version = None  # never "up to date": a re-run with more budget redoes it
        write_atomic(out, partial.model_dump_json(indent=1))
        return Result(pdf, "failed", out, error=one_line(f"{pdf}: {exc}"), summary=summarise(partial))
    except Exception as exc:
        return failure(pdf, exc)


def failure(pdf: Path, exc: Exception) -> Result:
    """A failed document's Result: its reason on one line, naming the file."""
    if isinstance(exc, BudgetxError):
        return Result(pdf, "failed", error=one_line(str(exc)))
    if isinstance(exc, OSError):
        return Result(pdf, "failed", error=one_line(f"{pdf}: {exc.strerror or exc}"))
    # A bug must not stop the batch; it is reported with the file.
    return Result(pdf, "failed", error=one_line(f"{pdf}: internal error: {type(exc).__name__}: {exc}"))


def largest_first(pdfs: list[Path]) -> list[Path]:
    """The order a batch's documents are started in: the largest files first, so that a long
    scan does not start last and run alone on one core while the others idle."""
    def size(pdf: Path) -> int:
        try:
            return pdf.stat().st_size
        except OSError:  # reported by process_one, with the file
            return -1

    return sorted(pdfs, key=size, reverse=True)


def one_line(text: str, limit: int = 400) -> str:
    """A failure's reason on one line (MuPDF and pydantic messages span several)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def run_batch(pdfs: list[Path], outdir: Path, options: Options, jobs: int = 1, force: bool = False) -> Iterator[Result]:
    """Process every PDF, in ``jobs`` processes when jobs > 1; yields results as they finish.

    With jobs > 1 the work is cut by page (``_by_pages``): each worker reads whichever scanned
    page comes next, of any document, so no core idles while a long scan ends alone.
    """
    if jobs > 1 and options.parts:  # one unit's files as one document: their pages side by side
        options, jobs = replace(options, page_jobs=jobs), 1
    if jobs <= 1:
        for pdf in pdfs:
            yield process_one(pdf, outdir, options, force)
        return
    yield from _by_pages(pdfs, outdir, options, jobs, force)


@dataclass
class _Open:
    """A document whose scanned pages are being read by the pool."""

    pdf: Path
    pages: list
    source: dict
    todo: list[int]  # its scanned pages not yet handed to a worker
    started: float  # time.monotonic() at its start (its --timeout counts from it)
    progress: Progress | None = None  # its page progress on stderr, from its first page handed out
    running: int = 0
    done: int = 0
    failed: bool = False


def _by_pages(pdfs: list[Path], outdir: Path, options: Options, jobs: int, force: bool) -> Iterator[Result]:
    """``run_batch`` cut by page. A document is first opened by a worker (``_survey``): one
    without scanned pages is processed there whole; else its scanned pages go to the pool one
    by one, oldest document first, and once all are read a worker finishes it (``process_one``
    given the pages). At most ``jobs + 1`` tasks are in the pool at once, so a document's last
    step waits behind a page or two, not behind the next document's pages. A page is not
    interrupted by --timeout: its document stops after it."""
    waiting = deque(largest_first(pdfs))
    name, threads = options.ocr, options.ocr_threads
    tasks: dict = {}  # future -> ("survey", pdf) | ("page", _Open, index) | ("finish", pdf)
    opened: list[_Open] = []
    with spawn_pool(jobs) as pool:
        while waiting or tasks or opened:
            while len(tasks) <= jobs:
                doc = next((d for d in opened if d.todo), None)
                if doc is not None:
                    if doc.progress is None and options.progress:  # its clock starts with its pages
                        doc.progress = Progress(doc.pdf)
                    index = doc.todo.pop(0)
                    doc.running += 1
                    tasks[pool.submit(read_page, str(doc.pdf), index, options.limits, name, threads)] = ("page", doc, index)
                elif waiting:
                    pdf = waiting.popleft()
                    tasks[pool.submit(_survey, pdf, outdir, options, force)] = ("survey", pdf)
                else:
                    break
            finished, _ = wait(tasks, return_when=FIRST_COMPLETED)
            for future in finished:
                kind, *what = tasks.pop(future)
                if kind != "page" and future.exception() is not None:  # a worker died under it
                    yield failure(what[0], future.exception())
                elif kind == "survey":
                    answer = future.result()
                    if isinstance(answer, Result):
                        yield answer
                    else:
                        pages, source, todo, started = answer
                        opened.append(_Open(what[0], pages, source, todo, started, done=len(pages) - len(todo)))
                elif kind == "finish":
                    yield future.result()
                else:
                    doc, index = what
                    failed = _page_read(doc, index, future, options)
                    if failed is not None:
                        opened.remove(doc)
                        yield failed
                    elif doc in opened and not doc.todo and not doc.running:
                        opened.remove(doc)
                        tasks[pool.submit(process_one, doc.pdf, outdir, options, force,
                                          (doc.pages, doc.source), doc.started)] = ("finish", doc.pdf)


def _page_read(doc: _Open, index: int, future, options: Options) -> Result | None:
    """Take a page a worker read into its document; the document's failure, the first time
    one of its pages fails or it runs past its --timeout (its other pages are then dropped)."""
    doc.running -= 1
    if doc.failed:
        return None
    try:
        doc.pages[index] = future.result()
        doc.done += 1
        if doc.progress is not None:
            doc.progress(doc.done, len(doc.pages))
        stop_if_late(deadline_of(options.limits.max_seconds, doc.started), options.limits,
                     doc.pdf, doc.done, len(doc.pages), index + 1)
    except Exception as exc:  # a page's error is the document's
        doc.failed, doc.todo = True, []
        return failure(doc.pdf, exc)
    return None




def _survey(pdf: Path, outdir: Path, options: Options, force: bool):
    """A worker's first look at a document: its Result when done here (up to date, failed, no
    scanned page), else (pages with the scanned ones still empty, source, the
    scanned pages' indices, its start)."""
    started, out = time.monotonic(), output_path(outdir, pdf)
    try:
        _drop_stale_temps(out)
        if not force and is_up_to_date(out, _stamp(pdf, options)):
            return Result(pdf, "skipped", out)
        pages, source = load_pages(pdf, options.limits, None)  # scanned pages come back empty
    except Exception as exc:
        return failure(pdf, exc)
    todo = [i for i, page in enumerate(pages) if page.source == "ocr"]
    if not todo:
        return process_one(pdf, outdir, options, True, (pages, source), started)
    return pages, source, todo, started
