"""The ``llm`` and ``hybrid`` engines: an LLM (through Instructor) fills the contract's tables and sheets.

One job per located table or sheet; a long table is split by rows into pieces whose answers
are stitched. Unit name, year, staffing and narrative come from the layout readers, and so
does any table the LLM could not answer (doc.run.llm_tables lists what the LLM produced).
``hybrid`` runs the layout engine first and asks the LLM only for tables that are missing or
break their own checker rules.
"""

from __future__ import annotations

import copy
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from schemas import Document, Usage
from schemas.tables import TABLE_TITLES

from ..errors import BudgetExceededError, BudgetxError, EngineError
from ..llm.answers import MODELS, answer_model
from ..llm.cache import AnswerCache
from ..llm.client import ContextLengthError, LlmClient, RequestRefusedError, Settings, TruncatedAnswerError
from ..llm.context import AnswerContext
from ..llm.fit import COPY_FACTOR, copy_answer_tokens, piece_counter, request_schema
from ..llm.gridtext import Piece, halves, pieces
from ..llm.images import page_data_urls
from ..llm.mapping import Answer_mapping, MapAnswer
from ..llm.prompting import Prompt, load_prompt
from ..llm.reconcile import failures
from ..llm.window import Window, discover
from ..locate import Layout
from .jobs import COUNTED, Job, first_alone, keep_layout_facts, layout_reading, plan, stitch  # noqa: F401 (plan: API)
from .layout import LayoutEngine
from .llm_refs import run_refs
from .llm_unknown import candidates, map_unknown, open_slots

log = logging.getLogger("budgetx.llm")



