"""The OpenAI client wrapped by Instructor, with tenacity for transport faults and a paid-call ledger.

Layers, innermost first:
1. ``openai.OpenAI`` with ``max_retries=0``: tenacity owns every retry, so back-off is one policy.
2. ``_paid_create``: refuses a call over budget, retries transport faults (429 honouring
   Retry-After, 5xx, timeouts, connection resets) with exponential back-off and jitter, and
   records each answered call's usage. It replaces the client's ``chat.completions.create``
   before ``instructor.from_openai`` wraps it, so every Instructor re-ask passes through it too.
3. Instructor: response model → tool schema, validation, re-asks (max_retries).
"""

from __future__ import annotations

import contextvars
import email.utils
import json
import logging
import os
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import httpx
import instructor
import openai
from pydantic import BaseModel
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, wait_random_exponential

try:  # instructor ≥ 1.11
    from instructor.core import IncompleteOutputException, InstructorRetryException
except ImportError:  # pragma: no cover - older instructor
    from instructor.exceptions import IncompleteOutputException, InstructorRetryException

from ..errors import BudgetxError, EngineError
from .budget import Budget, Ledger, load_prices
from .gridtext import estimate_tokens
from .context import AnswerContext
from .window import MIN_ANSWER, Window, is_context_error, stated_limits

log = logging.getLogger("budgetx.llm")
# Instructor logs every failed attempt at ERROR, even those its re-ask or our retries recover
# from; the engine reports what really failed, once, on budgetx.llm.
logging.getLogger("instructor").setLevel(logging.CRITICAL)

MODES = {"tools": instructor.Mode.TOOLS, "json_schema": instructor.Mode.JSON_SCHEMA, "md_json": instructor.Mode.MD_JSON}
DEFAULT_MODEL = "gpt-4o-mini"
# The table or sheet the current thread is asking about: the ledger books usage under it.
CURRENT_LABEL: contextvars.ContextVar[str] = contextvars.ContextVar("budgetx_llm_label", default="?")


class TruncatedAnswerError(EngineError):
    """The model stopped at its token limit (finish_reason "length"): never kept as a partial result."""


class LlmCallError(EngineError):
    """A call failed for good: transport faults outlasted the retries, or no valid answer came back."""


class ContextLengthError(EngineError):
    """The request does not fit the model's context window: the batch or piece is asked in halves."""


class RequestRefusedError(EngineError):
    """The server refused the request for a reason no retry changes (bad key, unknown model, an
    unsupported parameter): reported once with the server's message and a hint, never retried."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


@dataclass
class Settings:
    """Everything the LLM engine is configured with (CLI options, then environment)."""

    model: str = DEFAULT_MODEL
    base_url: str | None = None
    api_key: str | None = None
    mode: str = "tools"
    prompt: str = "r1"  # answers by reference (prompts/r1); v1/v2 copy every cell
    vision: bool = False
    cache_dir: str | None = None
    no_cache: bool = False
    max_calls: int | None = None
    max_tokens: int | None = None
    max_cost: Decimal | None = None
    max_retries: int = 2  # re-asks after a failed validation
    transport_attempts: int = 6
    backoff_max: float = 30.0  # seconds, also the cap on a server's Retry-After
    timeout: float | None = None  # seconds per request: 120, or 600 for a server on this machine (CPU inference)
    max_output_tokens: int = 4096  # the cap; each call asks for what its answer needs
    context_tokens: int | None = None  # the model's context window; None: asked of the server
    chunk_tokens: int = 1800  # grid text per call; a longer table is split by rows
    batch_tokens: int = 8000  # refs prompts: grid text per call, several tables or sheets together
    concurrency: int = 4
    prices: str | None = None
    only: list[str] | None = None  # ask only these tables/sheets ("t3", "project", "project[2]")
    http_client: httpx.Client | None = None  # tests inject a transport

    @classmethod
    def from_options(cls, **options: Any) -> "Settings":
        """Options as given (None means unset), falling back to BUDGETX_MODEL / OPENAI_* variables."""
        unknown = sorted(set(options) - set(cls.__dataclass_fields__))
        if unknown:  # a typo in -E key=value must not be silently ignored
            raise EngineError(f"unknown LLM engine option(s) {', '.join(unknown)}; known: "
                              f"{', '.join(k for k in cls.__dataclass_fields__ if k != 'http_client')}")
        given = {k: v for k, v in options.items() if v is not None}
        settings = cls(**given)
        if "model" not in given:
            settings.model = os.environ.get("BUDGETX_MODEL") or DEFAULT_MODEL
        settings.base_url = settings.base_url or os.environ.get("OPENAI_BASE_URL") or None
        settings.api_key = settings.api_key or os.environ.get("OPENAI_API_KEY") or None
        if settings.mode not in MODES:
            raise EngineError(f"unknown LLM mode {settings.mode!r}; known: {', '.join(MODES)}")
        if settings.max_cost is not None:
            settings.max_cost = Decimal(str(settings.max_cost))
        if settings.timeout is None:  # a local model on a CPU takes minutes over a long prompt; a retry redoes it
            host = urlsplit(settings.base_url or "").hostname or ""
            settings.timeout = 600.0 if host in ("localhost", "127.0.0.1", "::1") else 120.0
        if isinstance(settings.only, str):
            settings.only = [part.strip() for part in settings.only.split(",") if part.strip()]
        if settings.api_key is None and settings.base_url is None:
            raise EngineError("no API key: set OPENAI_API_KEY (or --base-url / OPENAI_BASE_URL for a local server)")
        return settings


def _retry_after(exc: BaseException) -> float | None:
    """Seconds a 429/503 asks us to wait (Retry-After seconds or HTTP date, or retry-after-ms)."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None) or {}
    if headers.get("retry-after-ms"):
        try:
            return float(headers["retry-after-ms"]) / 1000
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value) if value else None
        return max(0.0, parsed.timestamp() - time.time()) if parsed else None


