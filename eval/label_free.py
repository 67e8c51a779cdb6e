"""Label-free figures for real disclosures that have no gold: what was located, read and reconciled.

Without labels the only honest measures are structural: how many printed tables each document
yielded (in a contract slot or kept as a generic table), how many rows they hold, and how many of
the checker's identities held (`Document.reconcile`). A document that fails is listed with its
error (a 决算 file, for one, must fail with its clear reason, so a failure is not always a fault).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from schemas import Document
from schemas.tables import TABLE_TITLES

ROOT = Path(__file__).resolve().parents[1]
# CI clones the repository beside ../shared; a developer machine keeps it at /work/shared.
DEFAULT_DIRS = (ROOT.parent / "shared" / "realworld", Path("/work/shared/realworld"))


def default_dir() -> Path | None:
    """The first folder of real PDFs that exists, or None."""
    return next((d for d in DEFAULT_DIRS if d.is_dir()), None)


def document_figures(doc: Document) -> dict:
    """Tables located (contract slots and generic), rows, and the reconcile tally of one Document."""
    slots = [k for k in TABLE_TITLES if getattr(doc.tables, k).present]
    rows = sum(len(getattr(doc.tables, k).rows) for k in slots)
    generic_rows = sum(len(g.rows) for g in doc.generic_tables)
    rec = doc.reconcile
    return {
        "template": doc.template, "document_kind": doc.document_kind,
        "tables": len(slots), "slots": slots, "generic_tables": len(doc.generic_tables),
        "rows": rows, "generic_rows": generic_rows,
        "evaluated": rec.evaluated if rec is not None else None,
        "held": rec.held if rec is not None else None,
    }


def rate(held: int | None, evaluated: int | None) -> float | None:
    return round(held / evaluated, 6) if held is not None and evaluated else None


def measure(folder: Path, pred_dir: Path, options, exclude: set[str] = frozenset(), jobs: int = 1,
            on_result: Callable[[str, str, str | None], None] | None = None) -> dict:
    """Extract every PDF of folder (except the stems in exclude, which have gold) and sum the figures.

    on_result(stem, status, error) is called as each document finishes.
    """
    from extractor.batch import output_path, run_batch

    pdfs = sorted(p for p in Path(folder).glob("*.pdf") if p.stem not in exclude)
    documents: dict[str, dict] = {}
    for result in run_batch(pdfs, pred_dir, options, jobs=jobs, force=True):
        stem = result.path.stem
        if result.status == "ok":
            doc = Document.model_validate_json(Path(result.output).read_text(encoding="utf-8"))
            documents[stem] = {"status": "ok", "error": None, **document_figures(doc)}
            documents[stem]["rate"] = rate(documents[stem]["held"], documents[stem]["evaluated"])
        else:
            output_path(pred_dir, result.path).unlink(missing_ok=True)
            documents[stem] = {"status": "failed", "error": result.error}
        if on_result:
            on_result(stem, result.status, result.error)
    ok = [d for d in documents.values() if d["status"] == "ok"]
    evaluated = sum(d["evaluated"] or 0 for d in ok)
    held = sum(d["held"] or 0 for d in ok)
    measured = any(d["evaluated"] is not None for d in ok)
    return {
        "folder": str(folder), "documents_run": len(documents),
        "failed": sorted(s for s, d in documents.items() if d["status"] != "ok"),
        "empty": sorted(s for s, d in documents.items()
                        if d["status"] == "ok" and not d["tables"] and not d["generic_tables"]),
        "tables": sum(d["tables"] for d in ok), "generic_tables": sum(d["generic_tables"] for d in ok),
        "rows": sum(d["rows"] for d in ok), "generic_rows": sum(d["generic_rows"] for d in ok),
        "evaluated": evaluated if measured else None, "held": held if measured else None,
        "rate": rate(held, evaluated) if measured else None,
        "documents": dict(sorted(documents.items())),
    }


def print_label_free(section: dict, console) -> None:
    """The label-free block of a run: one line per document, the sums, n/a where no tally exists."""
    from rich.table import Table

    def pct(value) -> str:
        return "n/a" if value is None else f"{100 * value:.2f}%"

    console.print(f"label-free: {section['documents_run']} real documents without gold from {section['folder']}, "
                  f"{len(section['failed'])} failed", highlight=False)
    table = Table(show_header=True, header_style="bold")
    for col in ("doc", "template", "tables", "generic", "rows", "held/evaluated", "reconcile"):
        table.add_column(col, justify="left" if col in ("doc", "template") else "right")
    for stem, d in section["documents"].items():
        if d["status"] != "ok":
            table.add_row(stem, "[red]failed[/red]", "", "", "", "", "")
            continue
        tally = "n/a" if d["evaluated"] is None else f"{d['held']}/{d['evaluated']}"
        table.add_row(stem, d["template"] or "", str(d["tables"]), str(d["generic_tables"]),
                      str(d["rows"] + d["generic_rows"]), tally, pct(d["rate"]))
    tally = "n/a" if section["evaluated"] is None else f"{section['held']}/{section['evaluated']}"
    table.add_row("all", "", str(section["tables"]), str(section["generic_tables"]),
                  str(section["rows"] + section["generic_rows"]), tally, pct(section["rate"]), style="bold")
    console.print(table)
    for stem in section["failed"]:
        console.print(f"[red]failed[/red] {stem}: {section['documents'][stem]['error']}", highlight=False)
