"""Helpers of the service tests: a store backend per test, a running server, waiting for a job."""

from __future__ import annotations

import os
import time
from pathlib import Path

import httpx

from extractor.service.local import Server, free_port  # noqa: F401 (the tests' server)

PG_ENV = "BUDGETX_TEST_PG"  # a PostgreSQL URL (.ci/run starts a server and sets it)


def backend_url(backend: str, data_dir: Path) -> str | None:
    """--db for a backend: None (SQLite in the data dir) or the test PostgreSQL, emptied first."""
    if backend == "sqlite":
        return None
    url = os.environ.get(PG_ENV)
    if not url:
        import pytest

        pytest.skip(f"PostgreSQL tests need a server: set {PG_ENV}=postgresql://user:pw@host/db "
                    "(.ci/run installs and starts one)")
    from extractor.service.store import Store, database_url

    Store(database_url(url, data_dir)).reset()
    return url


def wait_done(client: httpx.Client, doc_id: str, timeout: float = 120) -> dict:
    """Poll a document's status until it is done or failed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = client.get(f"/v1/documents/{doc_id}").json()
        if body["status"] in ("done", "failed"):
            return body
        time.sleep(0.2)
    raise AssertionError(f"document {doc_id} not finished after {timeout}s: {body}")
