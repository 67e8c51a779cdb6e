"""Speed benchmark: born-digital pages/s on one core, scanned seconds/page on all cores.

    python -m eval.bench.speed [--samples samples] [--scan-docs 2]

Prints figures; asserts nothing (targets: born-digital ≥ 20 pages/s, scanned ≤ 3 s/page on 2 cores).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from extractor.batch import run_batch
from extractor.pipeline import Options


def _pages(results) -> int:
    return sum(r.summary.get("pages") or 0 for r in results)


def bench(samples: Path, scan_docs: int) -> None:
    clean = sorted(p for p in samples.glob("*.pdf") if not p.name.endswith(".scan.pdf"))
    scans = sorted(samples.glob("*.scan.pdf"), key=lambda p: p.stat().st_size)[:scan_docs]
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        results = list(run_batch(clean, Path(tmp) / "clean", Options(), jobs=1, force=True))
        seconds = time.perf_counter() - start
        pages = _pages(results)
        print(f"born-digital: {pages} pages in {seconds:.2f} s on one core = {pages / seconds:.1f} pages/s "
              f"({len(clean)} documents, failed: {sum(r.status == 'failed' for r in results)})")
        jobs = os.cpu_count() or 1
        start = time.perf_counter()
        options = Options()
        results = list(run_batch(scans, Path(tmp) / "scan", options, jobs=jobs, force=True))
        seconds = time.perf_counter() - start
        pages = _pages(results)
        print(f"scanned: {pages} pages in {seconds:.1f} s on {jobs} cores = {seconds / max(pages, 1):.2f} s/page "
              f"({', '.join(p.name for p in scans)}; failed: {sum(r.status == 'failed' for r in results)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=Path, default=Path(__file__).resolve().parents[2] / "samples")
    parser.add_argument("--scan-docs", type=int, default=2, help="how many scanned samples (smallest first)")
    args = parser.parse_args()
    bench(args.samples, args.scan_docs)


if __name__ == "__main__":
    main()
