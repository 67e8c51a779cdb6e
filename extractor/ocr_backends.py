"""The OCR backends by name: importing this module registers every one (``--ocr NAME``).

Kept apart from ``ocr`` so that a backend module may build on ``ocr`` without ``ocr`` importing it back.
"""

from __future__ import annotations

from . import ocr_rapid3  # noqa: F401  (registers "rapidocr3")
from .ocr import OCR_BACKENDS  # "rapidocr" registers itself there

__all__ = ["OCR_BACKENDS"]
