"""budgetx command line.

Exit codes: 0 ok, 1 some document failed (or --strict found errors), 2 usage error.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

app = typer.Typer(
    name="budgetx",
    help=(
        "Extract Chinese government budget disclosures (部门/单位预算公开) into checked JSON.\n\n"
        "Examples:\n\n"
        "  budgetx extract samples/ -o out/            # offline layout engine\n\n"
        "  budgetx check out/*.json --strict\n\n"
        "  budgetx eval stats eval/data\n\n"
        "  budgetx schema --json > document.schema.json\n\n"
        "Exit codes: 0 ok, 1 a document failed, 2 usage error."
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
eval_app = typer.Typer(help="Score extractions against the labelled eval set.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")

err = Console(stderr=True)
out = Console()


@app.command()
def schema(
    as_json: bool = typer.Option(False, "--json", help="Print the JSON Schema of the Document."),
    model: str = typer.Option("Document", "--model", help="A model of schemas/ to print, e.g. T3, ProjectSheet."),
) -> None:
    """Print the output contract: a field overview, or the JSON Schema with --json.

    Example: budgetx schema --json --model ProjectSheet
    """
    import schemas

    cls = getattr(schemas, model, None)
    if cls is None or not hasattr(cls, "model_json_schema"):
        known = sorted(n for n in schemas.__all__ if hasattr(getattr(schemas, n), "model_json_schema"))
        err.print(f"error: unknown model {model!r}; known: {', '.join(known)}")
        raise typer.Exit(2)
    if as_json:
        typer.echo(json.dumps(cls.model_json_schema(), ensure_ascii=False, indent=2))
        return
    from rich.table import Table

    table = Table(title=f"{model} fields")
    table.add_column("field")
    table.add_column("type")
    table.add_column("中文表头 / description")
    for name, field in cls.model_fields.items():
        table.add_row(name, _type_name(field.annotation), field.description or "")
    out.print(table)


def _type_name(annotation: object) -> str:
    text = getattr(annotation, "__name__", None) or str(annotation)
    return text.replace("typing.", "").replace("schemas.", "")


@app.command()
def extract(
    inputs: list[Path] = typer.Argument(..., help="PDF files or folders of PDFs."),
    outdir: Path = typer.Option(..., "-o", "--out", help="Folder for <doc_id>.json outputs."),
    engine: str = typer.Option("layout", "--engine", help="layout (offline default), llm or hybrid."),
    ocr: str = typer.Option("rapidocr", "--ocr", help="OCR backend for scanned pages."),
    jobs: int = typer.Option(1, "--jobs", "-j", min=1, help="Documents processed in parallel."),
    force: bool = typer.Option(False, "--force", help="Redo documents whose output is up to date."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per document on stdout."),
    model: Optional[str] = typer.Option(None, "--model", help="LLM model (default $BUDGETX_MODEL or gpt-4o-mini)."),
    prompt: Optional[str] = typer.Option(None, "--prompt", help="Prompt version under prompts/: r1 (default, answers by reference), r2, v1, v2 (copy every cell)."),
    mode: Optional[str] = typer.Option(None, "--mode", help="tools (default), json_schema or md_json."),
    base_url: Optional[str] = typer.Option(None, "--base-url", help="OpenAI-compatible server (default $OPENAI_BASE_URL)."),
    vision: bool = typer.Option(False, "--vision", help="Send page images too (vision models)."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Ask the model again even if an answer is cached."),
    cache_dir: Optional[Path] = typer.Option(None, "--cache-dir", help="Answer cache (default ~/.cache/budgetx)."),
    max_calls: Optional[int] = typer.Option(None, "--max-calls", min=1, help="LLM calls per document at most."),
    max_tokens: Optional[int] = typer.Option(None, "--max-tokens", min=1, help="LLM tokens per document at most."),
    max_cost: Optional[float] = typer.Option(None, "--max-cost", min=0, help="LLM cost per document at most."),
    template: Optional[str] = typer.Option(None, "--template", help="Template family (see `budgetx templates`); default: detected."),
    group: bool = typer.Option(False, "--group", help="The PDFs are one unit's parts (narrative + tables): one Document."),
    max_pages: int = typer.Option(2000, "--max-pages", min=1, help="Refuse a document with more pages."),
    timeout: Optional[float] = typer.Option(None, "--timeout", min=0.1, help="Seconds per document at most."),
) -> None:
    """Extract disclosures into the contract's JSON, one OUTDIR/<doc_id>.json per PDF.

    Examples:

      budgetx extract samples/ -o out/

      budgetx extract a.pdf b.pdf -o out/ --jobs 2 --json

      budgetx extract samples/ -o out/ --engine llm --model gpt-4o-mini --prompt v2 --max-cost 0.5

      budgetx extract a.pdf -o out/ --engine hybrid --base-url http://127.0.0.1:8000/v1 --model qwen2.5

      budgetx extract narrative.pdf tables.pdf --group -o out/ --template jiangsu-2017

    A re-run skips documents whose output is up to date. Exit 1 if any document failed.
    """

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from extractor.batch import find_inputs, run_batch
    from extractor.errors import BudgetxError
    from extractor.options import build_options

    pdfs = find_inputs(inputs)
    missing = [p for p in inputs if not p.exists()]
    if not pdfs or missing:
        err.print(f"error: no PDF found in {', '.join(map(str, missing or inputs))}")
        raise typer.Exit(2)
    try:  # a bad --engine, --prompt, --mode or --template fails here, once, with the known names
        options = build_options(engine, ocr, template=template, max_pages=max_pages, timeout=timeout, model=model,
                                prompt=prompt, mode=mode, base_url=base_url, vision=vision, no_cache=no_cache,
                                cache_dir=cache_dir, max_calls=max_calls, max_tokens=max_tokens, max_cost=max_cost)
    except BudgetxError as exc:
        err.print(f"error: {exc}")
        raise typer.Exit(2) from exc
    options.progress = True
    if group:  # one unit's files read as one document, named after the first
        options.parts = [str(p) for p in pdfs[1:]]
        pdfs = pdfs[:1]
    failed = 0
    with Progress(TextColumn("extract"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, transient=True, disable=len(pdfs) < 2 or as_json) as progress:
        task = progress.add_task("extract", total=len(pdfs))
        for result in run_batch(pdfs, outdir, options, jobs=jobs, force=force):
            progress.advance(task)
            failed += result.status == "failed"
            if as_json:
                typer.echo(json.dumps({"file": str(result.path), "status": result.status,
                                       "output": str(result.output) if result.output else None,
                                       "error": result.error, **result.summary}, ensure_ascii=False))
            elif result.status == "failed":
                err.print(f"[red]FAILED[/red] {result.error}", highlight=False, soft_wrap=True)
            elif result.status == "skipped":
                err.print(f"skipped {result.path.name} (up to date)", highlight=False)
            else:
                s = result.summary
                generic = f" + {s['generic_tables']} kept as printed" if s.get("generic_tables") else ""
                err.print(f"ok {result.path.name} ({s.get('template')}): {s['tables']} tables{generic}, "
                          f"{s['sheets']} sheets, {s['pages_ocr']}/{s['pages']} pages OCR'd, "
                          f"{s['held']}/{s['identities']} identities hold, {s['findings']} findings "
                          f"({s['errors']} errors), {s['seconds']:.1f}s{_usage_text(s.get('usage'), s.get('llm_failed'))}",
                          highlight=False)
    if failed:
        err.print(f"{failed} of {len(pdfs)} documents failed")
        raise typer.Exit(1)


@app.command("check")
def check_cmd(
    docs: list[Path] = typer.Argument(..., help="Document JSON files (budgetx extract output, gold.json …)."),
    as_json: bool = typer.Option(False, "--json", help="Print the findings as JSON (a list, one entry per file)."),
    strict: bool = typer.Option(False, "--strict", help="Exit 1 when any finding is an error."),
) -> None:
    """Reconcile every number of each Document: within tables, across tables, against the narrative.

    Findings are grouped by severity; cells are named by their Chinese labels, with the suspect cell
    and a proposed repair where one single-cell change explains the failure.

    Examples:

      budgetx check out/*.json --strict

      budgetx check eval/data/000_5dac6d90f1d45d5f/gold.json --json

    Exit 1 if a file is not a valid Document (the others are still checked), or with --strict
    when any error finding exists.
    """
    from extractor.checks import check_document
    from extractor.checks.report import print_findings
    from schemas import Document

    failed = errors = 0
    results = []
    for path in docs:
        try:
            doc = Document.model_validate_json(path.read_bytes())
        except OSError as exc:
            err.print(f"error: {path}: cannot read ({exc.strerror})", highlight=False)
            failed += 1
            continue
        except ValueError as exc:
            reason = str(exc).splitlines()[0]
            err.print(f"error: {path}: not a valid Document ({reason})", highlight=False)
            failed += 1
            continue
        findings, tally = check_document(doc)
        errors += sum(f.severity == "error" for f in findings)
        if as_json:
            results.append({"file": str(path), "doc_id": doc.doc_id,
                            "findings": [f.model_dump(mode="json") for f in findings],
                            "reconcile": {**tally.model_dump(mode="json"), "rate": tally.rate}})
        else:
            print_findings(out, str(path), doc, findings)
            rate = f" ({tally.rate:.2%})" if tally.rate is not None else ""
            out.print(f"{tally.held}/{tally.evaluated} identities hold{rate}", highlight=False)
    if as_json:
        typer.echo(json.dumps(results, ensure_ascii=False, indent=2))
    if failed or (strict and errors):
        raise typer.Exit(1)


def _usage_text(usage: Optional[dict], failed: Optional[list] = None) -> str:
    """", LLM 12 calls, 30512 in / 14020 out tokens, cost 0.0131[, layout kept for t7, project[3]]"."""
    if not usage:
        return ""
    kept = f", layout kept for {', '.join(failed)}" if failed else ""
    return (f", LLM {usage['calls']} calls, {usage['input_tokens']} in / {usage['output_tokens']} out tokens, "
            f"cost {float(usage['cost'] or 0):.4f}{kept}")


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
    kind: str = typer.Option("both", "--kind", help="clean (born-digital), scan, both (clean+scan), or real."),
    realworld: Optional[Path] = typer.Option(
        None, "--realworld", help="With --kind real: folder of real PDFs without gold, measured label-free "
        "(default ../shared/realworld or /work/shared/realworld when present; 'none' to skip)."),
    jobs: int = typer.Option(1, "--jobs", "-j", min=1, help="Documents processed in parallel."),
    engine_option: list[str] = typer.Option([], "--engine-option", "-E", help="Further engine option KEY=VALUE."),
    as_json: bool = typer.Option(False, "--json", help="Print the run record as JSON."),
) -> None:
    """Extract every document of the eval set from its sample PDFs, score it and record the run.

    Examples:

      budgetx eval run --engine layout -o runs/layout

      budgetx eval run --engine llm --prompt v2 --model gpt-4o-mini --kind clean -o runs/llm-v2

      budgetx eval run --engine llm --prompt v1 -E no_cache=true -o runs/llm-v1-fresh

      budgetx eval run --kind real --realworld ../shared/realworld -o runs/real

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
        err.print(f"error: --kind must be clean, scan, both or real, not {kind!r}")
        raise typer.Exit(2)
    try:
        options = dict(parse_option(o) for o in engine_option)
    except ValueError as exc:
        err.print(f"error: {exc}")
        raise typer.Exit(2) from exc
    config = RunConfig(engine=engine, prompt=prompt, model=model, mode=mode, base_url=base_url,
                       set_dir=str(set_dir), samples_dir=str(samples),
                       kinds=list(BOTH) if kind == "both" else [kind], jobs=jobs, options=options)
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


@app.command()
def render(
    gold: Path = typer.Argument(..., help="A gold.json (any Document JSON)."),
    output: Path = typer.Option(..., "-o", "--output", help="The PDF to write."),
    scan: bool = typer.Option(False, "--scan", help="Make a scanned PDF (page images, no text layer)."),
    style: int = typer.Option(0, "--style", help="Layout style number (fonts, rules, widths, breaks)."),
    seed: int = typer.Option(0, "--seed", help="Seed of the random choices (layout details, scan noise)."),
) -> None:
    """Render a Document to a PDF that looks like a real disclosure.

    Example: budgetx render eval/data/000_5dac6d90f1d45d5f/gold.json -o out/000.pdf --scan --style 2
    """
    from eval.corpus.render import render_file

    if not gold.exists():
        err.print(f"error: no such file: {gold}")
        raise typer.Exit(2)
    path = render_file(gold, output, style=style, seed=seed, scan=scan)
    out.print(f"wrote {path} ({path.stat().st_size // 1024} kB)")


@app.command()
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


@app.command("templates")
def templates_cmd(
    args: Optional[list[str]] = typer.Argument(None, help="NAME | show NAME | learn PDF..."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
    output: Optional[Path] = typer.Option(None, "-o", "--out", help="learn: the template file to write."),
    family_name: Optional[str] = typer.Option(None, "--name", help="learn: the family's name (default: the file's stem)."),
    extends: str = typer.Option("national", "--extends", help="learn: the family the learned one extends."),
    model: Optional[str] = typer.Option(None, "--model", help="learn: LLM model (default $BUDGETX_MODEL)."),
    base_url: Optional[str] = typer.Option(None, "--base-url", help="learn: OpenAI-compatible server."),
    mode: Optional[str] = typer.Option(None, "--mode", help="learn: tools (default), json_schema or md_json."),
    min_reconcile: float = typer.Option(1.0, "--min-reconcile", help="learn: identities that must hold (share)."),
    templates_dir: Optional[list[Path]] = typer.Option(None, "--templates-dir", help="Further folders of family files (also $BUDGETX_TEMPLATES)."),
) -> None:
    """List the template families, show one, or learn one from PDFs with a model.

    Examples:

      budgetx templates

      budgetx templates shanghai-2023 --json      (or: budgetx templates show shanghai-2023)

      budgetx templates learn a.pdf b.pdf -o my/zhejiang-2024.toml --model gpt-4o-mini

    A family is one TOML file in extractor/templates/ or a --templates-dir folder (README "Template families").
    learn asks the model once per table which contract table and field each printed one is, writes
    the file only if the PDFs then read offline with it reconcile; exit 1 (nothing written) if not.
    """
    import os

    if templates_dir:  # an environment variable, so that --jobs workers see the same folders
        os.environ["BUDGETX_TEMPLATES"] = os.pathsep.join([str(p) for p in templates_dir] +
                                                          [os.environ.get("BUDGETX_TEMPLATES", "")]).strip(os.pathsep)
    args = list(args or [])
    if args[:1] == ["learn"]:
        from extractor.templates.learn import run_learn

        if output is None or len(args) < 2:
            err.print("error: usage: budgetx templates learn PDF... -o FILE")
            raise typer.Exit(2)
        llm = {"model": model, "mode": mode, "base_url": base_url}
        raise typer.Exit(run_learn([Path(a) for a in args[1:]], output, family_name, extends, llm, min_reconcile,
                                   as_json, out, err))
    if args[:1] == ["show"]:
        args = args[1:]
    if len(args) > 1:
        err.print("error: usage: budgetx templates [NAME | show NAME | learn PDF... -o FILE]")
        raise typer.Exit(2)
    name = args[0] if args else None
    from extractor import templates
    from extractor.errors import UnknownNameError

    if name is None:
        rows = [templates.load(n) for n in templates.names()]
        if as_json:
            typer.echo(json.dumps([{"name": t.name, "extends": t.extends, "money_unit": t.money_unit,
                                    "description": t.description, "file": t.file} for t in rows],
                                  ensure_ascii=False, indent=2))
            return
        for t in rows:
            base = f" (extends {t.extends})" if t.extends else ""
            out.print(f"{t.name}{base}: {t.description} [{t.money_unit}]", highlight=False, markup=False)
        return
    try:
        family = templates.load(name)
    except UnknownNameError as exc:
        err.print(f"error: {exc}")
        raise typer.Exit(2) from exc
    data = family.model_dump(mode="json")
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2) if as_json else _toml_like(data))


def _toml_like(data: dict) -> str:
    lines = [f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in data.items() if not isinstance(v, (dict, list))]
    for k, v in data.items():
        if isinstance(v, (dict, list)):
            lines.append(f"{k} = {json.dumps(v, ensure_ascii=False, indent=1)}")
    return "\n".join(lines)
keys_app = typer.Typer(help="API keys of the service: create (shown once), list, revoke.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
_DATA_DIR = typer.Option(None, "--data-dir", help="Service data folder (default $BUDGETX_DATA_DIR or ./budgetx-data).")
_DB = typer.Option(None, "--db", help="Job store URL (default $BUDGETX_DB, else SQLite in the data folder).")


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
    workers: int = typer.Option(1, "--workers", min=0, help="Extraction worker processes."),
    data_dir: Optional[Path] = _DATA_DIR,
    db: Optional[str] = _DB,
    max_upload_mb: float = typer.Option(64, "--max-upload-mb", help="Largest upload accepted (MiB)."),
    max_pages: int = typer.Option(500, "--max-pages", help="Most pages a document may have."),
    rate: float = typer.Option(120, "--rate", help="Uploads per minute per key (0: no limit)."),
) -> None:
    """Run the extraction service: HTTP API (/docs), review page (/), worker processes.

    Example: budgetx keys create alice && budgetx serve --port 8000 --workers 2
    """
    from extractor.service.serve import serve as run
    from extractor.service.store import StoreError

    try:
        run(host, port, workers, data_dir, db, max_upload_mb, max_pages, rate)
    except StoreError as exc:
        err.print(f"error: {exc}")
        raise typer.Exit(2) from exc


def _key_store(data_dir: Optional[Path], db: Optional[str]):
    from extractor.service.serve import open_store
    from extractor.service.store import StoreError

    try:
        return open_store(data_dir, db)
    except StoreError as exc:
        err.print(f"error: {exc}", highlight=False)
        raise typer.Exit(2) from exc


@keys_app.command("create")
def keys_create(name: str = typer.Argument(..., help="Who the key is for."), data_dir: Optional[Path] = _DATA_DIR,
                db: Optional[str] = _DB) -> None:
    """Create an API key and print it once (only its hash is stored)."""
    key_id, secret = _key_store(data_dir, db).create_key(name)
    err.print(f"created key {key_id} for {name}; it is shown only now:")
    typer.echo(secret)


@keys_app.command("list")
def keys_list(data_dir: Optional[Path] = _DATA_DIR, db: Optional[str] = _DB) -> None:
    """List API keys: id, name, created, revoked, documents."""
    import time

    for k in _key_store(data_dir, db).list_keys():
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(k["created_at"]))
        revoked = "revoked " + time.strftime("%Y-%m-%d %H:%M", time.localtime(k["revoked_at"])) if k["revoked_at"] else "active"
        typer.echo(f"{k['id']}  {k['name']}  created {when}  {revoked}  {k['documents']} documents")


@keys_app.command("revoke")
def keys_revoke(key: str = typer.Argument(..., help="Key id or name."), data_dir: Optional[Path] = _DATA_DIR,
                db: Optional[str] = _DB) -> None:
    """Revoke a key (by id or name); its requests get 401 from then on."""
    if not _key_store(data_dir, db).revoke_key(key):
        err.print(f"error: no active key {key!r}")
        raise typer.Exit(1)
    err.print(f"revoked {key}")


@app.command()
def report(
    doc: Path = typer.Argument(..., help="A Document JSON (budgetx extract output)."),
    output: Path = typer.Option(..., "-o", "--output", help="The HTML file to write."),
    pdf: Optional[Path] = typer.Option(None, "--pdf", help="The source PDF (default: found beside the JSON)."),
) -> None:
    """Write the review page's view of a Document as one self-contained HTML file.

    Example: budgetx report out/000_5dac6d90f1d45d5f.json -o 000.html --pdf samples/000_5dac6d90f1d45d5f.pdf
    """
    from extractor.service.report import write_report

    if not doc.is_file():
        err.print(f"error: no such file: {doc}")
        raise typer.Exit(2)
    try:
        path, used = write_report(doc, output, pdf)
    except ValueError as exc:
        err.print(f"error: {doc}: not a valid Document ({str(exc).splitlines()[0]})")
        raise typer.Exit(1) from exc
    note = f"pages from {used}" if used else "no PDF found: positions in words only (give --pdf)"
    err.print(f"wrote {path} ({note})")


def main(argv: Optional[list[str]] = None) -> None:  # pragma: no cover - console entry
    app(argv)


if __name__ == "__main__":  # pragma: no cover
    app()
