"""Extraction engines behind a registry: ``layout`` (offline default), ``llm``, ``hybrid``."""

from __future__ import annotations

from . import layout  # noqa: F401  (registers "layout")
from .registry import ENGINES


def _lazy(name: str):
    # openai and instructor take seconds to import: only an LLM run pays for them.
    def factory(**options):
        from .llm import make_engine

        return make_engine(name, **options)

    return factory


ENGINES.register("llm")(_lazy("llm"))
ENGINES.register("hybrid")(_lazy("hybrid"))
