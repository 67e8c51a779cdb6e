"""The refs path of the llm engine: numbered grids in batches, answers by reference.

Chosen by a prompt whose manifest says ``"answer": "refs"`` (prompts/r1). Tables and sheets
are cut into blocks, packed into calls by grid size, and each block's answer is built into the
contract's model from the grid (extractor/llm/refs.py) before the same checks as a copied answer.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Protocol

from pydantic import BaseModel

from schemas import Document

from ..errors import BudgetExceededError, EngineError
from ..llm.answers import MODELS
from ..llm.batches import Block, answer_model, block_id, contexts, has_data, problems, results, split
from ..llm.cache import AnswerCache
from ..llm.client import ContextLengthError, LlmClient, RequestRefusedError, Settings, TruncatedAnswerError
from ..llm.fit import pack, piece_counter, refs_answer_tokens, request_schema
from ..llm.gridtext import Piece, pieces
from ..llm.images import page_data_urls
from ..llm.prompting import Prompt
from ..llm.refs import Numbered, ref_schema
from ..llm.window import Window
from .jobs import Job, layout_reading, stitch

log = logging.getLogger("budgetx.llm")
MIN_GRID = 64  # tokens of grid below which a block is not worth a request


class Engine(Protocol):
    """What the refs path uses of the llm engine (extractor/engines/llm.py)."""

    settings: Settings
    prompt: Prompt
    cache: AnswerCache
    failed: dict[str, str]
    refused: RequestRefusedError | None
    source_path: Path | None

    def window(self) -> Window: ...

    def _client(self) -> LlmClient: ...

    def refuse(self, exc: RequestRefusedError) -> None: ...

    def check_refused(self) -> None: ...


def run_refs(engine: Engine, doc: Document, jobs: list[Job],
             counted: set[str]) -> tuple[dict[str, BaseModel], BudgetExceededError | None, dict[str, dict]]:
    """Every job's answer by label (a job whose blocks did not all come back keeps its layout
    reading), and per label where its values were read (pointer relative to the answer → page, box)."""
    settings = engine.settings
    window = engine.window()
    schema = request_schema(answer_model())

    def tokens(batch: list[Block]) -> int:  # the whole request: prompt as rendered, and the answer
        messages = engine.prompt.batch_messages(batch, None, unit_name=doc.unit_name)
        return window.prompt_tokens(messages, schema) + refs_answer_tokens(batch)

    def build(todo: list[Job]) -> tuple[list[Block], dict[str, tuple[Job, list[Block]]]]:
        """The jobs' blocks, each piece cut to fit the window as it is now known."""
        blocks: list[Block] = []
        by_job: dict[str, tuple[Job, list[Block]]] = {}
        for job in todo:
            # The room one block of this kind has: the window less the prompt around it and its answer.
            room = window.usable - tokens([Block(job.label, job.kind, Piece(job.kind, "", [], [], [], []),
                                                 Numbered(job.label), False)])
            if room < MIN_GRID:
                engine.failed[job.label] = (f"the prompt alone leaves {max(room, 0)} tokens of the model's context "
                                            f"window ({window.context}, {window.source}) for the grid")
                continue
            count = piece_counter(window, settings.batch_tokens, int(room * 0.9))  # line numbers are added
            parts = [p for p in pieces(job.region, settings.batch_tokens, count) if p.header or p.body or p.extra_grids]
            if not parts:  # nothing printed to ask about: an empty table keeps the layout's note
                continue
            reading = layout_reading(doc, job) if len(parts) == 1 else None
            own = [Block(job.label, job.kind, p, Numbered.of(p, block_id(job.label, p)), job.kind in counted,
                         reading) for p in parts]
            if not any(has_data(b) for b in own):  # a header with nothing under it: the layout's empty table
                continue
            too_big = next((b for b in own if not fits([b])), None)
            if too_big is not None:  # a header and a row, or a whole sheet, with the prompt around it
                engine.failed[job.label] = (f"{too_big.id} does not fit the model's context window ({window.context} "
                                            f"tokens, {window.source}) even alone: ~{tokens([too_big])} tokens")
                continue
            blocks += own
            by_job[job.label] = (job, own)
        return blocks, by_job

    def fits(batch: list[Block]) -> bool:
        return tokens(batch) <= window.usable

    answers: dict[str, BaseModel] = {}
    got: dict[str, tuple[BaseModel, dict]] = {}
    why: dict[str, str] = {}  # block id → why its answer was not kept
    stop: BudgetExceededError | None = None

    def ask_all(batches: list[list[Block]]) -> None:
        nonlocal stop
        workers = 1 if window.serial else max(1, min(settings.concurrency, len(batches) or 1))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for future, batch in {pool.submit(_ask, engine, doc, b, why): b for b in batches}.items():
                try:
                    got.update(future.result())
                except BudgetExceededError as exc:
                    stop = stop or exc
                    why.update({b.id: str(exc) for b in batch if b.id not in why})
                except RequestRefusedError as exc:  # reported once, by the engine, for the whole document
                    why.update({b.id: f"the server refused the request ({exc.status})" for b in batch
                                if b.id not in why})
                except EngineError as exc:  # these blocks keep their layout reading
                    log.warning("%s", exc)
                    why.update({b.id: str(exc) for b in batch if b.id not in why})

    blocks, by_job = build(jobs)
    batches = pack(blocks, settings.batch_tokens, fits)
    # The first batch goes alone: a refusal (bad key, unknown model) then costs one request, and
    # its answer (or context-length error) tells how the server counts before the rest is cut.
    known = (window.context, window.scale)
    ask_all(batches[:1])
    if batches[1:] and (window.context, window.scale) != known and stop is None and engine.refused is None:
        redo = [job for job, own in by_job.values() if any(b.id not in got for b in own)]
        for job in redo:
            for block in by_job.pop(job.label)[1]:
                got.pop(block.id, None)
                why.pop(block.id, None)
        blocks, rebuilt = build(redo)
        by_job.update(rebuilt)
        log.info("context: %d tables and sheets cut again for the window as the server counts it", len(redo))
        ask_all(pack(blocks, settings.batch_tokens, fits))
    else:
        ask_all(batches[1:])
    where: dict[str, dict] = {}
    for label, (job, own) in by_job.items():
        missing = [b.id for b in own if b.id not in got]
        if missing:
            log.warning("%s: no valid answer for %s; the layout reading is kept", label, ", ".join(missing))
            reasons = [why.get(i, "no answer") for i in missing]
            engine.failed[label] = "; ".join(r if r.startswith(f"{i}:") else f"{i}: {r}" for i, r in zip(missing, reasons))
            continue
        answers[label] = stitch(job, [got[b.id][0] for b in own])
        where[label] = _stitch_where([got[b.id] for b in own])
    return answers, stop, where


