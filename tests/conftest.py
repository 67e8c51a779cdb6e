"""Shared fixtures: the labelled eval set and paths."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "eval" / "data"
SAMPLES = ROOT / "samples"


def gold_paths() -> list[Path]:
    """The gold files present in the eval set."""
    return sorted(DATA.glob("*/gold.json"))


@pytest.fixture(scope="session")
def gold_docs():
    """Every gold Document of the eval set, loaded once."""
    from schemas import Document

    return {p.parent.name: Document.model_validate_json(p.read_text(encoding="utf-8")) for p in gold_paths()}
