"""Fixtures shared by several test modules."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from scraper.crawler.urls import host_shard
from scraper.research.demo_site import StaticSite

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


@pytest.fixture
def two_shard_seeds() -> Iterator[list[str]]:
    """Seeds of two copies of the fixture site, served on 127.0.0.1, whose hosts fall in different shards of 2."""
    site = Path(__file__).resolve().parents[1] / "fixtures" / "site"
    with contextlib.ExitStack() as stack:
        one = stack.enter_context(StaticSite(site))
        two = stack.enter_context(StaticSite(site))
        for _ in range(30):  # ports are random: serve again until the two hosts fall in different shards
            if host_shard(one.url("/"), 2) != host_shard(two.url("/"), 2):
                break
            two = stack.enter_context(StaticSite(site))
        seeds = [one.url("/"), two.url("/")]
        assert host_shard(seeds[0], 2) != host_shard(seeds[1], 2)
        yield seeds
