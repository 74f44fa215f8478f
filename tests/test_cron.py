"""What a cron operator relies on: quiet output, a structured log, the runs table, per-site config."""

from __future__ import annotations

import json
import sqlite3

import pytest

from scraper.research.demo_site import StaticSite
from tests.clirun import ROOT, run_cli

SAMPLE = "/kazakhstan-chinese-kazakhs-arrested-face-trial-in-remote-location"


@pytest.fixture()
def site():
    with StaticSite(ROOT / "fixtures" / "site") as served:
        yield served


def test_quiet_run_prints_nothing_and_logs_json_lines(site, tmp_path):
    db, log = tmp_path / "a.db", tmp_path / "crawl.log"
    result = run_cli("crawl", site.url("/"), "--db", str(db), "--delay", "0", "--workers", "0", "--quiet", "--log", str(log))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and result.stderr == ""
    events = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert {"time", "level", "msg", "url"} <= set(events[0])
    assert any(e["msg"] == "archived" for e in events)
    run = sqlite3.connect(db).execute(
        "SELECT command, ended_at, archived, failed, exit_code FROM runs ORDER BY id DESC LIMIT 1").fetchone()
    assert run[0] == "crawl" and run[1] and run[2] > 0 and run[3] == 0 and run[4] == 0


def test_quiet_run_still_reports_failures(site, tmp_path):
    db = tmp_path / "a.db"
    result = run_cli("fetch", site.url("/no-such-story-here"), "--db", str(db), "--delay", "0", "--workers", "0", "--quiet")
    assert result.returncode == 1
    assert "no-such-story-here" in result.stderr and "404" in result.stderr
    row = sqlite3.connect(db).execute("SELECT failed, exit_code FROM runs").fetchone()
    assert row == (1, 1)


def test_site_config_article_pattern_and_boilerplate(site, tmp_path):
    sites = tmp_path / "sites.toml"
    sites.write_text(
        '[sites."127.0.0.1"]\n'
        'article_pattern = "^/kazakhstan-chinese"\n'
        "boilerplate_xpaths = [\"//p[contains(., 'Musakhan and Alimuly went public')]\"]\n",
        encoding="utf-8",
    )
    db = tmp_path / "a.db"
    result = run_cli("crawl", site.url("/"), "--db", str(db), "--delay", "0", "--workers", "0", "--sites", str(sites))
    assert result.returncode == 0, result.stderr
    rows = sqlite3.connect(db).execute("SELECT url, body FROM articles").fetchall()
    assert [url for url, _ in rows] == [site.url(SAMPLE)]  # the pattern decides which URLs are articles
    assert "went public last week" not in rows[0][1]  # the extra boilerplate selector removed that paragraph
    assert "Kaster Musakhan and Murager Alimuly" in rows[0][1]


def test_bad_sites_file_is_a_usage_error(site, tmp_path):
    sites = tmp_path / "sites.toml"
    sites.write_text("[sites\nbroken", encoding="utf-8")
    result = run_cli("crawl", site.url("/"), "--db", str(tmp_path / "a.db"), "--sites", str(sites))
    assert result.returncode == 2 and "sites.toml" in result.stderr and "Traceback" not in result.stderr
