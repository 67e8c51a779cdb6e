"""A batch killed with SIGKILL in the middle and run again: nothing lost, nothing done twice."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from schemas import Document

from .conftest import ROOT
from .fuzz_pdfs import tiny_disclosure


def _start(folder: Path, out: Path, jobs: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "from cli import app; app()", "extract", str(folder), "-o", str(out),
                             "--json", "--jobs", str(jobs)], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, start_new_session=True)


@pytest.mark.parametrize("jobs", [1, 2])
def test_killed_batch_resumes_without_loss_or_repeats(tmp_path, jobs):
    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    good = tiny_disclosure(tmp_path / "tiny.pdf")
    names = [f"d{i:02d}" for i in range(14)]
    for name in names:
        shutil.copy(good, folder / f"{name}.pdf")

    first = _start(folder, out, jobs)
    done_first = []
    for line in first.stdout:  # kill the whole batch (workers too) once a few documents are done
        done_first.append(Path(json.loads(line)["file"]).stem)
        if len(done_first) == 4:
            os.killpg(first.pid, signal.SIGKILL)
            break
    first.wait(timeout=60)
    assert first.returncode == -signal.SIGKILL
    assert len(done_first) == 4 and len(list(out.glob("*.json"))) < len(names)
    # A write cut short by the kill leaves at most a temporary file, never half a JSON.
    for name in (done_first[0], names[-1]):
        (out / f".{name}.json.x1y2.tmp").write_text('{"doc_id": "d1', encoding="utf-8")
    written = {p.stem: p.stat().st_mtime_ns for p in out.glob("*.json")}

    second = subprocess.run([sys.executable, "-c", "from cli import app; app()", "extract", str(folder), "-o",
                             str(out), "--json", "--jobs", str(jobs)], cwd=ROOT, capture_output=True, text=True,
                            timeout=300)
    assert second.returncode == 0, second.stderr
    status = {Path(r["file"]).stem: r["status"] for r in map(json.loads, second.stdout.splitlines())}
    assert sorted(status) == names
    # Nothing done twice: whatever the killed run finished is skipped, untouched.
    assert {n for n, s in status.items() if s == "skipped"} == set(written)
    assert set(done_first) <= set(written)
    assert all((out / f"{n}.json").stat().st_mtime_ns == t for n, t in written.items())
    # Nothing lost: every document has its output, each a valid Document; no temporary file left.
    for name in names:
        doc = Document.model_validate_json((out / f"{name}.json").read_text(encoding="utf-8"))
        assert doc.tables.t5.present and doc.doc_id == name
    assert not list(out.glob(".*.tmp"))
