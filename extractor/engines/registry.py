"""The engine registry, apart from the package so that engines register without importing it back."""

from __future__ import annotations

from ..registry import Registry

ENGINES: Registry = Registry("engine")
