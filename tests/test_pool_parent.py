"""Pool workers end with the process that started them (``extractor.page_pool.spawn_pool``)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from .conftest import ROOT

_PARENT = """
import sys, time
from extractor.page_pool import spawn_pool
pool = spawn_pool(1)
print(pool.submit(__import__("os").getpid).result(), flush=True)
pool.submit(time.sleep, 600)
time.sleep(600)
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_a_worker_ends_when_its_parent_is_killed_alone():
    # `kill PID` reaches the batch's own process only; its workers, busy with a page, went on.
    parent = subprocess.Popen([sys.executable, "-c", _PARENT], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    worker = int(parent.stdout.readline())
    assert _alive(worker)
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 30
    while _alive(worker) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _alive(worker)
