"""The OCR backends by name: importing this module registers every one (``--ocr NAME``).

The default one is ``default_ocr()``. Kept apart from ``ocr`` so that a backend module may build on ``ocr`` without ``ocr`` importing it back.
"""

from __future__ import annotations

from . import ocr_rapid, ocr_rapid3  # noqa: F401  (register "rapidocr…" and "rapidocr3")
from .ocr import OCR_BACKENDS

__all__ = ["OCR_BACKENDS", "LazyOcr", "default_ocr"]


def default_ocr() -> str:
    """``rapidocr-openvino`` when the ``openvino`` extra is installed (the same words and boxes as
    ``rapidocr`` in less than half the CPU time), else ``rapidocr`` (onnxruntime)."""
    from importlib.util import find_spec

    # find_spec, not an import: importing OpenVINO takes half a second, paid by born-digital runs too.
    return "rapidocr-openvino" if find_spec("openvino") else "rapidocr"


class LazyOcr:
    """Builds the OCR backend on the first page that needs it (born-digital files never do); one
    backend per process and (name, threads), kept for the process's later documents."""

    _cache: dict[tuple, object] = {}

    def __init__(self, name: str, threads: int | None):
        self.key = (name, threads)

    def read(self, pixmap, page_width: float, page_height: float):
        backend = self._cache.get(self.key)
        if backend is None:
            name, threads = self.key
            backend = OCR_BACKENDS.create(name, **({"threads": threads} if threads else {}))
            self._cache[self.key] = backend
        return backend.read(pixmap, page_width, page_height)
