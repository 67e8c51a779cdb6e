"""Exports of extraction outputs as tidy tables for pandas, DuckDB, SQL and Excel users.

JSON stays the extraction's own output; an export reads those files and writes documents, cells,
sheets, indicators, findings and finding_cells through a writer from ``WRITERS``:
parquet, csv, sqlite, duckdb, xlsx.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from schemas import Document

from . import arrow, text, xlsx  # noqa: F401  (register the writers)
from .base import FORMATS, WRITERS, Writer
from .tidy import Frame, empty_frames, flatten

__all__ = ["WRITERS", "Writer", "Frame", "ExportResult", "export", "find_outputs", "default_path"]

# Documents flattened per chunk handed to the writer: bounded memory, decent Parquet row groups.
CHUNK = 64


@dataclass
class ExportResult:
    files: list[Path] = field(default_factory=list)
    documents: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)  # "file: reason" for inputs that are no Document


def find_outputs(paths: Iterable[Path]) -> list[Path]:
    """Document JSON files named directly or found in folders (temporary files left out), sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.glob("*.json") if not p.name.startswith("."))
        else:
            found.append(path)
    return found


def default_path(outdir: Path, fmt: str) -> Path:
    """Where `extract --export FMT` puts its export: beside the JSON files."""
    cls = FORMATS.get(fmt)
    return outdir / ("export" if cls is not None and cls.directory else f"export.{fmt}")


def export(files: list[Path], fmt: str, path: Path,
           progress: Callable[[Path], None] | None = None) -> ExportResult:
    """Flatten every Document file and write them with the named writer; bad inputs are skipped
    and listed. The output appears only when complete."""
    writer: Writer = WRITERS.create(fmt, path=path)
    result = ExportResult()
    frames = empty_frames()
    try:
        for n, file in enumerate(files, 1):
            try:
                doc = Document.model_validate_json(file.read_bytes())
            except OSError as exc:
                result.skipped.append(f"{file}: cannot read ({exc.strerror or exc})")
            except (ValidationError, ValueError) as exc:
                result.skipped.append(f"{file}: not a valid Document ({str(exc).splitlines()[0]})")
            else:
                flatten(doc, frames)
                result.documents += 1
            if progress:
                progress(file)
            if n % CHUNK == 0 or n == len(files):
                _flush(writer, frames, result)
                frames = empty_frames()
        if not files:
            _flush(writer, frames, result)
        result.files = writer.close()
    except BaseException:
        writer.abort()
        raise
    return result


def _flush(writer: Writer, frames: dict[str, Frame], result: ExportResult) -> None:
    writer.write(frames)
    for name, frame in frames.items():
        result.rows[name] = result.rows.get(name, 0) + len(frame.rows)
