"""Scope and safety: which hosts get requests, which files get written, what a query can do.

Two servers on 127.0.0.1 with different ports are two hosts (host:port).
URLs of other hosts appear only as data: the private-link filter is
unit-tested on the Crawler's link intake, which sends nothing.
"""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from scraper.config import Settings
from scraper.crawler.discover import Link
from scraper.crawler.frontier import FrontierEntry
from scraper.crawler.recorder import WarcRecorder
from scraper.crawler.runs import run_archive
from scraper.crawler.urls import is_private_host
from scraper.crawler.writer import PageWriter, Scope
from scraper.errors import UsageError
from scraper.extractor.article import extract
from scraper.models import Page
from scraper.research.demo_site import StaticSite
from scraper.store.archive import Archive

ROOT = Path(__file__).resolve().parents[1]
FIXTURE_ARTICLE = ROOT / "fixtures" / "site" / "kazakhstan-chinese-kazakhs-arrested-face-trial-in-remote-location"
FAST = Settings(delay=0, concurrency=2, workers=0, timeout=5.0, backoff_base=0.05, contact="tests")
LOCAL_STORY = "/harbour-workers-return-after-the-long-winter-strike"
REMOTE_STORY = "/mountain-villages-cut-off-by-record-snowfall-this-week"
MOVED_STORY = "/old-address-of-a-story-that-moved-elsewhere"


def story(headline: str) -> bytes:
    sentence = ("Officials in the district said on Monday that the plan would be reviewed again next spring, "
                "after residents complained about the costs and the long delays of the previous year. ")
    paragraphs = "".join(f"<p>{sentence}Paragraph {i} adds its own detail.</p>" for i in range(4))
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{headline}</title></head>"
            f"<body><article><h1>{headline}</h1>{paragraphs}</article></body></html>").encode()


def index(*hrefs: str) -> bytes:
    items = "".join(f'<li><a href="{h}">A story link with several words number {i}</a></li>' for i, h in enumerate(hrefs))
    return f"<!DOCTYPE html><html><head><title>Home</title></head><body><h1>Home</h1><ul>{items}</ul></body></html>".encode()


@pytest.fixture()
def two_hosts(tmp_path):
    """Host A links to its own story and to host B's; both serve empty roots plus overrides."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with StaticSite(tmp_path / "a") as a, StaticSite(tmp_path / "b") as b:
        b.overrides[REMOTE_STORY] = story("Mountain villages cut off by record snowfall")
        a.overrides[LOCAL_STORY] = story("Harbour workers return after the long winter strike")
        a.overrides["/"] = index(LOCAL_STORY, b.url(REMOTE_STORY))
        yield a, b


def archived_paths(db: Path) -> dict[str, str]:
    conn = sqlite3.connect(db)
    try:
        return {row[0]: urlsplit(row[0]).netloc for row in conn.execute("SELECT url FROM articles")}
    finally:
        conn.close()


def test_other_host_on_another_port_is_never_requested(two_hosts, tmp_path):
    a, b = two_hosts
    summary = run_archive(tmp_path / "a.db", [a.url("/")], FAST)
    assert b.log == [], f"host B was requested: {b.log}"
    assert {urlsplit(u).path for u in archived_paths(tmp_path / "a.db")} == {LOCAL_STORY}
    assert summary.exit_code == 0  # a loopback seed given explicitly is crawled normally


def test_allow_host_lets_the_crawl_reach_the_other_host(two_hosts, tmp_path):
    a, b = two_hosts
    host_b = urlsplit(b.base_url).netloc
    result = subprocess.run([sys.executable, "cli.py", "crawl", a.url("/"), "--allow-host", host_b, "--db",
                             str(tmp_path / "a.db"), "--delay", "0", "--workers", "0", "--quiet"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert (REMOTE_STORY, 200) in b.log
    assert {urlsplit(u).path for u in archived_paths(tmp_path / "a.db")} == {LOCAL_STORY, REMOTE_STORY}


class _Redirector:
    """Host C on 127.0.0.1: an index, and a story that moved to another host with a 302."""

    def __init__(self, target: str) -> None:
        self.log: list[str] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - stdlib name
                owner.log.append(self.path)
                if self.path == "/":
                    body = index(MOVED_STORY)
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                elif self.path == MOVED_STORY:
                    self.send_response(302)
                    self.send_header("Location", target)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                else:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()

            def log_message(self, *args: object) -> None:
                """Quiet."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_a_redirect_does_not_carry_the_crawl_to_another_host(two_hosts, tmp_path):
    _, b = two_hosts
    redirector = _Redirector(b.url(REMOTE_STORY))
    try:
        run_archive(tmp_path / "c.db", [redirector.url + "/"], FAST)
    finally:
        redirector.close()
    assert MOVED_STORY in redirector.log
    assert b.log == [], f"a link found on host C led to requests on host B: {b.log}"
    assert archived_paths(tmp_path / "c.db") == {}


