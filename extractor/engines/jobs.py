"""What the llm and hybrid engines ask about: one job per located table or sheet, and the helpers
both answer paths (copied, extractor/engines/llm.py; by reference, extractor/engines/llm_refs.py)
share to turn answers back into the layout's Document.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from schemas import Document
from schemas.tables import TABLE_TITLES

from ..locate import Layout, Region

# Tables with one answer row per printed body line (t1/t4 print two sides on a line, t10 fixed lines).
COUNTED = {"t2", "t3", "t5", "t6", "t7", "t8", "t9", "t11"}


@dataclass
class Job:
    """One table or sheet to ask about: its key, the region it was read from, a label for logs."""

    kind: str  # t1 … t11, overall, project
    region: Region
    index: int = 0  # which project sheet

    @property
    def label(self) -> str:
        return f"project[{self.index}]" if self.kind == "project" else self.kind


def plan(layout: Layout) -> list[Job]:
    """Every located table (regions of one table merged, without touching the layout) and sheet."""
    jobs = []
    for key in TABLE_TITLES:
        found = layout.tables(key)
        real = [r for r in found if r.grids or r.empty_note] or found
        if real:
            merged = Region(kind=key, title=real[0].title, pages=[], grids=[], lines=[])
            for region in real:
                merged.grids += region.grids
                merged.lines += region.lines
                for page in region.pages:
                    merged.add_page(page)
            jobs.append(Job(key, merged))
    overall = layout.first("overall")
    if overall is not None:
        jobs.append(Job("overall", overall))
    jobs += [Job("project", region, i) for i, region in enumerate(layout.tables("project"))]
    return jobs


def layout_reading(doc: Document, job: Job) -> Any:
    """What the document holds for a job (the layout engine's reading, before any LLM answer)."""
    if job.kind == "project":
        sheets = doc.performance.projects
        return sheets[job.index] if job.index < len(sheets) else None
    if job.kind == "overall":
        return doc.performance.overall
    return getattr(doc.tables, job.kind, None)


def keep_layout_facts(answer: dict, layout: dict | None) -> dict:
    """An answer with what only the layout reads carried over: the printed title, the money unit,
    and the printed columns and lines the contract has no field for (the model is not asked them)."""
    if not layout:
        return answer
    for key in ("title", "unit", "extra"):
        if key in answer and layout.get(key) and not answer.get(key):
            answer[key] = layout[key]
    extras = {(row.get("code"), row.get("name")): row["extra"] for row in layout.get("rows") or []
              if isinstance(row, dict) and row.get("extra")}
    for row in answer.get("rows") or []:
        if isinstance(row, dict) and "extra" in row and not row["extra"]:
            row["extra"] = extras.get((row.get("code"), row.get("name")), {})
    return answer


def first_alone(pool: ThreadPoolExecutor, ask: Any, items: list) -> dict:
    """Submit the first item and wait for it before the others: a refusal (bad key, unknown model)
    is then met by one request, and the first answer's usage tells the window how the server
    counts tokens before the other requests are sized."""
    futures = {}
    for i, item in enumerate(items):
        future = pool.submit(ask, item)
        futures[future] = item
        if i == 0:
            future.exception()  # waits; the outcome is read with the others
    return futures


def stitch(job: Job, parts: list[BaseModel]) -> BaseModel:
    """One table from the answers of its pieces: rows in order, the first printed total and notes."""
    first = parts[0]
    if len(parts) > 1:
        data = first.model_dump()
        data["rows"] = [row for part in parts for row in part.model_dump()["rows"]]
        for field in ("total", "empty_note", "special_account_label"):
            if field in data:
                data[field] = next((getattr(p, field) for p in parts if getattr(p, field) is not None), None)
                data[field] = data[field].model_dump() if isinstance(data[field], BaseModel) else data[field]
        first = type(first).model_validate(data)
    if job.kind in TABLE_TITLES:
        first = first.model_copy(update={"present": True, "pages": list(job.region.pages),
                                         "empty_note": first.empty_note or job.region.empty_note})
    elif not first.pages:
        first = first.model_copy(update={"pages": list(job.region.pages)})
    return first
