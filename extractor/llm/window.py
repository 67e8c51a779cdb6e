"""The model's context window, and token counts that respect it.

A request whose prompt plus answer does not fit the window is refused by the server (vLLM,
llama.cpp, OpenAI) or silently cut from the front (Ollama), so the engine sizes its batches and
``max_tokens`` to the window before asking. The window comes from ``--context-tokens``, else from
the server where it says so (vLLM's /v1/models ``max_model_len``; llama.cpp's /props ``n_ctx``;
llama-cpp-python's error and usage; Ollama's /api/ps and /api/show), else a conservative default.

Tokens are counted by a conservative estimate (at least one per CJK character), measured once
per document against the server's own tokenizer where it offers one (llama-cpp-python's
/extras/tokenize/count, vLLM's and llama.cpp's /tokenize), and corrected by every answer: the ratio
of the prompt tokens a server reports to those counted here only grows, so what no count sees
(the chat template, a tool schema rendered as text) is learned from the first answer or the
first context-length error, and every later request is sized by it.
"""

from __future__ import annotations

import json
import logging
import math
import re
import threading
from dataclasses import dataclass, field
from typing import Any, Callable

import httpx

from .gridtext import _CJK

log = logging.getLogger("budgetx.llm")

DEFAULT_CONTEXT = 8192  # an OpenAI-compatible server that says nothing: a size most models serve
OLLAMA_DEFAULT = 2048  # what Ollama runs a model with when neither the model nor the API says more
LLAMA_CPP_PYTHON_DEFAULT = 2048  # llama-cpp-python's server without --n_ctx
# Hosted models whose window is published (tokens); the longest matching prefix wins.
KNOWN = {"gpt-4o": 128_000, "gpt-4.1": 1_047_576, "gpt-4-turbo": 128_000, "gpt-5": 400_000, "o1": 200_000,
         "o3": 200_000, "o4-mini": 200_000}
MESSAGE_OVERHEAD = 8  # role markers and separators a chat template wraps around each message
SAFETY = 0.06  # of the window, kept free for what no count sees (template details, a re-ask's note)
# A request cannot be smaller than its fixed part; this is the least answer worth asking for.
MIN_ANSWER = 96

# What servers say when a request does not fit (OpenAI, vLLM, llama-cpp-python, llama.cpp, TGI, LM Studio).
_TOO_LONG = re.compile(r"context[ _-]?(length|window|size)|maximum context|context_length_exceeded|too many tokens|"
                       r"prompt is too long|input is too long|exceeds? the (available )?context|reduce the length|"
                       r"n_ctx|max_model_len|exceed context", re.I)
_STATED_MAX = re.compile(r"(?:maximum context length is|context window of|context length of|max_model_len|n_ctx|"
                         r"context size)\D{0,5}(\d{3,7})", re.I)
_STATED_PROMPT = re.compile(r"(\d+) in (?:your prompt|the messages|the input)|your request has (\d+) input tokens|"
                            r"Requested tokens \((\d+)\)|prompt \((\d+) tokens\)|(\d+) prompt tokens", re.I)


def is_context_error(status: int | None, message: str) -> bool:
    """Whether an HTTP error says the request does not fit the model's context window."""
    return status in (400, 413, 422) and bool(_TOO_LONG.search(message or ""))


def stated_limits(message: str) -> tuple[int | None, int | None]:
    """(window, prompt tokens) as a context-length error states them, when it does."""
    limit = _STATED_MAX.search(message or "")
    prompt = _STATED_PROMPT.search(message or "")
    return (int(limit.group(1)) if limit else None,
            int(next(g for g in prompt.groups() if g)) if prompt else None)


def conservative_tokens(text: str) -> int:
    """Tokens of text for a tokenizer we do not know: at least one per CJK character, and the
    digits, pipes and punctuation of a grid at one per two characters (BPE vocabularies split
    amounts like "1,234.56" into short pieces)."""
    cjk = len(_CJK.findall(text))
    return cjk + (len(text) - cjk + 1) // 2


