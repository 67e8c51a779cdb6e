"""How far to trust each value: OCR confidence under its box, and the identities it takes part in.

A text-layer value is exact (confidence absent). An OCR'd value gets the lowest confidence of the
OCR words under its box: the words of one value are its digits, and one unsure word is enough to
make the number wrong, so an average would hide exactly the reading that matters.

`flags(doc)` says which values a user should not take on trust, and why (see schemas/CONTRACT.md,
"Confidence and flags"):

- ``failed``: the value takes part in an identity that does not hold (or a finding names it);
- ``low_confidence``: OCR'd and read below ``LOW_CONFIDENCE``;
- ``uncorroborated``: OCR'd and in no identity that holds, so nothing vouches for it;
- ``unread``: a blank 三公 line on a scanned page that may print a lone 0 the OCR did not read
  (`unread_blanks`): not an amount, but a blank a user would otherwise read as printed empty.

A value of a text layer in no identity is not flagged: it is what the file prints.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from schemas import Document
from schemas.cells import amount_cells

from .pages import Page, Word
from .pictures import inside_any

Box = tuple[float, float, float, float]

# Measured on the eval set's scans (README, "Confidence"): below this an OCR'd amount is flagged.
LOW_CONFIDENCE = 0.9
# A value vouched for only by identities that hold within their rounding band (not to the last
# digit) must be read surer than this: a last digit misread by 1-3 hides inside the band.
INEXACT_CONFIDENCE = 0.95
# A sum that fails over at most this many cells (a 款 and its 项, a row) doubts each of them; a
# table's total over dozens of lines fails as often from a line lost or printed wrong.
FEW_CELLS = 12
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
    """The lowest confidence of the OCR words under box; None off an OCR'd page or picture, or with
    no word there on an OCR'd page (0 in a picture on a text page: its page is not OCR'd as a whole,
    so nothing else would say the value was OCR'd)."""
    if box is None:
        return None
    if page.source != "ocr" and not inside_any(page.pictures, (box[0] + box[2]) / 2, (box[1] + box[3]) / 2):
        return None
    under = words_under(page.words, box)
    if under:
        return round(min(w.conf for w in under), 4)
    return None if page.source == "ocr" else 0.0


def attach(doc: Document, pages: list[Page]) -> None:
    """Give every value read on an OCR'd page its confidence (boxes still in the frame OCR read)."""
    scanned = {p.number: p for p in pages if p.source == "ocr" or p.pictures}
    for spot in doc.provenance.values():
        page = scanned.get(spot.page)
        if page is not None:
            spot.confidence = ocr_confidence(page, spot.bbox)


@dataclass
class Evidence:
    """What the checker says about each value.

    ``held``: printed cells of identities that hold, with how many. ``failed``: every cell an
    identity that fails reads, blanks included (a blank adds 0: a lost value breaks its
    identities), with how many. ``named``: cells a finding blames (its suspect, its repair) or
    names outside any identity.
    """

    held: Counter = field(default_factory=Counter)
    failed: Counter = field(default_factory=Counter)
    named: set[str] = field(default_factory=set)
    exact: set[str] = field(default_factory=set)  # printed cells of identities that hold to the last digit

    def suspect(self, pointer: str) -> bool:
        """Blamed by a finding, or in more identities that fail than hold.

        A cell of a failed identity that other identities vouch for is taken as right: a misread
        项 breaks its row and its 款's sum, while the 款 line, which still adds up to its 类 and
        across its row, is not the culprit. One identity that holds does not outweigh several
        that fail: "82.5" misread "82.3" in both cells of a t7 row still holds its row total
        but breaks the 款 sum, the t5 line and the project sheet.
        """
        return pointer in self.named or self.failed[pointer] > self.held[pointer]


