"""The response models the LLM fills: the contract's own table and sheet models, re-checked.

``answer_model(kind)`` is a subclass of the table model (or ProjectSheet / OverallSheet) with
two additions. Its JSON schema is compacted: fields the engine fills itself (present, pages,
the normalised target) are not asked for; titles, defaults and null branches are dropped (a
blank cell is left out); money is a number. Every call pays for the schema, so it is small.
And an after-validator runs the table's checker rules (reconcile.failures) on the answer and raises a ValueError
naming the failed equation, which Instructor turns into a re-ask.

A document may really print figures that do not add up (the eval set's seeds do). So when the
model, told which equation failed, answers with exactly the same cell values again, the answer
is accepted as printed and the checker reports the inconsistency later.
"""

from __future__ import annotations

import functools
import json
from typing import Any, get_args

from pydantic import BaseModel, ValidationInfo, model_validator

from schemas import OverallSheet, ProjectSheet
from schemas.tables import TABLE_MODELS

from .context import AnswerContext
from .reconcile import Failure, failures

MODELS: dict[str, type[BaseModel]] = {**TABLE_MODELS, "overall": OverallSheet, "project": ProjectSheet}
# Filled by the engine (present, pages) or derived by the model (target from target_raw).
HIDDEN = {"present", "pages", "target", "title", "unit", "extra"}

REASK_TAIL = (
    "请对照表格原文逐格核对以上单元格，改正抄录错误（串行、串列、漏行、小数点）。"
    "如果原表印的确实就是这些数字，请原样再次给出同样的答案。"
    " / Check these cells against the grid and fix transcription errors; if the grid really "
    "prints these numbers, answer with exactly the same values again."
)


def compact_schema(schema: dict, title: str, descriptions: bool = True) -> dict:
    """The JSON schema without hidden fields, titles and defaults; optional scalars as type lists."""

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(item) for item in node]
        if not isinstance(node, dict):
            return node
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in ("title", "default") or (key == "description" and not descriptions):
                continue
            if key == "properties":
                out[key] = {name: walk(sub) for name, sub in value.items() if name not in HIDDEN}
            else:
                out[key] = walk(value)
        if "required" in out:
            out["required"] = [name for name in out["required"] if name in out.get("properties", {})]
        return _simplify_any_of(out)

    compact = _prune_defs(walk(schema))
    compact["title"] = title
    if schema.get("description"):
        compact["description"] = schema["description"]
    return compact


def _prune_defs(schema: dict) -> dict:
    """Drop $defs no longer referenced (Target, once the normalised target is hidden)."""
    defs = schema.get("$defs")
    if not defs:
        return schema
    used: set[str] = set()
    todo = [{k: v for k, v in schema.items() if k != "$defs"}]
    while todo:
        text = json.dumps(todo.pop())
        for name in defs:
            if f'"#/$defs/{name}"' in text and name not in used:
                used.add(name)
                todo.append(defs[name])
    schema["$defs"] = {name: d for name, d in defs.items() if name in used}
    if not schema["$defs"]:
        del schema["$defs"]
    return schema


def _simplify_any_of(node: dict) -> dict:
    """X | null → X, number | string → number (pydantic writes Decimal as both; the string
    branch carries a pattern in some versions and none in others).

    Every field has a default, so a blank cell is simply left out of the answer: a schema
    without the null branches is shorter for every call, and the answer shorter for every
    blank cell. (An explicit null still validates.)
    """
    options = node.get("anyOf")
    if not options:
        return node
    kept = [o for o in options if o != {"type": "null"}]
    if any(o.get("type") == "number" for o in kept):
        kept = [o for o in kept if o.get("type") != "string"]
    rest = {k: v for k, v in node.items() if k != "anyOf"}
    if len(kept) == 1:
        return {**kept[0], **rest}
    return {"anyOf": kept, **rest}


def model_of(annotation: Any) -> type[BaseModel] | None:
    """The model inside list[M], M | None, or M itself."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = model_of(arg)
        if found is not None:
            return found
    return None


@functools.lru_cache(maxsize=64)
def answer_model(kind: str, descriptions: bool = True) -> type[BaseModel]:
    """The response model for a table key (t1…t11) or a sheet kind (overall, project)."""
    base = MODELS[kind]
    name = f"Answer_{kind}"

    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict:
        return compact_schema(base.model_json_schema(*args, **kwargs), name, descriptions)

    @model_validator(mode="after")
    def _reconcile(self: BaseModel, info: ValidationInfo) -> BaseModel:
        if isinstance(info.context, AnswerContext):
            check_answer(kind, base.model_validate(self.model_dump()), info.context)
        return self

    namespace = {
        "__doc__": base.__doc__,
        "__module__": __name__,
        "model_json_schema": classmethod(model_json_schema),
        "_reconcile": _reconcile,
    }
    return type(name, (base,), namespace)


def _missing_rows(kind: str, answer: BaseModel, expected: int | None) -> list[Failure]:
    """A model that drops rows answers something that still adds up: count them."""
    got = len(getattr(answer, "rows", []) or [])
    if not expected or got >= expected:
        return []
    message = (f"{kind} rows: 表格本部分印有 {expected} 行数据（不含合计行），"
               f"答案只有 {got} 行，漏抄了行 / "
               f"the grid prints {expected} data rows besides the total, the answer has {got}")
    return [Failure(f"{kind}.rows_missing", message, ("rows", got), confirmable=False)]


def check_answer(kind: str, answer: BaseModel, context: AnswerContext) -> None:
    """Raise ValueError with the failed equations unless the answer reconciles (or is confirmed).

    context is the call's, passed to Instructor: it keeps the last schema-valid answer, the
    equations already sent back and what the model confirmed.
    """
    failed = failures(kind, answer, context.unit_name, row_local=context.row_local)
    failed += _missing_rows(kind, answer, context.min_rows)
    hard = any(not f.confirmable for f in failed)
    if not hard:
        context.last = answer  # kept as printed if the re-asks run out; a short answer never is
    if not failed:
        return
    signatures = {f.signature for f in failed}
    if not hard and signatures <= context.seen:
        context.confirmed = [f.message for f in failed]
        return
    context.seen |= signatures
    context.reasks += 1
    shown = failed[:12]
    more = f"\n… 另有 {len(failed) - len(shown)} 处" if len(failed) > len(shown) else ""
    raise ValueError("答案未通过核对 / the answer fails these checks:\n" + "\n".join(f.message for f in shown)
                     + more + "\n" + REASK_TAIL)
