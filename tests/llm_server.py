"""A local OpenAI-compatible chat-completions server that answers from a gold Document.

It speaks the real protocol over HTTP on 127.0.0.1 (tool calls, JSON-schema and markdown-JSON
answers, usage, finish reasons), checks every request the way a strict server would (roles,
tool JSON schema, image data URLs), serves GET /v1/models with its context window (vLLM's
``max_model_len``) and refuses, as llama.cpp's server does, a request whose prompt plus
``max_tokens`` exceeds it; on demand it misbehaves: 429 with Retry-After, 500, a slow answer
(client timeout), a dropped connection, malformed tool arguments, an answer that does not
reconcile, a truncated answer (finish_reason "length"), a context-length 400, a 401 (bad key),
a 404 (unknown model), a 400 for an unsupported tool_choice.

    server = FakeLlm(gold).start()
    server.faults.append(Fault("t3", "unreconciled"))
    ... Settings(base_url=server.url, api_key="test", model="test") ...
    server.stop()
"""

from __future__ import annotations

import json
import re
import threading
import time
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from schemas import Document

from .llm_mapping_oracle import swap_two
from .llm_refs_oracle import Oracle
from .llm_support import _ENC, count_tokens  # noqa: F401  (the tests' token counts, imported from here too)
from .llm_support import (KIND, PART, REFUSALS, Call, Fault, check_answer_schema, check_request, gold_answer, piece,
                          prompt_tokens)