class LlmEngine:
    """Asks the model for every located table and sheet."""

    name = "llm"

    def __init__(self, settings: Settings, source_path: str | Path | None = None):
        self.settings = settings
        self.source_path = Path(source_path) if source_path else None
        self.prompt: Prompt = load_prompt(settings.prompt)
        self.cache = AnswerCache(settings.cache_dir, disabled=settings.no_cache)
        self.client: LlmClient | None = None  # built on the first call: a cached run needs no key
        self.failed: dict[str, str] = {}
        self.refused: RequestRefusedError | None = None  # the server's first refusal stops the document
        self._window: Window | None = None
        self._lock = threading.Lock()

    # ---- what to ask ---------------------------------------------------------------
    def select(self, doc: Document, jobs: list[Job]) -> list[Job]:
        """The jobs the LLM answers: all of them (or those named by the ``only`` option)."""
        return self._only(jobs)

    def _only(self, jobs: list[Job]) -> list[Job]:
        only = self.settings.only
        return [j for j in jobs if j.kind in only or j.label in only] if only else jobs

    def fill(self, doc: Document, layout: Layout) -> Document:
        """Layout readings first (profile, narrative, fallback), then the LLM's answers on top."""
        jobs = plan(layout)  # before the layout engine, which merges regions in place
        self.client = None  # usage and budget are per document, even if an engine is reused
        self.failed: dict[str, str] = {}  # label → why the LLM's answer was not kept
        self.mapped: list[str] = []  # contract tables the model mapped from generic regions
        self.refused = None
        # The pristine copies (the layout engine merges regions in place) only when a region can be offered.
        unknown = self._asks_unknown() and bool(candidates(layout)) and bool(open_slots(layout))
        blank, pristine = (doc.model_copy(deep=True), copy.deepcopy(layout)) if unknown else (doc, layout)
        doc = LayoutEngine().fill(doc, layout)
        if unknown:
            doc = self._map_unknown(blank, pristine, doc)
        chosen = self.select(doc, jobs)
        if chosen:  # the server's tokenizer measured on this document's grids (one request, if it has one)
            self.window().calibrate("\n".join(p.text for j in chosen for p in pieces(j.region, 10**9)))
        answers, stop, where = self._run(doc, chosen)
        doc = self._apply(doc, jobs, answers, where)
        if self.refused is not None:  # reported once, for the document, not once per table
            self.refused.document = doc  # type: ignore[attr-defined]  # the layout readings are not lost
            self.refused.file = self.refused.file or (str(self.source_path) if self.source_path else None)
            raise self.refused
        if stop is not None:
            missing = [j.label for j in chosen if j.label not in answers]
            error = BudgetExceededError(f"{stop.message}; kept {len(answers)} LLM answers "
                                        f"({', '.join(sorted(answers)) or 'none'}), layout readings for "
                                        f"{', '.join(missing)}")
            error.document = doc  # type: ignore[attr-defined]  # what was extracted is not lost
            raise error from stop
        return doc

    # ---- unknown tables --------------------------------------------------------------
    def _asks_unknown(self) -> bool:
        only = self.settings.only
        return not only or "generic" in only

    def _map_unknown(self, blank: Document, pristine: Layout, read: Document) -> Document:
        """Generic table regions mapped to empty slots by the model (extractor/engines/llm_unknown.py)."""
        try:
            mapped = map_unknown(blank, pristine, read, self._ask_mapping, reasks=min(1, self.settings.max_retries))
        except RequestRefusedError as exc:
            self.refuse(exc)
            self.failed["generic"] = f"the server refused the request ({exc.status})"
            return read
        except EngineError as exc:  # every table keeps its layout reading
            log.warning("%s", exc)
            self.failed["generic"] = str(exc).splitlines()[0][:300]
            return read
        self.mapped = mapped.tables
        self.failed.update(mapped.failed)
        return mapped.doc

    def _ask_mapping(self, turns: list[dict]) -> MapAnswer:
        key = AnswerCache.key(self.settings.model, "m1", Answer_mapping.model_json_schema(), turns)
        hit = self.cache.get(key)
        if hit is not None:
            log.info("mapping: cached answer")
            return MapAnswer.model_validate(hit["answer"])
        self.check_refused()
        answer = self._client().ask("mapping", Answer_mapping, turns, AnswerContext())
        plain = MapAnswer.model_validate(answer.model_dump())
        self.cache.put(key, {"answer": plain.model_dump(mode="json"), "label": "mapping"})
        return plain

    # ---- asking --------------------------------------------------------------------
    def _run(self, doc: Document, jobs: list[Job]) -> tuple[dict[str, BaseModel], BudgetExceededError | None,
                                                             dict[str, dict]]:
        if self.prompt.answer == "refs":
            return run_refs(self, doc, jobs, COUNTED)
        answers: dict[str, BaseModel] = {}
        stop: BudgetExceededError | None = None
        workers = 1 if self.window().serial else max(1, min(self.settings.concurrency, len(jobs) or 1))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = first_alone(pool, lambda job: self._answer(doc, job), jobs)
            for future, job in futures.items():
                try:
                    answers[job.label] = future.result()
                except BudgetExceededError as exc:
                    stop = stop or exc
                    self.failed[job.label] = str(exc).splitlines()[0][:300]
                except RequestRefusedError as exc:  # reported once, by fill, for the whole document
                    self.failed[job.label] = f"the server refused the request ({exc.status})"
                except EngineError as exc:  # this table keeps its layout reading
                    log.warning("%s", exc)
                    self.failed[job.label] = str(exc).splitlines()[0][:300]
        return answers, stop, {}  # a copied value has no cell to point to

    def window(self) -> Window:
        """The model's context window: --context-tokens, what the server says, or a safe default."""
        with self._lock:
            if self._window is None:
                s = self.settings
                self._window = discover(s.base_url, s.model, s.api_key, s.context_tokens, s.http_client)
            return self._window

    def _client(self) -> LlmClient:
        window = self.window()
        with self._lock:  # one client (and one ledger) for all of the document's threads
            if self.client is None:
                self.client = LlmClient(self.settings, window=window)
            return self.client

    def refuse(self, exc: RequestRefusedError) -> None:
        """Remember the server's first refusal: no further request is sent for this document."""
        with self._lock:
            self.refused = self.refused or exc

    def check_refused(self) -> None:
        """Raise the refusal already received instead of sending a request bound to get it too."""
        if self.refused is not None:
            raise self.refused

    def _answer(self, doc: Document, job: Job) -> BaseModel:
        """The job's table or sheet: its pieces asked (or read from the cache) and stitched."""
        window, budget = self.window(), self.settings.chunk_tokens
        empty = Piece(job.kind, job.region.title, [], [], [], [])
        model = answer_model(job.kind, self.prompt.schema_descriptions)
        fixed = window.prompt_tokens(self.prompt.messages(empty, None, unit_name=doc.unit_name),
                                     request_schema(model))
        # A piece, its copy in the answer and the prompt around it must fit together.
        room = (window.usable - fixed - copy_answer_tokens(empty, window)) // (1 + COPY_FACTOR)
        todo = pieces(job.region, budget, piece_counter(window, budget, room))
        done: list[BaseModel] = []
        while todo:
            piece = todo.pop(0)
            try:
                done.append(self._ask_piece(doc, job, piece))
            except (TruncatedAnswerError, ContextLengthError) as exc:
                split = halves(piece)
                if len(split) == 1:
                    raise
                log.warning("%s: %s; asking again in two halves", job.label, "answer truncated" if isinstance(
                    exc, TruncatedAnswerError) else "request too long for the context window")
                todo[:0] = split
            except RequestRefusedError as exc:
                self.refuse(exc)
                raise
        return stitch(job, done)

    def _ask_piece(self, doc: Document, job: Job, piece: Piece) -> BaseModel:
        model = answer_model(job.kind, self.prompt.schema_descriptions)
        images = page_data_urls(self.source_path, piece.pages) if self.settings.vision and self.source_path else None
        messages = self.prompt.messages(piece, images, unit_name=doc.unit_name)
        key = AnswerCache.key(self.settings.model, self.prompt.id, model.model_json_schema(), messages)
        hit = self.cache.get(key)
        base = MODELS[job.kind]
        if hit is not None:
            log.info("%s: cached answer", job.label)
            return base.model_validate(hit["answer"])
        context = AnswerContext(unit_name=doc.unit_name, row_local=piece.parts > 1,
                                min_rows=piece.data_rows() if job.kind in COUNTED else None)
        self.check_refused()
        answer = self._client().ask(job.label, model, messages, context, copy_answer_tokens(piece, self.window()))
        plain = base.model_validate(answer.model_dump())
        if context.confirmed:
            log.info("%s: model confirmed printed figures that do not add up: %s", job.label,
                     "; ".join(context.confirmed))
        self.cache.put(key, {"answer": plain.model_dump(mode="json"), "label": job.label,
                             "unreconciled": context.unreconciled, "confirmed": context.confirmed})
        return plain

    # ---- putting answers in --------------------------------------------------------
    def _apply(self, doc: Document, jobs: list[Job], answers: dict[str, BaseModel],
               where: dict[str, dict] | None = None) -> Document:
        data = doc.model_dump(mode="python")
        projects = list(data["performance"]["projects"])
        aligned = len(projects) == sum(1 for j in jobs if j.kind == "project")
        provenance = data["provenance"]
        new_projects = []
        for job in jobs:
            answer = answers.get(job.label)
            if job.kind == "project":
                value = answer.model_dump() if answer is not None else (projects[job.index] if aligned else None)
                if answer is not None and aligned:
                    value = keep_layout_facts(value, projects[job.index])
                if value is None:
                    continue
                base = f"/performance/projects/{len(new_projects)}"
                new_projects.append(value)
            elif answer is None:
                continue
            elif job.kind == "overall":
                base = "/performance/overall"
                data["performance"]["overall"] = keep_layout_facts(answer.model_dump(), data["performance"]["overall"])
            else:
                base = f"/tables/{job.kind}"
                data["tables"][job.kind] = keep_layout_facts(answer.model_dump(), data["tables"][job.kind])
            if answer is None:
                continue
            # The layout reading's provenance no longer describes these values; the answer's does.
            provenance = {k: v for k, v in provenance.items() if not k.startswith(f"{base}/") and k != base}
            for pointer, (page, box) in (where or {}).get(job.label, {}).items():
                provenance[f"{base}/{pointer}"] = {"page": page, "bbox": list(box)}
        if new_projects or not aligned:
            data["performance"]["projects"] = new_projects or projects
        data["provenance"] = provenance
        out = Document.model_validate(data)
        client = self.client
        out.run = out.run.model_copy(update={
            "prompt": self.prompt.id, "model": self.settings.model,
            "usage": client.ledger.total if client else Usage(cost=Decimal(0)),
            "llm_tables": [j.label for j in jobs if j.label in answers] + self.mapped,
            "llm_failed": {k: v for k, v in self.failed.items() if k not in answers and k not in self.mapped}})
        return out


