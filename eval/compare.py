"""Compare eval runs: figures side by side with deltas against the first run, and the cells that changed.

Everything is read from the run records (runs/NAME/run.json); nothing is re-extracted or re-scored.
A cell "changed" when one run got it right and the other did not (wrong, missing, or a value where gold
is blank). Cells are keyed by gold JSON pointers, so they line up across runs; a pointer absent from a
run's map means both gold and that prediction left the cell blank, which is right.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from schemas import Document
from schemas.tables import TABLE_TITLES

from .labels import cell_label
from .run import ROOT, load_run

OVERALL = (("cell_exact", "cells exact"), ("cell_f1", "cells F1"), ("cell_precision", "cells precision"),
           ("cell_recall", "cells recall"))
SHEETS = (("sheet_recall", "sheets recall"), ("indicator_recall", "indicators recall"),
          ("target_exact", "targets exact"))


@dataclass
class Metric:
    """One figure of every run; fmt says how to print it (pct, int, cost, sec)."""

    kind: str
    group: str  # overall | sheets | findings | flags | table | cost
    key: str
    label: str
    values: list[float | None]
    fmt: str = "pct"
    higher_is_better: bool = True


@dataclass
class CellDiff:
    kind: str
    doc_id: str
    pointer: str
    label: str
    base: str  # outcome in the first run
    other: str  # outcome in the other run
    other_run: str

    @property
    def improved(self) -> bool:
        return self.other == "correct"


def load_runs(paths: list[Path]) -> list[dict]:
    """Run records, each with a unique display name (the folder name, made unique if two clash)."""
    runs, seen = [], {}
    for path in paths:
        record = load_run(path)
        name = record.get("name") or Path(path).name
        seen[name] = seen.get(name, 0) + 1
        record["name"] = name if seen[name] == 1 else f"{name}#{seen[name]}"
        record["path"] = str(path)
        runs.append(record)
    return runs


def kinds_of(runs: list[dict]) -> list[str]:
    kinds: list[str] = []
    for run in runs:
        kinds += [k for k, s in run["kinds"].items() if k not in kinds and "overall" in s]
    return kinds


def _get(run: dict, kind: str, *path: str) -> float | None:
    obj = run["kinds"].get(kind)
    for part in path:
        if not isinstance(obj, dict) or part not in obj:
            return None
        obj = obj[part]
    return obj


def _table_exact(run: dict, kind: str, table: str) -> float | None:
    """A table's cells exact, or None when neither gold nor prediction had a cell in it (not a 100%)."""
    m = _get(run, kind, "tables", table)
    if not m or not (m["correct"] + m["wrong"] + m["missing"] + m["extra"]):
        return None
    return m["cell_exact"]


def collect_metrics(runs: list[dict]) -> list[Metric]:
    """Overall, sheet, finding, per-table and cost figures of each kind, one value per run."""
    out: list[Metric] = []
    for kind in kinds_of(runs):
        def add(group, key, label, path, fmt="pct", better=True):
            out.append(Metric(kind, group, key, label, [_get(r, kind, *path) for r in runs], fmt, better))

        add("overall", "documents", "documents scored", ("documents_scored",), "int")
        for key, label in OVERALL:
            add("overall", key, label, ("overall", key))
        for key, label in SHEETS:
            add("sheets", key, label, ("sheets", key))
        add("findings", "precision", "findings precision", ("findings", "precision"))
        add("findings", "recall", "findings recall", ("findings", "recall"))
        add("flags", "errors_flagged", "errors flagged", ("flags", "errors_flagged_rate"))
        add("flags", "false_alarms", "false alarms", ("flags", "false_alarms"), "int", False)
        for table, title in TABLE_TITLES.items():
            out.append(Metric(kind, "table", table, f"{table} {title}", [_table_exact(r, kind, table) for r in runs]))
        add("cost", "input_tokens", "input tokens", ("usage", "input_tokens"), "int", False)
        add("cost", "output_tokens", "output tokens", ("usage", "output_tokens"), "int", False)
        add("cost", "cost", "cost", ("usage", "cost"), "cost", False)
        add("cost", "seconds", "seconds", ("seconds",), "sec", False)
    return out


def scored_docs(run: dict, kind: str) -> set[str]:
    docs = (run["kinds"].get(kind) or {}).get("documents", {})
    return {d for d, e in docs.items() if e.get("status") != "not_run"}


def set_warnings(runs: list[dict]) -> list[str]:
    """Runs that scored different documents are not comparable figure for figure: say so."""
    notes = []
    for kind in kinds_of(runs):
        base = scored_docs(runs[0], kind)
        for run in runs[1:]:
            other = scored_docs(run, kind)
            if not other or not base:
                notes.append(f"{kind}: {(run if not other else runs[0])['name']} has no {kind} figures")
            elif other != base:
                notes.append(f"{kind}: {run['name']} scored {len(other)} documents, {runs[0]['name']} "
                             f"{len(base)}; only the {len(base & other)} in common are diffed cell by cell")
    return notes


