"""Typer commands of the eval set: eval stats|score|run|compare, render, synth (registered by cli.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

eval_app = typer.Typer(help="Score extractions against the labelled eval set.", no_args_is_help=True)
err = Console(stderr=True)
out = Console()


@eval_app.command("stats")
def eval_stats(
    data_dir: Path = typer.Argument(Path("eval/data"), help="Folder of <doc_id>/gold.json files."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Count what each gold file holds: tables, rows, filled cells, sheets, indicators.

    Example: budgetx eval stats eval/data --json
    """
    from eval.stats import gold_stats, load_gold_dir

    try:
        docs = load_gold_dir(data_dir)
    except Exception as exc:  # a broken gold file is a usage problem with a clear message
        err.print(f"error: {exc}")
        raise typer.Exit(2) from exc
    rows = [gold_stats(doc) for doc in docs]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    from rich.table import Table

    table = Table(title=f"gold set {data_dir}")
    for col in ("doc_id", "tables", "rows", "cells", "sheets", "indicators", "findings"):
        table.add_column(col, justify="left" if col == "doc_id" else "right")
    for row in rows:
        table.add_row(row["doc_id"], str(row["tables_present"]), str(row["rows"]), str(row["filled_cells"]),
                      str(row["sheets"]), str(row["indicators"]), str(row["expected_findings"]))
    out.print(table)


@eval_app.command("score")
def eval_score(
    pred_dir: Path = typer.Argument(..., help="Folder of predicted <doc_id>.json Documents."),
    gold_dir: Path = typer.Argument(Path("eval/data"), help="Folder of <doc_id>/gold.json."),
    as_json: bool = typer.Option(False, "--json", help="Print the full report as JSON."),
) -> None:
    """Score predictions made by anything that speaks the contract against the gold set.

    Example: budgetx eval score out/ eval/data --json
    """
    from eval.report import print_score
    from eval.score import score_dirs, summarise

    if not pred_dir.is_dir() or not gold_dir.is_dir():
        err.print(f"error: not a folder: {pred_dir if not pred_dir.is_dir() else gold_dir}")
        raise typer.Exit(2)
    try:
        scores, missing = score_dirs(pred_dir, gold_dir)
    except ValueError as exc:
        err.print(f"error: {exc}".splitlines()[0])
        raise typer.Exit(1) from exc
    report = summarise(scores)
    report["missing_predictions"] = missing
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print_score(report, out)


