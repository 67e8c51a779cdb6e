"""Typer commands of the service: serve, keys create|list|revoke, report (registered by cli.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

err = Console(stderr=True)


keys_app = typer.Typer(help="API keys of the service: create (shown once), list, revoke.", no_args_is_help=True)
_DATA_DIR = typer.Option(None, "--data-dir", help="Service data folder (default $BUDGETX_DATA_DIR or ./budgetx-data).")
_DB = typer.Option(None, "--db", help="Job store URL (default $BUDGETX_DB, else SQLite in the data folder).")


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
