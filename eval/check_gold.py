"""Run the checker on every gold document and compare with its expected_findings.json.

A produced finding matches an expected one when the rule is the same and the two name at
least one common printed cell; pairs are made one-to-one, best overlap first. Matching on
printed cells (not on the exact pointer lists) is deliberate: gold writers differ on whether a
finding also names the blank cells of a sum, and on whether a 合计 check lists its rows.

    python -m eval.check_gold [eval/data] [--verbose]
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from extractor.checks import check
from schemas.pointer import resolve
from schemas import Document, Finding


@dataclass
class Comparison:
    """Produced vs expected findings of one gold document."""

    doc_id: str
    expected: list[Finding]
    produced: list[Finding]
    pairs: list[tuple[Finding, Finding]] = field(default_factory=list)  # (expected, produced)
    strict: int = 0  # pairs whose location lists are equal as sets

    @property
    def missing(self) -> list[Finding]:
        paired = {id(e) for e, _ in self.pairs}
        return [f for f in self.expected if id(f) not in paired]

    @property
    def extra(self) -> list[Finding]:
        paired = {id(p) for _, p in self.pairs}
        return [f for f in self.produced if id(f) not in paired]

    @property
    def precision(self) -> float:
        return len(self.pairs) / len(self.produced) if self.produced else 1.0

    @property
    def recall(self) -> float:
        return len(self.pairs) / len(self.expected) if self.expected else 1.0


def printed_cells(doc: Document, finding: Finding) -> frozenset[str]:
    """The finding's locations that hold something (a blank cell is not a printed cell)."""
    cells = frozenset(p for p in finding.locations if resolve(doc, p) is not None)
    return cells or frozenset(finding.locations)


def compare(doc: Document, expected: list[Finding], produced: list[Finding]) -> Comparison:
    """Pair expected and produced findings by rule and shared printed cells."""
    result = Comparison(doc.doc_id, expected, produced)
    scored = []
    for i, e in enumerate(expected):
        want = printed_cells(doc, e)
        for j, p in enumerate(produced):
            if p.rule != e.rule:
                continue
            got = printed_cells(doc, p)
            common = len(want & got)
            if common:
                scored.append((common / len(want | got), i, j))
    used_e: set[int] = set()
    used_p: set[int] = set()
    for _, i, j in sorted(scored, key=lambda item: (-item[0], item[1], item[2])):
        if i in used_e or j in used_p:
            continue
        used_e.add(i)
        used_p.add(j)
        result.pairs.append((expected[i], produced[j]))
        result.strict += set(expected[i].locations) == set(produced[j].locations)
    return result


def load(path: Path) -> tuple[Document, list[Finding]]:
    """One gold document and its expected findings."""
    doc = Document.model_validate_json(path.read_text(encoding="utf-8"))
    findings_path = path.with_name("expected_findings.json")
    raw = json.loads(findings_path.read_text(encoding="utf-8")) if findings_path.exists() else []
    return doc, [Finding.model_validate(item) for item in raw]


def compare_dir(data_dir: Path) -> list[Comparison]:
    """Check every <doc_id>/gold.json under data_dir."""
    out = []
    for path in sorted(Path(data_dir).glob("*/gold.json")):
        doc, expected = load(path)
        out.append(compare(doc, expected, check(doc)))
    return out


def main(argv: list[str]) -> None:  # pragma: no cover - a report for people
    verbose = "--verbose" in argv
    args = [a for a in argv if not a.startswith("--")]
    for c in compare_dir(Path(args[0] if args else "eval/data")):
        print(f"{c.doc_id}: expected {len(c.expected)}, produced {len(c.produced)}, matched {len(c.pairs)} "
              f"(same pointer sets {c.strict}); precision {c.precision:.1%}, recall {c.recall:.1%}")
        if verbose:
            for f in c.missing:
                print(f"  missing {f.severity} {f.rule} {f.locations[:4]} {f.message[:160]}")
            for f in c.extra:
                print(f"  extra   {f.severity} {f.rule} {f.locations[:4]} {f.message[:160]}")


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])
