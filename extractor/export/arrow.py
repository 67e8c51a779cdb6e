"""Parquet files and a DuckDB database, both through Arrow tables with exact decimal columns."""

from __future__ import annotations

from ..errors import ExportError
from .base import Writer, writer, optional
from .tidy import BOOL, DECIMAL, FLOAT, INT, Frame

# Amounts in 万元 carry at most 6 decimals (元 printed to the fen, shifted by 4); a value that needs
# more is refused rather than rounded.
DECIMAL_PRECISION, DECIMAL_SCALE = 38, 6


def arrow_table(frame: Frame, fmt: str):
    """The frame as a pyarrow Table with typed columns (decimal128(38, 6) for money)."""
    pa = optional("pyarrow", fmt)
    types = {INT: pa.int64(), FLOAT: pa.float64(), BOOL: pa.bool_(),
             DECIMAL: pa.decimal128(DECIMAL_PRECISION, DECIMAL_SCALE)}
    schema = pa.schema([(name, types.get(kind, pa.string())) for name, kind in frame.columns])
    columns = list(zip(*frame.rows)) if frame.rows else [()] * len(frame.columns)
    arrays = []
    for (name, _), field, values in zip(frame.columns, schema, columns):
        try:
            arrays.append(pa.array(values, type=field.type))
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            raise ExportError(f"{frame.name}.{name}: {exc}") from exc
    return pa.Table.from_arrays(arrays, schema=schema)


@writer("parquet")
class ParquetWriter(Writer):
    """One Parquet file per tidy table in the target folder (documents.parquet, cells.parquet …)."""

    fmt, directory, requires = "parquet", True, ("pyarrow",)

    def __init__(self, path):
        self.pq = optional("pyarrow.parquet", self.fmt)
        super().__init__(path)
        self.writers: dict = {}

    def write(self, frames):
        for name, frame in frames.items():
            table = arrow_table(frame, self.fmt)
            if name not in self.writers:
                self.writers[name] = self.pq.ParquetWriter(self.tmp / f"{name}.parquet", table.schema,
                                                           compression="zstd")
            if table.num_rows:
                self.writers[name].write_table(table)

    def finish(self):
        for parquet in self.writers.values():
            parquet.close()
        self.writers = {}


@writer("duckdb")
class DuckdbWriter(Writer):
    """A DuckDB database file with one table per tidy table (DECIMAL(38,6) money)."""

    fmt, requires = "duckdb", ("duckdb", "pyarrow")

    def __init__(self, path):
        self.duckdb = optional("duckdb", self.fmt)
        optional("pyarrow", self.fmt)
        super().__init__(path)
        self.con = self.duckdb.connect(str(self.tmp))
        self.created: set[str] = set()

    def write(self, frames):
        for name, frame in frames.items():
            self.con.register("chunk", arrow_table(frame, self.fmt))
            if name in self.created:
                self.con.execute(f'INSERT INTO "{name}" SELECT * FROM chunk')
            else:
                self.con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM chunk')
                self.created.add(name)
            self.con.unregister("chunk")

    def finish(self):
        if self.con is not None:
            self.con.close()
            self.con = None
