"""Mutation benchmark: break one amount cell of a gold document the way OCR does, then check.

For every amount cell of the eleven tables and every kind of slip, the cell is changed once
(seeded, reproducible), the checker runs, and the cell is restored. A mutation is
- detected when a finding that names the cell is new or changed against the unmutated run;
- localised when such a finding names the cell as its suspect;
- repaired when such a finding's repair puts the original value back.

    python -m eval.bench.mutations [eval/data] [--per-kind N] [--seed S] [--json]
"""

from __future__ import annotations

import argparse
import json
import random
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from extractor.checks import check
from schemas import Document, Finding
from schemas.cells import amount_cells
from schemas.pointer import assign

KINDS = ("digit_swap", "digit_drop", "digit_dup", "decimal_shift", "transposition")
DIGITS = "0123456789"


def mutate(value: Decimal, kind: str, rng: random.Random) -> Decimal | None:
    """One OCR-style slip of a printed amount; None when this kind cannot change the value."""
    text = format(value, "f")
    digits = [i for i, c in enumerate(text) if c in DIGITS]
    options: list[str] = []
    if kind == "digit_swap":
        options = [text[:i] + d + text[i + 1:] for i in digits for d in DIGITS if d != text[i]]
    elif kind == "digit_drop":
        options = [text[:i] + text[i + 1:] for i in digits]
    elif kind == "digit_dup":
        options = [text[:i] + text[i] + text[i:] for i in digits]
    elif kind == "transposition":
        options = [text[:i] + text[i + 1] + text[i] + text[i + 2:] for i in digits
                   if i + 1 < len(text) and text[i + 1] in DIGITS and text[i + 1] != text[i]]
    elif kind == "decimal_shift":
        return _shift(value, rng)
    rng.shuffle(options)
    for option in options:
        new = _parse(option)
        if new is not None and new != value:
            return new
    return None


def _shift(value: Decimal, rng: random.Random) -> Decimal | None:
    if value == 0:
        return None
    factor = Decimal(10) if rng.random() < 0.5 else Decimal("0.1")
    new = value * factor
    # A point moved left past the cents is read as more decimals than are ever printed.
    return new if new == new.quantize(Decimal("0.01")) else value * 10


def _parse(text: str) -> Decimal | None:
    if not text or text in (".", "-") or text.endswith(".") and text[:-1] == "":
        return None
    try:
        return Decimal(text.rstrip(".") or "x")
    except InvalidOperation:
        return None


@dataclass
class Tally:
    total: int = 0
    detected: int = 0
    localised: int = 0
    repaired: int = 0

    def add(self, detected: bool, localised: bool, repaired: bool) -> None:
        self.total += 1
        self.detected += detected
        self.localised += localised
        self.repaired += repaired

    def row(self) -> dict:
        pct = (lambda n: round(100 * n / self.total, 1) if self.total else 0.0)
        return {"mutations": self.total, "detected_pct": pct(self.detected),
                "localised_pct": pct(self.localised), "repaired_pct": pct(self.repaired)}


def _key(finding: Finding) -> tuple:
    return finding.rule, tuple(finding.locations)


def run_document(doc: Document, tallies: dict[str, Tally], per_kind: int | None, rng: random.Random) -> None:
    """Mutate the cells of one document, kind by kind, and tally what the checker makes of it."""
    baseline = {_key(f): f.difference for f in check(doc)}
    cells = [(p, v) for p, v in amount_cells(doc) if v is not None]
    for kind in KINDS:
        chosen = cells if per_kind is None or per_kind >= len(cells) else rng.sample(cells, per_kind)
        for pointer, original in chosen:
            new = mutate(original, kind, rng)
            if new is None:
                continue
            assign(doc, pointer, new)
            try:
                findings = check(doc)
            finally:
                assign(doc, pointer, original)
            touched = [f for f in findings if pointer in f.locations
                       and baseline.get(_key(f), "new") != f.difference]
            detected = bool(touched)
            localised = any(f.suspect == pointer for f in touched)
            repaired = any(f.repair is not None and f.repair.pointer == pointer and f.repair.new == original
                           for f in touched)
            tallies[kind].add(detected, localised, repaired)
            tallies["all"].add(detected, localised, repaired)


def run(data_dir: Path, per_kind: int | None = None, seed: int = 0) -> dict[str, dict]:
    """Tally every gold document under data_dir; returns per-kind figures plus "all"."""
    rng = random.Random(seed)
    tallies: dict[str, Tally] = defaultdict(Tally)
    for path in sorted(Path(data_dir).glob("*/gold.json")):
        doc = Document.model_validate_json(path.read_text(encoding="utf-8"))
        run_document(doc, tallies, per_kind, rng)
    return {kind: tallies[kind].row() for kind in (*KINDS, "all")}


def main() -> None:  # pragma: no cover - a report for people
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data_dir", nargs="?", default="eval/data")
    parser.add_argument("--per-kind", type=int, default=None, help="cells sampled per document and kind (all)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = run(Path(args.data_dir), args.per_kind, args.seed)
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    print(f"{'kind':<15}{'mutations':>10}{'detected %':>12}{'localised %':>13}{'repaired %':>12}")
    for kind, row in rows.items():
        print(f"{kind:<15}{row['mutations']:>10}{row['detected_pct']:>12}{row['localised_pct']:>13}"
              f"{row['repaired_pct']:>12}")


if __name__ == "__main__":  # pragma: no cover
    main()