@eval_app.command("run")
def eval_run(
    engine: str = typer.Option("layout", "--engine", help="layout, llm or hybrid."),
    outdir: Path = typer.Option(..., "-o", "--out", help="Run folder: writes run.json and pred/<kind>/."),
    prompt: Optional[str] = typer.Option(None, "--prompt", help="Prompt variant of the llm/hybrid engine."),
    model: Optional[str] = typer.Option(None, "--model", help="Model of the llm/hybrid engine."),
    mode: Optional[str] = typer.Option(None, "--mode", help="Mode of the llm/hybrid engine."),
    base_url: Optional[str] = typer.Option(None, "--base-url", help="OpenAI-compatible endpoint for llm/hybrid."),
    set_dir: Path = typer.Option(Path("eval/data"), "--set", help="Folder of <doc_id>/gold.json."),
    samples: Path = typer.Option(Path("samples"), "--samples", help="Folder of <doc_id>.pdf and <doc_id>.scan.pdf."),
    kind: str = typer.Option("both", "--kind", help="clean (born-digital), scan, both (clean+scan), real, or "
                             "degraded (real layouts scanned at --severity, scored against their born-digital reading)."),
    realworld: Optional[Path] = typer.Option(
        None, "--realworld", help="With --kind real: folder of real PDFs without gold, measured label-free "
        "(default ../shared/realworld or /work/shared/realworld when present; 'none' to skip)."),
    jobs: int = typer.Option(1, "--jobs", "-j", min=1, help="Documents processed in parallel."),
    engine_option: list[str] = typer.Option([], "--engine-option", "-E", help="Further engine option KEY=VALUE."),
    as_json: bool = typer.Option(False, "--json", help="Print the run record as JSON."),
    severity: Optional[str] = typer.Option(None, "--severity", help="With --kind degraded: 0..1, mild, moderate, "
                                           "harsh, or none (the cut-out read born-digital: the control)."),
    phone: bool = typer.Option(False, "--phone", help="With --kind degraded: pages photographed with a phone."),
    bilevel: bool = typer.Option(False, "--bilevel", help="With --kind degraded: black-and-white scans (one bit "
                                 "a pixel, seals turn black)."),
    pages: Optional[int] = typer.Option(None, "--pages", min=1, help="With --kind degraded: table pages scanned "
                                        "per document (whole tables only; default 3)."),
    docs: list[str] = typer.Option([], "--docs", help="With --kind degraded: document stems or PDFs "
                                   "(repeat or comma-separate; default every real PDF and sample)."),
    seed: int = typer.Option(0, "--seed", help="With --kind degraded: seed of the scans and of the pages picked."),
    without: list[str] = typer.Option([], "--without", help="With --kind degraded: scan effects left out, an "
                                      "ablation (dpi, skew, keystone, blur, noise, speckle, quality, light, bleed, "
                                      "seals, shadow, turn)."),
) -> None:
    """Extract every document of the eval set from its sample PDFs, score it and record the run.

    Examples:

      budgetx eval run --engine layout -o runs/layout

      budgetx eval run --engine llm --prompt v2 --model gpt-4o-mini --kind clean -o runs/llm-v2

      budgetx eval run --engine llm --prompt v1 -E no_cache=true -o runs/llm-v1-fresh

      budgetx eval run --kind real --realworld ../shared/realworld -o runs/real

      budgetx eval run --kind degraded --severity moderate --pages 2 --docs js01,sh08 -o runs/deg-moderate

    A gold document with no sample PDF is listed as not run; a failed extraction scores as empty.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from eval.label_free import default_dir
    from eval.run import BOTH, KINDS, RunConfig, parse_option, planned, print_run, run_eval
    from extractor.engines import ENGINES

    if engine not in ENGINES.names():
        err.print(f"error: unknown engine {engine!r}; known: {', '.join(ENGINES.names())}")
        raise typer.Exit(2)
    if kind not in (*KINDS, "both"):
        err.print(f"error: --kind must be clean, scan, both, real or degraded, not {kind!r}")
        raise typer.Exit(2)
    try:
        options = dict(parse_option(o) for o in engine_option)
    except ValueError as exc:
        err.print(f"error: {exc}")
        raise typer.Exit(2) from exc
    config = RunConfig(engine=engine, prompt=prompt, model=model, mode=mode, base_url=base_url,
                       set_dir=str(set_dir), samples_dir=str(samples),
                       kinds=list(BOTH) if kind == "both" else [kind], jobs=jobs, options=options)
    if kind == "degraded":
        from eval.degraded import configure

        try:
            configure(config, severity, phone, pages, docs, seed, realworld, without, bilevel)
        except ValueError as exc:
            err.print(f"error: {exc}")
            raise typer.Exit(2) from exc
    if kind == "real":
        folder = None if realworld is not None and str(realworld).lower() == "none" else realworld or default_dir()
        if folder is not None and not Path(folder).is_dir():
            err.print(f"error: --realworld {folder}: no such folder")
            raise typer.Exit(2)
        config.realworld = str(folder) if folder else None
    try:
        total = planned(config)
        ENGINES.create(engine, **config.engine_options())  # a bad option fails here, not once per document
    except Exception as exc:  # a usage problem (no gold set, bad engine option): say it plainly
        err.print(f"error: {exc}".splitlines()[0])
        raise typer.Exit(2) from exc
    with Progress(TextColumn("eval run"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, transient=True) as progress:
        task = progress.add_task("run", total=total)

        def advance(kind_name, doc_run) -> None:
            progress.advance(task)
            if doc_run.status == "failed":
                progress.console.print(f"[red]failed[/red] {kind_name} {doc_run.doc_id}: {doc_run.error}",
                                       highlight=False)

        record = run_eval(config, outdir, on_result=advance)
    if as_json:
        typer.echo(json.dumps(record, ensure_ascii=False, indent=2, default=float))
    else:
        print_run(record, out)
        err.print(f"wrote {outdir / 'run.json'}")


@eval_app.command("compare")
def eval_compare(
    runs: list[Path] = typer.Argument(..., help="Run folders (or their run.json); the first is the baseline."),
    html: Optional[Path] = typer.Option(None, "--html", help="Also write an HTML report with plots."),
    as_json: bool = typer.Option(False, "--json", help="Print figures and changed cells as JSON."),
    limit: int = typer.Option(40, "--limit", help="Changed cells listed per pair in the terminal."),
) -> None:
    """Compare eval runs: figures side by side with deltas, and the cells one got right and the other not.

    Example: budgetx eval compare runs/llm-v1 runs/llm-v2 --html report.html
    """
    from eval.compare import as_json as compare_json
    from eval.compare import compare, print_compare

    try:
        result = compare(runs)
    except (OSError, ValueError) as exc:
        err.print(f"error: {exc}".splitlines()[0])
        raise typer.Exit(2) from exc
    if html is not None:
        from extractor.batch import write_atomic

        from eval.html_report import render_html

        write_atomic(html, render_html(result))
        err.print(f"wrote {html}")
    if as_json:
        typer.echo(json.dumps(compare_json(result), ensure_ascii=False, indent=2))
    else:
        print_compare(result, out, limit=limit)


def render(
    gold: Path = typer.Argument(..., help="A gold.json (any Document JSON)."),
    output: Path = typer.Option(..., "-o", "--output", help="The PDF to write."),
    scan: bool = typer.Option(False, "--scan", help="Make a scanned PDF (page images, no text layer)."),
    style: int = typer.Option(0, "--style", help="Layout style number (fonts, rules, widths, breaks)."),
    seed: int = typer.Option(0, "--seed", help="Seed of the random choices (layout details, scan noise)."),
    severity: Optional[str] = typer.Option(None, "--severity", help="Scan with the severity family: 0..1, mild, "
                                           "moderate or harsh (implies --scan)."),
    phone: bool = typer.Option(False, "--phone", help="Scan as a page photographed with a phone (implies --scan)."),
    bilevel: bool = typer.Option(False, "--bilevel", help="Scan in black and white, one bit a pixel (implies --scan)."),
) -> None:
    """Render a Document to a PDF that looks like a real disclosure.

    Example: budgetx render eval/data/000_5dac6d90f1d45d5f/gold.json -o out/000.pdf --scan --style 2

    Example: budgetx render eval/data/000_5dac6d90f1d45d5f/gold.json -o out/000h.pdf --severity harsh
    """
    from eval.corpus.render import render_file

    if not gold.exists():
        err.print(f"error: no such file: {gold}")
        raise typer.Exit(2)
    if severity is not None:
        from eval.corpus.degrade import parse_severity

        try:
            parse_severity(severity)
        except ValueError as exc:
            err.print(f"error: {exc}")
            raise typer.Exit(2) from exc
    path = render_file(gold, output, style=style, seed=seed, scan=scan, severity=severity, phone=phone,
                       bilevel=bilevel)
    out.print(f"wrote {path} ({path.stat().st_size // 1024} kB)")


def synth(
    n: int = typer.Option(10, "--n", help="How many documents."),
    output: Path = typer.Option(..., "-o", "--output", help="Folder for <doc_id>/ with gold, findings, PDFs."),
    seed: int = typer.Option(0, "--seed", help="Seed; the same seed gives the same documents."),
    pdf: bool = typer.Option(True, "--pdf/--no-pdf", help="Also write clean.pdf and scan.pdf."),
) -> None:
    """Generate synthetic, internally consistent disclosures with planted source inconsistencies.

    Writes DIR/<doc_id>/gold.json, expected_findings.json, clean.pdf and scan.pdf.
    Example: budgetx synth --n 20 -o out/synth --seed 7
    """
    from eval.corpus.make_samples import write_synthetic

    for doc_dir in write_synthetic(n, output, seed, pdf=pdf):
        out.print(f"wrote {doc_dir}")
