"""Big inputs: wall time and peak memory (RSS) of one document, each in a fresh process.

    python -m eval.bench.limits [--samples samples] [--skip-scan]

Measures a 1,500-page file of blank pages, a 1,500-page born-digital file (a sample's pages
repeated) and the largest scanned sample. Prints figures; asserts nothing (target: the blank
file in under 30 s with a clear result; memory that does not grow with the page count beyond
the pages' words).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pymupdf

ROOT = Path(__file__).resolve().parents[2]


def blank_pdf(path: Path, pages: int) -> Path:
    doc = pymupdf.open()
    doc.new_page()
    while doc.page_count < pages:  # doubling keeps building thousands of pages quick
        doc.insert_pdf(pymupdf.open("pdf", doc.tobytes()), to_page=min(doc.page_count, pages - doc.page_count) - 1)
    doc.save(path)
    return path


def repeated_pdf(sample: Path, path: Path, pages: int) -> Path:
    src = pymupdf.open(sample)
    doc = pymupdf.open()
    while doc.page_count < pages:
        doc.insert_pdf(src, to_page=min(src.page_count, pages - doc.page_count) - 1)
    doc.save(path, garbage=1)
    return path


def measure(pdf: Path) -> dict:
    """Extract pdf in a fresh process; its wall time, peak RSS and outcome."""
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "eval.bench.limits", "--one", str(pdf)], cwd=ROOT,
                          capture_output=True, text=True)
    seconds = time.perf_counter() - started
    try:
        result = json.loads(proc.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        result = {"status": "crashed", "error": proc.stderr.strip().splitlines()[-1:] or proc.returncode}
    return {**result, "wall_s": round(seconds, 1)}


def _one(pdf: Path) -> None:
    started = time.perf_counter()
    from extractor.batch import process_one
    from extractor.pipeline import Options

    imported = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        result = process_one(pdf, Path(tmp), Options(progress=True), force=True)
    done = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(json.dumps({"status": result.status, "error": result.error, "pages": result.summary.get("pages"),
                      "pages_ocr": result.summary.get("pages_ocr"), "tables": result.summary.get("tables"),
                      "findings": result.summary.get("findings"), "seconds": round(done - imported, 2),
                      "import_s": round(imported - started, 2),
                      "peak_rss_mib": round(peak / 1024, 1)}, ensure_ascii=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=Path, default=ROOT / "samples")
    parser.add_argument("--skip-scan", action="store_true", help="leave out the largest scan (minutes of OCR)")
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        _one(args.one)
        return
    with tempfile.TemporaryDirectory() as tmp:
        cases = [("1,500 blank pages", blank_pdf(Path(tmp) / "blank1500.pdf", 1500))]
        clean = sorted(p for p in args.samples.glob("*.pdf") if not p.name.endswith(".scan.pdf"))
        if clean:
            cases.append((f"1,500 born-digital pages ({clean[-1].name} repeated)",
                          repeated_pdf(clean[-1], Path(tmp) / "long1500.pdf", 1500)))
        scans = sorted(args.samples.glob("*.scan.pdf"), key=lambda p: p.stat().st_size)
        if scans and not args.skip_scan:
            cases.append((f"largest scan ({scans[-1].name})", scans[-1]))
        for label, pdf in cases:
            r = measure(pdf)
            what = r.get("error") or f"{r.get('pages')} pages, {r.get('pages_ocr')} OCR'd, {r.get('tables')} tables"
            print(f"{label}: {r['wall_s']} s wall (document {r.get('seconds')} s, imports {r.get('import_s')} s), "
                  f"peak RSS {r.get('peak_rss_mib')} MiB; {r['status']}: {what}", flush=True)

if __name__ == "__main__":
    main()