# -- the private-address filter, as a unit ----------------------------------------------------------

@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8000/a-story", "http://[::1]/a-story", "http://localhost/a-story", "http://LocalHost:9/x",
    "http://10.1.2.3/a", "http://192.168.0.1/a", "http://172.16.5.4/a", "http://169.254.169.254/latest/meta-data",
    "http://[fe80::1]/a", "http://[fd00::1]/a", "http://[::ffff:127.0.0.1]/a", "http://0.0.0.0/a",
    "http://api.localhost/a",
    # Spellings the OS resolver (inet_aton) turns into 127.0.0.1 as well:
    "http://127.1/a", "http://2130706433/a", "http://0x7f000001/a", "http://0177.0.0.1/a", "http://localhost./a",
])
def test_private_hosts_are_recognised(url):
    assert is_private_host(url)


@pytest.mark.parametrize("url", ["https://news.example.com/a", "http://8.8.8.8/a", "https://example.org:8443/x",
                                 "http://127.0.0.1.example.com/a"])
def test_public_hosts_are_not_private(url):
    assert not is_private_host(url)


def _intake(tmp_path: Path, found_on: str, hosts: tuple[str, ...], urls: list[str]) -> set[str]:
    """The URLs a crawl queues when ``urls`` are found on ``found_on`` (nothing is fetched)."""
    with Archive(tmp_path / f"intake-{len(list(tmp_path.iterdir()))}.db") as archive:
        # The scope run() builds: the allowed hosts plus the seed's host.
        scope = Scope(frozenset(hosts) | {urlsplit(found_on).netloc}, follow=True)
        writer = PageWriter(archive, FAST, scope, run_id=None)
        entry = FrontierEntry(found_on, "seed", 0, 0, None, None, None, None)
        with archive.transaction():
            writer._add_links([Link(u) for u in urls], entry, found_on)
        return {row[0] for row in archive.db.execute("SELECT url FROM frontier")}


INTAKE_URLS = [
    "https://news.example.com/a-public-story-here",
    "http://127.0.0.1:8000/a-private-story-here",
    "http://10.0.0.5/an-intranet-story-here",
    "http://localhost:9/a-localhost-story-here",
    "https://other.example.org/an-out-of-scope-story",
]
ALLOWED = ("127.0.0.1:8000", "10.0.0.5", "localhost:9")


def test_private_links_found_on_a_public_page_are_dropped_even_when_allowed(tmp_path):
    queued = _intake(tmp_path, "https://news.example.com/", ALLOWED, INTAKE_URLS)
    assert queued == {"https://news.example.com/a-public-story-here"}


def test_private_links_found_on_a_private_page_are_kept_when_allowed(tmp_path):
    queued = _intake(tmp_path, "http://127.0.0.1:8000/", ALLOWED, INTAKE_URLS)
    assert queued == {"http://127.0.0.1:8000/a-private-story-here", "http://10.0.0.5/an-intranet-story-here",
                      "http://localhost:9/a-localhost-story-here"}


# -- files are never overwritten ------------------------------------------------------------------

