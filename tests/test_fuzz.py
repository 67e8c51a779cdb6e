"""Over 200 bad or odd PDFs through `budgetx extract` as one batch: no traceback, one line of
reason per failure, and the good files among them still extracted."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from schemas import Document

from .conftest import ROOT, SAMPLES
from .fuzz_pdfs import make_corpus, tiny_disclosure

GOOD_SAMPLE = SAMPLES / "004_3fa3241a52f85770.pdf"


def budgetx(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from cli import app; app()", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def fuzz_batch(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz")
    good = tiny_disclosure(tmp_path_factory.mktemp("good") / "tiny.pdf")
    kinds = make_corpus(folder, good)
    shutil.copy(good, folder / "good_tiny.pdf")
    if GOOD_SAMPLE.exists():
        shutil.copy(GOOD_SAMPLE, folder / "good_sample.pdf")
    out = folder.parent / "out"
    run = budgetx("extract", str(folder), "-o", str(out), "--jobs", "2", "--json", "--timeout", "60")
    results = {Path(r["file"]).name: r for r in map(json.loads, run.stdout.splitlines())}
    return kinds, results, run, out


def test_fuzz_batch_never_crashes_and_says_why_in_one_line(fuzz_batch):
    kinds, results, run, _ = fuzz_batch
    assert len(kinds) >= 200
    assert "Traceback" not in run.stderr and "Traceback" not in run.stdout
    assert run.returncode == 1  # some documents failed, the batch itself did not
    assert set(kinds) <= set(results)
    failures = [r for r in results.values() if r["status"] == "failed"]
    assert failures
    for r in failures:
        assert r["error"] and "\n" not in r["error"] and Path(r["file"]).name in r["error"], r
        assert "internal error" not in r["error"], r  # a bug, not a bad input
    # The reasons a user can act on.
    expect = {"zero_size.pdf": "empty file", "text_file.pdf": "not a PDF", "enc_000.pdf": "encrypted",
              "pages_2500.pdf": "over the 2000-page cap", "size_000.pdf": "absurd page size",
              "pages_1500.pdf": "1500 pages, 1500 blank", "no_pages.pdf": "no pages"}
    for name, words in expect.items():
        assert results[name]["status"] == "failed" and words in results[name]["error"], results[name]


def test_fuzz_batch_still_extracts_the_good_files(fuzz_batch):
    kinds, results, _, out = fuzz_batch
    tiny = results["good_tiny.pdf"]
    assert tiny["status"] == "ok" and tiny["tables"] == 1
    doc = Document.model_validate_json((out / "good_tiny.json").read_text(encoding="utf-8"))
    assert doc.tables.t5.total.total == 100 and len(doc.tables.t5.rows) == 3
    if GOOD_SAMPLE.exists():
        assert results["good_sample.pdf"]["status"] == "ok" and results["good_sample.pdf"]["tables"] == 11
    # An owner password alone (no user password) opens and reads like the good file.
    assert results["enc_001.pdf"]["status"] == "ok" and results["enc_001.pdf"]["tables"] == 1
    # The injected instructions are text on a page, nothing more.
    assert all(results[f"injection_{i:03d}.pdf"]["status"] in ("ok", "failed") for i in range(3))
    for name, r in results.items():  # whatever was written is a valid Document
        if r["status"] == "ok":
            Document.model_validate_json(Path(r["output"]).read_text(encoding="utf-8"))
