"""A batch on a local Ray gives what the process pool gives; a killed Ray batch resumes like a local one."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from extractor.executors import EXECUTORS
from extractor.pipeline import Options
from schemas import Document

from .conftest import ROOT, SAMPLES

# Ray binds its node to the machine's network address unless told to keep to loopback (its switch
# for laptops); tests stay on loopback. Read when ray is first imported.
os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
ray = pytest.importorskip("ray")

# The two smallest born-digital samples keep the test short on a 2-core machine.
SMALL = [SAMPLES / "000_5dac6d90f1d45d5f.pdf", SAMPLES / "004_3fa3241a52f85770.pdf"]


@pytest.fixture(scope="module")
def ray_cluster():
    """A local Ray of 2 CPUs on loopback, started by the test; yields its address."""
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        address = ray.get_runtime_context().gcs_address
        assert address.startswith("127.0.0.1:")
        yield address
    finally:
        ray.shutdown()


def comparable(path: Path, doc_id: str | None = None) -> dict:
    """An output without what differs run to run (seconds) or by the copy's name."""
    data = json.loads(path.read_text(encoding="utf-8"))
    data["run"]["seconds"] = None
    if doc_id:
        data["doc_id"] = doc_id
        data["source"]["file"] = f"{doc_id}.pdf"
    return data


def test_ray_batch_equals_the_process_pool(ray_cluster, tmp_path):
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.7\nnot really")
    pdfs = [*SMALL, bad, tmp_path / "missing.pdf"]
    runs = {}
    for name in ("process", "ray"):
        out = tmp_path / name
        runner = EXECUTORS.create(name, jobs=2)
        runs[name] = {r.path.name: r for r in runner.run(pdfs, out, Options())}
        again = {r.path.name: r.status for r in runner.run(pdfs, out, Options())}
        assert again == {"000_5dac6d90f1d45d5f.pdf": "skipped", "004_3fa3241a52f85770.pdf": "skipped",
                         "broken.pdf": "failed", "missing.pdf": "failed"}
    local, remote = runs["process"], runs["ray"]
    assert {k: (r.status, r.error, r.summary.get("findings")) for k, r in local.items()} == \
        {k: (r.status, r.error, r.summary.get("findings")) for k, r in remote.items()}
    assert [local[p.name].status for p in SMALL] == ["ok", "ok"]
    for pdf in SMALL:
        assert comparable(tmp_path / "ray" / f"{pdf.stem}.json") == comparable(tmp_path / "process" / f"{pdf.stem}.json")
        assert remote[pdf.name].output == tmp_path / "ray" / f"{pdf.stem}.json"
    assert sorted(p.name for p in (tmp_path / "ray").iterdir()) == sorted(f"{p.stem}.json" for p in SMALL)


def test_killed_ray_batch_resumes(ray_cluster, tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    for i in range(4):
        for pdf in SMALL:
            shutil.copy(pdf, inputs / f"c{i}_{pdf.name}")
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "cli", "extract", str(inputs), "-o", str(out), "--executor", "ray",
           "--ray-address", ray_cluster, "--json"]
    driver = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    deadline = time.monotonic() + 240
    while not list(out.glob("*.json")) and time.monotonic() < deadline and driver.poll() is None:
        time.sleep(0.2)
    os.killpg(driver.pid, signal.SIGKILL)  # the driver and anything it started, nothing else
    driver.wait()
    done = sorted(p.name for p in out.glob("*.json"))
    assert 1 <= len(done) < 8, "the batch should be killed part way"
    for path in done:  # atomic: whatever is there is a whole Document
        Document.model_validate_json((out / path).read_bytes())

    rerun = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    statuses = {Path(r["file"]).name.replace(".pdf", ".json"): r["status"]
                for r in map(json.loads, rerun.stdout.splitlines())}
    assert {k for k, v in statuses.items() if v == "skipped"} == set(done)
    assert {k for k, v in statuses.items() if v == "ok"} == {f"c{i}_{p.stem}.json" for i in range(4) for p in SMALL} - set(done)
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == sorted(statuses)
    for pdf in SMALL:  # every copy reads the same as the original would
        first = comparable(out / f"c0_{pdf.stem}.json", pdf.stem)
        for i in range(1, 4):
            assert comparable(out / f"c{i}_{pdf.stem}.json", pdf.stem) == first


def test_llm_budgets_and_cache_hold_per_document_on_ray(ray_cluster, tmp_path):
    """Each Ray task has its own LLM budget; a re-run is answered from the cache, not the model."""
    from .llm_server import Fault, FakeLlm

    doc_id = "004_3fa3241a52f85770"
    gold = Document.model_validate_json((ROOT / "eval" / "data" / doc_id / "gold.json").read_text(encoding="utf-8"))
    pdfs = []
    for i in range(2):
        pdfs.append(tmp_path / "in" / f"c{i}_{doc_id}.pdf")
        pdfs[-1].parent.mkdir(exist_ok=True)
        shutil.copy(SAMPLES / f"{doc_id}.pdf", pdfs[-1])
    server = FakeLlm(gold).start()
    try:
        llm = {"model": "test", "base_url": server.url, "api_key": "test", "prompt": "v1",
               "cache_dir": str(tmp_path / "cache")}
        runner = EXECUTORS.create("ray")
        server.faults.append(Fault("t5", "unreconciled_always", sticky=True))
        stopped = list(runner.run(pdfs, tmp_path / "out", Options(engine="llm", engine_options={**llm, "max_calls": 5})))
        assert [r.status for r in stopped] == ["failed", "failed"]
        assert all("LLM budget exhausted after 5 calls" in r.error for r in stopped)
        for pdf in pdfs:  # each document spent its own 5 calls; what it had is kept
            kept = Document.model_validate_json((tmp_path / "out" / f"{pdf.stem}.json").read_bytes())
            assert kept.run.usage.calls == 5 and kept.run.version is None
        server.faults.clear()
        done = list(runner.run(pdfs, tmp_path / "out", Options(engine="llm", engine_options=llm)))
        assert [r.status for r in done] == ["ok", "ok"]
        asked = len(server.calls)
        again = list(runner.run(pdfs, tmp_path / "out", Options(engine="llm", engine_options=llm), force=True))
        assert [r.status for r in again] == ["ok", "ok"] and len(server.calls) == asked  # all from the cache
    finally:
        server.stop()
