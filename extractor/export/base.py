"""The writer registry and what every writer shares: atomic outputs and optional imports."""

from __future__ import annotations

import importlib
import os
import shutil
import tempfile
from pathlib import Path
from types import ModuleType

from ..errors import ExportError
from ..registry import Registry
from .tidy import Frame

WRITERS: Registry["Writer"] = Registry("export format")
FORMATS: dict[str, type["Writer"]] = {}


def writer(name: str):
    """Register a Writer class under a format name."""
    def decorate(cls):
        FORMATS[name] = cls
        return WRITERS.register(name)(cls)

    return decorate


def optional(module: str, fmt: str) -> ModuleType:
    """Import a heavy library only the format needs, or say how to install it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ExportError(f"--to {fmt} needs {module.split('.')[0]}: pip install 'budgetx[export]'") from exc


def check_format(fmt: str) -> None:
    """Fail early, before a long batch, on an unknown format or a missing library."""
    if fmt not in FORMATS:
        WRITERS.create(fmt)  # raises UnknownNameError listing the known formats
    for module in FORMATS[fmt].requires:
        optional(module, fmt)


class Writer:
    """Receives the tidy frames a chunk of documents at a time; close() publishes the output.

    Everything is written under a temporary name next to the target and renamed at the end, so an
    interrupted export never leaves a half-written file where a complete one is expected.
    """

    fmt = ""
    requires: tuple[str, ...] = ()  # optional libraries the format needs
    directory = False  # one file per table under the target folder (parquet, csv)

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.directory:
            self.tmp = Path(tempfile.mkdtemp(prefix=f".{self.path.name}.", dir=self.path.parent))
        else:
            fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
            os.close(fd)
            self.tmp = Path(tmp)
            self.tmp.unlink()  # writers that create the file themselves (sqlite, duckdb) want it absent

    def write(self, frames: dict[str, Frame]) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def finish(self) -> None:
        """Flush and close whatever the writer holds open (before the rename)."""

    def close(self) -> list[Path]:
        """Finish, then move the output into place; returns the files written."""
        self.finish()
        if not self.directory:
            os.replace(self.tmp, self.path)
            return [self.path]
        self.path.mkdir(parents=True, exist_ok=True)
        written = []
        for part in sorted(self.tmp.iterdir()):
            os.replace(part, self.path / part.name)
            written.append(self.path / part.name)
        self.tmp.rmdir()
        return written

    def abort(self) -> None:
        """Drop the temporary output after a failure."""
        try:
            self.finish()
        except Exception:  # already failing: the first error is the one to report
            pass
        if self.directory:
            shutil.rmtree(self.tmp, ignore_errors=True)
        else:
            self.tmp.unlink(missing_ok=True)