def evidence(doc: Document, outcomes: list | None = None) -> Evidence:
    """Cells read by identities that held, by identities that failed, and cells findings blame.

    ``outcomes``: the checker's evaluation of doc's identities, when it was just made (else made here).
    """
    from .checks import evaluate_all
    from .checks.copies import misread_alike
    from .checks.core import Values
    from .checks.corroborate import agreements

    values = Values(doc)
    out = Evidence()
    identity_rules = set()
    outcomes = evaluate_all(doc, values) if outcomes is None else outcomes
    explained = _explained(outcomes, values)
    holding: list[set[str]] = []
    ocr_pages = ocr_pages_of(doc)
    copied: set[str] = set()  # OCR'd cells held to the last digit by copies: a = b, or readings that agree
    doubted: set[str] = set()  # cells of a small sum that fails
    for i, outcome in enumerate(outcomes):
        identity_rules.add(outcome.identity.rule)
        if outcome.ok:  # only the printed cells of a form that holds are vouched for
            held, exact = _holding_cells(outcome.identity, values)
            holding.append({p for p in held if values.get(p) is not None})
            out.held.update(holding[-1])
            ocr_copy = len(holding[-1]) == 2 and all(read_by_ocr(doc, p, ocr_pages) for p in holding[-1])
            (copied if ocr_copy else out.exact).update(p for p in exact if values.get(p) is not None)
        elif i in explained:  # the one cell to blame fails; the others hold with its right value
            out.failed[explained[i]] += 1
            others = (*outcome.identity.cells, *outcome.identity.witnesses)
            out.held.update(p for p in others if p != explained[i] and values.get(p) is not None)
        else:
            out.failed.update(outcome.identity.cells)
            if len(outcome.identity.cells) <= FEW_CELLS:
                doubted.update(outcome.identity.cells)
    for group in agreements(doc, values):  # figures no identity covers, vouched for by agreeing readings
        printed = [p for p in group if values.get(p) is not None]
        out.held.update(printed)
        for p in printed:
            (copied if read_by_ocr(doc, p, ocr_pages) else out.exact).add(p)
    # Two readings of one printed figure agree when its glyphs were misread alike (2.5 read 2.3
    # in a t6 line's 合计 and 公用经费): a copy confirms no digit of a cell a small sum doubts.
    out.exact.update(copied - doubted)
    _withdraw(out, holding, lambda p: read_by_ocr(doc, p, ocr_pages))
    out.named.update(p for p in misread_alike(outcomes, values) if read_by_ocr(doc, p, ocr_pages))
    for finding in doc.findings:
        if finding.suspect:
            out.named.add(finding.suspect)
        if finding.repair:
            out.named.add(finding.repair.pointer)
        if finding.rule not in identity_rules:  # a finding of its own (a third decimal, a missing table)
            out.named.update(finding.locations)
    return out


def _withdraw(out: Evidence, holding: list[set[str]], ocr) -> None:
    """An identity that holds with a suspect OCR'd cell in it vouches for none of its other cells.

    A sum that holds while one of its cells is wrong holds because another is wrong to match: a
    t7 line whose 82.5 was misread 82.3 in its 合计 and in its only column holds across the row,
    while the 合计 breaks three sums. The 合计 is suspect; the column, vouched for only by the row
    that the suspect makes hold, is then in as many failed identities as holding ones. A text
    layer's value is what the file prints: a sum of them that holds, holds (``ocr``: whether a
    pointer was read by OCR).
    """
    suspects = {p for p in out.failed if out.failed[p] > out.held[p] and ocr(p)}
    for cells in holding:
        if cells & suspects:
            for p in cells - suspects:
                out.held[p] -= 1
                if out.held[p] <= 0:  # vouched for by nothing else: as if in no identity that holds
                    del out.held[p]


def _explained(outcomes: list, values) -> dict[int, str]:
    """Failing outcomes (by index) that one cell explains with others: the cell, blamed by the localiser.

    When changing one cell alone makes two failing identities or more hold and breaks none that
    holds, the failures meet in that cell (a lost 项 breaks its 款's sum and the table's total),
    and every other cell of those identities adds up with it: they are vouched for, as a
    holding identity's cells are. Another wrong cell would have to be off by exactly the same
    amount in each of them. One failure alone is explained by any of its cells: all stay failed.
    """
    from .checks.localise import Localiser

    failing = [i for i, o in enumerate(outcomes) if not o.ok]
    if len(failing) < 2:
        return {}
    blames = Localiser(outcomes, values).suspects()
    return {i: blame.pointer for i, blame in blames.items() if len(blame.explains) >= 2}


def _holding_cells(identity, values) -> tuple[set[str], set[str]]:
    """The cells of the forms of an identity that hold (an alternative that fails vouches for nothing).

    Returns (held, exact): the cells of the forms that hold within the rounding band, and of
    those that hold to the last printed digit (one evaluation of the forms for both).
    """
    from .checks.core import residuals

    forms = residuals(identity, values) or []
    sides = (identity.rhs, *identity.alts) if not identity.targets else (identity.rhs,) * len(forms)
    held: set[str] = set()
    exact: set[str] = set()
    for (diff, width, _), rhs in zip(forms, sides):
        if diff == 0 or abs(diff) <= width:
            cells = {*rhs, *(() if identity.targets else identity.left), *identity.witnesses}
            held |= cells
            if diff == 0:
                exact |= cells
    return held, exact


def flags(doc: Document, threshold: float = LOW_CONFIDENCE, proof: Evidence | None = None) -> dict[str, str]:
    """Amounts a user should not take on trust, by JSON pointer, with the reason (first that applies).

    Looks at every amount of the tables, generic tables, sheets and narrative that carries a value.
    """
    proof = proof or evidence(doc)
    ocr_pages = ocr_pages_of(doc)
    out: dict[str, str] = {}
    for pointer in amounts(doc):
        reason = why(doc, pointer, proof, threshold, ocr_pages)
        if reason:
            out[pointer] = reason
    for pointer in unread_blanks(doc, ocr_pages):
        out[pointer] = "failed" if proof.suspect(pointer) else "unread"
    for pointer in repeated_codes(doc, ocr_pages):
        out[pointer] = "failed"
    return out


