"""For the tests that drive ``cli.py`` as a user does: a real subprocess, and the archive read back with plain SQL."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``python cli.py ARGS`` in the checkout, output captured as text."""
    return subprocess.run([sys.executable, "cli.py", *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def run_cli_without(module: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """``cli.py ARGS`` run as ``__main__`` in a Python where importing MODULE fails, as if it were not installed."""
    code = (f"import sys, runpy; sys.modules[{module!r}] = None; "
            f"sys.argv = {['cli.py', *args]!r}; "
            "runpy.run_path('cli.py', run_name='__main__')")
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def sql_rows(db: Path, query: str, params: tuple = (), *, named: bool = False) -> list[Any]:
    """All rows of QUERY on the archive DB, through a plain sqlite3 connection (not the code under test).

    Tuples, or with ``named`` sqlite3.Row objects that also read by column name.
    """
    conn = sqlite3.connect(db)
    if named:
        conn.row_factory = sqlite3.Row
    try:
        return conn.execute(query, params).fetchall()
    finally:
        conn.close()
