"""The HTTP API: upload disclosures, follow their jobs, read results, findings and page images.

Every route needs an API key (Authorization: Bearer KEY, X-API-Key, or the review page's cookie);
a key sees only its own documents. Errors are application/problem+json.
"""

from __future__ import annotations

import json
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from fastapi import Depends, FastAPI, File, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response

from . import files
from .intake import accept
from .problems import Problem, RateLimiter, install, problem_response
from .store import Store, database_url
from .view import render_page_png
from .web import COOKIE, install_pages
from .worker import Workers


@dataclass
class Config:
    """What `budgetx serve` was started with."""

    data_dir: Path = Path("budgetx-data")
    db: str | None = None
    workers: int = 1
    max_upload_mb: float = 64
    max_pages: int = 500
    uploads_per_minute: float = 120

    @property
    def max_bytes(self) -> int:
        return int(self.max_upload_mb * 2**20)


def create_app(config: Config) -> FastAPI:
    """The app with its store; worker processes start with the app and stop with it."""
    config.data_dir = Path(config.data_dir)
    store = Store(database_url(config.db, config.data_dir))
    limiter = RateLimiter(config.uploads_per_minute)
    workers = Workers(store, config.data_dir, config.workers)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        store.requeue()  # jobs a killed server left running: nothing accepted is lost
        if config.workers > 0:
            workers.start()
        yield
        workers.stop()

    app = FastAPI(title="budgetx", version="1", lifespan=lifespan,
                  description="Extract Chinese government budget disclosures into checked JSON.")
    app.state.store, app.state.config, app.state.workers, app.state.limiter = store, config, workers, limiter
    install(app)

    @app.middleware("http")
    async def _cap_upload(request: Request, call_next):
        # Refuse an oversized upload from its header, before its body is read.
        length = request.headers.get("content-length")
        if request.method == "POST" and length and length.isdigit() and int(length) > config.max_bytes + 65536:
            return problem_response(413, "File too large", f"the upload is {int(length)} bytes; the limit is "
                                    f"{config.max_bytes} bytes ({config.max_upload_mb:g} MiB)")
        return await call_next(request)

    def key_id(request: Request) -> str:
        auth = request.headers.get("authorization", "")
        secret = (auth[7:].strip() if auth.lower().startswith("bearer ") else None) \
            or request.headers.get("x-api-key") or request.cookies.get(COOKIE)
        if not secret:
            raise Problem(401, "Missing API key", "send Authorization: Bearer KEY (budgetx keys create NAME)",
                          {"WWW-Authenticate": "Bearer"})
        found = store.key_for(secret)
        if found is None:
            raise Problem(401, "Invalid API key", "the key is unknown or revoked", {"WWW-Authenticate": "Bearer"})
        return found

    def owned(doc_id: str, key: str, with_result: bool = False) -> dict:
        row = store.get(key, doc_id, with_result)
        if row is None:  # another key's document is as absent as a missing one
            raise Problem(404, "Document not found", f"no document {doc_id} for this key")
        return row

    @app.get("/healthz", tags=["service"])
    def healthz() -> dict:
        """Liveness: the store answers and the workers run."""
        return {"status": "ok", "workers": workers.alive(), "documents": store.counts()}

    @app.post("/v1/documents", status_code=202, tags=["documents"])
    def upload(request: Request, file: UploadFile = File(..., description="the disclosure PDF"),
               engine: str = Form("layout"), prompt: str | None = Form(None), model: str | None = Form(None),
               template: str | None = Form(None), force: bool = Form(False), key: str = Depends(key_id)):
        """Queue a PDF for extraction: 202 with its id and status URL (200 with the earlier document when
        the same key sent the same file with the same options before, unless force)."""
        row, created = accept(app, key, file, engine=engine, prompt=prompt, model=model, template=template,
                              force=force)
        body = status_body(row, request)
        return JSONResponse(body, status_code=202 if created else 200, headers={"Location": body["status_url"]})

    @app.get("/v1/documents", tags=["documents"])
    def list_documents(request: Request, unit: str | None = None, year: int | None = None,
                       status: Literal["queued", "running", "done", "failed"] | None = None,
                       limit: int = Query(50, ge=1, le=500), offset: int = Query(0, ge=0),
                       key: str = Depends(key_id)) -> dict:
        """The key's documents, newest first; filter by unit (part of its name), year and status."""
        rows, total = store.list(key, unit, year, status, limit, offset)
        nxt = offset + limit if offset + limit < total else None
        return {"items": [status_body(r, request) for r in rows], "total": total, "limit": limit,
                "offset": offset, "next_offset": nxt}

    @app.get("/v1/documents/{doc_id}", tags=["documents"])
    def get_status(doc_id: str, request: Request, key: str = Depends(key_id)) -> dict:
        """Status (queued, running, done, failed), progress in pages, and the error when failed."""
        return status_body(owned(doc_id, key), request)

    @app.get("/v1/documents/{doc_id}/result", tags=["documents"])
    def get_result(doc_id: str, key: str = Depends(key_id)):
        """The Document in the output contract (`budgetx schema --json`)."""
        row = owned(doc_id, key, with_result=True)
        if row["result"] is None:
            raise Problem(409 if row["status"] != "failed" else 422,
                          "Result not ready" if row["status"] != "failed" else "Extraction failed",
                          row["error"] or f"the document is {row['status']}")
        return Response(row["result"], media_type="application/json")

    @app.get("/v1/documents/{doc_id}/findings", tags=["documents"])
    def get_findings(doc_id: str, severity: Literal["error", "warning", "info"] | None = None,
                     key: str = Depends(key_id)) -> list:
        """The checker's findings, optionally of one severity."""
        found = json.loads(get_result(doc_id, key).body)["findings"]
        return [f for f in found if severity is None or f["severity"] == severity]

    @app.get("/v1/documents/{doc_id}/pages/{number}.png", tags=["documents"],
             response_class=Response, responses={200: {"content": {"image/png": {}}}})
    def get_page(doc_id: str, number: int, dpi: int = Query(100, ge=36, le=200), key: str = Depends(key_id)):
        """Page NUMBER (from 1) of the uploaded PDF as PNG."""
        row = owned(doc_id, key)
        try:
            png = render_page_png(files.blob_path(config.data_dir, row["sha256"]), number, dpi)
        except IndexError:
            raise Problem(404, "Page not found", f"the document has {row['pages_total']} pages") from None
        return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})

    @app.delete("/v1/documents/{doc_id}", status_code=204, tags=["documents"])
    def delete(doc_id: str, key: str = Depends(key_id)):
        """Forget the document (and its file, unless another document holds the same bytes)."""
        owned(doc_id, key)
        sha = store.delete(key, doc_id)
        if sha and not store.sha_in_use(sha):
            files.forget(config.data_dir, sha)
        return Response(status_code=204)

    install_pages(app, key_id, owned)
    return app


def status_body(row: dict, request: Request) -> dict:
    """What a client sees of a document: status, progress, error, links."""
    base = str(request.base_url).rstrip("/") + f"/v1/documents/{row['id']}"
    return {"id": row["id"], "filename": row["filename"], "sha256": row["sha256"], "status": row["status"],
            "progress": {"pages_done": row["pages_done"], "pages_total": row["pages_total"]},
            "error": row["error"], "options": json.loads(row["options"]), "unit_name": row["unit_name"],
            "year": row["year"], "created_at": row["created_at"], "started_at": row["started_at"],
            "finished_at": row["finished_at"], "status_url": base, "result_url": base + "/result",
            "findings_url": base + "/findings"}
