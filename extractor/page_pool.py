"""One document's scanned pages read side by side in worker processes.

``--jobs N`` puts documents side by side; given one PDF it had nothing to share, and a 139-page
scan read on one core while the other idled. Here the text layers are read in this process and
the pages that need OCR go to N worker processes, each with its own OCR backend. Pages are read
independently of each other, so the words are the same as when read one after another.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from pathlib import Path

from .ocr_backends import LazyOcr
from .pages import Limits, Page, load_page, load_pages, open_pdf, read_in_turn, stop_if_late

_open: dict[str, object] = {}  # a worker's open PDF (its pages come one at a time)


def load_pages_side_by_side(path: Path, limits: Limits, ocr: LazyOcr, workers: int, progress=None,
                            deadline: float | None = None) -> tuple[list[Page], dict]:
    """Like ``pages.load_pages``, with the pages that need OCR read by ``workers`` processes."""
    path = Path(path)
    pages, source = load_pages(path, limits, None, deadline=deadline)  # OCR pages come back empty
    todo = [i for i, page in enumerate(pages) if page.source == "ocr"]
    total, done = len(pages), len(pages) - len(todo)
    if progress is not None and done:
        progress(done, total)
    if len(todo) < 2 or workers < 2:  # nothing to share: read here
        doc = open_pdf(path, limits)
        try:
            read_in_turn(doc, path, limits, ocr, pages, todo, done, progress, deadline)
        finally:
            doc.close()
        return pages, source
    name, threads = ocr.key
    pool = spawn_pool(min(workers, len(todo)))
    try:
        running = {pool.submit(read_page, str(path), i, limits, name, threads): i for i in todo}
        while running:
            stop_if_late(deadline, limits, path, done, total, min(running.values()) + 1)
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            finished, _ = wait(running, timeout=left, return_when=FIRST_COMPLETED)
            for future in finished:
                pages[running.pop(future)] = future.result()  # a page's error is the document's
                done += 1
                if progress is not None:
                    progress(done, total)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)  # a failed or late document stops its pages
    return pages, source


def read_page(path: str, index: int, limits: Limits, name: str, threads: int | None) -> Page:
    """One page read in a worker process (its PDF kept open for the next of its pages)."""
    doc = _open.get(path)
    if doc is None:
        for old in _open.values():
            old.close()
        _open.clear()
        doc = _open[path] = open_pdf(Path(path), limits)
    return load_page(doc, index, Path(path), limits, LazyOcr(name, threads))


def spawn_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of ``workers`` processes, each ending with the process that started it."""
    # spawn, not fork: a parent that already runs an inference engine's threads must not be forked.
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"), initializer=_end_with_parent)


def _end_with_parent() -> None:
    """A pool worker's start: exit once its parent is gone. A batch stopped by a signal to its
    own process only (``kill PID``) left its workers reading OCR pages for the better part of
    an hour."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="end-with-parent", daemon=True).start()