class GoldCache:
    """Gold documents for row labels, loaded once per set folder (labels fall back without them)."""

    def __init__(self) -> None:
        self._sets: dict[str, dict[str, Document]] = {}

    def get(self, set_dir: str, doc_id: str) -> Document | None:
        if set_dir not in self._sets:
            docs = {}
            folder = Path(set_dir)
            if not folder.is_dir():  # a relative --set of a run made from the repository root
                folder = ROOT / set_dir
            for path in sorted(folder.glob("*/gold.json")):
                try:
                    doc = Document.model_validate_json(path.read_text(encoding="utf-8"))
                except (OSError, ValueError):
                    continue
                docs[doc.doc_id] = doc
            self._sets[set_dir] = docs
        return self._sets[set_dir].get(doc_id)


def _outcome(cells: dict, pointer: str) -> str:
    return cells.get(pointer, "correct")  # absent: both blank


def diff_cells(base: dict, other: dict, golds: GoldCache | None = None) -> list[CellDiff]:
    """Gold cells one run got right and the other not, for every kind and document both scored."""
    golds = golds or GoldCache()
    out: list[CellDiff] = []
    for kind in kinds_of([base, other]):
        for doc_id in sorted(scored_docs(base, kind) & scored_docs(other, kind)):
            a = base["kinds"][kind]["documents"][doc_id].get("cells", {})
            b = other["kinds"][kind]["documents"][doc_id].get("cells", {})
            gold = None
            for pointer in sorted(p for p in set(a) | set(b) if not p.startswith("+")):
                oa, ob = _outcome(a, pointer), _outcome(b, pointer)
                if (oa == "correct") == (ob == "correct"):
                    continue
                if gold is None:
                    gold = golds.get(base["config"]["set_dir"], doc_id)
                out.append(CellDiff(kind, doc_id, pointer, cell_label(pointer, gold), oa, ob, other["name"]))
    return out


def compare(paths: list[Path]) -> dict:
    """Everything the terminal, JSON and HTML views show."""
    runs = load_runs(paths)
    golds = GoldCache()
    diffs = [d for other in runs[1:] for d in diff_cells(runs[0], other, golds)]
    return {"runs": runs, "metrics": collect_metrics(runs), "diffs": diffs, "warnings": set_warnings(runs)}


def fmt_value(value: float | None, fmt: str) -> str:
    if value is None:
        return "-"
    if fmt == "pct":
        return f"{100 * value:.2f}%"
    if fmt == "int":
        return f"{int(value):,}"
    if fmt == "cost":
        return f"{value:.4f}"
    return f"{value:.1f}s"


def fmt_delta(value: float | None, base: float | None, fmt: str) -> str:
    if value is None or base is None:
        return ""
    d = value - base
    if abs(d) < 1e-12:
        return "±0"
    if fmt == "pct":
        return f"{100 * d:+.2f}pp"
    return f"{d:+,.0f}" if fmt == "int" else f"{d:+.4f}" if fmt == "cost" else f"{d:+.1f}s"


def as_json(result: dict) -> dict:
    """The compare result as plain JSON (run records reduced to their identity and figures)."""
    runs = [{"name": r["name"], "path": r["path"], "config": r["config"], "git": r["git"],
             "created": r["created"]} for r in result["runs"]]
    return {"runs": runs, "metrics": [asdict(m) for m in result["metrics"]],
            "diffs": [asdict(d) for d in result["diffs"]], "warnings": result["warnings"]}


def print_compare(result: dict, console, limit: int = 40) -> None:
    """Side-by-side figures with deltas, then the changed cells (up to limit per pair)."""
    from rich.table import Table

    runs = result["runs"]
    for kind in dict.fromkeys(m.kind for m in result["metrics"]):
        table = Table(title=f"{kind}: {' vs '.join(r['name'] for r in runs)}")
        table.add_column("figure")
        for i, run in enumerate(runs):
            table.add_column(run["name"], justify="right")
            if i:
                table.add_column("Δ", justify="right")
        group = None
        for m in (m for m in result["metrics"] if m.kind == kind):
            if group is not None and m.group != group:
                table.add_section()
            group = m.group
            cells = [fmt_value(m.values[0], m.fmt)]
            for v in m.values[1:]:
                delta = fmt_delta(v, m.values[0], m.fmt)
                good = delta.startswith("+") == m.higher_is_better
                colour = "green" if good else "red"
                cells += [fmt_value(v, m.fmt), f"[{colour}]{delta}[/{colour}]" if delta not in ("", "±0") else delta]
            table.add_row(m.label, *cells)
        console.print(table)
    for note in result["warnings"]:
        console.print(f"[yellow]note: {note}[/yellow]", highlight=False)
    base = runs[0]["name"]
    for run in runs[1:]:
        diffs = [d for d in result["diffs"] if d.other_run == run["name"]]
        better = sum(d.improved for d in diffs)
        console.print(f"\n{run['name']} vs {base}: {better} cells right only in {run['name']}, "
                      f"{len(diffs) - better} right only in {base}", highlight=False)
        if not diffs:
            continue
        if limit <= 0:
            console.print("(listed with --json or --html)")
            continue
        table = Table()
        for col in ("kind", "document", "cell", base, run["name"], "pointer"):
            table.add_column(col)
        for d in diffs[:limit]:
            table.add_row(d.kind, d.doc_id, d.label, d.base, d.other, d.pointer)
        console.print(table)
        if len(diffs) > limit:
            console.print(f"… and {len(diffs) - limit} more (see --json or --html)")