def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture()
def small_archive(tmp_path):
    db = tmp_path / "archive.db"
    article = extract(FIXTURE_ARTICLE.read_bytes(), "https://news.example.com" + "/" + FIXTURE_ARTICLE.name)
    with Archive(db) as archive:
        archive.save_article(article)
    return db


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_export_never_overwrites_without_force(small_archive, tmp_path, fmt):
    out = tmp_path / f"existing.{fmt}"
    out.write_bytes(b"precious data, not an export")
    before = _sha(out)
    refused = subprocess.run([sys.executable, "cli.py", "export", "--format", fmt, "-o", str(out), "--db",
                              str(small_archive)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert refused.returncode == 2, refused.stderr
    assert "--force" in refused.stderr
    assert _sha(out) == before
    forced = subprocess.run([sys.executable, "cli.py", "export", "--format", fmt, "-o", str(out), "--db",
                             str(small_archive), "--force"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert forced.returncode == 0, forced.stderr
    assert _sha(out) != before


def _page(url: str) -> Page:
    return Page(url=url, final_url=url, status=200, headers={"content-type": "text/html"}, content=b"<html>x</html>",
                fetched_at="2025-01-01T00:00:00Z")


def test_warc_recorder_never_overwrites_existing_files(tmp_path):
    directory = tmp_path / "warc"
    directory.mkdir()
    now = datetime.now(timezone.utc)
    taken = []
    for second in range(-1, 4):  # every name the recorder could pick in the next seconds, already there
        stamp = (now + timedelta(seconds=second)).strftime("%Y%m%d%H%M%S")
        for sequence in range(3):
            for suffix in ("", ".open"):
                path = directory / f"archive-{stamp}-{sequence:05d}.warc.gz{suffix}"
                path.write_bytes(b"an older WARC file " + path.name.encode())
                taken.append((path, _sha(path)))
    with WarcRecorder(directory) as recorder:
        recorder.record(_page("http://127.0.0.1:1/a-page"))
    assert [(p, _sha(p)) for p, _ in taken] == taken
    assert len(list(directory.iterdir())) == len(taken) + 1


def test_a_second_crawl_with_the_same_warc_dir_keeps_the_first_files(two_hosts, tmp_path):
    a, _ = two_hosts
    directory = tmp_path / "warc"
    run_archive(tmp_path / "a.db", [a.url("/")], FAST.with_(warc_dir=str(directory)))
    first = {p: _sha(p) for p in directory.iterdir()}
    assert first
    run_archive(tmp_path / "a.db", [a.url("/")], FAST.with_(warc_dir=str(directory)))
    assert {p: _sha(p) for p in first} == first
    assert len(list(directory.iterdir())) > len(first)


# -- queries that look like SQL do nothing but search -----------------------------------------------

INJECTIONS = [
    "'; DROP TABLE articles; --",
    "\"; DROP TABLE articles; --",
    "') OR 1=1 --",
    "x\" OR \"1\"=\"1",
    "Kazakhs' UNION SELECT sql, 1, 2, 3, 4, 5 FROM sqlite_master --",
    "articles_fts MATCH '*'",
    "NEAR(",
    "headline:",
    "*",
    "\u0000",
]


def _schema(db: Path) -> tuple[list[tuple[str, str]], int]:
    conn = sqlite3.connect(db)
    try:
        tables = conn.execute("SELECT type, name FROM sqlite_master ORDER BY name").fetchall()
        return tables, conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    finally:
        conn.close()


def test_injection_looking_searches_do_no_harm_in_the_library(small_archive):
    before = _schema(small_archive)
    with Archive(small_archive) as archive:
        for query in INJECTIONS:
            try:
                hits = archive.search(query)
            except UsageError:
                continue
            assert all(set(hit) >= {"url", "headline"} for hit in hits)
            assert not any("CREATE TABLE" in str(hit.get("headline")) for hit in hits)
        assert archive.search("Kazakhs", site="x' OR '1'='1") == []
        assert archive.search("Kazakhs", site="news.example.com' --") == []
    assert _schema(small_archive) == before


def test_injection_looking_searches_do_no_harm_through_the_cli(small_archive):
    before = _schema(small_archive)
    for args in (["search", "'; DROP TABLE articles; --"], ["search", "Kazakhs", "--site", "x' OR '1'='1"],
                 ["search", "Kazakhs", "--since", "2020-01-01' OR '1'='1"],
                 ["export", "--site", "x' OR 1=1 --"]):
        result = subprocess.run([sys.executable, "cli.py", *args, "--db", str(small_archive)], cwd=ROOT,
                                capture_output=True, text=True, timeout=120)
        assert "Traceback" not in result.stderr, result.stderr
        assert result.returncode in (0, 2), (args, result.returncode, result.stderr)
        assert "Kazakhs arrested" not in result.stdout, f"{args} matched an article it should not"
    assert _schema(small_archive) == before
    # And the article is still found by an honest query.
    honest = subprocess.run([sys.executable, "cli.py", "search", "Kazakhs", "--db", str(small_archive)], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert "Kazakhs arrested" in honest.stdout
