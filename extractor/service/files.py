"""Uploads on disk, content-addressed: DATA/blobs/ab/abcdef….pdf, written whole or not at all."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import BinaryIO


class TooLarge(Exception):
    """The upload is over the byte cap (it was not kept)."""


def blob_path(data_dir: Path, sha256: str) -> Path:
    return Path(data_dir) / "blobs" / sha256[:2] / f"{sha256}.pdf"


def spool(data_dir: Path, stream: BinaryIO, max_bytes: int) -> tuple[Path, str, int]:
    """Copy an upload into a temporary file in the data dir: (path, sha256, size); TooLarge past max_bytes."""
    tmp_dir = Path(data_dir) / "tmp"
    tmp_dir.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    fd, name = tempfile.mkstemp(suffix=".pdf", dir=tmp_dir)
    try:
        with os.fdopen(fd, "wb") as fh:
            for block in iter(lambda: stream.read(1 << 20), b""):
                size += len(block)
                if size > max_bytes:
                    raise TooLarge(size)
                digest.update(block)
                fh.write(block)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name), digest.hexdigest(), size


def keep(data_dir: Path, tmp: Path, sha256: str) -> Path:
    """Move a spooled upload to its content address (durably: the rename and its folder are synced)."""
    target = blob_path(data_dir, sha256)
    if target.exists():
        tmp.unlink(missing_ok=True)
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(tmp, target)
    dir_fd = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    return target


def forget(data_dir: Path, sha256: str) -> None:
    blob_path(data_dir, sha256).unlink(missing_ok=True)
