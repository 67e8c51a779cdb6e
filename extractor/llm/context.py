"""The validation context of one LLM call, typed.

Instructor hands the ``context`` of a call to the answer model's validators (``info.context``):
what an answer is checked with (the unit, whether the piece holds whole tables, how many rows it
prints) and what the checks keep between Instructor's re-asks (the last answer worth keeping, the
equations already sent back, what the model confirmed). A refs call carries one per block.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel


@dataclass(eq=False)
class AnswerContext:
    """One table's or sheet's answer: its checks' inputs, and their state across re-asks."""

    unit_name: str | None = None
    row_local: bool = False  # a piece of a split table: only identities inside one row are checked
    min_rows: int | None = None  # data rows the piece prints (a shorter answer dropped some)
    last: BaseModel | None = None  # the last schema-valid answer, kept if the re-asks run out
    seen: set = field(default_factory=set)  # signatures of the failed equations already sent back
    confirmed: list[str] = field(default_factory=list)  # failed equations the model answered again
    reasks: int = 0
    unreconciled: bool = False  # the client returned ``last`` after the re-asks ran out
    problem: str | None = None  # refs: why the block's answer was refused, last time
    where: dict = field(default_factory=dict)  # refs: pointer → (page, box) of the kept answer's values
    agreed: bool = False  # refs: the answer equals the layout's reading

    def __len__(self) -> int:
        # Instructor renders the messages as Jinja templates when the context is truthy; ours are
        # not templates (a grid may print "{{" or "{#"), so the context counts as empty there.
        return 0


@dataclass(eq=False)
class BatchContext(AnswerContext):
    """A refs call over several blocks: the blocks by id and each block's own context."""

    blocks: dict[str, Any] = field(default_factory=dict)  # block id → batches.Block
    sub: dict[str, AnswerContext] = field(default_factory=dict)
