"""A `budgetx serve` in a subprocess on a free loopback port: the service tests and the load benchmark."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`budgetx serve` with its own data dir; start, kill -9, start again on the same store."""

    def __init__(self, data_dir: Path, db: str | None = None, workers: int = 1, env: dict | None = None,
                 args: tuple[str, ...] = ()):
        self.data_dir, self.db, self.workers, self.args = Path(data_dir).resolve(), db, workers, args
        self.env = {**os.environ, **(env or {})}
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self.log = self.data_dir / "server.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def store(self):
        from extractor.service.store import Store, database_url

        return Store(database_url(self.db, self.data_dir))

    def key(self, name: str = "test") -> str:
        return self.store().create_key(name)[1]

    def client(self, key: str | None = None, **kw) -> httpx.Client:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30, **kw)

    def start(self, timeout: float = 60) -> Server:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, "-m", "cli", "serve", "--port", str(self.port), "--workers", str(self.workers),
               "--data-dir", str(self.data_dir), *(["--db", self.db] if self.db else []), *self.args]
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=self.env,
                                         start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited {self.proc.returncode}: {self.log.read_text()[-2000:]}")
            try:
                health = httpx.get(self.url + "/healthz", timeout=2)
                if health.status_code == 200 and health.json()["workers"] >= min(self.workers, 1):
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"server not up after {timeout}s: {self.log.read_text()[-2000:]}")

    def kill9(self) -> None:
        """SIGKILL the server process alone (its workers notice and stop)."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)
