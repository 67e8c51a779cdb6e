"""Batch benchmark: documents/s of the born-digital samples repeated into a large batch, with 1 and 2
workers, local process pool vs local Ray, then the time to export that batch in every format.

    python -m eval.bench.batch [--copies 125] [--jobs 1 2] [--executors process ray] [--formats ...]
                               [--export-copies 1]

Prints figures; asserts nothing. Copies are symbolic links named <n>_<doc_id>.pdf (each a document
of its own). Ray's start-up is timed apart from the batch. --export-copies K exports the batch's
outputs repeated K times (doc_id renamed), to time an export larger than the extraction run.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path

from extractor.executors import EXECUTORS
from extractor.export import export, find_outputs
from extractor.pipeline import Options

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def make_batch(folder: Path, copies: int) -> list[Path]:
    clean = sorted(p for p in SAMPLES.glob("*_*.pdf") if re.fullmatch(r"\d+_[0-9a-f]+", p.stem))
    folder.mkdir(parents=True)
    batch = []
    for n in range(copies):
        for pdf in clean:
            link = folder / f"{n:04d}_{pdf.name}"
            link.symlink_to(pdf.resolve())
            batch.append(link)
    return batch


def run(executor: str, jobs: int, pdfs: list[Path], out: Path) -> None:
    startup = 0.0
    if executor == "ray":
        import ray

        start = time.perf_counter()
        ray.init(num_cpus=jobs, include_dashboard=False, log_to_driver=False)
        startup = time.perf_counter() - start
    try:
        runner = EXECUTORS.create(executor, jobs=jobs)
        start = time.perf_counter()
        results = list(runner.run(pdfs, out, Options(), force=True))
        seconds = time.perf_counter() - start
    finally:
        if executor == "ray":
            ray.shutdown()
    failed = sum(r.status != "ok" for r in results)
    pages = sum(r.summary.get("pages") or 0 for r in results)
    extra = f", Ray start-up {startup:.1f} s apart" if executor == "ray" else ""
    print(f"{executor:7} jobs={jobs}: {len(pdfs)} documents ({pages} pages) in {seconds:.1f} s = "
          f"{len(pdfs) / seconds:.2f} documents/s, {pages / seconds:.1f} pages/s; not ok: {failed}{extra}", flush=True)


def replicate(files: list[Path], folder: Path, copies: int) -> list[Path]:
    """The outputs repeated under new doc_ids: a large export without extracting it again."""
    folder.mkdir()
    out = []
    for n in range(copies):
        for path in files:
            data = json.loads(path.read_text(encoding="utf-8"))
            data["doc_id"] = f"x{n:04d}_{data['doc_id']}"
            out.append(folder / f"{data['doc_id']}.json")
            out[-1].write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return out


def bench(copies: int, jobs: list[int], executors: list[str], formats: list[str], export_copies: int = 1) -> None:
    with tempfile.TemporaryDirectory(prefix="budgetx-bench-") as tmp:
        pdfs = make_batch(Path(tmp) / "in", copies)
        out = Path(tmp) / "out"
        print(f"batch: {len(pdfs)} documents ({copies} copies of the born-digital samples)", flush=True)
        for executor in executors:
            for n in jobs:
                run(executor, n, pdfs, out)
        files = find_outputs([out])
        if export_copies > 1:
            files = replicate(files, Path(tmp) / "replicated", export_copies)
        for fmt in formats:
            target = Path(tmp) / f"export-{fmt}"
            start = time.perf_counter()
            result = export(files, fmt, target)
            seconds = time.perf_counter() - start
            size = sum(p.stat().st_size for p in result.files)
            print(f"export {fmt:7}: {result.documents} documents, {result.rows['cells']} cells, "
                  f"{sum(result.rows.values())} rows in {seconds:.1f} s, {size / 1e6:.1f} MB", flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=125, help="copies of the 4 samples (125 → 500 documents)")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--executors", nargs="+", default=["process", "ray"])
    parser.add_argument("--formats", nargs="+", default=["parquet", "duckdb", "sqlite", "csv", "xlsx"])
    parser.add_argument("--export-copies", type=int, default=1, help="repeat the outputs K times for the export")
    args = parser.parse_args(argv)
    if "ray" in args.executors:
        try:
            import ray  # noqa: F401
        except ImportError:
            sys.exit("the ray executor needs Ray: pip install -e '.[ray]'")
    bench(args.copies, args.jobs, args.executors, args.formats, args.export_copies)


if __name__ == "__main__":
    main()
