"""Speed benchmark: born-digital pages/s on one core, scanned seconds/page on all cores.

    python -m eval.bench.speed [--samples samples] [--scan-docs 2] [--ocr NAME] [--jobs N]
    python -m eval.bench.speed --stages samples/001_e83e4d58071336c6.scan.pdf:3,10,20 [--ocr NAME]

Prints figures; asserts nothing (targets: born-digital ≥ 20 pages/s, scanned ≤ 2 s/page on 2
cores). Scanned pages report wall s/page with ``--jobs`` worker processes (the throughput) and
the workers' CPU s/page (comparable on a shared machine). ``--stages`` reads the given pages in
this process on one thread and splits their CPU time by stage.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path

from extractor.batch import run_batch
from extractor.ocr_backends import default_ocr
from extractor.pipeline import Options


def _pages(results) -> int:
    return sum(r.summary.get("pages") or 0 for r in results)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def bench(samples: Path, scan_docs: int, ocr: str, jobs: int) -> None:
    clean = sorted(p for p in samples.glob("*.pdf") if not p.name.endswith(".scan.pdf"))
    scans = sorted(samples.glob("*.scan.pdf"), key=lambda p: p.stat().st_size)[:scan_docs]
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        results = list(run_batch(clean, Path(tmp) / "clean", Options(), jobs=1, force=True))
        seconds = time.perf_counter() - start
        pages = _pages(results)
        print(f"born-digital: {pages} pages in {seconds:.2f} s on one core = {pages / seconds:.1f} pages/s "
              f"({len(clean)} documents, failed: {sum(r.status == 'failed' for r in results)})")
        start, cpu = time.perf_counter(), _children_cpu()
        # Worker processes even for one job, so their CPU time is the children's; with more, the
        # batch as `budgetx extract --jobs` runs it (its pages shared among the workers).
        if jobs > 1:
            results = list(run_batch(scans, Path(tmp) / "scan", Options(ocr=ocr), jobs=jobs, force=True))
        else:
            results = _in_workers(scans, Path(tmp) / "scan", Options(ocr=ocr), 1)
        seconds, cpu = time.perf_counter() - start, _children_cpu() - cpu
        pages = max(_pages(results), 1)
        print(f"scanned ({ocr}): {pages} pages in {seconds:.1f} s with {jobs} worker(s) on {os.cpu_count()} cores = "
              f"{seconds / pages:.2f} s/page wall, {cpu / pages:.2f} CPU s/page "
              f"({', '.join(p.name for p in scans)}; failed: {sum(r.status == 'failed' for r in results)})")


def _in_workers(pdfs, outdir, options, jobs: int):
    """Documents whole in ``jobs`` worker processes (the CPU time is then the children's)."""
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(_one, [(pdf, outdir, options) for pdf in pdfs]))


def _one(args):
    from extractor.batch import process_one

    return process_one(*args, True)


def stages(spec: str, ocr: str) -> None:
    """CPU seconds per page of each OCR stage on the given pages (one thread, this process)."""
    import cProfile
    import pstats

    import pymupdf

    from extractor.ocr_backends import OCR_BACKENDS
    from extractor.pages import Limits, page_pixmap

    path, _, numbers = spec.partition(":")
    backend = OCR_BACKENDS.create(ocr, threads=1)
    with pymupdf.open(path) as doc:
        pages = [int(n) for n in numbers.split(",")] if numbers else list(range(min(3, len(doc))))
        first = doc[pages[0]]
        backend.read(page_pixmap(first, Limits()), first.rect.width, first.rect.height)  # warm up
        profile, cpu = cProfile.Profile(timer=time.process_time), 0.0
        for number in pages:
            page = doc[number]
            pix = page_pixmap(page, Limits())
            start = time.process_time()
            profile.runcall(backend.read, pix, page.rect.width, page.rect.height)
            cpu += time.process_time() - start
    stats = pstats.Stats(profile).stats
    n = len(pages)
    print(f"{ocr}: {cpu / n:.2f} CPU s/page over {n} pages of {Path(path).name}")
    wanted = {"_upright_as_it_lies": "upright by the page's lines", "_orientation": "orientation (thumbnails)",
              "_detect": "  detection outside page OCR", "_ocr": "page OCR",
              "auto_text_det": "  detection (all)", "_reread": "second reading", "neutral_ink": "neutral ink",
              "estimate_skew": "skew", "frame_warp": "frame warp", "find_rules": "rules"}
    for (_file, _line, func), (_cc, _nc, _tt, cumulative, _callers) in sorted(stats.items(), key=lambda s: -s[1][3]):
        if func in wanted:
            print(f"  {wanted.pop(func):28s} {cumulative / n:6.2f} CPU s/page")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=Path, default=Path(__file__).resolve().parents[2] / "samples")
    parser.add_argument("--scan-docs", type=int, default=2, help="how many scanned samples (smallest first)")
    parser.add_argument("--ocr", default=default_ocr(),
                        help="OCR backend (default %(default)s; rapidocr, rapidocr-openvino, rapidocr-packed, rapidocr3)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes for the scans")
    parser.add_argument("--stages", metavar="PDF:PAGES", help="profile these pages' OCR by stage instead")
    args = parser.parse_args()
    if args.stages:
        stages(args.stages, args.ocr)
    else:
        bench(args.samples, args.scan_docs, args.ocr, args.jobs)


if __name__ == "__main__":
    main()
