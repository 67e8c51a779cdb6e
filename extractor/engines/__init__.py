"""Extraction engines behind a registry: ``layout`` (offline default), ``llm``, ``hybrid``."""

from __future__ import annotations

from ..registry import Registry

ENGINES: Registry = Registry("engine")

from . import layout  # noqa: E402,F401  (registers "layout")