def _stitch_where(parts: list[tuple[BaseModel, dict]]) -> dict:
    """The provenance of a stitched table: each piece's rows shifted by the rows before it, the
    first piece's total (as stitch keeps the first printed total)."""
    out: dict = {}
    offset = 0
    total_taken = False
    for model, where in parts:
        has_total = getattr(model, "total", None) is not None
        for pointer, spot in where.items():
            head, _, rest = pointer.partition("/")
            if head == "rows" and rest:
                index, _, field = rest.partition("/")
                out[f"rows/{int(index) + offset}/{field}"] = spot
            elif head == "total" and (total_taken or not has_total):
                continue
            else:
                out.setdefault(pointer, spot)
        total_taken = total_taken or has_total
        offset += len(getattr(model, "rows", []) or [])
    return out


def _ask(engine: Engine, doc: Document, batch: list[Block],
         why: dict[str, str]) -> dict[str, tuple[BaseModel, dict]]:
    """One batch's answers by block id, from the cache or the model; a cut-off answer is asked in halves."""
    settings = engine.settings
    pages = sorted({p for b in batch for p in b.piece.pages})
    images = page_data_urls(engine.source_path, pages) if settings.vision and engine.source_path else None
    messages = engine.prompt.batch_messages(batch, images, unit_name=doc.unit_name)
    key = engine.cache.key(settings.model, engine.prompt.id, ref_schema(), messages)
    hit = engine.cache.get(key)
    by_id = {b.id: b for b in batch}
    if hit is not None and set(hit.get("answers", {})) == set(by_id):
        log.info("%s: cached answer", _label(batch))
        return {i: (MODELS[by_id[i].kind].model_validate(v), _spots(hit.get("where", {}).get(i, {})))
                for i, v in hit["answers"].items()}
    context = contexts(batch, doc.unit_name)
    engine.check_refused()
    try:
        engine._client().ask(_label(batch), answer_model(), messages, context, refs_answer_tokens(batch))
    except (TruncatedAnswerError, ContextLengthError) as exc:
        # Blocks that passed before a re-ask overflowed are kept; the rest is asked again, in halves
        # when none passed (a cut-off answer, or a batch the window cannot hold).
        out: dict[str, tuple[BaseModel, dict]] = results(context)
        rest = [b for b in batch if b.id not in out]
        halves = split(rest) if len(rest) == len(batch) else [rest]
        if len(halves) == 1 and len(rest) == len(batch):
            raise
        what = "answer truncated" if isinstance(exc, TruncatedAnswerError) else "request too long for the context window"
        log.warning("%s: %s; asking again %s", _label(batch), what,
                    "in two batches" if len(halves) == 2 else f"for {_label(rest)}")
        for half in halves:
            if half:
                out.update(_ask(engine, doc, half, why))
        return out
    except RequestRefusedError as exc:
        engine.refuse(exc)
        raise
    got = results(context)
    why.update(problems(context))
    confirmed = {i: sub.confirmed for i, sub in context.sub.items() if sub.confirmed}
    for block, notes in confirmed.items():
        log.info("%s: model confirmed printed figures that do not add up: %s", block, "; ".join(notes))
    if set(got) == set(by_id):  # a partial batch is asked again next time, not cached
        engine.cache.put(key, {"answers": {i: m.model_dump(mode="json") for i, (m, _) in got.items()},
                               "where": {i: w for i, (_, w) in got.items()},
                               "label": _label(batch), "confirmed": confirmed})
    return got


def _spots(data: dict) -> dict:
    # JSON turns (page, box) into lists; provenance wants them back as they were.
    return {k: (v[0], tuple(v[1])) for k, v in data.items()}


def _label(batch: list[Block]) -> str:
    ids = [b.id for b in batch]
    return ids[0] if len(ids) == 1 else f"{ids[0]}…{ids[-1]} ({len(ids)} blocks)"
