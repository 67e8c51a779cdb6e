"""Taking an upload in: options checked, the file spooled, sized, kept by its hash and queued.

Shared by the API (app.py) and the review page's upload form (web.py).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, UploadFile

from ..errors import BudgetxError, InputError, LimitError, NotPdfError, UnknownNameError
from ..options import build_options
from ..pages import Limits, open_pdf
from . import files
from .problems import Problem


def accept(app: FastAPI, key: str, upload: UploadFile, force: bool = False, **choices) -> tuple[dict, bool]:
    """Check an upload and queue it: the file is on disk (content-addressed) before this returns."""
    store, config = app.state.store, app.state.config
    app.state.limiter.take(key)
    options = {k: v for k, v in choices.items() if v not in (None, "")}
    try:
        build_options(**options)
    except UnknownNameError as exc:
        what = "engine" if str(exc).startswith("unknown engine") else "option"
        raise Problem(422, f"Unknown {what}", str(exc)) from exc
    except BudgetxError as exc:
        raise Problem(422, "Invalid option", str(exc)) from exc
    name = Path(upload.filename or "upload.pdf").name
    try:
        tmp, sha, _size = files.spool(config.data_dir, upload.file, config.max_bytes)
    except files.TooLarge:
        raise Problem(413, "File too large", f"the limit is {config.max_upload_mb:g} MiB") from None
    try:
        try:
            with open_pdf(tmp, Limits(max_bytes=config.max_bytes, max_pages=config.max_pages)) as pdf:
                pages = pdf.page_count
        except NotPdfError as exc:
            raise Problem(415, "Not a PDF", f"{name}: {exc.message}") from exc
        except LimitError as exc:
            raise Problem(413, "Too many pages" if "page" in exc.message else "File too large",
                          f"{name}: {exc.message}") from exc
        except InputError as exc:
            raise Problem(422, "Unreadable PDF", f"{name}: {exc.message}") from exc
        files.keep(config.data_dir, tmp, sha)
    finally:
        tmp.unlink(missing_ok=True)
    return store.add_document(key, sha, name, options, pages, force=force)
