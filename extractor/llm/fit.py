"""Requests sized to the context window: pieces, batches and max_tokens.

A request holds its fixed part (system prompt, answer schema, the field lists of its kinds), the
grids it asks about, and room for the answer. Pieces of a long table are cut so that one piece
alone fits; blocks are packed into a batch while the rendered prompt plus the expected answer fit;
``max_tokens`` is what the expected answer needs, not a fixed cap (a refs answer names lines and
columns, so it is short whatever the table's length).
"""

from __future__ import annotations

import math
from typing import Any, Callable

import instructor
from pydantic import BaseModel

from .batches import Block, kind_glossary
from .gridtext import Piece, estimate_tokens
from .window import MIN_ANSWER, Window

# A refs answer per block: the item's braces, id and rows, plus a key and a number or pair per field;
# a later block of the same kind may leave its fields out ("as the previous block"), and mostly does.
REFS_ITEM = 40
REFS_FIELD = 10
REFS_FIELD_AGAIN = 3
# A copied answer repeats every cell with its field name: about twice the grid, plus the frame.
COPY_FACTOR = 2
COPY_FRAME = 200


def request_schema(model: type[BaseModel]) -> list[dict[str, Any]]:
    """The answer schema as a request carries it (a tool: name, description, parameters), for counting."""
    return [{"type": "function", "function": instructor.openai_schema(model).openai_schema}]


def refs_answer_tokens(blocks: list[Block]) -> int:
    """max_tokens for a refs batch: what an item per block needs, with room for a few fixes."""
    need, seen = 0, set()
    for block in blocks:
        glossary = kind_glossary(block.kind)
        fields = len(glossary["rows"]) + sum(len(pairs) for _, pairs in glossary["cells"])
        need += REFS_ITEM + (REFS_FIELD_AGAIN if block.kind in seen else REFS_FIELD) * fields
        seen.add(block.kind)
    return max(MIN_ANSWER, need)


def copy_answer_tokens(piece: Piece, window: Window) -> int:
    """max_tokens for a copied piece: its cells again, with their field names."""
    return COPY_FACTOR * window.count(piece.text) + COPY_FRAME


def piece_counter(window: Window, budget: int, room: int) -> Callable[[str], int]:
    """A cost for gridtext.pieces that keeps a piece within both the grid budget (estimate_tokens,
    as batch_tokens and chunk_tokens are given) and the room the window leaves (window.count)."""
    room = max(1, room)
    return lambda text: max(estimate_tokens(text), math.ceil(window.count(text) * budget / room))


def pack(blocks: list[Block], budget: int, fits: Callable[[list[Block]], bool]) -> list[list[Block]]:
    """Blocks in document order, grouped into batches of at most ~budget grid tokens whose request
    fits the window; a block that does not fit even alone is a batch of its own (the client says so)."""
    batches: list[list[Block]] = [[]]
    used = 0
    for block in blocks:
        batch = batches[-1]
        if batch and (used + block.tokens > budget or not fits(batch + [block])):
            batches.append([])
            used = 0
        batches[-1].append(block)
        used += block.tokens
    return [b for b in batches if b]
