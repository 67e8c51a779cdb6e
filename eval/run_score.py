"""One kind's extractions scored into its section of a run record (eval/run.py, eval/degraded.py)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from schemas import Document

from .score import DocScore, load_expected, score_document, summarise


@dataclass
class DocRun:
    """One document of one kind after extraction (or the lack of it)."""

    doc_id: str
    status: str  # ok | failed | not_run
    pred_path: Path | None = None
    error: str | None = None


def _usage(doc: Document | None) -> dict:
    usage = doc.run.usage if doc is not None and doc.run is not None else None
    if usage is None:
        return {"calls": 0, "input_tokens": 0, "output_tokens": 0, "cost": Decimal(0)}
    return {"calls": usage.calls, "input_tokens": usage.input_tokens, "output_tokens": usage.output_tokens,
            "cost": usage.cost or Decimal(0)}


def _add_usage(total: dict, part: dict) -> None:
    for k, v in part.items():
        total[k] = total.get(k, 0) + v


def _doc_entry(run: DocRun, score: DocScore | None, pred: Document | None, base: Path | None) -> dict:
    pred_path = run.pred_path and (os.path.relpath(run.pred_path, base) if base else str(run.pred_path))
    entry: dict = {"status": run.status, "error": run.error, "pred": pred_path or None}
    if score is None:
        return entry
    entry["seconds"] = pred.run.seconds if pred is not None and pred.run is not None else None
    entry["usage"] = _usage(pred)
    entry["tables"] = {k: {**c.metrics(), "presence": score.table_presence[k]} for k, c in score.tables.items()}
    entry["cells"] = score.cells
    entry["flagged"] = score.flagged  # gold pointer → why the prediction flags it (eval/flagged.py)
    return entry


def score_kind(gold_set: dict[str, tuple[Document, Path]], runs: dict[str, DocRun], base: Path | None = None) -> dict:
    """Score one kind's predictions; the section of the run record for that kind."""
    scores: list[DocScore] = []
    entries: dict[str, dict] = {}
    usage: dict = {"calls": 0, "input_tokens": 0, "output_tokens": 0, "cost": Decimal(0)}
    seconds = 0.0
    for doc_id, run in runs.items():
        gold, gold_path = gold_set[doc_id]
        if run.status == "not_run":
            entries[doc_id] = _doc_entry(run, None, None, base)
            continue
        pred = None
        if run.status == "ok":
            pred = Document.model_validate_json(Path(run.pred_path).read_text(encoding="utf-8"))
        score = score_document(pred or Document(doc_id=doc_id), gold, load_expected(gold_path))
        scores.append(score)
        entries[doc_id] = _doc_entry(run, score, pred, base)
        _add_usage(usage, entries[doc_id]["usage"])
        seconds += entries[doc_id]["seconds"] or 0.0
    section: dict = {"documents_scored": len(scores),
                     "not_run": [d for d, r in runs.items() if r.status == "not_run"],
                     "failed": [d for d, r in runs.items() if r.status == "failed"],
                     "usage": usage, "seconds": round(seconds, 3)}
    if scores:  # with nothing scored, an all-100% summary would be a lie
        report = summarise(scores)
        for doc_id, per_doc in report.pop("documents").items():
            entries[doc_id].update(per_doc)
        section.update(report)
    section["documents"] = entries
    return section
