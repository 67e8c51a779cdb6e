"""The checker: reconcile every number within tables, across tables and against the narrative.

``check(doc)`` returns ``schemas.Finding`` objects. Rules live in small modules and register
their stable ids in ``RULES`` (see eval/data/RULES.md); arithmetic rules are ``Identity``
objects evaluated with the rounding band (a difference inside n × 0.005 is not reported),
the rest yield findings directly. Failing identities are then localised to a suspect cell and,
where one OCR-plausible change of that cell makes them hold, given a repair.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from schemas import Document, Finding, Reconcile, Tally

from schemas.cells import amount_cells

from .core import RULES, Context, Identity, Outcome, Rule, Values, evaluate, flatten, rule
from .labels import field_label, fmt, label
from .localise import Blame, Localiser
from .numbering import numbering_rules
from .rules_cross import cross_rules
from .rules_family import family_rules
from .rules_generic import generic_rules
from .rules_narrative import completeness_rules, narrative_rules, profile_rules
from .rules_sheets import missing_sheets, sheet_rules
from .rules_tables import table_rules
from .unchecked import unchecked_tables
from .unknown_codes import disagreeing_codes, repeated_lines, unknown_codes

__all__ = ["RULES", "Rule", "check", "check_document", "evaluate_all", "GENERATORS"]

GENERATORS: list[Callable[[Context], Iterator[Any]]] = [
    table_rules, family_rules, generic_rules, cross_rules, sheet_rules, missing_sheets, narrative_rules, profile_rules, completeness_rules,
    numbering_rules,
]
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
PRECISION = rule("cell.precision", "金额超过两位小数（印刷金额至多到分）", "an amount with more than two decimals")


def check(doc: Document, ocr_pages: Iterable[int] = ()) -> list[Finding]:
    """Every finding of one Document: errors first, then warnings, then info.

    ``ocr_pages`` adds to ``doc.run.pages_ocr``: pages whose numbers were read by OCR, where a
    failure that a repair explains is put down to the extraction rather than the source.
    """
    return check_document(doc, ocr_pages)[0]


def check_document(doc: Document, ocr_pages: Iterable[int] = (),
                   outcomes_out: list[Outcome] | None = None) -> tuple[list[Finding], Reconcile]:
    """check(), plus how many identities were evaluated and held (overall and per rule).

    ``outcomes_out`` receives every identity's outcome (for extractor.confidence, without a second evaluation).
    """
    values = Values(doc)
    direct: list[Finding] = []
    outcomes = evaluate_all(doc, values, direct)
    if outcomes_out is not None:
        outcomes_out.extend(outcomes)
    localiser = Localiser(outcomes, values)
    blames = localiser.suspects()
    ocr = set(ocr_pages) | set(doc.run.pages_ocr if doc.run else ())
    findings = [_finding(doc, values, outcome, blames.get(i)) for i, outcome in enumerate(outcomes)
                if not outcome.ok]
    findings += _precision(doc, localiser)
    findings += direct
    findings += unchecked_tables(doc, outcomes, ocr)
    findings += unknown_codes(doc, Context(doc, values).template(), ocr)  # None: the national lists
    findings += repeated_lines(doc, ocr)
    findings += disagreeing_codes(doc, ocr)
    for finding in findings:
        finding.cause = _cause(doc, finding, ocr)
    return sorted(findings, key=lambda f: SEVERITY_ORDER[f.severity]), tally(outcomes)


def evaluate_all(doc: Document, values: Values | None = None,
                 direct: list[Finding] | None = None) -> list[Outcome]:
    """Every identity of the rules evaluated on doc (held or not); direct findings go to `direct`."""
    values = values or Values(doc)
    ctx = Context(doc, values)
    outcomes: list[Outcome] = []
    family = ctx.template()
    skip = set(family.skip_rules) if family else set()  # identities the family's tables do not print
    for generate in GENERATORS:
        for item in flatten(generate(ctx)):
            if isinstance(item, Finding):
                if direct is not None:
                    direct.append(item)
            elif isinstance(item, Identity) and item.rule not in skip:
                outcome = evaluate(item, values)
                if outcome is not None:
                    outcomes.append(outcome)
    return outcomes


def tally(outcomes: list[Outcome]) -> Reconcile:
    """Identities evaluated and held, overall and per rule."""
    by_rule: dict[str, Tally] = {}
    for outcome in outcomes:
        count = by_rule.setdefault(outcome.identity.rule, Tally())
        count.evaluated += 1
        count.held += outcome.ok
    return Reconcile(evaluated=len(outcomes), held=sum(o.ok for o in outcomes), by_rule=by_rule)


def _precision(doc: Document, localiser: Localiser) -> list[Finding]:
    """Amounts are printed to the cent: a third decimal is a misreading (4.133 for 4.13)."""
    out = []
    for pointer, value in amount_cells(doc):
        exponent = value.as_tuple().exponent if value is not None else 0
        if isinstance(exponent, int) and exponent < -2:
            # One digit too many: the fix removes one (or puts the point back).
            repair = localiser.best_reading(pointer, frozenset({"digit_dup", "digit_extra", "decimal_shift"}))
            hint = f"；应为 {fmt(repair.new)}（{repair.kind}）" if repair else ""
            out.append(Finding(rule=PRECISION, tables=[pointer.split("/")[2]], locations=[pointer],
                               actual=value, message=f"{label(doc, pointer)} 印为 {fmt(value)}，金额至多两位小数{hint}"
                                                     f" / an amount with more than two decimals",
                               suspect=pointer, repair=repair))
    return out


def _finding(doc: Document, values: Values, outcome: Outcome, blame: Blame | None) -> Finding:
    identity = outcome.identity
    spec = RULES[identity.rule]
    return Finding(
        rule=identity.rule,
        severity=identity.severity or spec.severity,
        tables=list(identity.tables),
        locations=locations(identity, values),
        expected=outcome.expected,
        actual=outcome.actual,
        difference=outcome.difference,
        message=_message(doc, outcome, blame),
        suspect=blame.pointer if blame else None,
        repair=blame.repair if blame else None,
    )


def locations(identity: Identity, values: Values) -> list[str]:
    """The cells a finding names: its total(s), then the printed parts.

    Blank parts add nothing and would bury the message (t4 lists 30 function classes, most
    blank), so they are named only when no part is printed at all: then the blank cells are
    exactly where the missing breakdown belongs.
    """
    printed = [p for p in identity.rhs if values.get(p) is not None]
    return list(identity.left) + (printed or list(identity.rhs))


def _message(doc: Document, outcome: Outcome, blame: Blame | None) -> str:
    identity = outcome.identity
    spec = RULES[identity.rule]
    parts = [_term(doc, p, identity.lhs) for p in identity.rhs[:4]]
    if len(identity.rhs) > 4:
        parts.append(f"等{len(identity.rhs)}项")
    terms = " + ".join(parts) or "（无）"
    if identity.targets:
        head = f"{spec.zh}：{terms} 合计 {fmt(outcome.actual)}"
    else:
        left = " + ".join(label(doc, p) for p in identity.left) or "（无）"
        head = (f"{spec.zh}：{left} {fmt(outcome.actual)} ≠ {terms} {fmt(outcome.expected)}，"
                f"差 {fmt(outcome.difference)}")
    if identity.note:
        head += f"（{identity.note}）"
    tail = f" / {spec.en}: {fmt(outcome.actual)} != {fmt(outcome.expected)} (diff {fmt(outcome.difference)})"
    if blame and blame.repair:
        repair = blame.repair
        head += f"；疑 {label(doc, repair.pointer)} 应为 {fmt(repair.new)}（读作 {fmt(repair.old)}，{repair.kind}）"
        tail += f"; {repair.pointer} probably {fmt(repair.new)} ({repair.kind})"
    elif blame:
        head += f"；可疑单元格 {label(doc, blame.pointer)}"
    return head + tail


def _term(doc: Document, pointer: str, lhs: str | None) -> str:
    # A cell of the lhs's own row is named by its column alone (row sums read better that way).
    if lhs and pointer.rpartition("/")[0] == lhs.rpartition("/")[0]:
        return field_label(doc, pointer)
    return label(doc, pointer)


def _pages(doc: Document, pointer: str) -> set[int] | None:
    """Pages a cell was read from; None when nothing records it."""
    prov = doc.provenance.get(pointer)
    if prov is not None:
        return {prov.page}
    parts = pointer.strip("/").split("/")
    if parts[0] == "tables" and len(parts) > 1:
        table = getattr(doc.tables, parts[1], None)
        return set(table.pages) if table is not None and table.pages else None
    if parts[0] == "performance" and len(parts) > 1:
        sheet = doc.performance.overall if parts[1] == "overall" else (
            doc.performance.projects[int(parts[2])] if len(parts) > 2 and parts[2].isdigit()
            and int(parts[2]) < len(doc.performance.projects) else None)
        return set(sheet.pages) if sheet is not None and sheet.pages else None
    return None


def _cause(doc: Document, finding: Finding, ocr: set[int]) -> str:
    """source: read from a text layer; extraction: OCR'd and a repair explains it; else unknown."""
    if not ocr:
        return "source"
    everything_ocr = bool(doc.source and doc.source.page_count
                          and set(range(1, doc.source.page_count + 1)) <= ocr)
    cells = finding.locations + ([finding.repair.pointer] if finding.repair else [])
    on_ocr = False
    for pointer in cells:
        pages = _pages(doc, pointer)
        if (pages is None and everything_ocr) or (pages and pages & ocr):
            on_ocr = True
    if not on_ocr:
        return "source"
    if finding.repair is not None:
        pages = _pages(doc, finding.repair.pointer)
        if (pages is None and everything_ocr) or (pages and pages & ocr):
            return "extraction"
    return "unknown"
