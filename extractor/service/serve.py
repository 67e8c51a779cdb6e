"""`budgetx serve` and `budgetx keys`: the bodies behind cli.py's thin wrappers."""

from __future__ import annotations

import os
from pathlib import Path

from .store import Store, database_url

DATA_DIR_ENV, DB_ENV = "BUDGETX_DATA_DIR", "BUDGETX_DB"


def data_dir_of(data_dir: Path | None) -> Path:
    return Path(data_dir or os.environ.get(DATA_DIR_ENV) or "budgetx-data")


def open_store(data_dir: Path | None, db: str | None) -> Store:
    return Store(database_url(db or os.environ.get(DB_ENV), data_dir_of(data_dir)))


def serve(host: str, port: int, workers: int, data_dir: Path | None, db: str | None, max_upload_mb: float,
          max_pages: int, uploads_per_minute: float) -> None:
    """Run the API, the review page and N extraction workers until interrupted."""
    import uvicorn

    from .app import Config, create_app

    config = Config(data_dir=data_dir_of(data_dir), db=db or os.environ.get(DB_ENV), workers=workers,
                    max_upload_mb=max_upload_mb, max_pages=max_pages, uploads_per_minute=uploads_per_minute)
    app = create_app(config)
    uvicorn.run(app, host=host, port=port, log_level="info", timeout_graceful_shutdown=5)
