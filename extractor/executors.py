"""Where a batch's documents run: the local process pool or Ray tasks, behind one registry.

Both keep the batch's contract (extractor/batch.py): a document whose output is up to date is
skipped, every other one yields one Result (ok or failed, never an exception), and outputs are
written atomically, so a killed batch resumes where it stopped.
"""

from __future__ import annotations

import logging
import os
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .batch import Result, _stamp, is_up_to_date, output_path, process_one, run_batch, write_atomic
from .errors import ExecutorError
from .pipeline import Options
from .registry import Registry

EXECUTORS: Registry["Executor"] = Registry("executor")

# Passed to the workers of a remote Ray cluster, which do not share the driver's environment.
FORWARDED_ENV = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "BUDGETX_MODEL", "BUDGETX_PRICES", "XDG_CACHE_HOME")


class Executor:
    """Runs process_one over a batch; yields each document's Result as it finishes."""

    def run(self, pdfs: list[Path], outdir: Path, options: Options, force: bool = False) -> Iterator[Result]:
        raise NotImplementedError  # pragma: no cover - interface


@EXECUTORS.register("process")
class ProcessExecutor(Executor):
    """Local processes (``--jobs``): scanned pages shared among them, born-digital documents whole."""

    def __init__(self, jobs: int = 1, **_ignored):
        self.jobs = jobs

    def run(self, pdfs, outdir, options, force=False):
        yield from run_batch(pdfs, outdir, options, jobs=self.jobs, force=force)


def extract_bytes(name: str, data: bytes, original: str, options: Options) -> tuple[Result, str | None]:
    """Extract a PDF sent as bytes in a scratch folder; returns the Result and the output's text.

    What a Ray worker runs: it needs no file system shared with the driver, which writes the output.
    """
    with tempfile.TemporaryDirectory(prefix="budgetx-") as tmp:
        pdf = Path(tmp) / "in" / name
        pdf.parent.mkdir()
        pdf.write_bytes(data)
        result = process_one(pdf, Path(tmp) / "out", options, force=True)
        text = result.output.read_text(encoding="utf-8") if result.output else None
    if result.error:  # name the file the user gave, not the scratch copy
        result.error = result.error.replace(str(pdf), original)
    result.path, result.output = Path(original), None
    return result, text


def _reachable(address: str, timeout: float = 5.0) -> None:
    """Ray waits minutes for a GCS that is not there; a plain host:port is tried first."""
    host, sep, port = address.rpartition(":")
    if not sep or "://" in address or not port.isdigit():
        return  # "auto", ray://… : left to Ray
    try:
        socket.create_connection((host, int(port)), timeout=timeout).close()
    except OSError as exc:
        raise ExecutorError(f"cannot reach the Ray cluster at {address}: {exc.strerror or exc}") from exc


@EXECUTORS.register("ray")
class RayExecutor(Executor):
    """Documents as Ray tasks, on a cluster (``address``, or $RAY_ADDRESS) or a local Ray started
    with ``jobs`` CPUs. A Ray already initialised in this process (a test, a service) is reused."""

    def __init__(self, jobs: int | None = None, address: str | None = None, in_flight: int | None = None,
                 **_ignored):
        try:
            import ray
        except ImportError as exc:
            raise ExecutorError("--executor ray needs Ray: pip install 'budgetx[ray]'") from exc
        self.ray = ray
        self.jobs, self.address, self.in_flight = jobs, address or os.environ.get("RAY_ADDRESS"), in_flight

    def _connect(self) -> bool:
        """Start or join Ray; True when this executor started it (and so shuts it down)."""
        ray = self.ray
        if ray.is_initialized():
            return False
        kwargs: dict = {"include_dashboard": False, "log_to_driver": False, "logging_level": logging.WARNING}
        if self.address:
            _reachable(self.address)
            env = {k: os.environ[k] for k in FORWARDED_ENV if k in os.environ}
            kwargs.update(address=self.address, runtime_env={"env_vars": env} if env else None)
        else:
            kwargs.update(num_cpus=self.jobs or os.cpu_count())
        try:
            ray.init(**kwargs)
        except Exception as exc:  # ConnectionError, a bad address, a version mismatch …
            raise ExecutorError(f"cannot start or reach Ray{' at ' + self.address if self.address else ''}: {exc}") from exc
        return True

    def run(self, pdfs, outdir, options, force=False):
        ray = self.ray
        started = self._connect()
        task = ray.remote(num_cpus=1)(extract_bytes)
        # A bounded window of tasks in flight: PDFs go through the object store as they are needed.
        window = self.in_flight or max(4, 2 * int(ray.cluster_resources().get("CPU", 1)))
        running: dict = {}
        todo = iter(pdfs)
        try:
            while True:
                while len(running) < window:
                    pdf = next(todo, None)
                    if pdf is None:
                        break
                    ref = self._submit(task, pdf, outdir, options, force)
                    if isinstance(ref, Result):
                        yield ref
                    else:
                        running[ref] = pdf
                if not running:
                    break
                done, _ = ray.wait(list(running), num_returns=1)
                pdf = running.pop(done[0])
                yield self._collect(done[0], pdf, outdir)
        finally:
            for ref in running:  # an abandoned batch (Ctrl-C, a closed generator) stops its tasks
                ray.cancel(ref, force=True)
            if started:
                ray.shutdown()

    def _submit(self, task, pdf: Path, outdir: Path, options: Options, force: bool):
        """A task reference, or the Result straight away (up to date, unreadable)."""
        out = output_path(outdir, pdf)
        try:
            if not force and is_up_to_date(out, _stamp(pdf, options)):
                return Result(pdf, "skipped", out)
            data = pdf.read_bytes()
        except OSError as exc:
            return Result(pdf, "failed", error=f"{pdf}: {exc.strerror or exc}")
        return task.remote(pdf.name, data, str(pdf), options)

    def _collect(self, ref, pdf: Path, outdir: Path) -> Result:
        try:
            result, text = self.ray.get(ref)
        except self.ray.exceptions.RayError as exc:  # the worker died (crash, OOM, lost node) after retries
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            return Result(pdf, "failed", error=f"{pdf}: internal error: {type(exc).__name__}: {reason}")
        if text is not None:
            result.output = output_path(outdir, pdf)
            write_atomic(result.output, text)
        return result