def repeated_codes(doc: Document, ocr_pages: set[int] | None = None) -> list[str]:
    """Code cells of a scanned generic table whose subject code another line of it reads too.

    A code names one line of a table. On a black-and-white scan a code's last digit misreads
    (``30104`` as ``30101``, beside 基本工资's own ``30101``) and no sum can tell: the sums group
    lines by a code's prefix, which the last digit keeps. Both lines are flagged (the table does not
    say which one is wrong); a text layer prints what it prints and is left alone.
    """
    from .checks.rules_generic import code_of
    from .codes import shared_codes

    if ocr_pages is None:
        ocr_pages = ocr_pages_of(doc)
    out = []
    for g, table in enumerate(doc.generic_tables):
        if not set(table.pages) & ocr_pages:
            continue
        found = [next(((c, code) for c, text in enumerate(row) if (code := code_of(text))), (None, None))
                 for row in table.rows]
        for rows in shared_codes(code for _, code in found).values():
            out += [f"/generic_tables/{g}/rows/{r}/{found[r][0]}" for r in rows]
    return out


# t10's money columns: its lines are fixed (CONTRACT.md), each printed with a figure or empty.
T10_COLUMNS = ("total", "general_budget", "gov_fund", "state_capital")


def unread_blanks(doc: Document, ocr_pages: set[int] | None = None) -> list[str]:
    """Blank cells of a scanned 三公 table (t10) that may be a lone figure the OCR did not read.

    A fixed line is printed with its figure, a lone ``0``, or empty, and OCR drops a lone ``0``
    (the detector misses one small glyph) where the sums cannot tell: they hold with the blank
    as 0. On the 15 born-digital files at hand, 28 t10 lines print no amount: 25 empty, 3 a lone
    0, and each 0 is the one line of its column without a figure, while empty lines come several
    to a column but for one Jiangsu line (5 files). So a blank on a scanned page is flagged when it
    is the only line of its column, the other lines printed, that shows no figure.
    """
    table = doc.tables.t10
    if ocr_pages is None:
        ocr_pages = ocr_pages_of(doc)
    if not table.present or not set(table.pages or []) & ocr_pages:
        return []
    lines = [(f"/tables/t10/rows/{i}", row) for i, row in enumerate(table.rows)]
    if table.total is not None:
        lines.append(("/tables/t10/total", table.total))
    out = []
    for column in T10_COLUMNS:
        blank = [at for at, row in lines if getattr(row, column) is None]
        if len(blank) == 1 and len(lines) - 1 >= 2:
            out.append(f"{blank[0]}/{column}")
    return out


def amounts(doc: Document) -> list[str]:
    """Pointers of every amount that holds a value: tables, generic tables, then the other read figures."""
    from .checks.core import resolve
    from .columns import as_money

    out = dict.fromkeys(pointer for pointer, _ in amount_cells(doc))
    for g, table in enumerate(doc.generic_tables):
        for r, row in enumerate(table.rows):
            out.update(dict.fromkeys(f"/generic_tables/{g}/rows/{r}/{c}" for c, text in enumerate(row)
                                     if text and as_money(text) is not None))
    for pointer in doc.provenance:  # sheet amounts, narrative figures, staffing
        if pointer not in out and _is_number(resolve(doc, pointer)):
            out[pointer] = None
    return list(out)


def _is_number(value) -> bool:
    return isinstance(value, (Decimal, int, float)) and not isinstance(value, bool)


def why(doc: Document, pointer: str, proof: Evidence, threshold: float = LOW_CONFIDENCE,
        ocr_pages: set[int] | None = None) -> str | None:
    """The reason one value is flagged, or None when it can be trusted."""
    if proof.suspect(pointer):
        return "failed"
    spot = doc.provenance.get(pointer)
    if ocr_pages is None:
        ocr_pages = ocr_pages_of(doc)
    if not read_by_ocr(doc, pointer, ocr_pages):
        return None
    # An unsure reading that a sum confirms to the last digit is right: one wrong digit would
    # break it. Within the rounding band a last-digit misread could hide: then the OCR decides.
    # (A line read without its box has no confidence to judge: its identities alone vouch for it.)
    if spot is not None and pointer not in proof.exact:
        surer = max(threshold, INEXACT_CONFIDENCE) if pointer in proof.held else threshold
        if spot.confidence is None or spot.confidence < surer:
            return "low_confidence"
    if pointer not in proof.held:
        return "uncorroborated"
    return None


def ocr_pages_of(doc: Document) -> set[int]:
    """The pages of a document that were read by OCR."""
    return set(doc.run.pages_ocr) if doc.run else set()


def read_by_ocr(doc: Document, pointer: str, ocr_pages: set[int]) -> bool:
    """Whether a value was read by OCR (a line read without its box: as its table's pages were)."""
    spot = doc.provenance.get(pointer)
    if spot is not None:
        return spot.confidence is not None or spot.page in ocr_pages
    return bool(ocr_pages) and bool(set(_table_pages(doc, pointer)) & ocr_pages)


def _table_pages(doc: Document, pointer: str) -> list[int]:
    """The pages of the contract table a pointer is in (none outside the eleven tables)."""
    parts = pointer.split("/")
    table = getattr(doc.tables, parts[2], None) if len(parts) > 2 and parts[1] == "tables" else None
    return list(getattr(table, "pages", None) or [])
