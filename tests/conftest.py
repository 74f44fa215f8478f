"""Fixtures shared by several test modules."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.clirun import run_cli
from tests.faultserver import fault_server

__all__ = ["fault_server"]  # a fixture of tests/faultserver.py, shared here with every test module


@pytest.fixture(scope="module")
def demo_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture site (served on 127.0.0.1 by StaticSite) crawled into a fresh archive by `demo`, once per module."""
    db = tmp_path_factory.mktemp("demo") / "archive.db"
    result = run_cli("demo", "--db", str(db), "--port", "0", "--quiet", timeout=180)
    assert result.returncode == 0, result.stderr
    return db
