"""The mapping question (prompts/mapping/m1): which contract table a grid is, which column is which field.

Asked once per template family (``budgetx templates learn``), not per document. Each table-like
region is shown as a numbered grid, as the refs prompts show it, but cut to its header, its first
data lines and its total line: the model names positions, never values, and the answers become
a template file that the offline layout engine reads every later document of the family with.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from schemas.common import extra_key
from schemas.tables import TABLE_TITLES, money_fields

from ..locate import Region, normalise
from ..read_sheets import _label_of
from ..read_tables import EXTRA, column_paths, column_roles, header_split
from .batches import kind_glossary
from .gridtext import Piece, pieces
from .prompting import Prompt
from .refs import Numbered

TABLES = tuple(f"t{i}" for i in range(1, 12))
SHEETS = ("overall", "project")
_TOTAL = re.compile(r"^(合计|总计)")
_NUMERIC = re.compile(r"^[+-]?[\d,，]+(\.\d+)?$")
KEEP_BODY = 6  # data lines shown per table: enough to see which column holds what


class MapItem(BaseModel):
    """One block's mapping, by reference to its numbered grid."""

    model_config = ConfigDict(extra="forbid")

    id: str
    table: str = Field(description="t1…t11 或 generic")
    cols: dict[str, int] = Field(default_factory=dict, description="金额字段 → 列号")
    header: list[int | str] = Field(default_factory=list)
    rows: list[int | str] = Field(default_factory=list)
    total: int | None = None
    unit: str | None = Field(default=None, description="元 或 万元")
    sum: list[int] = Field(default_factory=list, description="合计列 = 这些列之和（非默认拆分时）")
    skip: list[str] = Field(default_factory=list, description="印出的表本不满足的规则编号")
    labels: dict[str, list[int]] = Field(default_factory=dict, description="绩效表：字段 → 标签格 [行号, 列号]")
    below: list[str] = Field(default_factory=list, description="绩效表：值印在标签下方的字段")
    other: list[list[int]] = Field(default_factory=list, description="绩效表：无对应字段的标签格 [行号, 列号]")


class MapAnswer(BaseModel):
    """Every block of the request, mapped."""

    model_config = ConfigDict(extra="forbid")

    items: list[MapItem]
    parts: dict[str, str] = Field(default_factory=dict, description="标题行号 → narrative/glossary/profile/tables_part")


PART_KINDS = ("narrative", "glossary", "profile", "tables_part")
MAX_HEADINGS = 80


def headings(layouts: list, base) -> list[str]:
    """Short heading-like lines no title rule of the base family names: candidates for part titles."""
    from ..locate import normalise, title_kind

    out: list[str] = []
    for layout in layouts:
        for line in layout.front_lines + [ln for r in layout.regions for ln in r.lines]:
            text = normalise(line)
            if not 4 <= len(text) <= 30 or text[-1] in "。，；：,;:" or "：" in text or ":" in text \
                    or not re.search(r"[\u4e00-\u9fff]", text) or text in out or title_kind(line, base):
                continue
            out.append(text)
    return out[:MAX_HEADINGS]


# The name a server sees in the tool (or response format): the answer kind, as Answer_refs is.
Answer_mapping = type("Answer_mapping", (MapAnswer,), {"__module__": __name__})


@dataclass
class Question:
    """One region as asked: its block id, the region, and the numbered (cut) grid the model sees."""

    id: str
    region: Region
    piece: Piece
    grid: Numbered
    source: str = ""  # the PDF it came from


def is_table_like(region: Region) -> bool:
    """A ruled grid of several columns under a title, or holding an amount: worth asking about.

    An empty table (header and 合计 line only) is asked too: its title says the family prints it.
    """
    if region.kind not in TABLES + ("generic",) or not region.grids or max(g.n_cols for g in region.grids) < 2:
        return False
    return bool(region.title) or any(_NUMERIC.match(re.sub(r"\s+", "", cell.text))
                                     for g in region.grids for cell in g.cells)


def is_sheet(region: Region) -> bool:
    """A performance sheet with a grid (its form labels are asked once per form)."""
    return region.kind in SHEETS and bool(region.grids)


def sheet_fields(kind: str) -> list[tuple[str, str]]:
    """A sheet form's single-value fields with their Chinese labels, for the prompt."""
    from schemas import OverallSheet, ProjectSheet

    model = OverallSheet if kind == "overall" else ProjectSheet
    return [(n, f.description or "") for n, f in model.model_fields.items()
            if n not in ("indicators", "pages", "extra") and "list" not in str(f.annotation)
            and "dict" not in str(f.annotation)]


