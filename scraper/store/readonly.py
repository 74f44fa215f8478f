"""Opening an archive for reading only: never a write, even to a read-only copy."""

from __future__ import annotations

import os
import sqlite3
import urllib.parse
from pathlib import Path

from scraper.errors import StoreError

__all__ = ["connect_read_only"]


def connect_read_only(path: Path, busy_timeout_ms: int) -> sqlite3.Connection:
    """A connection that never writes: ``mode=ro``, or ``immutable=1`` where the directory is read-only.

    A WAL archive opened ``mode=ro`` still needs its ``-shm`` file, which SQLite
    cannot create in a read-only directory (a snapshot, a read-only mount):
    there nothing can be writing the file either, so ``immutable=1`` is safe.
    """
    uri = "file:" + urllib.parse.quote(str(path.resolve()))
    error: sqlite3.Error | None = None
    for flags in ("mode=ro", "immutable=1"):
        if flags == "immutable=1" and os.access(path.parent, os.W_OK):
            break  # a writable directory: the file may be live, immutable would be unsafe
        try:
            conn = sqlite3.connect(f"{uri}?{flags}", uri=True, timeout=busy_timeout_ms / 1000,
                                   check_same_thread=False)
        except sqlite3.Error as exc:
            error = exc
            continue
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # the -shm is opened here
            return conn
        except sqlite3.Error as exc:
            conn.close()
            error = exc
    raise StoreError(f"cannot open archive read-only: {error}", url=str(path))
