"""Label mending (extractor/outline.py) on stored degraded readings: no OCR, figures before/after.

    python -m eval.bench.mend_labels RUN [RUN ...]      # RUN holds ref/ and pred/degraded/
    python -m eval.bench.mend_labels --gold eval/data PRED_DIR   # scan readings against the eval set

Each reading is scored as read and mended, with its findings and flags recomputed (`recheck`)
both times, so the two differ only by the labels. Every label mended is listed against the
reference: right (as the born-digital file prints it), still wrong, or broken (right before).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from schemas import Document
from schemas.pointer import resolve

from extractor import templates
from extractor.outline import mend_outlines
from extractor.recheck import recheck

from ..score import score_document, summarise


def pairs(run: Path, gold: Path | None) -> list[tuple[Path, Path]]:
    """(reading, reference) of a degraded run, or of a folder of readings against an eval set."""
    if gold is not None:
        return [(p, gold / p.name.split(".")[0] / "gold.json") for p in sorted(run.glob("*.json"))
                if (gold / p.name.split(".")[0] / "gold.json").exists()]
    return [(run / "pred" / "degraded" / r.name, r) for r in sorted((run / "ref").glob("*.json"))
            if (run / "pred" / "degraded" / r.name).exists()]


def verdict(data: dict, gold: dict, pointer: str) -> str:
    """right / still wrong / broken: a mended label against the reference's."""
    before = data["provenance"][pointer]["read"]
    parts = pointer.split("/")
    if "/extra/" in pointer:
        table = gold["tables"].get(parts[2]) or {}
        truths = {parts[-1]} & set(table.get("extra") or {})
        after = parts[-1]
    else:
        after = resolve(data, pointer)
        row = data["tables"][parts[2]]["rows"][int(parts[4])] if parts[1] == "tables" else {}
        if row.get("code"):  # by code: a row index differs where a row was lost
            truths = {r.get("name") for r in gold["tables"][parts[2]]["rows"] if r.get("code") == row["code"]}
        else:
            try:
                truths = {resolve(gold, pointer)}
            except (KeyError, IndexError, TypeError, ValueError):
                truths = set()
    return "right" if after in truths else "broken" if before in truths else "still wrong"


def measure(run: Path, gold_dir: Path | None) -> None:
    tally: dict[str, int] = {}
    for mend in (False, True):
        scores = []
        for pred, ref in pairs(run, gold_dir):
            doc = Document.model_validate_json(pred.read_text())
            gold = Document.model_validate_json(ref.read_text())
            if mend:
                data = doc.model_dump(mode="python")
                done = mend_outlines(data, set(doc.run.pages_ocr) if doc.run else set(),
                                     templates.load(doc.template or templates.DEFAULT))
                golden = gold.model_dump(mode="python")
                for pointer in done:
                    kind = verdict(data, golden, pointer)
                    tally[kind] = tally.get(kind, 0) + 1
                    print(f"    {pred.stem} {pointer}: {data['provenance'][pointer]['read']!r} ({kind})")
                doc = Document.model_validate(data)
            recheck(doc)
            scores.append(score_document(doc, gold))
        s = summarise(scores)
        f, o = s["flags"], s["overall"]
        print(f"{run} {'mended' if mend else 'as read'}: exact {o['cell_exact']:.4%}, errors flagged "
              f"{f['errors_flagged']}/{f['errors']}, false alarms {f['false_alarms']}/{f['correct']}")
    print(f"{run} labels mended: {tally}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", type=Path)
    parser.add_argument("--gold", type=Path, help="eval set folder (<id>/gold.json) for plain reading folders")
    args = parser.parse_args(argv)
    for run in args.runs:
        measure(run, args.gold)


if __name__ == "__main__":
    main()
