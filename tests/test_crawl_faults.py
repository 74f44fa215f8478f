"""A real crawl through every fault the fault server knows, in a subprocess with bounded time and memory.

The fixture site is served with its home page replaced by an index that
links to three fixture articles, one article with invalid UTF-8 bytes, and
the fault server's routes (its host is added with ``allowed_hosts``, as
``--allow-host`` would). The crawl runs once per module, in a child process
(``run_archive`` with fast timeouts: the CLI has no timeout/attempt flags),
while a thread of this process keeps reading the archive. The tests below
then look at what it left behind.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from scraper.research.demo_site import StaticSite
from tests.faultserver import FaultServer, bomb

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "fixtures" / "site"
RUN_LIMIT_SECONDS = 60.0
RSS_LIMIT_MB = 300

GOOD_ARTICLES = [
    "/kazakhstan-chinese-kazakhs-arrested-face-trial-in-remote-location",
    "/kazakhstan-almaty-metro-extension-opens-three-new-stations-after-years-of-delays",
    "/turkmenistan-opens-new-caspian-ferry-route-to-azerbaijan",
]
BAD_UTF8_ARTICLE = "/regional-page-with-broken-bytes-in-its-text"

#: fault route -> (failure kind, fetch attempts) with max_attempts = 3
FAILING = {
    "/hang": ("timeout", 3),
    "/trickle": ("timeout", 3),
    "/reset": ("connection", 3),
    "/truncate": ("connection", 3),
    "/loop/a": ("redirect_loop", 1),
    "/to-ftp": ("scheme", 0),  # fetch.py: attempts count the hop that decided, and the ftp hop is never sent
    "/bomb/gzip": ("too_large", 1),
    "/bomb/deflate": ("too_large", 1),
    "/bomb/br": ("too_large", 1),
    "/huge": ("too_large", 1),
    "/huge-nolength": ("too_large", 1),
    "/missing": ("dead", 1),  # a discovered link answering 404: a dead link, not a failure (issue 15)
    "/status/500": ("http_status", 3),
    "/status/503": ("http_status", 3),
    "/throttle/always?n=9&after=1": ("http_status", 3),
    "/throttle/too-long?n=9&after=60": ("http_status", 1),
    "/png": ("decode", 1),
    "/pdf": ("not_html", 1),
    "/json": ("not_html", 1),  # labelled text/html, sniffed as JSON
}
#: fault routes that end well (after retries, or as non-article pages): no failure row
SUCCEEDING = ["/flaky/f?n=2", "/throttle/once?n=1&after=1", "/badutf8", "/gzip-page", "/page/plain"]

DRIVER = """
import json, sys
from scraper.config import Settings
from scraper.crawler.runs import run_archive
db, seed, allow = sys.argv[1:4]
settings = Settings(delay=0, workers=0, timeout=3.0, backoff_base=0.05, retry_after_cap=3, max_attempts=3,
                    concurrency=4, allowed_hosts=(allow,), contact="tests")
