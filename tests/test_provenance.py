"""Provenance: every value the layout engine reads from a born-digital page says where it was printed.

For each sample, each non-null value of the Document must have a provenance entry whose pointer
resolves to that value, whose page exists, and whose box lies on the page and holds the printed
text of the value (money as printed: "518.80" is looked for as "518.80").
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from pathlib import Path

import numpy as np
import pymupdf
import pytest

from extractor.pipeline import Options, extract
from schemas import Document
from schemas.pointer import lookup

from .conftest import SAMPLES

BORN_DIGITAL = sorted(p for p in SAMPLES.glob("*.pdf") if not p.name.endswith(".scan.pdf"))

# Parts of the Document that are not values read off a page.
METADATA = {"/schema_version", "/doc_id", "/source", "/run", "/findings", "/provenance",
            # A default, not read: no sample states another unit.
            "/money_unit_source",
            # Decided by a vote over every table title (单位 vs 部门), not read at one place.
            "/unit_kind",
            # Decided from the whole document: 预算 vs 决算, the template family; the checker's tally.
            "/document_kind", "/template", "/reconcile"}
# Leaves that are derived, not printed: checked through the value they derive from.
DERIVED = [
    re.compile(r"^/tables/t\d+/(present|pages(/\d+)?)$"),  # flags and the page list
    # The printed number and title line joined; the unit stated once above the grid, or the family's.
    re.compile(r"^/(tables/t\d+|generic_tables/\d+|performance/(overall|projects/\d+))/(title|number|unit)$"),
    re.compile(r"^/generic_tables/\d+/(pages(/\d+)?|header/.*)$"),
    re.compile(r"^/tables/t10/(rows/\d+|total)/line$"),  # the fixed line's key ("outbound")
    re.compile(r"^/performance/(overall|projects/\d+)/pages(/\d+)?$"),
    # The normalised target ({op, value, unit}) is a function of target_raw, which has provenance.
    re.compile(r"^/performance/(overall|projects/\d+)/indicators/\d+/target(/.*)?$"),
]
# Not exempted, since no born-digital sample has one, but partly derived where they occur:
# a child row printing only its 项 digits (parent digits carried from the rows above) points at
# the digits it prints; a code or name settled from another table (extractor/codes.py, for OCR
# misreads) keeps the box of the cell as printed, or has none if this table printed no name.


def _leaves(obj, pointer: str = ""):
    if isinstance(obj, dict):
        for key, value in obj.items():
            yield from _leaves(value, f"{pointer}/{key}")
    elif isinstance(obj, list):
        for i, value in enumerate(obj):
            yield from _leaves(value, f"{pointer}/{i}")
    else:
        yield pointer, obj


def extracted_values(doc: Document):
    """(pointer, value) of every non-null value read from the page."""
    for pointer, value in _leaves(doc.model_dump(mode="json")):
        if value is None or any(pointer == m or pointer.startswith(m + "/") for m in METADATA):
            continue
        if any(rule.match(pointer) for rule in DERIVED):
            continue
        yield pointer, value


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _printed(value) -> str:
    """The text the page must show for a value: money as printed, a code over its 类/款/项 cells."""
    return _flat(str(value))


class PageText:
    """Each page's characters and their centres, read once: what a box on the page shows."""

    _cache: dict[Path, "PageText"] = {}

    def __init__(self, pdf: Path):
        self.pages: list[tuple[list[str], np.ndarray, tuple]] = []
        with pymupdf.open(pdf) as book:
            for page in book:
                chars, centres = [], []
                for block in page.get_text("rawdict")["blocks"]:
                    for line in block.get("lines", []):
                        for span in line["spans"]:
                            for ch in span["chars"]:
                                x0, y0, x1, y1 = ch["bbox"]
                                chars.append(ch["c"])
                                centres.append(((x0 + x1) / 2, (y0 + y1) / 2))
                self.pages.append((chars, np.array(centres or np.zeros((0, 2))), tuple(page.rect)))

    @classmethod
    def of(cls, pdf: Path) -> "PageText":
        if pdf not in cls._cache:
            cls._cache[pdf] = cls(pdf)
        return cls._cache[pdf]

    def shown(self, number: int, rect: pymupdf.Rect) -> str:
        """The characters whose centre lies in rect, in the page's reading order."""
        chars, centres, _ = self.pages[number - 1]
        if not len(chars):
            return ""
        inside = ((centres[:, 0] >= rect.x0) & (centres[:, 0] <= rect.x1) &
                  (centres[:, 1] >= rect.y0) & (centres[:, 1] <= rect.y1))
        return "".join(chars[i] for i in np.nonzero(inside)[0])


def provenance_problems(doc: Document, pdf: Path) -> list[str]:
    """Everything wrong with doc's provenance against the PDF, one line per value."""
    problems = []
    text = PageText.of(pdf)
    for pointer, value in extracted_values(doc):
        spot = doc.provenance.get(pointer)
        if spot is None:
            problems.append(f"{pointer} = {value!r}: no provenance")
            continue
        resolved = lookup(doc, pointer)
        if str(resolved if not isinstance(resolved, Decimal) else format(resolved, "f")) != str(value):
            problems.append(f"{pointer}: resolves to {resolved!r}, not {value!r}")
        if not 1 <= spot.page <= len(text.pages) or spot.bbox is None:
            problems.append(f"{pointer}: page {spot.page} / bbox {spot.bbox} not on the document")
            continue
        rect = pymupdf.Rect(spot.bbox)
        if rect.is_empty or not pymupdf.Rect(text.pages[spot.page - 1][2]).contains(rect):
            problems.append(f"{pointer}: bbox {tuple(rect)} not inside page {spot.page}")
            continue
        shown = _flat(text.shown(spot.page, rect + (-0.5, -0.5, 0.5, 0.5)))
        if isinstance(resolved, Decimal):  # "2,287.86" is read as 2287.86
            shown = shown.replace(",", "")
        if _printed(value) not in shown:
            problems.append(f"{pointer} = {value!r}: page {spot.page} box shows {shown[:60]!r}")
    return problems


