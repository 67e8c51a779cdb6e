"""The review page: sign in with a key, upload, follow documents, and read one beside its pages.

Server-rendered (Jinja2); the only script is the document view's inline one that draws boxes.
"""

from __future__ import annotations

import time
from pathlib import Path

from fastapi import FastAPI, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from schemas import Document

from ..engines import ENGINES
from . import files
from .intake import accept
from .problems import Problem
from .store import STATUSES
from .view import context, jinja_env

COOKIE = "budgetx_key"


def install_pages(app: FastAPI, key_id, owned) -> None:
    """Add the HTML routes; key_id and owned are the API's own checks."""
    env = jinja_env()
    store = app.state.store

    def page(name: str, status: int = 200, **values) -> HTMLResponse:
        return HTMLResponse(env.get_template(name).render(**values), status_code=status)

    def signed_in(request: Request) -> str | None:
        try:
            return key_id(request)
        except Problem:
            return None

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index(request: Request, unit: str | None = None, year: str | None = None, status: str | None = None,
              offset: int = 0, error: str | None = None):
        key = signed_in(request)
        if key is None:
            return page("login.html", error=error)
        year_n = int(year) if year and year.isdigit() else None
        docs, total = store.list(key, unit or None, year_n, status or None, 50, max(0, offset))
        for d in docs:
            d["created"] = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(d["created_at"]))
        return page("index.html", docs=docs, total=total, error=error, engines=ENGINES.names(),
                    statuses=STATUSES, filters={"unit": unit, "year": year, "status": status},
                    active=any(d["status"] in ("queued", "running") for d in docs),
                    next_offset=offset + 50 if offset + 50 < total else None)

    @app.post("/login", include_in_schema=False)
    def login(key: str = Form(...)):
        if store.key_for(key.strip()) is None:
            return page("login.html", status=401, error="That key is unknown or revoked.")
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(COOKIE, key.strip(), httponly=True, samesite="strict")
        return response

    @app.post("/logout", include_in_schema=False)
    def logout():
        response = RedirectResponse("/", status_code=303)
        response.delete_cookie(COOKIE)
        return response

    @app.post("/upload", include_in_schema=False)
    def upload(request: Request, file: UploadFile = File(...), engine: str = Form("layout"),
               force: bool = Form(False)):
        key = key_id(request)
        try:
            accept(app, key, file, force=force, engine=engine)
        except Problem as exc:  # the page says why, in words
            docs, total = store.list(key)
            return page("index.html", status=exc.status, docs=docs, total=total, engines=[engine],
                        statuses=STATUSES, filters={}, active=False, next_offset=None,
                        error=f"{exc.title}: {exc.detail}")
        return RedirectResponse("/", status_code=303)

    @app.get("/documents/{doc_id}", response_class=HTMLResponse, include_in_schema=False)
    def document(doc_id: str, request: Request):
        key = signed_in(request)
        if key is None:
            return RedirectResponse("/", status_code=303)
        row = owned(doc_id, key, with_result=True)
        if row["result"] is None:
            return page("pending.html", row=row)
        doc = Document.model_validate_json(row["result"])
        pdf = files.blob_path(app.state.config.data_dir, row["sha256"])
        ctx = context(doc, pdf if Path(pdf).exists() else None)
        urls = {n: f"/v1/documents/{doc_id}/pages/{n}.png" for n in ctx["sizes"]}
        return page("document.html", **ctx, page_urls=urls, standalone=False, error=row["error"])

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon():
        return Response(status_code=204)
