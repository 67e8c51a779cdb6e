"""Extraction workers: processes that take queued documents from the store and run the CLI's pipeline.

The server process only supervises: a worker that dies has its job requeued and is replaced; a
worker whose server died (kill -9) stops too, and the restarted server requeues what was running.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import socket
import threading
import time
import uuid
from pathlib import Path

from ..batch import OUTPUT_VERSION
from ..errors import BudgetExceededError, BudgetxError
from ..options import build_options
from ..pipeline import extract
from .files import blob_path
from .store import Store

# Seconds to wait after each page: lets tests and demos watch a job mid-way (never set in production).
PAGE_DELAY_ENV = "BUDGETX_SERVICE_PAGE_DELAY"


class Abandoned(Exception):
    """The job is no longer this worker's (deleted, or requeued after this worker was given up on)."""


def run_job(store: Store, data_dir: Path, job: dict) -> None:
    """Extract one claimed document and store its result or its error."""
    pdf = blob_path(data_dir, job["sha256"])
    delay = float(os.environ.get(PAGE_DELAY_ENV) or 0)

    def on_page(done: int, total: int) -> None:
        if not store.progress(job["id"], job["claim"], done, total):
            raise Abandoned
        if delay:
            time.sleep(delay)

    def named(exc: Exception) -> str:  # the user knows the file by its upload name, not its address
        return str(exc).replace(str(pdf), job["filename"])

    try:
        doc = extract(pdf, build_options(**json.loads(job["options"])), on_page)
    except Abandoned:
        return
    except BudgetExceededError as exc:  # the LLM budget ran out: what was extracted is kept
        partial = getattr(exc, "document", None)
        if partial is None:
            store.fail(job["id"], job["claim"], named(exc))
        else:
            store.finish(job["id"], job["claim"], _result(partial, job), partial.unit_name, partial.year, named(exc))
        return
    except BudgetxError as exc:
        store.fail(job["id"], job["claim"], named(exc))
        return
    except Exception as exc:  # a bug fails this document, not the worker
        store.fail(job["id"], job["claim"], f"internal error: {type(exc).__name__}: {named(exc)}")
        return
    store.finish(job["id"], job["claim"], _result(doc, job), doc.unit_name, doc.year)


def _result(doc, job: dict) -> str:
    # The CLI names a document after its file; so does the service (the stored file is its digest).
    doc.doc_id = Path(job["filename"]).stem
    if doc.source is not None:
        doc.source.file = job["filename"]
    doc.run.version = OUTPUT_VERSION
    return doc.model_dump_json()


def worker_main(db_url: str, data_dir: str, worker_id: str, parent_pid: int, poll: float = 0.3) -> None:
    """A worker process: claim, extract, store, until the server goes away."""
    threading.Thread(target=_exit_with_parent, args=(parent_pid,), daemon=True).start()
    store = Store(db_url)
    while True:
        job = store.claim(worker_id)
        if job is None:
            time.sleep(poll)
            continue
        run_job(store, Path(data_dir), job)


def _exit_with_parent(parent_pid: int) -> None:
    # An orphan would go on extracting a job the restarted server has already requeued.
    while os.getppid() == parent_pid:
        time.sleep(0.5)
    os._exit(1)


class Workers:
    """N worker processes, each replaced (and its job requeued) when it dies."""

    def __init__(self, store: Store, data_dir: Path, count: int):
        self.store, self.data_dir, self.count = store, Path(data_dir), count
        self.host = socket.gethostname()
        self.procs: list[tuple[multiprocessing.Process, str]] = []
        self._stop = threading.Event()
        self._context = multiprocessing.get_context("spawn")  # never fork the server's event loop

    def start(self) -> None:
        self.procs = [self._spawn() for _ in range(self.count)]
        threading.Thread(target=self._watch, daemon=True, name="budgetx-workers").start()

    def _spawn(self) -> tuple[multiprocessing.Process, str]:
        worker_id = f"{self.host}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        proc = self._context.Process(target=worker_main, args=(self.store.url, str(self.data_dir), worker_id,
                                                               os.getpid()), daemon=True, name=worker_id)
        proc.start()
        return proc, worker_id

    def _watch(self) -> None:
        while not self._stop.wait(1.0):
            for i, (proc, worker_id) in enumerate(self.procs):
                if not proc.is_alive() and not self._stop.is_set():
                    self.store.requeue(worker_id)
                    self.procs[i] = self._spawn()

    def alive(self) -> int:
        return sum(proc.is_alive() for proc, _ in self.procs)

    def stop(self) -> None:
        """Stop every worker; their unfinished jobs go back to the queue."""
        self._stop.set()
        for proc, _ in self.procs:
            proc.terminate()
        for proc, worker_id in self.procs:
            proc.join(5)
            if proc.is_alive():
                proc.kill()
            self.store.requeue(worker_id)
