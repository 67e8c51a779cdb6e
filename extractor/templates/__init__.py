"""Template families as data: one TOML file per family in this folder.

A family names its parts' titles, each table's header vocabulary, the fixed lines of t1/t4/t10,
its money unit and the row sums its tables obey. Readers take a ``Template`` as a parameter;
a family that ``extends`` another puts its own rules before the parent's (first match wins).
``detect`` picks the family of a document by the phrases it prints; ``national`` is the fallback.
"""

from __future__ import annotations

import os
import re
import tomllib
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..errors import UnknownNameError

FOLDER = Path(__file__).parent
# Further folders of family files (os.pathsep-separated), searched before FOLDER: learned or local
# families (`budgetx templates learn`), and a file there shadows a shipped one of the same name.
ENV = "BUDGETX_TEMPLATES"
DEFAULT = "national"
NUM = r"(\d[\d,]*(?:\.\d+)?)"  # a printed amount in running text
INT = r"(\d+)"
TABLE_KINDS = tuple(f"t{i}" for i in range(1, 12))
PART_KINDS = TABLE_KINDS + ("overall", "project", "generic", "narrative", "glossary", "tables_part", "profile")


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WordRule(_Data):
    """A label whose normalised text holds every one of ``words`` names ``field``."""

    words: tuple[str, ...]
    field: str


class TitleRule(_Data):
    kind: Literal[PART_KINDS]  # type: ignore[valid-type]
    patterns: tuple[str, ...]


class Template(_Data):
    """One family's knowledge, inheritance resolved."""

    name: str
    description: str = ""
    extends: str | None = None
    document_kind: Literal["预算", "决算"] = "预算"
    money_unit: Literal["元", "万元"] = "万元"
    detect: tuple[str, ...] = ()
    titles: tuple[TitleRule, ...] = ()
    columns: dict[str, tuple[WordRule, ...]] = Field(default_factory=dict)
    lines: dict[str, tuple[WordRule, ...]] = Field(default_factory=dict)
    sheets: dict[str, tuple[tuple[str, ...], ...]] = Field(default_factory=dict)
    row_sums: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    line_sums: dict[str, tuple[tuple[str, ...], ...]] = Field(default_factory=dict)  # [total, part, …] per table
    narrative: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    skip_rules: tuple[str, ...] = ()  # checker rules whose parts this family does not print
    not_printed: tuple[str, ...] = ()  # contract tables this family does not publish (in this shape)
    classes: dict[str, tuple[str, ...]] = Field(default_factory=dict)  # 类 code → its printed names
    economic_classes: dict[str, tuple[str, ...]] = Field(default_factory=dict)  # t6's 类 code → names
    numbered: int = 0  # how many tables the family numbers in one series (公开表一…十二), 0: not fixed
    file: str = ""

    @cached_property
    def title_patterns(self) -> list[tuple[str, re.Pattern]]:
        """(kind, compiled pattern) in match order."""
        return [(rule.kind, re.compile(p)) for rule in self.titles for p in rule.patterns]

    def column_rules(self, table: str) -> tuple[WordRule, ...]:
        return self.columns.get(table, ())

    def line_rules(self, name: str) -> tuple[WordRule, ...]:
        return self.lines.get(name, ())

    @cached_property
    def narrative_patterns(self) -> list[tuple[str, re.Pattern]]:
        """(field, compiled pattern) of the 情况说明's sentences, the family's own first.

        ``{num}`` and ``{int}`` in a pattern stand for a printed amount and a count; a pattern
        with named groups fills each named field, one without fills its key from group 1.
        """
        return [(name, re.compile(p.replace("{num}", NUM).replace("{int}", INT)))
                for name, patterns in self.narrative.items() for p in patterns]

    def sheet_labels(self, form: str) -> tuple[tuple[str, ...], ...]:
        """(label start, field) of a sheet form ("overall" or "project"), first match wins."""
        return self.sheets.get(form, ())


# Characters OCR reads for one another in printed headers ("项自支出" for 项目支出, "收人" for 收入):
# a label no rule names as printed is matched again with each pair taken as one character.
LOOKALIKES = str.maketrans({"自": "目", "人": "入", "拔": "拨", "援": "拨", "己": "已", "巳": "已", "末": "未",
                            # 一 is one thin stroke: a scan loses it or leaves a dot ("其中：·般财力")
                            "一": None, "·": None, "・": None})