@dataclass
class Window:
    """How many tokens a request may hold, and how to count them."""

    context: int
    source: str  # where the size came from, for the log
    tokenizer: Callable[[str], int] | None = None  # the server's own count, when it offers one
    ratio: float = 1.0  # the server's tokenizer / conservative_tokens, measured on the document's text
    scale: float = 1.0  # server-reported prompt / counted prompt, the largest seen (template, schema rendering)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def calibrate(self, sample: str) -> None:
        """Measure the server's tokenizer on this text once; later counts are scaled by it."""
        if self.tokenizer is None or not sample.strip():
            return
        exact, rough = self.tokenizer(sample), conservative_tokens(sample)
        if exact > 0 and rough > 0:
            self.ratio = exact / rough
            log.info("context: the server's tokenizer spends %.2f tokens per conservatively counted one", self.ratio)

    def count(self, text: str) -> int:
        """Tokens of text as this model counts them (as measured and learned so far)."""
        return math.ceil(conservative_tokens(text) * self.ratio * self.scale) if text else 0

    def prompt_tokens(self, messages: list[dict], schema: Any = None) -> int:
        """A request's prompt: every message's text, the template around it and the answer schema."""
        total = 16
        for message in messages:
            content = message.get("content") or ""
            if isinstance(content, list):  # images are not counted: a vision model's window is large
                content = "\n".join(p.get("text", "") for p in content if p.get("type") == "text")
            total += self.count(content) + MESSAGE_OVERHEAD
            for call in message.get("tool_calls") or []:
                total += self.count(call.get("function", {}).get("arguments") or "")
        if schema:
            total += self.count(json.dumps(schema, ensure_ascii=False, separators=(",", ":")))
        return total

    @property
    def usable(self) -> int:
        """Tokens a request may hold, prompt and answer together."""
        return int(self.context * (1 - SAFETY))

    def room(self, prompt_tokens: int) -> int:
        """Tokens left for the answer after a prompt of this size."""
        return self.usable - prompt_tokens

    def learn(self, counted: int, reported: int) -> None:
        """A server's own count of a prompt counted here: later counts are scaled to match."""
        if counted <= 0 or reported <= 0:
            return
        with self._lock:
            ratio = min(4.0, self.scale * reported / counted)
            if ratio > self.scale * 1.02:
                log.info("context: the server counts %.0f%% more prompt tokens than counted; sizing by it",
                         100 * (reported / counted - 1))
                self.scale = ratio

    def shrink(self, limit: int) -> None:
        """The server stated a smaller window than assumed (in a context-length error)."""
        with self._lock:
            if 0 < limit < self.context:
                log.info("context: the server's window is %d tokens (assumed %d from %s)", limit, self.context,
                         self.source)
                self.context, self.source = limit, "the server's error"


# ---- finding the window --------------------------------------------------------------------


def _root(base_url: str) -> str:
    """The server's root for the non-OpenAI endpoints (/props, /tokenize, /api/show)."""
    return re.sub(r"/v1/?$", "", base_url.rstrip("/"))


def _get(client: httpx.Client, method: str, url: str, **kwargs: Any) -> Any:
    try:
        response = client.request(method, url, **kwargs)
        if response.status_code != 200:
            return None
        return response.json()
    except (httpx.HTTPError, ValueError):
        return None


def _from_models(data: Any, model: str) -> tuple[int | None, str]:
    entries = data.get("data") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        return None, ""
    entry = next((e for e in entries if isinstance(e, dict) and e.get("id") == model), None)
    entry = entry or (entries[0] if len(entries) == 1 and isinstance(entries[0], dict) else None)
    if entry is None:
        return None, ""
    for key in ("max_model_len", "context_length", "context_window", "max_context_length", "n_ctx"):
        if isinstance(entry.get(key), int) and entry[key] > 0:
            return entry[key], f"/v1/models {key}"
    meta = entry.get("meta") or {}
    if isinstance(meta.get("n_ctx"), int):
        return meta["n_ctx"], "/v1/models meta.n_ctx"
    return None, ""


def _from_props(data: Any) -> int | None:
    if not isinstance(data, dict):
        return None
    settings = data.get("default_generation_settings") or {}
    value = settings.get("n_ctx") or data.get("n_ctx")
    return value if isinstance(value, int) and value > 0 else None