def _cut(piece: Piece) -> Piece:
    # The header, the first data lines and the 合计/总计 lines: what a column mapping needs.
    keep = [i for i, line in enumerate(piece.body)
            if i < KEEP_BODY or _TOTAL.match(next((c for c in line.split("|") if c.strip()), "").strip())]
    return Piece(piece.kind, piece.title, piece.pages, piece.notes, piece.header,
                 [piece.body[i] for i in keep], header_spots=piece.header_spots,
                 body_spots=[piece.body_spots[i] for i in keep] if piece.body_spots else [])


def question(region: Region, block_id: str, source: str = "") -> Question:
    """The block the model sees for one region (one piece, however long the table)."""
    piece = pieces(region, max_tokens=10**9)[0]
    if region.kind in TABLES + ("generic",) and region.kind not in ("t1", "t4", "t10"):  # the rest shown whole
        piece = _cut(piece)
    return Question(block_id, region, piece, Numbered.of(piece, block_id), source)


def money_glossary(kind: str) -> dict:
    """A contract table's money fields with their Chinese headers, for the prompt."""
    entry = kind_glossary(kind)
    skip = {"code", "name", "project_name", "line", "extra"}
    return {"kind": kind, "title": TABLE_TITLES[kind], "rows": [(f, h) for f, h in entry["rows"] if f not in skip]}


def messages(prompt: Prompt, questions: list[Question], heads: list[str] | None = None,
             sheets: bool = False) -> list[dict]:
    """System and user turns for one mapping call over every question (and the heading lines).

    The sheet forms' fields are listed when a question is a located sheet, or always with sheets
    (the regions asked about are untitled as to their kind: any may be a sheet).
    """
    data = {
        "headings": "\n".join(f"{i}|{h}" for i, h in enumerate(heads or [], 1)),
        "kinds": [money_glossary(k) for k in TABLES],
        "sheets": [{"kind": k, "rows": sheet_fields(k)} for k in SHEETS
                   if sheets or any(q.region.kind == k for q in questions)],
        "blocks": [{"id": q.id, "title": q.region.title, "notes": q.piece.notes[:3], "grid": q.grid.text}
                   for q in questions],
    }
    return prompt._render(data, None)


def followup(answer: MapAnswer, failures: list[str]) -> list[dict]:
    """The turns that send the checker's failed equations back with the answer that produced them."""
    text = ("用这份映射离线读表后，下列等式不成立（[规则编号] 等式）：\n" + "\n".join(failures) +
            "\n请重答每一块：映射错了就改正 cols；印出的表本来就不满足的规则写进 skip。")
    return [{"role": "assistant", "content": json.dumps(answer.model_dump(exclude_defaults=True), ensure_ascii=False)},
            {"role": "user", "content": text}]


def column_rules(kind: str, grid, cols: dict[str, int], base) -> tuple[list[dict], list[str | None]]:
    """Header-word rules where the parent maps a printed column otherwise, and every column's role after them."""
    fields = set(money_fields(kind))
    paths = column_paths(grid, header_split(grid))
    roles = column_roles(kind, paths, base)
    claimed = {c: f for f, c in cols.items() if f in fields and 0 <= c < len(paths)}
    rules = []
    for c, path in enumerate(paths):
        label = "".join(path)
        if not label:
            continue
        want = claimed.get(c)
        if want is None and claimed and roles[c] in fields:  # the parent takes it for a field the model did not name
            want = EXTRA + extra_key(path[-1])
        if want is not None and roles[c] != want:
            rules.append({"words": [label], "field": want})
            roles[c] = want
    return rules, roles


def sheet_rules(kind: str, q, item, base) -> list[list[str]]:
    """[label, field(, "below")] for each label the model placed, where the parent reads it otherwise."""
    rules = []
    for name, at in item.labels.items():
        if len(at) != 2:
            continue
        try:
            text = q.grid.cell(at[0], at[1], {})
        except ValueError:
            continue
        bare = re.sub(r"[（(].*?[)）]|[:：]", "", normalise(text)).removeprefix("其中")
        below = name in item.below
        parent = base.sheet_labels(kind)
        if bare and (_label_of(bare, parent) != name or (below and name not in
                                                          {e[1] for e in parent if len(e) > 2 and e[2] == "below"})):
            rules.append([bare, name] + (["below"] if below else []))
    for at in item.other:  # a label with no field: its neighbour is not taken for another label's value
        try:
            bare = re.sub(r"[（(].*?[)）]|[:：]", "", normalise(q.grid.cell(at[0], at[1], {}))) if len(at) == 2 else ""
        except ValueError:
            continue
        if bare and _label_of(bare, base.sheet_labels(kind)) != "-":
            rules.append([bare, "-"])
    return rules
