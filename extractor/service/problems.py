"""Errors as RFC 9457 problem details (application/problem+json), and the per-key upload rate limit."""

from __future__ import annotations

import math
import threading
import time

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_JSON = "application/problem+json"


class Problem(Exception):
    """An HTTP error the client can act on: status, a short title, the detail."""

    def __init__(self, status: int, title: str, detail: str = "", headers: dict | None = None):
        super().__init__(title)
        self.status, self.title, self.detail, self.headers = status, title, detail, headers or {}


def problem_response(status: int, title: str, detail: str = "", headers: dict | None = None,
                     **extra) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, **({"detail": detail} if detail else {}), **extra}
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


def install(app: FastAPI) -> None:
    """Every error the app answers, including FastAPI's own, as problem+json."""

    @app.exception_handler(Problem)
    async def _problem(_request: Request, exc: Problem):
        return problem_response(exc.status, exc.title, exc.detail, exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException):
        titles = {404: "Not found", 405: "Method not allowed"}
        return problem_response(exc.status_code, titles.get(exc.status_code, str(exc.detail)),
                                str(exc.detail) if exc.status_code not in titles else "", getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError):
        errors = [{"field": ".".join(map(str, e.get("loc", ()))), "message": e.get("msg", "")} for e in exc.errors()]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return problem_response(422, "Invalid request", detail, errors=errors)


class RateLimiter:
    """A token bucket per API key: `per_minute` uploads, up to that many at once."""

    def __init__(self, per_minute: float):
        self.rate = per_minute / 60.0
        self.capacity = max(1.0, per_minute)
        self.buckets: dict[str, tuple[float, float]] = {}
        self.lock = threading.Lock()

    def take(self, key: str) -> None:
        """Take one token or raise a 429 Problem saying when to retry."""
        if self.rate <= 0:
            return
        now = time.monotonic()
        with self.lock:
            tokens, then = self.buckets.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - then) * self.rate)
            if tokens < 1:
                wait = math.ceil((1 - tokens) / self.rate)
                self.buckets[key] = (tokens, now)
                raise Problem(429, "Rate limited", f"too many uploads for this key; retry in {wait} s",
                              {"Retry-After": str(wait)})
            self.buckets[key] = (tokens - 1, now)
