"""The bodies of `budgetx export` and `budgetx extract --export`: run an export, report it."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from ..errors import BudgetxError
from . import default_path, export, find_outputs
from .base import check_format


def export_command(inputs: list[Path], fmt: str, path: Path | None, err: Console, quiet: bool = False) -> int:
    """Export the Document JSON files in inputs; returns the exit code (0, 1 some input skipped, 2 usage)."""
    try:
        check_format(fmt)
    except BudgetxError as exc:
        err.print(f"error: {exc}", highlight=False)
        return 2
    files = find_outputs(inputs)
    missing = [p for p in inputs if not p.exists()]
    if not files or missing:
        err.print(f"error: no Document JSON found in {', '.join(map(str, missing or inputs))}", highlight=False)
        return 2
    if path is None:
        path = default_path(inputs[0] if inputs[0].is_dir() else inputs[0].parent, fmt)
    try:
        result = export(files, fmt, path)
    except BudgetxError as exc:
        err.print(f"error: {exc}", highlight=False)
        return 1
    except OSError as exc:  # the target cannot be written (a file where a folder goes, no space …)
        err.print(f"error: {path}: {exc.strerror or exc}", highlight=False)
        return 1
    for reason in result.skipped:
        err.print(f"[red]SKIPPED[/red] {reason}", highlight=False)
    if not quiet:
        rows = ", ".join(f"{n} {name}" for name, n in result.rows.items())
        err.print(f"exported {result.documents} documents to {path} ({fmt}): {rows}", highlight=False)
    return 1 if result.skipped else 0