class FakeLlm:
    """The server: answers are the gold Document's tables and sheets."""

    def __init__(self, gold: Document, timeout_delay: float = 3.0, context_window: int = 32768,
                 advertise: bool = True):
        self.gold = gold
        self.context_window = context_window  # prompt + max_tokens must fit, as a real server checks
        self.advertise = advertise  # whether GET /v1/models says max_model_len
        self.gets: list[str] = []  # paths of GET requests (the engine asking for the window)
        self.faults: list[Fault] = []
        self.calls: list[Call] = []
        self.problems: list[str] = []  # protocol violations seen in requests
        self.timeout_delay = timeout_delay
        self._lock = threading.Lock()
        self._perturb = 0
        self._httpd: ThreadingHTTPServer | None = None
        self.oracle = Oracle(gold)  # refs prompts: answers by reference
        self.mapping = None  # m1 prompts: a tests.llm_mapping_oracle.MappingOracle
        self.swap_table: str | None = None  # the "swapped" fault swaps two columns of this table

    # ---- lifecycle -----------------------------------------------------------------
    def start(self) -> "FakeLlm":
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                if self.path.rstrip("/") != "/v1/chat/completions":  # a tokenizer or Ollama endpoint: not here
                    self.rfile.read(int(self.headers.get("Content-Length") or 0))
                    return server._send(self, 404, {"error": {"message": f"no route {self.path}"}})
                server._handle(self)

            def do_GET(self) -> None:  # noqa: N802
                server.gets.append(self.path)
                if self.path.rstrip("/") != "/v1/models":
                    return server._send(self, 404, {"error": {"message": f"no route {self.path}"}})
                entry = {"id": "test", "object": "model", "owned_by": "test"}
                if server.advertise:
                    entry["max_model_len"] = server.context_window
                server._send(self, 200, {"object": "list", "data": [entry]})

            def log_message(self, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    @property
    def answered(self) -> list[Call]:
        return [c for c in self.calls if c.status == 200]

    # ---- one request ---------------------------------------------------------------
    def _handle(self, http: BaseHTTPRequestHandler) -> None:
        body = http.rfile.read(int(http.headers.get("Content-Length") or 0))
        try:
            payload = json.loads(body)
        except ValueError:
            self.problems.append("request body is not JSON")
            return self._send(http, 400, {"error": {"message": "bad json"}})
        if http.path.rstrip("/") != "/v1/chat/completions":
            self.problems.append(f"unexpected path {http.path}")
        kind = self._kind(payload)
        check_request(payload, self.problems)
        fault = self._take_fault(kind)
        what = fault.what if fault else None
        call = Call(kind, payload, 200)
        with self._lock:
            self.calls.append(call)
        if what in ("429", "500"):
            call.status = int(what)
            headers = {"Retry-After": "0.2"} if what == "429" else {}
            return self._send(http, call.status, {"error": {"message": f"fault {what}", "type": "test"}}, headers)
        if what in REFUSALS:
            call.status, message = REFUSALS[what]
            return self._send(http, call.status, {"error": {"message": message, "type": "invalid_request_error"}})
        prompt = prompt_tokens(payload)
        wanted = payload.get("max_tokens") or 0
        if what == "context" or prompt + wanted > self.context_window:
            call.status = 400
            return self._send(http, 400, {"error": {
                "message": f"This model's maximum context length is {self.context_window} tokens, however you "
                           f"requested {prompt + wanted} tokens ({prompt} in your prompt; {wanted} for the "
                           f"completion). Please reduce your prompt; or completion length.",
                "type": "invalid_request_error", "code": "context_length_exceeded"}})
        if what == "reset":
            call.status = 0
            http.close_connection = True
            http.connection.shutdown(2)  # the client sees the connection drop mid-request
            return None
        if what == "timeout":
            time.sleep(self.timeout_delay)  # the client gives up first
        answer = self._answer(kind, payload)
        if what in ("unreconciled", "unreconciled_always"):
            answer = self._unreconcile(kind, answer)
        if what == "swapped":
            answer = swap_two(answer, self.swap_table)
        arguments = json.dumps(answer, ensure_ascii=False)
        finish = "tool_calls" if payload.get("tools") else "stop"
        if what == "malformed":
            arguments = arguments[: len(arguments) // 2] + "}]{"
        if what == "length":
            arguments, finish = arguments[: len(arguments) // 2], "length"
        call.answer = answer
        check_answer_schema(payload, answer, self.problems)
        self._send(http, 200, self._completion(payload, arguments, finish, call))

    def _send(self, http: BaseHTTPRequestHandler, status: int, data: dict, headers: dict | None = None) -> None:
        raw = json.dumps(data, ensure_ascii=False).encode("utf-8")
        try:
            http.send_response(status)
            http.send_header("Content-Type", "application/json")
            http.send_header("Content-Length", str(len(raw)))
            for key, value in (headers or {}).items():
                http.send_header(key, value)
            http.end_headers()
            http.wfile.write(raw)
        except (BrokenPipeError, ConnectionResetError):  # the client timed out and left
            pass

    def _take_fault(self, kind: str | None) -> Fault | None:
        with self._lock:
            for i, fault in enumerate(self.faults):
                if fault.kind in (None, kind):
                    return fault if fault.sticky else self.faults.pop(i)
        return None

    def _completion(self, payload: dict, arguments: str, finish: str, call: Call) -> dict:
        prompt = prompt_tokens(payload)
        call.usage = (prompt, count_tokens(arguments))
        message: dict[str, Any] = {"role": "assistant", "content": None}
        if payload.get("tools"):
            name = payload["tools"][0]["function"]["name"]
            message["tool_calls"] = [{"id": f"call_{len(self.calls)}", "type": "function",
                                      "function": {"name": name, "arguments": arguments}}]
        elif (payload.get("response_format") or {}).get("type") == "json_schema":
            message["content"] = arguments
        else:
            message["content"] = f"```json\n{arguments}\n```"
        return {"id": f"chatcmpl-{len(self.calls)}", "object": "chat.completion", "created": int(time.time()),
                "model": payload.get("model"), "choices": [{"index": 0, "message": message, "finish_reason": finish}],
                "usage": {"prompt_tokens": call.usage[0], "completion_tokens": call.usage[1],
                          "total_tokens": sum(call.usage)}}

    # ---- answers from the gold -----------------------------------------------------
    @staticmethod
    def _kind(payload: dict) -> str | None:
        names = [t["function"]["name"] for t in payload.get("tools") or []]
        names.append(((payload.get("response_format") or {}).get("json_schema") or {}).get("name") or "")
        names.append(json.dumps(payload.get("messages"), ensure_ascii=False))
        for text in names:
            found = KIND.search(text)
            if found:
                return found.group(1)
        return None

    @staticmethod
    def user_text(payload: dict) -> str:
        """The first user turn's text (the grid)."""
        for m in payload.get("messages", []):
            if m.get("role") == "user":
                content = m["content"]
                return content if isinstance(content, str) else "".join(
                    p.get("text", "") for p in content if p.get("type") == "text")
        return ""

    def _answer(self, kind: str | None, payload: dict) -> dict:
        text = self.user_text(payload)
        if kind == "mapping":
            users = [m for m in payload.get("messages", []) if m.get("role") == "user"]
            last = users[-1]["content"] if len(users) > 1 else None
            return self.mapping.answer(text, last)
        if kind == "refs":
            self.oracle.gold = self.gold
            return self.oracle.answer(text)
        if kind == "overall":
            return gold_answer(self.gold.performance.overall)
        if kind == "project":
            flat = re.sub(r"\s+", "", text)
            named = [s for s in self.gold.performance.projects if s.project_name and
                     re.sub(r"\s+", "", s.project_name) in flat]
            # Units repeat project names ("办公场所租赁"): the unit, manager and budget printed decide.
            def score(sheet: Any) -> tuple:
                facts = [sheet.unit_name, sheet.manager, sheet.budget_total and format(sheet.budget_total, "f")]
                return (len(sheet.project_name), sum(bool(f) and re.sub(r"\s+", "", f) in flat for f in facts))

            return gold_answer(max(named, key=score) if named else self.gold.performance.projects[0])
        table = getattr(self.gold.tables, kind)
        answer = gold_answer(table)
        if PART.search(text):
            answer = piece(answer, table, text)
        return answer

    def _unreconcile(self, kind: str | None, answer: dict) -> dict:
        """Break an identity the re-ask must name: a row's total (or a sheet's budget) off by k."""
        with self._lock:
            self._perturb += 1
            k = self._perturb
        answer = json.loads(json.dumps(answer))
        if kind == "refs":  # a fixed cell that breaks its row's sum: the first row's total + 100k
            for item in answer["items"]:
                col = (item.get("cols") or {}).get("total")
                if isinstance(col, int) and item.get("rows"):
                    first = item["rows"][0]
                    line = int(str(first).split("-")[0])
                    item.setdefault("fix", []).append([line, col, str(100 * k + 0.5)])
                    return answer
            return answer
        if kind in ("project", "overall"):
            answer["budget_total"] = float(Decimal(str(answer.get("budget_total") or 0)) + 100 * k)
            return answer
        for row in answer.get("rows") or []:
            for key in ("total", "amount"):
                if row.get(key) is not None:
                    row[key] = float(Decimal(str(row[key])) + 100 * k)
                    return answer
        return answer