def is_transient(exc: BaseException) -> bool:
    """Faults worth retrying: rate limits, server errors, timeouts, dropped connections."""
    if isinstance(exc, (openai.APITimeoutError, openai.APIConnectionError)):
        return True
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code in (408, 409, 429) or exc.status_code >= 500
    return False


class _Wait:
    """Retry-After when the server sends one (capped), else exponential back-off with jitter."""

    def __init__(self, cap: float):
        self.cap = cap
        self.backoff = wait_random_exponential(multiplier=0.5, max=cap)

    def __call__(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        asked = _retry_after(exc) if exc is not None else None
        return min(asked, self.cap) if asked is not None else self.backoff(state)


class LlmClient:
    """One document's connection to the model: Instructor on top of a budgeted, retrying client."""

    def __init__(self, settings: Settings, ledger: Ledger | None = None, window: Window | None = None):
        self.settings = settings
        self.window = window  # None: requests are sent as asked (no window known)
        self.ledger = ledger or Ledger(model=settings.model, budget=Budget(
            settings.max_calls, settings.max_tokens, settings.max_cost), prices=load_prices(settings.prices))
        # Local servers (vLLM, Ollama, llama.cpp) accept any key, but the client wants one.
        api_key = settings.api_key or "no-key"
        self.openai = openai.OpenAI(api_key=api_key, base_url=settings.base_url, max_retries=0,
                                    timeout=settings.timeout, http_client=settings.http_client)
        self._raw_create = self.openai.chat.completions.create
        self.openai.chat.completions.create = self._paid_create  # type: ignore[method-assign]
        self.instructor = instructor.from_openai(self.openai, mode=MODES[settings.mode])
        self.http_calls = 0  # every HTTP attempt, retried ones included

    def _paid_create(self, *args: Any, **kwargs: Any) -> Any:
        label = CURRENT_LABEL.get()
        counted = self._fit(label, kwargs)
        self.ledger.before_call(label)
        retrying = Retrying(stop=stop_after_attempt(self.settings.transport_attempts),
                            wait=_Wait(self.settings.backoff_max), retry=retry_if_exception(is_transient),
                            before_sleep=lambda s: log.warning("%s: %s; retry %d", label, s.outcome.exception(),
                                                               s.attempt_number),
                            reraise=True)
        try:
            for attempt in retrying:
                with attempt:
                    self.http_calls += 1
                    completion = self._raw_create(*args, **kwargs)
        except openai.APIStatusError as exc:
            self.ledger.release()
            if is_transient(exc):
                raise
            raise self._refused(label, exc, counted) from exc
        except BaseException:
            self.ledger.release()
            raise
        usage = getattr(completion, "usage", None)
        if usage is not None:
            tokens_in, tokens_out = usage.prompt_tokens or 0, usage.completion_tokens or 0
            if self.window is not None and counted:
                self.window.learn(counted, tokens_in)
        else:  # a server that reports no usage: estimate, so the token budget still bites
            tokens_in = estimate_tokens(json.dumps(kwargs.get("messages"), ensure_ascii=False)) + estimate_tokens(
                json.dumps(kwargs.get("tools") or kwargs.get("response_format") or "", ensure_ascii=False))
            tokens_out = estimate_tokens(completion.model_dump_json()) if hasattr(completion, "model_dump_json") else 0
        call = self.ledger.record(label, tokens_in, tokens_out)
        log.info("%s: call %d in=%d out=%d cost=%s", label, self.ledger.total.calls, call.input_tokens,
                 call.output_tokens, call.cost)
        return completion

    def _fit(self, label: str, kwargs: dict) -> int:
        """Size max_tokens to the room the prompt leaves in the window; a request that cannot fit is
        not sent (a re-ask grows the prompt by the answer and the error). Returns the prompt as counted."""
        if self.window is None:
            return 0
        counted = self.window.prompt_tokens(kwargs.get("messages") or [], kwargs.get("tools") or
                                            kwargs.get("response_format"))
        room = self.window.room(counted)
        wanted = kwargs.get("max_tokens") or self.settings.max_output_tokens
        if room < min(wanted, MIN_ANSWER):
            again = " (a re-ask: the prompt grew by the answer and the error)" if len(kwargs.get("messages") or []) > 2 \
                else ""
            raise ContextLengthError(f"{label}: the prompt (~{counted} tokens){again} leaves no room for the answer in "
                                     f"the model's context window of {self.window.context} tokens ({self.window.source})")
        kwargs["max_tokens"] = min(wanted, room)
        return counted

    def _refused(self, label: str, exc: openai.APIStatusError, counted: int) -> EngineError:
        """A 4xx no retry changes: a context-length error (the caller splits), or a refusal with a hint."""
        status, message = exc.status_code, server_message(exc)
        if status == 413 or is_context_error(status, message):
            limit, prompt = stated_limits(message)
            if self.window is not None:
                if limit:
                    self.window.shrink(limit)
                if prompt and counted:
                    self.window.learn(counted, prompt)
            return ContextLengthError(f"{label}: the request does not fit the model's context window "
                                      f"({status}: {message[:200]})")
        return RequestRefusedError(f"the LLM server refused the request ({status} {type(exc).__name__}: "
                                   f"{message[:300]}){hint(status, message, self.settings)}", status)

    def ask(self, label: str, response_model: type[BaseModel], messages: list[dict], context: AnswerContext,
            answer_tokens: int | None = None) -> BaseModel:
        """One structured answer; re-asks on validation failures, never returns a truncated answer.

        answer_tokens is what the expected answer needs (max_tokens, at most max_output_tokens, and
        at most what the context window leaves).

        When every re-ask still fails reconciliation, the last schema-valid answer is returned
        (context.unreconciled is set): the document may print figures that do not add up.
        """
        token = CURRENT_LABEL.set(label)
        try:
            return self.instructor.chat.completions.create(
                model=self.settings.model, response_model=response_model, messages=messages,
                max_retries=self.settings.max_retries, context=context, temperature=0,
                max_tokens=min(answer_tokens or self.settings.max_output_tokens, self.settings.max_output_tokens))
        except IncompleteOutputException as exc:
            raise TruncatedAnswerError(f"{label}: the answer was cut off at the model's token limit "
                                       f"(finish_reason=length); nothing of it is kept") from exc
        except InstructorRetryException as exc:
            cause = _root_cause(exc)
            if isinstance(cause, BudgetxError):
                raise cause from exc
            if context.last is not None and not isinstance(cause, openai.APIError):
                context.unreconciled = True
                log.warning("%s: answer still does not reconcile after %d re-asks; kept as printed",
                            label, self.settings.max_retries)
                return context.last
            if isinstance(cause, openai.APIError):
                raise LlmCallError(f"{label}: the server kept failing ({self.settings.transport_attempts} "
                                   f"attempts): {type(cause).__name__}: {_first_line(cause)}") from exc
            raise LlmCallError(f"{label}: no valid answer after {exc.n_attempts} attempts: "
                               f"{_first_line(cause or exc)}") from exc
        except openai.APIError as exc:
            raise LlmCallError(f"{label}: {type(exc).__name__}: {_first_line(exc)}") from exc
        finally:
            CURRENT_LABEL.reset(token)


def _root_cause(exc: BaseException) -> BaseException | None:
    """The first budgetx or transport error in the chain, else the innermost exception."""
    seen = exc.__cause__ or exc.__context__
    last = seen
    while seen is not None:
        if isinstance(seen, (BudgetxError, openai.APIError)):
            return seen
        last = seen
        seen = seen.__cause__ or seen.__context__
    return last


def server_message(exc: openai.APIStatusError) -> str:
    """The server's own words: the error body's message (OpenAI, vLLM, llama.cpp) or detail (FastAPI)."""
    body = exc.body
    if isinstance(body, dict):
        inner = body.get("error") if isinstance(body.get("error"), dict) else body
        for key in ("message", "detail", "error"):
            value = inner.get(key)
            if value:
                return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)[:300]
    text = str(body or "") or _first_line(exc)
    return " ".join(text.split())


def hint(status: int, message: str, settings: Settings) -> str:
    """What to change, for the refusals a configuration causes."""
    lowered = message.lower()
    if status in (401, 403):
        return "; check OPENAI_API_KEY (the key this server expects) and --base-url"
    if status == 404:
        return (f"; check --model ({settings.model!r}: does the server serve it?) and --base-url (an OpenAI-compatible "
                f"server's address usually ends in /v1)")
    if "tool" in lowered or "function" in lowered:
        return "; this server does not take forced tool calls: use --mode json_schema (or --mode md_json)"
    if "response_format" in lowered or "json_schema" in lowered or "structured" in lowered:
        return "; this server does not take a JSON schema: use --mode md_json (or --mode tools)"
    if "max_tokens" in lowered:
        return "; lower --context-tokens or -E max_output_tokens=N"
    return ""


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
