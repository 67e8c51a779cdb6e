"""Batches of PDFs: every document processed even when others fail, outputs written atomically,
and a re-run skips documents whose output is already up to date."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from pathlib import Path

from .errors import BudgetExceededError, BudgetxError
from .pages import sha256_file
from .pipeline import Options, extract

OUTPUT_VERSION = "3"  # bump when an engine change makes old outputs stale


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


def process_one(pdf: Path, outdir: Path, options: Options, force: bool = False) -> Result:
    """Extract one PDF into outdir; never raises for a bad document, reports it instead."""
    out = output_path(outdir, pdf)
    try:
        _drop_stale_temps(out)  # left by a batch killed while writing this output
        stamp = _stamp(pdf, options)
        if not force and is_up_to_date(out, stamp):
            return Result(pdf, "skipped", out)
        doc = extract(pdf, options)
        doc.run.version = OUTPUT_VERSION
        write_atomic(out, doc.model_dump_json(indent=1))
        return Result(pdf, "ok", out, summary=summarise(doc))
    except BudgetExceededError as exc:
        # The LLM budget ran out: what was extracted is written, and the document still fails.
        partial = getattr(exc, "document", None)
        if partial is None:
            return Result(pdf, "failed", error=one_line(str(exc)))
        partial.run.version = None  # never "up to date": a re-run with more budget redoes it
        write_atomic(out, partial.model_dump_json(indent=1))
        return Result(pdf, "failed", out, error=one_line(f"{pdf}: {exc}"), summary=summarise(partial))
    except BudgetxError as exc:
        return Result(pdf, "failed", error=one_line(str(exc)))
    except OSError as exc:
        return Result(pdf, "failed", error=one_line(f"{pdf}: {exc.strerror or exc}"))
    except Exception as exc:  # a bug must not stop the batch; it is reported with the file
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
    """Process every PDF, in parallel processes when jobs > 1; yields results as they finish.

    One PDF with jobs > 1 reads its scanned pages side by side instead (``Options.page_jobs``).
    """
    if len(pdfs) == 1 and jobs > 1:
        options = replace(options, page_jobs=jobs)
    if jobs <= 1 or len(pdfs) <= 1:
        for pdf in pdfs:
            yield process_one(pdf, outdir, options, force)
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(process_one, pdf, outdir, options, force)
                   for pdf in largest_first(pdfs)]
        for future in as_completed(futures):
            yield future.result()
