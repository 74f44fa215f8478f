"""crawl --shard K/N: a stable host hash splits the hosts; other shards' seeds are skipped and said so."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from scraper.crawler.urls import host_shard
from scraper.crawler.writer import Scope
from scraper.research.demo_site import StaticSite

ROOT = Path(__file__).resolve().parents[1]


def test_host_shard_is_sha1_of_the_host_and_ignores_www_and_path() -> None:
    expected = int.from_bytes(hashlib.sha1(b"example.com").digest()[:8], "big") % 7 + 1
    assert host_shard("https://example.com/a/b?c=1", 7) == expected
    assert host_shard("http://www.example.com/", 7) == expected
    assert {host_shard(f"http://site{i}.kz/", 3) for i in range(50)} == {1, 2, 3}


def test_host_shard_is_the_same_in_another_process() -> None:
    # Python's hash() of a str changes with PYTHONHASHSEED; the shard must not.
    code = "from scraper.crawler.urls import host_shard; print([host_shard(f'http://h{i}.kz/', 5) for i in range(20)])"
    outs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2")}
    assert len(outs) == 1 and outs.pop().strip() == str([host_shard(f"http://h{i}.kz/", 5) for i in range(20)])


def test_scope_keeps_only_its_shards_hosts() -> None:
    urls = [f"http://h{i}.kz/x" for i in range(20)]
    hosts = frozenset(f"h{i}.kz" for i in range(20))
    kept = [[u for u in urls if Scope(hosts, True, (k, 2)).allows(u, "http://h0.kz/")] for k in (1, 2)]
    assert kept[0] and kept[1] and sorted(kept[0] + kept[1]) == sorted(urls)
    assert all(host_shard(u, 2) == 1 for u in kept[0])


def _crawl(seed: str, db: Path, shard: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "cli.py"), "crawl", seed, "--db", str(db), "--delay", "0",
                           "--workers", "0", "--shard", shard], capture_output=True, text=True, timeout=120)


def test_cli_crawls_a_host_only_in_its_shard(tmp_path: Path) -> None:
    with StaticSite(ROOT / "fixtures" / "site") as site:
        mine = host_shard(site.url("/"), 2)
        inside = _crawl(site.url("/"), tmp_path / "in.db", f"{mine}/2")
        outside = _crawl(site.url("/"), tmp_path / "out.db", f"{3 - mine}/2")
    assert inside.returncode == 0, inside.stderr
    with sqlite3.connect(tmp_path / "in.db") as conn:
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 10
    assert outside.returncode == 0, outside.stderr
    assert f"skipped: {site.url('/')}: shard: its host is not in shard {3 - mine}/2" in outside.stderr
    with sqlite3.connect(tmp_path / "out.db") as conn:
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM pages").fetchone()[0] == 0


def test_bad_shard_is_a_usage_error(tmp_path: Path) -> None:
    proc = _crawl("http://127.0.0.1:9/", tmp_path / "x.db", "3/2")
    assert proc.returncode == 2 and proc.stderr.strip() == "error: --shard wants K/N with 1 <= K <= N, not '3/2'"
