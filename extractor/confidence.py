"""How far to trust each value: OCR confidence under its box, and the identities it takes part in.

A text-layer value is exact (confidence absent). An OCR'd value gets the lowest confidence of the
OCR words under its box: the words of one value are its digits, and one unsure word is enough to
make the number wrong, so an average would hide exactly the reading that matters.

`flags(doc)` says which values a user should not take on trust, and why (see schemas/CONTRACT.md,
"Confidence and flags"):

- ``failed``: the value takes part in an identity that does not hold (or a finding names it);
- ``low_confidence``: OCR'd and read below ``LOW_CONFIDENCE``;
- ``uncorroborated``: OCR'd and in no identity that holds, so nothing vouches for it.

A value of a text layer in no identity is not flagged: it is what the file prints.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from schemas import Document
from schemas.cells import amount_cells

from .pages import Page, Word

Box = tuple[float, float, float, float]

# Measured on the eval set's scans (README, "Confidence"): below this an OCR'd amount is flagged.
LOW_CONFIDENCE = 0.9
# A word belongs to a value when its centre lies in the value's box, this many points around.
SLACK = 1.0


def words_under(words: Iterable[Word], box: Box) -> list[Word]:
    """The words of a value: centre inside its box; else the one word the box was cut from."""
    x0, y0, x1, y1 = box
    inside = [w for w in words if x0 - SLACK <= w.cx <= x1 + SLACK and y0 - SLACK <= w.cy <= y1 + SLACK]
    if inside:
        return inside
    # A figure in running text has a box cut out of its line's (one long CJK word's) box.
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return [w for w in words if w.x0 <= cx <= w.x1 and w.y0 <= cy <= w.y1]


def ocr_confidence(page: Page, box: Box | None) -> float | None:
    """The lowest confidence of the OCR words under box; None off an OCR'd page or with no word there."""
    if page.source != "ocr" or box is None:
        return None
    under = words_under(page.words, box)
    return round(min(w.conf for w in under), 4) if under else None


def attach(doc: Document, pages: list[Page]) -> None:
    """Give every value read on an OCR'd page its confidence (boxes still in the frame OCR read)."""
    scanned = {p.number: p for p in pages if p.source == "ocr"}
    for spot in doc.provenance.values():
        page = scanned.get(spot.page)
        if page is not None:
            spot.confidence = ocr_confidence(page, spot.bbox)


@dataclass
class Evidence:
    """What the identities say about each value: cells of identities that held, and that failed."""

    held: set[str] = field(default_factory=set)
    failed: set[str] = field(default_factory=set)


def evidence(doc: Document) -> Evidence:
    """Cells read by identities that held, and by identities that failed or findings that name them."""
    from .checks import outcomes
    from .checks.core import Values

    values = Values(doc)
    out = Evidence()
    for outcome in outcomes(doc, values):
        # Only printed cells are vouched for; a blank in a failed identity may be where a value was lost.
        cells = outcome.identity.cells
        if outcome.ok:
            out.held.update(p for p in cells if values.get(p) is not None)
        else:
            out.failed.update(cells)
    for finding in doc.findings:
        out.failed.update(finding.locations)
        if finding.suspect:
            out.failed.add(finding.suspect)
    return out


def flags(doc: Document, threshold: float = LOW_CONFIDENCE, proof: Evidence | None = None) -> dict[str, str]:
    """Amounts a user should not take on trust, by JSON pointer, with the reason (first that applies).

    Looks at every amount of the tables, generic tables, sheets and narrative that carries a value.
    """
    proof = proof or evidence(doc)
    ocr_pages = set(doc.run.pages_ocr) if doc.run else set()
    out: dict[str, str] = {}
    for pointer, _ in amount_cells(doc):
        reason = why(doc, pointer, proof, threshold, ocr_pages)
        if reason:
            out[pointer] = reason
    return out


def why(doc: Document, pointer: str, proof: Evidence, threshold: float = LOW_CONFIDENCE,
        ocr_pages: set[int] | None = None) -> str | None:
    """The reason one value is flagged, or None when it can be trusted."""
    if pointer in proof.failed:
        return "failed"
    spot = doc.provenance.get(pointer)
    if ocr_pages is None:
        ocr_pages = set(doc.run.pages_ocr) if doc.run else set()
    ocr = spot is not None and (spot.confidence is not None or spot.page in ocr_pages)
    if not ocr:
        return None
    if spot.confidence is None or spot.confidence < threshold:
        return "low_confidence"
    if pointer not in proof.held:
        return "uncorroborated"
    return None
