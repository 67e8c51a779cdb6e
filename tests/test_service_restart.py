"""A server killed with SIGKILL in the middle of a job, started again, finishes that job.

Its own module: the API tests' module-scoped servers (sharing the PostgreSQL database) are gone by then.
"""

from __future__ import annotations

import os
import signal
import time

import pytest

pytest.importorskip("fastapi", reason="the service extra is not installed (pip install -e '.[service]')")

from tests.service_server import Server, backend_url, wait_done  # noqa: E402
from tests.test_service_api import BACKENDS, SAMPLE, upload  # noqa: E402


@pytest.mark.parametrize("backend", BACKENDS)
def test_restart_mid_job_finishes_the_job(backend, tmp_path):
    """kill -9 the server while a document is half read; started again, the job finishes."""
    srv = Server(tmp_path, backend_url(backend, tmp_path), workers=1,
                 env={"BUDGETX_SERVICE_PAGE_DELAY": "0.4"}).start()
    try:
        key = srv.key("restart")
        with srv.client(key) as c:
            doc = upload(c, SAMPLE).json()
            deadline = time.monotonic() + 60
            while (status := c.get(f"/v1/documents/{doc['id']}").json())["progress"]["pages_done"] < 3:
                assert time.monotonic() < deadline, status
                time.sleep(0.1)
        assert status["status"] == "running" and status["progress"]["pages_done"] < status["progress"]["pages_total"]
        srv.kill9()
        row = srv.store().get(srv.store().key_for(key), doc["id"])
        assert row["status"] == "running"  # killed mid-job: nobody finished it
        srv.env["BUDGETX_SERVICE_PAGE_DELAY"] = "0"
        srv.start()
        with srv.client(key) as c:
            final = wait_done(c, doc["id"])
            assert final["status"] == "done", final["error"]
            assert c.get(f"/v1/documents/{doc['id']}/result").json()["unit_name"] == final["unit_name"]
        assert srv.store().get(srv.store().key_for(key), doc["id"])["attempts"] == 2
    finally:
        srv.stop()


@pytest.mark.skipif(not os.path.exists("/proc/self/task"), reason="finds the worker through Linux's /proc")
def test_a_dead_worker_is_replaced_and_its_job_finished(tmp_path):
    """kill -9 one worker process mid-job: the server requeues the job and starts another worker."""
    srv = Server(tmp_path, workers=1, env={"BUDGETX_SERVICE_PAGE_DELAY": "0.3"}).start()
    try:
        key = srv.key("crash")
        with srv.client(key) as c:
            doc = upload(c, SAMPLE).json()
            deadline = time.monotonic() + 60
            while c.get(f"/v1/documents/{doc['id']}").json()["progress"]["pages_done"] < 2:
                assert time.monotonic() < deadline
                time.sleep(0.1)
            children = open(f"/proc/{srv.proc.pid}/task/{srv.proc.pid}/children").read().split()
            workers = [int(p) for p in children if "spawn_main" in open(f"/proc/{p}/cmdline").read()]
            assert len(workers) == 1
            os.kill(workers[0], signal.SIGKILL)
            final = wait_done(c, doc["id"])
            assert final["status"] == "done", final["error"]
            assert c.get("/healthz").json()["workers"] == 1
        assert srv.store().get(srv.store().key_for(key), doc["id"])["attempts"] == 2
    finally:
        srv.stop()