summary = run_archive(db, [seed], settings)
print(json.dumps({"failed": summary.failed, "archived": summary.archived, "failures": summary.failures}))
sys.exit(summary.exit_code)
"""
# Runs its argv as a child and reports that child's peak RSS: the pytest
# process's own RUSAGE_CHILDREN also holds every earlier test's subprocesses.
RSS_WRAPPER = """
import resource, subprocess, sys
code = subprocess.run(sys.argv[1:]).returncode
print("maxrss_kb", resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)
sys.exit(code)
"""


def bad_utf8_article() -> bytes:
    sentence = ("The regional office said the new schedule would start next month and that ticket prices "
                "would stay the same for residents of the district, officials told reporters on Tuesday. ")
    return (b"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Broken bytes story - KazPost</title>"
            b"</head><body><header>KazPost</header><article><h1>Broken bytes story from a regional page</h1>"
            b"<p>" + sentence.encode() + b"Caf\xe9 owners \xff\xfe welcomed it.</p>"
            b"<p>" + sentence.encode() + b"A second \xc3\x28 broken sequence.</p>"
            b"<p>" + sentence.encode() + b"The end of the story.</p></article></body></html>")


def index_page(fault: FaultServer) -> bytes:
    hrefs = GOOD_ARTICLES + [BAD_UTF8_ARTICLE] + [fault.url(r) for r in [*FAILING, *SUCCEEDING]]
    items = "".join(f'<li><a href="{h}">Story link number {i} with several words</a></li>' for i, h in enumerate(hrefs))
    return f"<!DOCTYPE html><html><head><title>KazPost</title></head><body><h1>KazPost</h1><ul>{items}</ul></body></html>".encode()


@dataclass
class Reader:
    """Reads ``count(*) FROM articles`` in a loop on its own connection while the crawl writes."""

    db: Path
    reads: int = 0
    errors: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        while not self.stop.is_set() and not self.db.exists():
            time.sleep(0.01)
        conn = sqlite3.connect(self.db, timeout=5)
        try:
            while not self.stop.is_set():
                try:
                    conn.execute("SELECT count(*) FROM articles").fetchone()
                    self.reads += 1
                except sqlite3.OperationalError as exc:
                    if "no such table" not in str(exc):  # the schema is not there yet
                        self.errors.append(str(exc))
                time.sleep(0.005)
        finally:
            conn.close()


@dataclass
class CrawlResult:
    db: Path
    returncode: int
    seconds: float
    rss_mb: float
    stdout: str
    stderr: str
    reader: Reader
    fault: FaultServer
    site: StaticSite

    def rows(self, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
        conn = sqlite3.connect(self.db)
        conn.row_factory = sqlite3.Row
        try:
            return conn.execute(sql, params).fetchall()
        finally:
            conn.close()


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    db = tmp_path_factory.mktemp("faults") / "archive.db"
    for kind in ("gzip", "deflate", "br"):
        bomb(kind)  # built (cached) now, so the server answers at once during the crawl
    with FaultServer(hang_seconds=5) as fault, StaticSite(SITE) as site:
        site.overrides["/"] = index_page(fault)
        site.overrides[BAD_UTF8_ARTICLE] = bad_utf8_article()
        reader = Reader(db)
        thread = threading.Thread(target=reader.run, daemon=True)
        thread.start()
        started = time.monotonic()
        command = [sys.executable, "-c", RSS_WRAPPER, sys.executable, "-c", DRIVER, str(db), site.url("/"),
                   f"127.0.0.1:{fault.port}"]
        proc = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
        seconds = time.monotonic() - started
        reader.stop.set()
        thread.join(timeout=10)
        rss_kb = int(proc.stderr.rsplit("maxrss_kb", 1)[1].split()[0])
        yield CrawlResult(db, proc.returncode, seconds, rss_kb / 1024, proc.stdout, proc.stderr, reader, fault, site)


def test_run_ends_with_exit_code_1_in_bounded_time_and_memory(crawl):
    print(f"fault crawl: {crawl.seconds:.1f} s, peak RSS {crawl.rss_mb:.0f} MB, {crawl.reader.reads} reader queries")
    assert "Traceback" not in crawl.stderr, crawl.stderr
    assert crawl.returncode == 1, crawl.stderr
    assert crawl.seconds < RUN_LIMIT_SECONDS
    assert crawl.rss_mb < RSS_LIMIT_MB, f"peak RSS {crawl.rss_mb:.0f} MB"
    summary = json.loads(crawl.stdout.strip().splitlines()[-1])
    assert summary["failed"] == len([kind for kind, _ in FAILING.values() if kind != "dead"])


def test_good_pages_are_archived(crawl):
    urls = {urlsplit(r["url"]).path for r in crawl.rows("SELECT url FROM articles")}
    assert set(GOOD_ARTICLES) <= urls
    assert BAD_UTF8_ARTICLE in urls


def test_invalid_utf8_article_is_archived_with_replacement_characters(crawl):
    rows = crawl.rows("SELECT headline, body FROM articles WHERE url LIKE ?", (f"%{BAD_UTF8_ARTICLE}",))
    assert len(rows) == 1
    body = rows[0]["body"]
    assert "\ufffd" in body
    assert "welcomed it" in body and "The end of the story" in body
    assert rows[0]["headline"] == "Broken bytes story from a regional page"


def failures_by_path(crawl: CrawlResult) -> dict[str, list[sqlite3.Row]]:
    out: dict[str, list[sqlite3.Row]] = {}
    for row in crawl.rows("SELECT * FROM failures"):
        out.setdefault(urlsplit(row["url"]).path, []).append(row)
    return out


@pytest.mark.parametrize("route", sorted(FAILING))
def test_each_fault_is_recorded_with_its_kind_and_attempts(crawl, route):
    kind, attempts = FAILING[route]
    rows = failures_by_path(crawl).get(urlsplit(route).path, [])
    assert len(rows) == 1, f"{route}: {[dict(r) for r in rows]}"
    assert (rows[0]["kind"], rows[0]["attempts"]) == (kind, attempts), dict(rows[0])
    frontier = crawl.rows("SELECT state, error_kind, last_error FROM frontier WHERE url = ?", (rows[0]["url"],))
    assert [(f["state"], f["error_kind"]) for f in frontier] == [("failed", kind)]
    assert frontier[0]["last_error"]


def test_nothing_else_failed(crawl):
    failing_paths = {urlsplit(r).path for r in FAILING}
    others = [dict(r) for r in crawl.rows("SELECT url, kind, error FROM failures")
              if urlsplit(r["url"]).path not in failing_paths]
    assert others == []


@pytest.mark.parametrize("route", SUCCEEDING)
def test_routes_that_recover_are_done(crawl, route):
    path = urlsplit(route).path
    rows = [r for r in crawl.rows("SELECT url, state FROM frontier") if urlsplit(r["url"]).path == path]
    assert [r["state"] for r in rows] == ["done"]


def test_retries_follow_the_server_advice(crawl):
    assert crawl.fault.hits("/flaky/f") == 3
    once = crawl.fault.requests("/throttle/once")
    assert len(once) == 2 and once[1].time - once[0].time >= 0.9  # Retry-After: 1
    assert crawl.fault.hits("/throttle/too-long") == 1  # 60 s is over the 3 s cap: no wait, no retry
    assert crawl.fault.hits("/missing") == 1  # a 404 is not retried


def test_cap_holds_for_the_decompressed_size(crawl):
    rows = failures_by_path(crawl)
    for route in ("/bomb/gzip", "/bomb/deflate", "/bomb/br"):
        error = rows[route][0]["error"]
        assert "10485760" in error or "cap" in error, error
    assert crawl.rss_mb < 100 + RSS_LIMIT_MB / 3, "a 100 MB bomb was inflated in memory"


def test_stats_command_shows_failures_by_kind(crawl):
    result = subprocess.run([sys.executable, "cli.py", "stats", "--db", str(crawl.db)], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    expected: dict[str, int] = {}
    for kind, _ in FAILING.values():
        expected[kind] = expected.get(kind, 0) + 1
    section = result.stdout.split("failures by kind", 1)[1]
    for kind, count in expected.items():
        assert any(line.split() == [kind, str(count)] for line in section.splitlines()), (kind, count, result.stdout)


def test_a_busy_reader_never_errors_and_never_breaks_the_crawl(crawl):
    assert crawl.reader.errors == []
    assert crawl.reader.reads > 50
    runs = crawl.rows("SELECT exit_code, ended_at FROM runs")
    assert len(runs) == 1 and runs[0]["ended_at"] and runs[0]["exit_code"] == 1
