"""Counts of what a gold document holds (a quick look at the labelled set)."""

from __future__ import annotations

import json
from pathlib import Path

from schemas import Document, Finding
from schemas.cells import amount_cells
from schemas.tables import TABLE_TITLES


def load_gold_dir(data_dir: Path) -> list[tuple[Document, list[Finding]]]:
    """Load every <doc_id>/gold.json (and its expected_findings.json) under data_dir."""
    pairs = []
    paths = sorted(Path(data_dir).glob("*/gold.json"))
    if not paths:
        raise FileNotFoundError(f"{data_dir}: no */gold.json files")
    for path in paths:
        try:
            doc = Document.model_validate_json(path.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise ValueError(f"{path}: not a valid Document: {exc}") from exc
        findings_path = path.with_name("expected_findings.json")
        findings = []
        if findings_path.exists():
            raw = json.loads(findings_path.read_text(encoding="utf-8"))
            findings = [Finding.model_validate(item) for item in raw]
        pairs.append((doc, findings))
    return pairs


def gold_stats(pair: tuple[Document, list[Finding]]) -> dict:
    """Tables present, rows, filled amount cells, sheets and indicators of one document."""
    doc, findings = pair
    present = [key for key in TABLE_TITLES if getattr(doc.tables, key).present]
    rows = sum(len(getattr(doc.tables, key).rows) for key in TABLE_TITLES)
    projects = doc.performance.projects
    overall = doc.performance.overall
    indicators = sum(len(s.indicators) for s in projects) + (len(overall.indicators) if overall else 0)
    return {
        "doc_id": doc.doc_id,
        "tables_present": len(present),
        "tables": present,
        "empty_tables": [key for key in present if getattr(doc.tables, key).empty_note],
        "rows": rows,
        "filled_cells": sum(1 for _ in amount_cells(doc)),
        "sheets": len(projects) + (1 if overall else 0),
        "project_sheets": len(projects),
        "indicators": indicators,
        "expected_findings": len(findings),
    }
