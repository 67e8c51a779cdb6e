"""Robustness curve: real layouts scanned at rising severity, read, and scored against their born-digital reading.

    nice -n 10 python -m eval.bench.robustness [--severities none,mild,moderate,harsh] [--pages 2]
        [--docs js01,js09,sh08,sh12,000_5dac6d90f1d45d5f,004_3fa3241a52f85770] [--phone] [--seed 0]
        [--without bleed,seals] [--ocr rapidocr-openvino] [-o runs/robustness]

One `budgetx eval run --kind degraded` per severity (records under OUT/<severity>/run.json), one
document at a time (OCR is the cost: a few to 25 s per page on this machine). `none` is the
control: the same pages cut out and read born-digital, which must score 100%. Prints the curve
(severity → cell exact-match, wrong, missing, extra, s/page) and each table's exact-match per
severity; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from eval.label_free import default_dir
from eval.run import RunConfig, run_eval

DEFAULT_DOCS = ["js01", "js09", "sh08", "sh12", "000_5dac6d90f1d45d5f", "004_3fa3241a52f85770"]
ROOT = Path(__file__).resolve().parents[2]


def measure(severity: str, args) -> dict:
    """One severity's run record (written under args.out/<severity>)."""
    from eval.corpus.degrade import parse_severity

    config = RunConfig(kinds=["degraded"], samples_dir=str(args.samples), pages=args.pages, seed=args.seed,
                       docs=args.docs, phone=args.phone, bilevel=args.bilevel, without=args.without, ocr=args.ocr, realworld=str(args.realworld) if args.realworld else None,
                       severity=None if severity == "none" else parse_severity(severity))

    def progress(_kind, run) -> None:
        print(f"  {severity} {run.doc_id}: {run.status}{' ' + run.error if run.error else ''}", flush=True)

    return run_eval(config, Path(args.out) / severity, on_result=progress)


def curve_row(severity: str, section: dict) -> dict:
    """The figures of one severity: documents, pages, reference cells and outcomes, s/page."""
    o = section.get("overall", {})
    row = {"severity": severity, "docs": section["documents_scored"], "pages": section.get("pages_scanned", 0),
           "cells": o.get("correct", 0) + o.get("wrong", 0) + o.get("missing", 0),
           "exact": o.get("cell_exact"), "correct": o.get("correct", 0), "wrong": o.get("wrong", 0),
           "missing": o.get("missing", 0), "extra": o.get("extra", 0),
           "s_per_page": section.get("seconds_per_page"), "failed": section.get("failed", [])}
    damage = [d for e in section.get("documents", {}).values() for d in e.get("damage", [])]
    if damage:  # what the pages went through on average
        row["dpi"] = round(sum(d["dpi"] for d in damage) / len(damage))
        row["|skew|"] = round(sum(abs(d["skew"]) for d in damage) / len(damage), 1)
        row["jpeg"] = round(sum(d["quality"] for d in damage) / len(damage))
        row["seals"] = sum(d["seals"] for d in damage)
    flags = section.get("flags")  # errors flagged (eval/flagged.py), when the scorer reports them
    if flags:
        row["flagged"] = f"{flags['errors_flagged']}/{flags['errors']}"
        row["false alarms"] = f"{flags['false_alarms']}/{flags['correct']}"
    return row


def print_curve(rows: list[dict], per_table: dict[str, dict[str, str]]) -> None:
    flags = [k for k in ("dpi", "|skew|", "jpeg", "seals", "flagged", "false alarms") if any(k in r for r in rows)]
    head = ["severity", "docs", "pages", "cells", "exact", "wrong", "missing", "extra", "s/page", *flags]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for r in rows:
        exact = f"{100 * r['exact']:.1f}%" if r["exact"] is not None else "-"
        spp = f"{r['s_per_page']:.1f}" if r["s_per_page"] is not None else "-"
        cells = [r["severity"], r["docs"], r["pages"], r["cells"], exact, r["wrong"], r["missing"], r["extra"], spp,
                 *(r.get(k, "-") for k in flags)]
        print("| " + " | ".join(str(c) for c in cells) + " |")
    print()
    severities = [r["severity"] for r in rows]
    print("| table (cells) | " + " | ".join(severities) + " |")
    print("|" + "---|" * (len(severities) + 1))
    for table, by_sev in sorted(per_table.items()):
        print(f"| {table} | " + " | ".join(by_sev.get(s, "-") for s in severities) + " |")


def table_figures(section: dict) -> dict[str, str]:
    """table key (and document) → 'exact% (cells)' for the tables the reference holds."""
    out = {}
    for doc_id, entry in section.get("documents", {}).items():
        for key, m in (entry.get("tables") or {}).items():
            cells = m["correct"] + m["wrong"] + m["missing"]
            if cells:
                out[f"{doc_id} {key} ({cells})"] = f"{100 * m['correct'] / (cells + m['extra']):.0f}%"
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--severities", default="none,mild,moderate,harsh",
                        help="comma-separated: none (control), 0..1, mild, moderate, harsh")
    parser.add_argument("--pages", type=int, default=2, help="table pages scanned per document")
    parser.add_argument("--docs", default=",".join(DEFAULT_DOCS), help="comma-separated stems or PDFs")
    parser.add_argument("--phone", action="store_true", help="pages photographed with a phone")
    parser.add_argument("--bilevel", action="store_true", help="black-and-white scans (one bit a pixel)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--ocr", default="rapidocr", help="OCR backend reading the scans (rapidocr-openvino: same readings, faster)")
    parser.add_argument("--without", default="", help="comma-separated scan effects left out (an ablation)")
    parser.add_argument("--print-only", action="store_true", help="print the curve of the runs already in OUT")
    parser.add_argument("--samples", type=Path, default=ROOT / "samples")
    parser.add_argument("--realworld", type=Path, default=default_dir())
    parser.add_argument("-o", "--out", type=Path, default=ROOT / "runs" / "robustness")
    args = parser.parse_args()
    args.docs = [d for d in args.docs.split(",") if d]
    args.without = [w for w in args.without.split(",") if w]
    rows, per_table = [], {}
    for severity in [s.strip() for s in args.severities.split(",") if s.strip()]:
        if args.print_only:
            from eval.run import load_run

            section = load_run(Path(args.out) / severity)["kinds"]["degraded"]
        else:
            section = measure(severity, args)["kinds"]["degraded"]
        rows.append(curve_row(severity, section))
        for table, figure in table_figures(section).items():
            per_table.setdefault(table, {})[severity] = figure
    print_curve(rows, per_table)
    Path(args.out).mkdir(parents=True, exist_ok=True)
    (Path(args.out) / "curve.json").write_text(json.dumps({"rows": rows, "tables": per_table}, ensure_ascii=False,
                                                          indent=1), encoding="utf-8")
    print(f"\nwrote {Path(args.out) / 'curve.json'}")


if __name__ == "__main__":
    main()