class HybridEngine(LlmEngine):
    """Layout first; the LLM only for tables that are missing or break their own rules."""

    name = "hybrid"

    def select(self, doc: Document, jobs: list[Job]) -> list[Job]:
        flagged = _flagged_by_checker(doc)
        skip = _family_skips(doc)
        chosen = []
        for job in self._only(jobs):
            value = layout_reading(doc, job)
            broken = [f for f in failures(job.kind, value, doc.unit_name) if f.rule not in skip] if value else []
            if job.label in flagged or _missing(job, value) or broken:
                chosen.append(job)
        log.info("hybrid: LLM for %s", ", ".join(j.label for j in chosen) or "nothing")
        return chosen


def _family_skips(doc: Document) -> set[str]:
    """The rules the document's family does not print the parts of: no reason to ask the model."""
    from .. import templates

    try:
        return set(templates.load(doc.template).skip_rules) if doc.template else set()
    except BudgetxError:
        return set()


def _flagged_by_checker(doc: Document) -> set[str]:
    """Tables and sheets the full checker blames for an error it puts down to extraction.

    Cross-table rules catch misreads that a table's own sums cannot (a cell that breaks no
    row sum but disagrees with the same figure in another table).
    """
    try:
        from ..checks import check
    except ImportError:
        return set()
    flagged = set()
    for finding in check(doc):
        if finding.severity != "error" or finding.cause != "extraction" or not finding.suspect:
            continue
        parts = finding.suspect.strip("/").split("/")
        if parts[0] == "tables" and len(parts) > 1:
            flagged.add(parts[1])
        elif parts[:2] == ["performance", "projects"] and len(parts) > 2:
            flagged.add(f"project[{parts[2]}]")
        elif parts[:2] == ["performance", "overall"]:
            flagged.add("overall")
    return flagged


def _missing(job: Job, value: Any) -> bool:
    if value is None:
        return True
    if job.kind in TABLE_TITLES:
        if not value.present:
            return True
        empty = not value.rows and value.total is None
        return empty and not value.empty_note and bool(job.region.grids)
    return not getattr(value, "indicators", None) and not getattr(value, "project_name", None)


def make_engine(name: str, **options: Any) -> LlmEngine:
    """Build the llm or hybrid engine from engine options (CLI) and the PDF's path."""
    source = options.pop("source_path", None)
    settings = Settings.from_options(**options)
    return (HybridEngine if name == "hybrid" else LlmEngine)(settings, source)
