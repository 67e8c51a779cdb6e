"""Versioned prompt templates (prompts/<name>/), rendered in a Jinja2 sandbox.

Each prompt folder holds ``prompt.json`` (name, version, description, whether the tool schema
carries the Chinese field descriptions) and ``system.j2`` / ``user.j2``. The templates get the
region's grid text and a field glossary generated from the schema's descriptions, so a renamed
header is fixed in schemas/, never in a prompt. The sandbox keeps a template from reaching
Python objects beyond the plain data it is given.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel

from schemas.tables import TABLE_TITLES

from ..errors import UnknownNameError
from .answers import HIDDEN, MODELS, model_of
from .gridtext import Piece

SHEET_TITLES = {"overall": "整体绩效目标表", "project": "项目支出绩效目标表"}


def prompts_dir() -> Path:
    """The shipped prompts/ folder (package data)."""
    return Path(str(resources.files("prompts")))


def known_prompts(folder: Path | None = None) -> list[str]:
    folder = folder or prompts_dir()
    return sorted(p.parent.name for p in folder.glob("*/prompt.json"))


@dataclass
class Prompt:
    """One prompt version: its manifest and its templates."""

    name: str
    version: str
    description: str
    schema_descriptions: bool
    env: SandboxedEnvironment
    answer: str = "full"  # "full": the model copies the table; "refs": it says where each field is

    @property
    def id(self) -> str:
        """name@version: part of the cache key, and recorded in doc.run.prompt."""
        return f"{self.name}@{self.version}"

    def messages(self, piece: Piece, images: list[str] | None = None, unit_name: str | None = None) -> list[dict]:
        """The chat messages for one piece: system, then the user turn (text, optional page images)."""
        data = {
            "kind": piece.kind,
            "title": TABLE_TITLES.get(piece.kind) or SHEET_TITLES.get(piece.kind, piece.title),
            "printed_title": piece.title,
            "pages": piece.pages,
            "notes": piece.notes,
            "grid": piece.text,
            "part": piece.part,
            "parts": piece.parts,
            "unit_name": unit_name,
            "glossary": glossary(MODELS[piece.kind]),
            "is_sheet": piece.kind in SHEET_TITLES,
        }
        return self._render(data, images)

    def _render(self, data: dict, images: list[str] | None) -> list[dict]:
        """System and user turns from the templates; page images follow the user's text."""
        system = self.env.get_template("system.j2").render(**data).strip()
        user = self.env.get_template("user.j2").render(**data).strip()
        content: Any = user
        if images:
            content = [{"type": "text", "text": user}] + [
                {"type": "image_url", "image_url": {"url": url}} for url in images]
        return [{"role": "system", "content": system}, {"role": "user", "content": content}]

    def batch_messages(self, blocks: list, images: list[str] | None = None,
                       unit_name: str | None = None) -> list[dict]:
        """The chat messages for a refs batch: the field lists of its kinds, then every block's grid."""
        from .batches import glossaries  # refs prompts only

        kinds = list(dict.fromkeys(b.kind for b in blocks))
        data = {
            "unit_name": unit_name,
            "kinds": glossaries(kinds),
            "blocks": [{"id": b.id, "kind": b.kind,
                        "title": TABLE_TITLES.get(b.kind) or SHEET_TITLES.get(b.kind, b.piece.title),
                        "printed_title": b.piece.title, "pages": b.piece.pages, "notes": b.piece.notes,
                        "part": b.piece.part, "parts": b.piece.parts, "grid": b.grid.text} for b in blocks],
        }
        return self._render(data, images)


def load_prompt(name: str, folder: Path | None = None) -> Prompt:
    """The named prompt; an unknown name lists the known ones."""
    folder = folder or prompts_dir()
    manifest_path = folder / name / "prompt.json"
    if not name or "/" in name or not manifest_path.is_file():
        raise UnknownNameError(f"unknown prompt {name!r}; known: {', '.join(known_prompts(folder)) or '(none)'}")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    env = SandboxedEnvironment(loader=FileSystemLoader(str(folder / name)), undefined=StrictUndefined,
                               autoescape=False, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False)
    return Prompt(name=manifest.get("name", name), version=str(manifest["version"]),
                  description=manifest.get("description", ""),
                  schema_descriptions=bool(manifest.get("schema_descriptions", True)), env=env,
                  answer=manifest.get("answer", "full"))


def glossary(model: type[BaseModel], prefix: str = "") -> list[dict]:
    """Sections of (field, Chinese header) pairs, from the schema's field descriptions.

    [{"section": "rows[]", "fields": [("code", "科目编码（类/款/项连写）"), ...]}, ...]; a
    section that repeats an earlier one's model (a total row shaped like a body row) says so.
    """
    top: list[tuple[str, str]] = []
    sections: list[dict] = []
    seen: dict[type, str] = {}
    for name, info in model.model_fields.items():
        if name in HIDDEN:
            continue
        sub = model_of(info.annotation)
        is_list = "list[" in str(info.annotation)
        label = f"{prefix}{name}{'[]' if is_list else ''}"
        if sub is None:
            top.append((name, info.description or ""))
        elif sub in seen:
            sections.append({"section": label, "same_as": seen[sub], "fields": []})
        else:
            seen[sub] = label
            sections += glossary(sub, prefix=f"{label}.")
    if top:
        sections.insert(0, {"section": prefix.rstrip(".") or "(顶层)", "same_as": None, "fields": top})
    return [s for s in sections if s["fields"] or s["same_as"]]
