"""One bad URL is a failure of that URL, never of the run, and never poisons the archive (issue 15, point 1).

Real ``cli.py`` subprocesses against the fixture site and the fault server on
127.0.0.1; the archive is a real SQLite file under ``tmp_path``.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest

from scraper.research.demo_site import StaticSite
from tests.clirun import ROOT, run_cli, sql_rows
from tests.faultserver import FaultServer

SITE = ROOT / "fixtures" / "site"
ARTICLE = "/kazakhstan-chinese-kazakhs-arrested-face-trial-in-remote-location"
FAST = ("--delay", "0", "--workers", "0", "--max-attempts", "1", "--timeout", "5")


@pytest.fixture()
def site():
    with StaticSite(SITE) as served:
        yield served


@pytest.mark.parametrize("url", ["http://127.0.0.1:99999/", "http://127.0.0.1:8/a\nb", "http://127.0.0.1:8/a\tb",
                                 "http://127.0.0.1:port/", "http://[::1/"])
def test_bad_command_line_url_is_a_usage_error_before_anything_runs(tmp_path, url):
    db = tmp_path / "a.db"
    result = run_cli("fetch", url, "--db", str(db), *FAST)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr  # one line, the newline escaped
    assert result.stderr.startswith("error: http://")
    assert not db.exists()  # nothing was opened, no run recorded


def test_redirect_to_an_impossible_port_fails_that_url_only(tmp_path, site):
    db = tmp_path / "a.db"
    with FaultServer() as fault:
        bad = fault.url("/redirect?to=" + quote("http://127.0.0.1:99999/", safe=""))
        result = run_cli("fetch", bad, site.url(ARTICLE), "--db", str(db), *FAST)
        assert "Traceback" not in result.stderr
        assert result.returncode == 1, result.stderr  # a URL the user named failed
        assert "99999" in result.stderr
        assert sql_rows(db, "SELECT count(*) FROM articles") == [(1,)]  # the other URL was archived
        assert sql_rows(db, "SELECT state FROM frontier WHERE state = 'active'") == []
        assert sql_rows(db, "SELECT exit_code, failed FROM runs") == [(1, 1)]
        # The archive is not poisoned: the next run works and fetches what it is given.
        again = run_cli("fetch", site.url(ARTICLE), "--db", str(db), *FAST)
        assert again.returncode == 0, again.stderr
        assert "Traceback" not in again.stderr


def test_a_discovered_link_to_an_impossible_port_is_a_failure_of_that_link(tmp_path, site):
    site.overrides["/"] = (
        f'<html><body><h1>Home</h1><a href="{ARTICLE}">Kazakhs arrested story</a>'
        '<a href="http://127.0.0.1:99999/some-story-with-a-long-slug">Broken port story</a></body></html>'
    ).encode()
    db = tmp_path / "a.db"
    result = run_cli("crawl", site.url("/"), "--db", str(db), "--allow-host", "127.0.0.1:99999", *FAST)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode in (0, 1), result.stderr
    assert sql_rows(db, "SELECT count(*) FROM articles WHERE url LIKE ?", (f"%{ARTICLE}",)) == [(1,)]
    failed = sql_rows(db, "SELECT url, state, error_kind FROM frontier WHERE url LIKE '%99999%'")
    assert failed == [("http://127.0.0.1:99999/some-story-with-a-long-slug", "failed", "invalid_url")]
    assert sql_rows(db, "SELECT state FROM frontier WHERE state = 'active'") == []


def _poison(db: Path, url: str) -> None:
    """What a run killed mid-fetch (or a crash of the old code) leaves: a row ``active`` and a run never ended."""
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE frontier SET state = 'active' WHERE url = ?", (url,))
        conn.execute("INSERT INTO runs (command, args, started_at, pid, exit_code) VALUES ('crawl', '{}', "
                     "'2026-01-01T00:00:00+00:00', 1, NULL)")
    conn.close()


def test_rows_a_dead_run_left_active_are_reset_and_the_run_recorded_as_dead(tmp_path, site):
    db = tmp_path / "a.db"
    first = run_cli("fetch", site.url(ARTICLE), "--db", str(db), *FAST)
    assert first.returncode == 0, first.stderr
    _poison(db, site.url(ARTICLE))
    other = site.url("/turkmenistan-opens-new-caspian-ferry-route-to-azerbaijan")
    second = run_cli("fetch", other, "--db", str(db), *FAST)
    assert second.returncode == 0, second.stderr
    assert sql_rows(db, "SELECT state FROM frontier WHERE url = ?", (site.url(ARTICLE),)) == [("pending",)]
    dead = sql_rows(db, "SELECT ended_at IS NOT NULL, error FROM runs WHERE started_at LIKE '2026-01-01%'")
    assert len(dead) == 1 and dead[0][0] == 1 and "died" in dead[0][1]
    assert sql_rows(db, "SELECT error FROM runs ORDER BY id DESC LIMIT 1") == [(None,)]  # the clean run is clean


def test_a_run_that_dies_is_recorded_with_its_error(tmp_path, site):
    """A run killed by an error of its own (here: the archive vanishes under it) is not recorded as clean."""
    db = tmp_path / "a.db"
    driver = (
        "import sys\n"
        "from scraper.config import Settings\n"
        "from scraper.crawler import engine\n"
        "from scraper.crawler.runs import run_archive\n"
        "def broken(self, *a, **k):\n"
        "    raise RuntimeError('the loop broke')\n"
        "engine.Crawler._loop = broken\n"
        "try:\n"
        "    run_archive(sys.argv[1], [sys.argv[2]], Settings(delay=0, workers=0))\n"
        "except RuntimeError:\n"
        "    sys.exit(3)\n"
    )
    result = subprocess.run([sys.executable, "-c", driver, str(db), site.url(ARTICLE)], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 3, result.stderr
    assert sql_rows(db, "SELECT exit_code, error FROM runs") == [(1, "RuntimeError: the loop broke")]
    assert sql_rows(db, "SELECT state FROM frontier WHERE state = 'active'") == []
