"""One exception root for budgetx; every error names the file (and page) it is about."""

from __future__ import annotations

from pathlib import Path


class BudgetxError(Exception):
    """Root of every error budgetx raises on purpose."""

    def __init__(self, message: str, *, file: str | Path | None = None, page: int | None = None):
        super().__init__(message)
        self.message = message
        self.file = str(file) if file is not None else None
        self.page = page

    def __str__(self) -> str:
        where = self.file or ""
        if self.page is not None:
            where = f"{where}: page {self.page}" if where else f"page {self.page}"
        return f"{where}: {self.message}" if where else self.message


class InputError(BudgetxError):
    """The input file cannot be read as a disclosure PDF."""


class NotPdfError(InputError):
    """The file is not a PDF at all."""


class CorruptPdfError(InputError):
    """The PDF is damaged beyond repair."""


class EncryptedPdfError(InputError):
    """The PDF needs a password."""


class EmptyPdfError(InputError):
    """The PDF has no pages."""


class LimitError(InputError):
    """The input exceeds a safety cap (pages, page size, pixels, bytes)."""


class DocumentTimeout(LimitError):
    """A document took longer than its wall-clock cap (--timeout)."""


class OcrError(BudgetxError):
    """OCR failed on a page."""


class LocateError(BudgetxError):
    """No part of the disclosure template was found."""


class UnsupportedDocumentError(LocateError):
    """The file is a disclosure budgetx does not read (final accounts, a narrative without its tables)."""


class EngineError(BudgetxError):
    """An extraction engine failed."""


class BudgetExceededError(EngineError):
    """A per-document LLM budget (calls, tokens, cost) ran out."""


class UnknownNameError(BudgetxError, KeyError):
    """A registry lookup (engine, OCR backend, prompt) named something unknown."""

    def __str__(self) -> str:  # KeyError would quote the message
        return BudgetxError.__str__(self)


class ExportError(BudgetxError):
    """An export could not be written (a missing optional library, an unwritable path, a bad input)."""


class ExecutorError(BudgetxError):
    """A batch executor could not start (Ray missing, the cluster unreachable)."""
