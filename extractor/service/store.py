"""The job store: API keys and documents in one SQL database (SQLite in WAL mode, or PostgreSQL).

Every state change is one short transaction, so a server killed at any instant leaves the store
consistent; a claim carries a token, so a worker that lost its job (requeued after a crash)
can no longer write to it.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
import uuid
from pathlib import Path

from sqlalchemy import (Column, Float, Index, Integer, MetaData, String, Table, Text, create_engine, event,
                        func, select, update)
from sqlalchemy.engine import Engine

from ..errors import BudgetxError

MAX_ATTEMPTS = 3  # a document that killed its worker this often is failed, not retried forever

metadata = MetaData()

api_keys = Table(
    "api_keys", metadata,
    Column("id", String(16), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("created_at", Float, nullable=False),
    Column("revoked_at", Float),
)

documents = Table(
    "documents", metadata,
    Column("id", String(32), primary_key=True),
    Column("key_id", String(16), nullable=False, index=True),
    Column("sha256", String(64), nullable=False),
    Column("options_hash", String(64), nullable=False),
    Column("filename", String(500), nullable=False),
    Column("options", Text, nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("pages_done", Integer, nullable=False, default=0),
    Column("pages_total", Integer),
    Column("error", Text),
    Column("unit_name", String(500)),
    Column("year", Integer),
    Column("result", Text),
    Column("attempts", Integer, nullable=False, default=0),
    Column("claim", String(64)),
    Column("worker", String(100)),
    Column("created_at", Float, nullable=False),
    Column("started_at", Float),
    Column("finished_at", Float),
    Index("ix_documents_dedup", "key_id", "sha256", "options_hash"),
)

STATUSES = ("queued", "running", "done", "failed")
SUMMARY_COLUMNS = [c for c in documents.c if c.name != "result"]


class StoreError(BudgetxError):
    """The job store cannot be opened or used."""


def database_url(db: str | None, data_dir: Path) -> str:
    """The SQLAlchemy URL: --db as given (postgresql://… uses psycopg 3), else SQLite in the data dir."""
    if not db:
        return f"sqlite:///{Path(data_dir).resolve() / 'budgetx.db'}"
    for prefix in ("postgresql://", "postgres://"):
        if db.startswith(prefix):
            return "postgresql+psycopg://" + db[len(prefix):]
    return db


def hash_key(secret: str) -> str:
    # Keys are 256-bit random, so a plain digest is enough (no password stretching needed).
    return hashlib.sha256(secret.encode()).hexdigest()


def options_hash(options: dict) -> str:
    return hashlib.sha256(json.dumps(options, sort_keys=True).encode()).hexdigest()


class Store:
    """Keys and documents; one instance per process (workers open their own)."""

    def __init__(self, url: str):
        self.url = url
        try:
            self.engine = _engine(url)
            # Writes take SQLite's write lock up front: a read that later wants to write would fail
            # with "database is locked" instead of waiting (PostgreSQL ignores the option).
            self.writer = self.engine.execution_options(immediate=True)
            metadata.create_all(self.engine)
        except Exception as exc:  # a wrong URL, a server that is down, a read-only folder
            raise StoreError(f"cannot open the job store {self.safe_url}: {exc}".splitlines()[0]) from exc

    @property
    def safe_url(self) -> str:
        from sqlalchemy.engine import make_url

        try:
            return make_url(self.url).render_as_string(hide_password=True)
        except Exception:  # not even a URL
            return repr(self.url)

    # ---- API keys ------------------------------------------------------------------------

    def create_key(self, name: str) -> tuple[str, str]:
        """A new key: (key id, the secret, shown once; only its hash is kept)."""
        key_id = secrets.token_hex(4)
        secret = f"bx_{key_id}_{secrets.token_urlsafe(32)}"
        with self.writer.begin() as c:
            c.execute(api_keys.insert().values(id=key_id, name=name, key_hash=hash_key(secret),
                                               created_at=time.time()))
        return key_id, secret

    def list_keys(self) -> list[dict]:
        with self.engine.connect() as c:
            counts = dict(c.execute(select(documents.c.key_id, func.count()).group_by(documents.c.key_id)).all())
            rows = c.execute(select(api_keys).order_by(api_keys.c.created_at)).mappings().all()
        return [{**{k: v for k, v in r.items() if k != "key_hash"}, "documents": counts.get(r["id"], 0)}
                for r in rows]

    def revoke_key(self, name_or_id: str) -> int:
        """Revoke keys by id or name; returns how many were revoked."""
        with self.writer.begin() as c:
            return c.execute(update(api_keys).where(
                (api_keys.c.id == name_or_id) | (api_keys.c.name == name_or_id),
                api_keys.c.revoked_at.is_(None)).values(revoked_at=time.time())).rowcount

    def key_for(self, secret: str) -> str | None:
        """The key id of a valid, unrevoked secret, else None."""
        with self.engine.connect() as c:
            return c.execute(select(api_keys.c.id).where(api_keys.c.key_hash == hash_key(secret),
                                                         api_keys.c.revoked_at.is_(None))).scalar()

    # ---- documents ---------------------------------------------------------------------------

    def add_document(self, key_id: str, sha256: str, filename: str, options: dict, pages_total: int,
                     force: bool = False) -> tuple[dict, bool]:
        """(the document row, created?). The same bytes and options from the same key give the same
        document unless force."""
        ohash = options_hash(options)
        with self.writer.begin() as c:
            # One key's uploads one at a time (PostgreSQL row lock; SQLite's write lock already is):
            # two quick uploads of the same file must not both find nothing and both insert.
            c.execute(select(api_keys.c.id).where(api_keys.c.id == key_id).with_for_update())
            if not force:
                row = c.execute(select(*SUMMARY_COLUMNS).where(
                    documents.c.key_id == key_id, documents.c.sha256 == sha256, documents.c.options_hash == ohash)
                    .order_by(documents.c.created_at.desc()).limit(1)).mappings().first()
                if row is not None:
                    return dict(row), False
            values = dict(id=uuid.uuid4().hex, key_id=key_id, sha256=sha256, options_hash=ohash,
                          filename=filename, options=json.dumps(options), status="queued", pages_done=0,
                          pages_total=pages_total, attempts=0, created_at=time.time())
            c.execute(documents.insert().values(**values))
        return self.get(key_id, values["id"]), True

    def get(self, key_id: str, doc_id: str, with_result: bool = False) -> dict | None:
        cols = list(documents.c) if with_result else SUMMARY_COLUMNS
        with self.engine.connect() as c:
            row = c.execute(select(*cols).where(documents.c.id == doc_id, documents.c.key_id == key_id)
                            ).mappings().first()
        return dict(row) if row else None

    def list(self, key_id: str, unit: str | None = None, year: int | None = None, status: str | None = None,
             limit: int = 50, offset: int = 0) -> tuple[list[dict], int]:
        """A page of the key's documents, newest first, and how many match in all."""
        where = [documents.c.key_id == key_id]
        if unit:
            where.append(documents.c.unit_name.contains(unit, autoescape=True))
        if year is not None:
            where.append(documents.c.year == year)
        if status:
            where.append(documents.c.status == status)
        with self.engine.connect() as c:
            total = c.execute(select(func.count()).select_from(documents).where(*where)).scalar_one()
            rows = c.execute(select(*SUMMARY_COLUMNS).where(*where)
                             .order_by(documents.c.created_at.desc(), documents.c.id)
                             .limit(limit).offset(offset)).mappings().all()
        return [dict(r) for r in rows], total

    def delete(self, key_id: str, doc_id: str) -> str | None:
        """Delete a document; returns its sha256 (None when there was none)."""
        with self.writer.begin() as c:
            sha = c.execute(select(documents.c.sha256).where(documents.c.id == doc_id,
                                                             documents.c.key_id == key_id)).scalar()
            if sha is not None:
                c.execute(documents.delete().where(documents.c.id == doc_id))
        return sha

    def sha_in_use(self, sha256: str) -> bool:
        with self.engine.connect() as c:
            return c.execute(select(documents.c.id).where(documents.c.sha256 == sha256).limit(1)).first() is not None

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as c:
            return dict(c.execute(select(documents.c.status, func.count()).group_by(documents.c.status)).all())

    # ---- the worker side ----------------------------------------------------------------------

    def claim(self, worker: str) -> dict | None:
        """Take the oldest queued document for this worker (status running, a fresh claim token)."""
        oldest = (select(documents.c.id).where(documents.c.status == "queued")
                  .order_by(documents.c.created_at, documents.c.id).limit(1).scalar_subquery())
        for _ in range(20):  # another worker may take the same row first: try the next one
            token = uuid.uuid4().hex
            with self.writer.begin() as c:
                taken = c.execute(update(documents).where(documents.c.id == oldest, documents.c.status == "queued")
                                  .values(status="running", claim=token, worker=worker,
                                          attempts=documents.c.attempts + 1, started_at=time.time(),
                                          pages_done=0, error=None)).rowcount
            if taken == 1:
                with self.engine.connect() as c:
                    return dict(c.execute(select(*SUMMARY_COLUMNS).where(documents.c.claim == token)).mappings().one())
            with self.engine.connect() as c:
                if c.execute(select(documents.c.id).where(documents.c.status == "queued").limit(1)).first() is None:
                    return None
        return None

    def _owned(self, doc_id: str, claim: str):
        return update(documents).where(documents.c.id == doc_id, documents.c.claim == claim,
                                       documents.c.status == "running")

    def progress(self, doc_id: str, claim: str, done: int, total: int) -> bool:
        """Record pages done; False when the job is no longer this worker's (deleted or requeued)."""
        with self.writer.begin() as c:
            return c.execute(self._owned(doc_id, claim).values(pages_done=done, pages_total=total)).rowcount == 1

    def finish(self, doc_id: str, claim: str, result: str, unit_name: str | None, year: int | None,
               error: str | None = None) -> bool:
        """Store the result (and the error when the document failed but kept a partial result)."""
        with self.writer.begin() as c:
            return c.execute(self._owned(doc_id, claim).values(
                status="failed" if error else "done", result=result, error=error, unit_name=unit_name, year=year,
                finished_at=time.time(), claim=None)).rowcount == 1

    def fail(self, doc_id: str, claim: str, error: str) -> bool:
        with self.writer.begin() as c:
            return c.execute(self._owned(doc_id, claim).values(status="failed", error=error,
                                                               finished_at=time.time(), claim=None)).rowcount == 1

    def requeue(self, worker: str | None = None) -> int:
        """Put running jobs (of one dead worker, or all after a restart) back in the queue; a job that
        already took MAX_ATTEMPTS workers down fails instead."""
        running = [documents.c.status == "running"]
        if worker is not None:
            running.append(documents.c.worker == worker)
        with self.writer.begin() as c:
            c.execute(update(documents).where(*running, documents.c.attempts >= MAX_ATTEMPTS).values(
                status="failed", claim=None, finished_at=time.time(),
                error=f"the extraction stopped its worker {MAX_ATTEMPTS} times (crash or out of memory)"))
            return c.execute(update(documents).where(*running).values(status="queued", claim=None)).rowcount

    def reset(self) -> None:
        """Drop and recreate every table (tests against a shared PostgreSQL database)."""
        metadata.drop_all(self.engine)
        metadata.create_all(self.engine)


def _engine(url: str) -> Engine:
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "begin")
    def _begin(conn) -> None:  # transactions are ours, not the driver's (SQLAlchemy's pysqlite recipe)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("immediate") else "BEGIN")

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record) -> None:  # WAL: readers never wait for the one writer
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    return engine
