"""Regenerate samples/ from the eval set, and write synthetic corpora.

``python -m eval.corpus.make_samples`` renders each eval/data/<doc_id>/gold.json to
samples/<doc_id>.pdf (born-digital, a different style per document) and samples/<doc_id>.scan.pdf
(150–200 dpi JPEG pages, grey or colour), and prints sizes; the set must stay under 40 MB.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 40 * 1024 * 1024


def make_samples(data: Path = ROOT / "eval" / "data", out: Path = ROOT / "samples") -> list[Path]:
    """Render every gold file of the eval set, born-digital and scanned; returns the files written."""
    from schemas import Document

    from .render import render
    from .scan import scan_pdf

    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for i, gold in enumerate(sorted(data.glob("*/gold.json"))):
        doc = Document.model_validate_json(gold.read_text(encoding="utf-8"))
        start = time.time()
        clean = render(doc, style=i, seed=i)
        # A long document (002 has 139 pages) is scanned grey at 150 dpi to keep the set small.
        long_doc = len(doc.performance.projects) > 60
        if long_doc:
            scanned = scan_pdf(clean, seed=i, dpi=150, colour=False, quality=40)
        else:
            scanned = scan_pdf(clean, seed=i, dpi=150 if i % 2 else 200, colour=i % 2 == 0, quality=45)
        for name, data_ in ((f"{doc.doc_id}.pdf", clean), (f"{doc.doc_id}.scan.pdf", scanned)):
            (out / name).write_bytes(data_)
            written.append(out / name)
        print(f"{doc.doc_id}: style {i}, {len(clean) // 1024} kB + scan {len(scanned) // 1024} kB "
              f"in {time.time() - start:.1f} s")
    total = sum(p.stat().st_size for p in written)
    print(f"total {total / 1e6:.1f} MB")
    if total > LIMIT:
        raise SystemExit(f"samples are {total / 1e6:.1f} MB, over the 40 MB budget")
    return written


def write_synthetic(n: int, out: Path, seed: int = 0, pdf: bool = True):
    """Write n synthetic documents as DIR/<doc_id>/{gold.json, expected_findings.json, clean.pdf, scan.pdf}."""
    from .render import render
    from .scan import scan_pdf
    from .synth import synth_one

    for i in range(n):
        doc, findings = synth_one(seed, i)
        folder = Path(out) / doc.doc_id
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "gold.json").write_text(doc.model_dump_json(indent=2), encoding="utf-8")
        payload = [f.model_dump(mode="json") for f in findings]
        (folder / "expected_findings.json").write_text(json.dumps(payload, ensure_ascii=False, indent=2),
                                                       encoding="utf-8")
        if pdf:
            clean = render(doc, style=seed * 1000 + i, seed=seed * 1000 + i)
            (folder / "clean.pdf").write_bytes(clean)
            (folder / "scan.pdf").write_bytes(scan_pdf(clean, seed=seed * 1000 + i))
        yield folder


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT / "eval" / "data")
    parser.add_argument("--out", type=Path, default=ROOT / "samples")
    args = parser.parse_args(argv)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    make_samples(args.data, args.out)


if __name__ == "__main__":
    main()