@pytest.fixture(scope="module")
def extracted():
    return {pdf: extract(pdf, Options(check=False)) for pdf in BORN_DIGITAL}


@pytest.mark.parametrize("pdf", BORN_DIGITAL, ids=lambda p: p.stem)
def test_every_value_has_provenance_on_its_printed_text(extracted, pdf: Path):
    doc = extracted[pdf]
    values = list(extracted_values(doc))
    assert len(values) > 100
    problems = provenance_problems(doc, pdf)
    assert not problems, f"{len(problems)} of {len(values)} values:\n" + "\n".join(problems[:40])


def test_missing_or_misplaced_provenance_is_caught(extracted):
    """The check itself fails when an entry is gone or names a neighbouring cell."""
    pdf = next(p for p in BORN_DIGITAL if p.name.startswith("004_"))
    doc = extracted[pdf].model_copy(deep=True)
    values = dict(extracted_values(doc))
    kinds = [r"^/tables/t1/income/\w+$", r"^/tables/t10/rows/\d+/total$", r"^/tables/t3/rows/\d+/name$",
             r"^/performance/projects/\d+/indicators/\d+/target_raw$", r"^/performance/overall/unit_name$",
             r"^/staffing/\w+$", r"^/narrative/\w+$"]
    for kind in kinds:
        pointer = next(p for p in values if re.match(kind, p))
        missing = doc.model_copy(deep=True)
        del missing.provenance[pointer]
        assert any(p.startswith(pointer + " ") for p in provenance_problems(missing, pdf)), pointer
        # Another value's place: a value printed differently from this one.
        other = next(p for p, v in values.items() if p != pointer and _printed(v) not in
                     _printed(values[pointer]) and _printed(values[pointer]) not in _printed(v))
        moved = doc.model_copy(deep=True)
        moved.provenance[pointer] = moved.provenance[other]
        assert any(p.startswith(pointer + " ") for p in provenance_problems(moved, pdf)), (pointer, other)


@pytest.mark.parametrize("rotation,skew", [(0, 0.0), (0, 2.5), (90, -1.5), (270, 1.0), (180, 0.0)])
def test_scan_boxes_are_mapped_back_to_the_page_as_printed(rotation, skew):
    """A box read on the upright, deskewed image lands where the scan shows it."""
    pytest.importorskip("cv2")
    import numpy as np

    from extractor.rectify import rotate_image
    from extractor.pages import Page
    from extractor.provenance import to_page_frame

    width, height, px = 600.0, 400.0, 2  # page points; pixels per point
    scan = np.full((int(height * px), int(width * px), 3), 255, np.uint8)
    printed = (100.0, 250.0, 220.0, 280.0)
    x0, y0, x1, y1 = (int(v * px) for v in printed)
    scan[y0:y1, x0:x1] = 0
    upright = np.rot90(scan, k={0: 0, 90: -1, 270: 1, 180: 2}[rotation])
    if skew:
        upright = rotate_image(np.ascontiguousarray(upright), skew)
    ys, xs = np.nonzero(upright[:, :, 0] < 128)
    read = (xs.min() / px, ys.min() / px, (xs.max() + 1) / px, (ys.max() + 1) / px)
    page = Page(number=1, width=width, height=height, source="ocr", ocr_rotation=rotation, ocr_skew=skew)
    if rotation in (90, 270):
        page.width, page.height = height, width
    mapped = to_page_frame(read, page)
    # A leaning box comes back a little larger (the corners of its turned outline).
    assert all(abs(a - b) <= 1 + 0.05 * (printed[2] - printed[0]) * bool(skew) for a, b in zip(mapped, printed)), mapped


def test_a_budget_stop_keeps_its_document_with_boxes_on_the_page_as_printed(monkeypatch, tmp_path):
    """The LLM budget ran out: the document it keeps is written, its scan boxes mapped like any other."""
    from extractor import pipeline
    from extractor.errors import BudgetExceededError
    from extractor.pages import Page
    from schemas import Document, Provenance

    page = Page(number=1, width=400.0, height=600.0, source="ocr", ocr_rotation=90)  # upright size, read turned

    class Stopped:
        def fill(self, doc, layout):
            doc.provenance["/unit_name"] = Provenance(page=1, bbox=(10.0, 20.0, 30.0, 40.0))
            error = BudgetExceededError("LLM budget exhausted after 1 calls (limit 1)")
            error.document = doc
            raise error

    monkeypatch.setattr(pipeline.ENGINES, "create", lambda *a, **k: Stopped())
    ctx = pipeline.Context(path=tmp_path / "a.pdf", options=pipeline.Options(engine="llm"), pages=[page],
                           source={"file": "a.pdf", "sha256": "0" * 64, "page_count": 1})
    with pytest.raises(BudgetExceededError) as caught:
        pipeline.stage_engine(ctx)
    kept: Document = caught.value.document
    assert tuple(kept.provenance["/unit_name"].bbox) == (20.0, 370.0, 40.0, 390.0)  # (y, w − x) of the upright box
