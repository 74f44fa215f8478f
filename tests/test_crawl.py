"""End-to-end crawls of the fixture site over 127.0.0.1, into real SQLite files."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scraper.config import Settings
from scraper.crawler.runs import run_archive
from scraper.crawler.urls import canonicalize
from scraper.research.demo_site import StaticSite
from scraper.store.archive import Archive
from tests.clirun import sql_rows

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "fixtures" / "site"
EXPECTED = ROOT / "fixtures" / "expected"
FAST = Settings(delay=0, concurrency=4, workers=0, contact="tests")


def expected_articles() -> dict[str, dict]:
    """path -> expected fields, for every article page of the fixture site."""
    out = {}
    for file in sorted(EXPECTED.glob("*.json")):
        data = json.loads(file.read_text(encoding="utf-8"))
        if isinstance(data, dict) and "path" in data and "headline" in data:
            out[data["path"]] = data
    return out


@pytest.fixture()
def site():
    with StaticSite(SITE) as served:
        yield served


def article_rows(db: Path) -> list[sqlite3.Row]:
    return sql_rows(db, "SELECT * FROM articles", named=True)


def test_crawl_archives_every_fixture_article_once(site, tmp_path):
    db = tmp_path / "a.db"
    summary = run_archive(db, [site.url("/")], FAST)
    rows = article_rows(db)
    archived = {row["url"] for row in rows}
    wanted = {canonicalize(site.url(path)) for path in expected_articles()}
    assert wanted and wanted <= archived, f"missing: {sorted(wanted - archived)}"
    # Index pages are visited for links, never archived as articles.
    index_paths = json.loads((EXPECTED / "index_pages.json").read_text())
    index_paths = index_paths if isinstance(index_paths, list) else index_paths.get("paths", [])
    for path in index_paths:
        assert canonicalize(site.url(path)) not in archived
    assert summary.archived == len(rows)
    assert summary.failed == 0, summary.failures
    # robots.txt disallows /private/: never requested.
    assert not [p for p, _ in site.log if p.startswith("/private/")]


def test_second_run_changes_nothing_and_refetches_no_article(site, tmp_path):
    db = tmp_path / "a.db"
    run_archive(db, [site.url("/")], FAST)
    before = [tuple(r) for r in article_rows(db)]
    site.log.clear()
    summary = run_archive(db, [site.url("/")], FAST)
    assert [tuple(r) for r in article_rows(db)] == before
    article_paths = set(expected_articles())
    refetched = [(p, s) for p, s in site.log if p in article_paths and s == 200]
    assert refetched == []
    assert summary.archived == 0 and summary.updated == 0
    # The home page was rechecked with a conditional GET and answered 304.
    assert ("/", 304) in site.log
    assert summary.not_modified >= 1


def test_edited_article_gets_a_second_version_and_history_diff(site, tmp_path):
    db = tmp_path / "a.db"
    run_archive(db, [site.url("/")], FAST)
    path, fields = next(iter(expected_articles().items()))
    original = (SITE / path.lstrip("/")).read_bytes()
    last = fields["last_paragraph"].encode("utf-8")
    edited = original.replace(last, last + b" A correction was appended.", 1)
    assert edited != original, "fixture's last paragraph must appear verbatim in its page"
    site.overrides[path] = edited
    summary = run_archive(db, [site.url(path)], FAST.with_(refresh=True), follow=False, command="fetch")
    assert summary.updated == 1
    url = canonicalize(site.url(path))
    with Archive(db) as archive:
        versions = archive.history(url)
    assert len(versions) == 2
    assert "A correction was appended." in versions[-1]["body"]
    assert "A correction was appended." not in versions[0]["body"]
    out = subprocess.run([sys.executable, "cli.py", "history", site.url(path), "--db", str(db)], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "+" in out.stdout and "A correction was appended." in out.stdout


def test_feed_and_sitemap_seeds_discover_articles_with_labelled_dates(site, tmp_path):
    db = tmp_path / "a.db"
    run_archive(db, [site.url("/feed.rss"), site.url("/sitemap.xml")], FAST)
    rows = article_rows(db)
    assert rows, "feed/sitemap seeds found no article"
    feed_dated = [r for r in rows if r["feed_date"]]
    assert feed_dated
    for row in feed_dated:  # a feed's pubDate is never taken as the publication date
        assert row["published"] is None or row["date_source"] in ("jsonld", "meta", "time", "dateline", "url")


def test_max_pages_bounds_a_run_and_the_rest_waits(site, tmp_path):
    db = tmp_path / "a.db"
    first = run_archive(db, [site.url("/")], FAST.with_(max_pages=3))
    assert first.fetched + first.failed + first.skipped <= 3
    assert first.stopped_early
    second = run_archive(db, [site.url("/")], FAST)
    assert len(article_rows(db)) >= len(expected_articles())
    assert second.archived == len(article_rows(db)) - first.archived


def _cli(*args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "cli.py", *args], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kw)


def test_second_concurrent_run_exits_75(site, tmp_path):
    db = tmp_path / "a.db"
    slow = _cli("crawl", site.url("/"), "--db", str(db), "--delay", "0.5", "--workers", "0", "--quiet")
    try:
        deadline = time.time() + 30
        while not Path(f"{db}.lock").exists() or not db.exists():
            assert time.time() < deadline, "first run never started"
            time.sleep(0.05)
        time.sleep(0.5)
        second = subprocess.run([sys.executable, "cli.py", "crawl", site.url("/"), "--db", str(db)], cwd=ROOT,
                                capture_output=True, text=True, timeout=60)
        assert second.returncode == 75
        assert len(second.stderr.strip().splitlines()) == 1 and "another run" in second.stderr
    finally:
        slow.send_signal(signal.SIGTERM)
        slow.communicate(timeout=60)
    assert slow.returncode in (0, 143)  # 143: stopped by SIGTERM (issue 15); 0: it had finished already


@pytest.mark.slow
def test_kill_9_mid_crawl_then_resume_archives_each_article_once(site, tmp_path):
    db = tmp_path / "a.db"
    proc = _cli("crawl", site.url("/"), "--db", str(db), "--delay", "0.15", "--workers", "0", "--quiet")
    deadline = time.time() + 60
    while True:
        assert time.time() < deadline, "crawl archived nothing in time"
        time.sleep(0.1)
        try:
            if db.exists() and len(article_rows(db)) >= 2:
                break
        except sqlite3.OperationalError:
            continue
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    archived_before = {r["url"] for r in article_rows(db)}
    assert archived_before and len(archived_before) < len(expected_articles())
    site.log.clear()
    summary = run_archive(db, [site.url("/")], FAST)
    rows = article_rows(db)
    urls = [r["url"] for r in rows]
    assert len(urls) == len(set(urls))
    assert {canonicalize(site.url(p)) for p in expected_articles()} <= set(urls)
    # Nothing archived before the kill was fetched again with a 200.
    refetched = {canonicalize(site.url(p)) for p, s in site.log if s == 200} & archived_before
    assert refetched == set()
    assert summary.archived == len(rows) - len(archived_before)


def test_refresh_after_days_rechecks_only_old_articles(site, tmp_path):
    db = tmp_path / "a.db"
    run_archive(db, [site.url("/")], FAST)
    article_paths = set(expected_articles())
    site.log.clear()
    run_archive(db, [site.url("/")], FAST.with_(refresh_after_days=1.0))  # checked minutes ago: not due
    assert not [p for p, _ in site.log if p in article_paths]
    site.log.clear()
    summary = run_archive(db, [site.url("/")], FAST.with_(refresh_after_days=0.0))
    rechecked = {p for p, _ in site.log if p in article_paths}
    assert rechecked == article_paths
    # Conditional GETs: unchanged articles answer 304 and add no version.
    assert summary.not_modified >= len(article_paths) and summary.updated == 0


def test_max_time_stops_a_run_and_the_next_one_finishes(site, tmp_path):
    db = tmp_path / "a.db"
    first = run_archive(db, [site.url("/")], FAST.with_(concurrency=1, delay=0.4, max_time=1.0))
    assert first.stopped_early and first.seconds < 15
    run_archive(db, [site.url("/")], FAST)
    wanted = {canonicalize(site.url(p)) for p in expected_articles()}
    assert wanted <= {r["url"] for r in article_rows(db)}