def _from_ollama(client: httpx.Client, root: str, model: str) -> tuple[int | None, str]:
    running = _get(client, "GET", f"{root}/api/ps")
    for entry in (running or {}).get("models") or []:
        if entry.get("name") in (model, f"{model}:latest") or entry.get("model") in (model, f"{model}:latest"):
            if isinstance(entry.get("context_length"), int) and entry["context_length"] > 0:
                return entry["context_length"], "Ollama /api/ps context_length"
    shown = _get(client, "POST", f"{root}/api/show", json={"model": model, "name": model})
    if not isinstance(shown, dict):
        return None, ""
    found = re.search(r"^num_ctx\s+(\d+)", shown.get("parameters") or "", re.M)
    if found:
        return int(found.group(1)), "Ollama /api/show num_ctx"
    trained = [v for k, v in (shown.get("model_info") or {}).items() if k.endswith(".context_length")
               and isinstance(v, int)]
    # Ollama runs a model with its default window, not the one it was trained with, unless told.
    return min([OLLAMA_DEFAULT] + trained), "Ollama's default num_ctx"


def _tokenizer(client: httpx.Client, root: str, base_url: str, model: str) -> Callable[[str], int] | None:
    """The server's own token counter, when it offers one."""
    probes: list[tuple[str, Callable[[str], dict], Callable[[Any], int | None]]] = [
        (f"{root}/extras/tokenize/count", lambda t: {"input": t, "model": model},
         lambda d: d.get("count")),  # llama-cpp-python
        (f"{root}/tokenize", lambda t: {"model": model, "prompt": t, "add_special_tokens": False},
         lambda d: d.get("count")),  # vLLM
        (f"{root}/tokenize", lambda t: {"content": t}, lambda d: len(d["tokens"]) if "tokens" in d else None),  # llama.cpp
    ]
    for url, body, read in probes:
        got = _get(client, "POST", url, json=body("预算 1,234.56"))
        if isinstance(got, dict) and isinstance(read(got), int) and read(got) > 0:
            def count(text: str, url: str = url, body: Callable = body, read: Callable = read) -> int:
                answer = _get(client, "POST", url, json=body(text))
                value = read(answer) if isinstance(answer, dict) else None
                return value if isinstance(value, int) else 0

            count.url = url  # type: ignore[attr-defined]  # which server's tokenizer this is
            return count
    return None


def discover(base_url: str | None, model: str, api_key: str | None = None, context_tokens: int | None = None,
             http_client: httpx.Client | None = None, timeout: float = 5.0) -> Window:
    """The window of the model behind base_url: as given, as the server says, or a safe default."""
    if base_url is None:  # api.openai.com: published sizes, nothing to ask
        known = max((k for k in KNOWN if model.startswith(k)), key=len, default=None)
        size = context_tokens or (KNOWN[known] if known else DEFAULT_CONTEXT)
        return Window(size, "--context-tokens" if context_tokens else ("published" if known else "default"))
    client = http_client or httpx.Client(timeout=timeout)
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    root = _root(base_url)
    counter = _tokenizer(client, root, base_url, model)
    size, source = (context_tokens, "--context-tokens") if context_tokens else (None, "")
    if size is None:
        size, source = _from_models(_get(client, "GET", f"{base_url.rstrip('/')}/models", headers=headers), model)
    if size is None:
        size = _from_props(_get(client, "GET", f"{root}/props"))
        source = "llama.cpp /props n_ctx" if size else ""
    if size is None and counter is not None and counter.url.endswith("/extras/tokenize/count"):
        # llama-cpp-python's server says nothing of its --n_ctx; it runs with 2048 unless told more.
        size, source = LLAMA_CPP_PYTHON_DEFAULT, "llama-cpp-python's default n_ctx (it does not report --n_ctx)"
    if size is None:
        size, source = _from_ollama(client, root, model)
    if size is None:
        size, source = DEFAULT_CONTEXT, "default (the server does not say; set --context-tokens)"
    window = Window(size, source, counter)
    log.info("context: %d tokens (%s); tokens counted %s", size, source,
             "by the server's tokenizer" if counter else "conservatively (tokenizer unknown)")
    return window
