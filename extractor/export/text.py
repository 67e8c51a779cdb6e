"""CSV files and a SQLite database: standard library only, money as exact decimal text."""

from __future__ import annotations

import csv
import sqlite3
from decimal import Decimal

from .base import Writer, writer
from .tidy import BOOL, FLOAT, INT, Frame


def plain(value):
    """A value as CSV/SQLite hold it: Decimal as its exact digits ("518.80"), bool as 0/1."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, bool):
        return int(value)
    return value


@writer("csv")
class CsvWriter(Writer):
    """One CSV per tidy table, UTF-8 with a byte-order mark so Excel shows the Chinese text."""

    fmt, directory = "csv", True

    def __init__(self, path):
        super().__init__(path)
        self.files: dict = {}

    def write(self, frames: dict[str, Frame]):
        for name, frame in frames.items():
            if name not in self.files:
                # utf-8-sig writes the BOM Excel needs to take the file as UTF-8 rather than GBK/ANSI.
                fh = open(self.tmp / f"{name}.csv", "w", encoding="utf-8-sig", newline="")
                self.files[name] = (fh, csv.writer(fh))
                self.files[name][1].writerow(frame.names)
            self.files[name][1].writerows([plain(v) for v in row] for row in frame.rows)

    def finish(self):
        for fh, _ in self.files.values():
            fh.close()
        self.files = {}


_SQL_TYPES = {INT: "INTEGER", FLOAT: "REAL", BOOL: "INTEGER"}


@writer("sqlite")
class SqliteWriter(Writer):
    """A SQLite database, one table per tidy table; money columns are TEXT holding exact decimals
    (SQLite has no decimal type and a NUMERIC column would turn them into floats)."""

    fmt = "sqlite"

    def __init__(self, path):
        super().__init__(path)
        self.con = sqlite3.connect(self.tmp)
        self.created: set[str] = set()

    def write(self, frames: dict[str, Frame]):
        for name, frame in frames.items():
            if name not in self.created:
                cols = ", ".join(f'"{c}" {_SQL_TYPES.get(kind, "TEXT")}' for c, kind in frame.columns)
                self.con.execute(f'CREATE TABLE "{name}" ({cols})')
                self.created.add(name)
            marks = ", ".join("?" * len(frame.columns))
            self.con.executemany(f'INSERT INTO "{name}" VALUES ({marks})',
                                 ([plain(v) for v in row] for row in frame.rows))
        self.con.commit()

    def finish(self):
        if self.con is not None:
            if "cells" in self.created:
                self.con.execute('CREATE INDEX cells_doc ON cells (doc_id, "table")')
            self.con.commit()
            self.con.close()
            self.con = None
