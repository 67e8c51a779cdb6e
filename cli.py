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
    ocr: Optional[str] = typer.Option(None, "--ocr", help="OCR backend for scanned pages: rapidocr-openvino (default with the openvino extra), rapidocr (onnxruntime; default without it), rapidocr3, rapidocr-packed."),
    jobs: int = typer.Option(1, "--jobs", "-j", min=1, help="Processes: each reads whichever scanned page comes next, of any document; born-digital documents go whole."),
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
    context_tokens: Optional[int] = typer.Option(None, "--context-tokens", min=512, help="The model's context window in tokens (default: asked of the server, else 8192)."),
    executor: str = typer.Option("process", "--executor", help="process (local pool of --jobs) or ray."),
    ray_address: Optional[str] = typer.Option(None, "--ray-address", help="Ray cluster to join (default $RAY_ADDRESS; else a local Ray of --jobs CPUs)."),
    export_to: Optional[str] = typer.Option(None, "--export", help="Then export the batch: parquet, csv, sqlite, duckdb or xlsx (OUT/export…)."),
) -> None:
    """Extract disclosures into the contract's JSON, one OUTDIR/<doc_id>.json per PDF.

    Examples:

      budgetx extract samples/ -o out/

      budgetx extract a.pdf b.pdf -o out/ --jobs 2 --json

      budgetx extract samples/ -o out/ --engine llm --model gpt-4o-mini --prompt v2 --max-cost 0.5

      budgetx extract a.pdf -o out/ --engine hybrid --base-url http://127.0.0.1:8000/v1 --model qwen2.5

      budgetx extract narrative.pdf tables.pdf --group -o out/ --template jiangsu-2017
      budgetx extract pdfs/ -o out/ --executor ray --ray-address 10.0.0.5:6379 --export parquet

    A re-run skips documents whose output is up to date. Exit 1 if any document failed.
    """

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from extractor.batch import find_inputs
    from extractor.executors import EXECUTORS
    from extractor.export.base import check_format
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
                                cache_dir=cache_dir, max_calls=max_calls, max_tokens=max_tokens, max_cost=max_cost,
                                context_tokens=context_tokens)
    except BudgetxError as exc:
        err.print(f"error: {exc}")
        raise typer.Exit(2) from exc
    options.progress = True
    if group:  # one unit's files read as one document, named after the first
        options.parts = [str(p) for p in pdfs[1:]]
        pdfs = pdfs[:1]
    try:
        runner = EXECUTORS.create(executor, jobs=jobs, address=ray_address)
        if export_to:
            check_format(export_to)
    except BudgetxError as exc:
        err.print(f"error: {exc}", highlight=False)
        raise typer.Exit(2) from exc
    failed, outputs = 0, []
    with Progress(TextColumn("extract"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, transient=True, disable=len(pdfs) < 2 or as_json) as progress:
        task = progress.add_task("extract", total=len(pdfs))
        for result in _run_documents(runner, pdfs, outdir, options, force):
            progress.advance(task)
            failed += result.status == "failed"
            outputs += [result.output] if result.output else []
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
                          f"({s['errors']} errors), {s.get('flagged', 0)} values flagged, {s['seconds']:.1f}s{_usage_text(s.get('usage'), s.get('llm_failed'))}",
                          highlight=False)
    exported = 0
    if export_to and outputs:
        from extractor.export.command import export_command

        exported = export_command(sorted(outputs), export_to, None, err)  # OUT/export or OUT/export.FMT
    if failed:
        err.print(f"{failed} of {len(pdfs)} documents failed")
    if failed or exported:
        raise typer.Exit(1)


def _run_documents(runner, pdfs, outdir, options, force):
    """The executor's results; one that cannot start (Ray unreachable) is a usage error."""
    from extractor.errors import ExecutorError

    try:
        yield from runner.run(pdfs, outdir, options, force=force)
    except ExecutorError as exc:
        err.print(f"error: {exc}", highlight=False)
        raise typer.Exit(2) from exc


@app.command("check")
def check_cmd(
    docs: list[Path] = typer.Argument(..., help="Document JSON files (budgetx extract output, gold.json …)."),
    as_json: bool = typer.Option(False, "--json", help="Print the findings as JSON (a list, one entry per file)."),
    strict: bool = typer.Option(False, "--strict", help="Exit 1 when any finding is an error."),
    write: bool = typer.Option(False, "--write", help="Store the refreshed findings, reconcile and flags in each file."),
) -> None:
    """Reconcile every number of each Document: within tables, across tables, against the narrative.

    Findings are grouped by severity; cells are named by their Chinese labels, with the suspect cell
    and a proposed repair where one single-cell change explains the failure. The values a user should
    not take on trust (`flagged`) are recomputed with them, as extraction does (e.g. after a hand edit).

    Examples:

      budgetx check out/*.json --strict

      budgetx check eval/data/000_5dac6d90f1d45d5f/gold.json --json

      budgetx check out/edited.json --write

    Exit 1 if a file is not a valid Document (the others are still checked), or with --strict
    when any error finding exists.
    """
    from extractor.batch import write_atomic
    from extractor.checks.report import print_findings
    from extractor.recheck import recheck
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
        recheck(doc)
        findings, tally = doc.findings, doc.reconcile
        errors += sum(f.severity == "error" for f in findings)
        if write:
            write_atomic(path, doc.model_dump_json(indent=1))
        if as_json:
            results.append({"file": str(path), "doc_id": doc.doc_id,
                            "findings": [f.model_dump(mode="json") for f in findings],
                            "reconcile": {**tally.model_dump(mode="json"), "rate": tally.rate},
                            "flagged": doc.flagged})
        else:
            print_findings(out, str(path), doc, findings)
            rate = f" ({tally.rate:.2%})" if tally.rate is not None else ""
            out.print(f"{tally.held}/{tally.evaluated} identities hold{rate}, {len(doc.flagged)} values flagged",
                      highlight=False)
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
@app.command("export")
def export_cmd(
    inputs: list[Path] = typer.Argument(..., help="Folders of extraction outputs (<doc_id>.json) or JSON files."),
    to: str = typer.Option(..., "--to", help="parquet, csv, sqlite, duckdb or xlsx."),
    output: Optional[Path] = typer.Option(None, "-o", "--out", help="File (sqlite, duckdb, xlsx) or folder (parquet, csv); default beside the inputs."),
) -> None:
    """Write extraction outputs as tidy tables: documents, cells, sheets, indicators, findings, finding_cells.

    Examples:

      budgetx export out/ --to parquet -o tables/

      budgetx export out/ --to duckdb -o budgets.duckdb

      budgetx export out/ --to xlsx -o budgets.xlsx

    Exit 1 if an input is not a valid Document (the others are still exported), 2 on a usage error.
    """
    from extractor.export.command import export_command

    code = export_command(inputs, to, output, err)
    if code:
        raise typer.Exit(code)


# The eval set's commands (eval …, render, synth) and the service's (serve, keys, report) live
# beside what they drive; they are registered here so that `budgetx --help` lists them all.
from eval.commands import eval_app, render, synth  # noqa: E402
from extractor.service.commands import keys_app, report, serve  # noqa: E402

app.add_typer(eval_app, name="eval")
app.add_typer(keys_app, name="keys")
for _command in (render, synth, serve, report):
    app.command()(_command)


def main(argv: Optional[list[str]] = None) -> None:  # pragma: no cover - console entry
    app(argv)


if __name__ == "__main__":  # pragma: no cover
    app()
