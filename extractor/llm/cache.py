"""A disk cache of validated answers, so re-running an extraction or an eval never pays twice.

The key is (model, prompt name+version, schema hash, input hash): change any of them and the
answer is asked again. Entries are small JSON files written atomically; a damaged entry is a
miss, never an error.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any


def default_dir() -> Path:
    """~/.cache/budgetx (or $XDG_CACHE_HOME/budgetx)."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "budgetx"


def digest(value: Any) -> str:
    """A stable sha256 of JSON-able data (or of a string as is)."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class AnswerCache:
    """Answers by key under a folder; disabled=True makes every lookup a miss and stores nothing."""

    def __init__(self, folder: str | Path | None = None, disabled: bool = False):
        self.folder = Path(folder) if folder else default_dir()
        self.disabled = disabled

    @staticmethod
    def key(model: str, prompt: str, schema: dict, messages: list) -> str:
        return digest({"model": model, "prompt": prompt, "schema": digest(schema), "input": digest(messages)})

    def _path(self, key: str) -> Path:
        return self.folder / "answers" / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict | None:
        if self.disabled:
            return None
        try:
            return json.loads(self._path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def put(self, key: str, entry: dict) -> None:
        if self.disabled:
            return
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(entry, fh, ensure_ascii=False)
        os.replace(tmp, path)