def match_words(label: str, rules: tuple[WordRule, ...] | list[WordRule]) -> str | None:
    """The field of the first rule whose words all occur in the (normalised) label; failing that,
    the first whose words occur up to OCR's lookalike characters."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", label))
    for rule in rules:
        if all(w in text for w in rule.words):
            return rule.field
    blurred = text.translate(LOOKALIKES)
    for rule in rules:
        words = [w.translate(LOOKALIKES) for w in rule.words]
        if all(words) and all(w in blurred for w in words):
            return rule.field
    return None


_override: tuple[Path, ...] | None = None  # set by use_folders()


def folders() -> tuple[Path, ...]:
    """Where families are looked up, first hit wins: $BUDGETX_TEMPLATES, then the shipped folder."""
    if _override is not None:
        return _override
    extra = tuple(Path(p) for p in os.environ.get(ENV, "").split(os.pathsep) if p)
    return (*extra, FOLDER)


@contextmanager
def use_folders(*paths: Path, shipped: bool = True) -> Iterator[None]:
    """Look families up in paths (and the shipped folder unless shipped=False) inside the block."""
    global _override
    before = _override
    _override = tuple(Path(p) for p in paths) + ((FOLDER,) if shipped else ())
    try:
        yield
    finally:
        _override = before


def _path(name: str) -> Path | None:
    return next((f / f"{name}.toml" for f in folders() if (f / f"{name}.toml").exists()), None)


def _raw(name: str) -> dict:
    path = _path(name)
    if path is None:
        raise UnknownNameError(f"unknown template {name!r}; known: {', '.join(names())}")
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    data["file"] = path.name
    return data


def _merge(child: dict, parent: dict) -> dict:
    """The child's scalars win; its titles and rules go before the parent's."""
    out = {**parent, **child}
    out["titles"] = list(child.get("titles", [])) + list(parent.get("titles", []))
    for key in ("columns", "lines", "sheets", "narrative"):
        merged = {k: list(v) for k, v in parent.get(key, {}).items()}
        for k, rules in child.get(key, {}).items():
            merged[k] = list(rules) + merged.get(k, [])
        out[key] = merged
    out["row_sums"] = {**parent.get("row_sums", {}), **child.get("row_sums", {})}
    out["line_sums"] = {**parent.get("line_sums", {}), **child.get("line_sums", {})}
    out["skip_rules"] = list(parent.get("skip_rules", [])) + list(child.get("skip_rules", []))
    out["classes"] = {k: list(dict.fromkeys([*child.get("classes", {}).get(k, []), *names]))
                      for k, names in parent.get("classes", {}).items()} | \
        {k: v for k, v in child.get("classes", {}).items() if k not in parent.get("classes", {})}
    return out


def load(name: str) -> Template:
    """The named family with everything it extends folded in."""
    path = _path(name)
    return _load(name, folders(), path.stat().st_mtime_ns if path else 0)


@lru_cache(maxsize=None)
def _load(name: str, _folders: tuple[Path, ...], _mtime: int) -> Template:
    # Keyed by the search path and the file's mtime: a learned file rewritten in place is reread.
    data = _raw(name)
    seen = {name}
    parent = data.get("extends")
    while parent:
        if parent in seen:
            raise UnknownNameError(f"template {name!r}: extends itself through {parent!r}")
        seen.add(parent)
        base = _raw(parent)
        data = _merge(data, base) | {"name": data["name"], "extends": data.get("extends"), "file": data["file"],
                                     "detect": data.get("detect", [])}
        parent = base.get("extends")
    return Template.model_validate(data)


def names() -> list[str]:
    """Every family on the search path (shipped and $BUDGETX_TEMPLATES)."""
    return sorted({p.stem for f in folders() for p in f.glob("*.toml")})


def default() -> Template:
    return load(DEFAULT)


def detect(text: str) -> Template:
    """The family that names most of the document's title lines, then the one whose phrases it prints most.

    Titles decide first: a family whose patterns match more of the short lines reads more of the
    document. Phrases (a province's name) break ties; with none, the national set.
    """
    lines = [re.sub(r"\s+", "", unicodedata.normalize("NFKC", line)) for line in text.splitlines()]
    titles = [line for line in lines if 0 < len(line) <= 48]
    flat = "".join(lines)
    best, score = DEFAULT, (0, 0)
    for name in names():
        family = load(name)
        hits = sum(1 for t in titles if any(pattern.search(t) for _, pattern in family.title_patterns))
        phrases = sum(1 for p in family.detect if unicodedata.normalize("NFKC", p) in flat)
        if (hits, phrases) > score or (name == DEFAULT and (hits, phrases) == score):
            best, score = name, (hits, phrases)
    return load(best)
