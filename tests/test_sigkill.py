"""SIGKILL a real ``cli.py crawl`` at random moments: the archive stays whole and resumes.

One archive, many lives: each repetition starts the crawl on the same file
(resuming the killed one), kills it with SIGKILL a random 0.05–2 s after its
first request reached the fixture server (so the kill lands in the crawl,
not in Python's start-up), and checks the file: integrity, no half-written
article, no article marked done in the frontier without its row. Every run
after the first must not fetch again (200) an article archived before it.
A last run goes to completion: every fixture article archived exactly once.
Besides the fixture site, a second seed lists generated stories (served as
overrides), so the crawl lasts long enough for later kills to land mid-crawl.
Chaining the lives keeps the whole test near a minute on a shared machine
while still killing at a different point of the crawl each time.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from scraper.crawler.urls import canonicalize
from scraper.research.demo_site import StaticSite

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "fixtures" / "site"
EXPECTED = ROOT / "fixtures" / "expected"
REPETITIONS = 10
FIRST_REQUEST_WAIT = 30.0  # seconds for Python start-up on a loaded machine
GENERATED = 150
MORE_INDEX = "/more-stories/"


def generated_story(number: int) -> bytes:
    words = ["river", "grain", "railway", "council", "winter", "market", "border", "school", "harbour", "mine"]
    topic = f"{words[number % 10]} {words[(number // 10) % 10]}"
    paragraphs = "".join(
        f"<p>Report {number}, part {part}: the {topic} plan was discussed again by the district council, "
        f"which heard from {number + part} residents about costs, delays and the schedule for next year.</p>"
        for part in range(5))
    headline = f"Story {number} on the {topic} plan and what residents said"
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{headline}</title></head>"
            f"<body><article><h1>{headline}</h1>{paragraphs}</article></body></html>").encode()


def generated_path(number: int) -> str:
    return f"/generated-story-number-{number}-about-the-plan"


def add_generated(site: StaticSite) -> None:
    """A second index with GENERATED stories, all served from memory."""
    links = "".join(f'<li><a href="{generated_path(i)}">Story {i} about the plan and residents</a></li>'
                    for i in range(GENERATED))
    site.overrides[MORE_INDEX] = (f"<!DOCTYPE html><html><head><title>More</title></head><body><h1>More stories</h1>"
                                  f"<ul>{links}</ul></body></html>").encode()
    for i in range(GENERATED):
        site.overrides[generated_path(i)] = generated_story(i)


def expected_paths() -> set[str]:
    paths = set()
    for file in EXPECTED.glob("*.json"):
        data = json.loads(file.read_text(encoding="utf-8"))
        if isinstance(data, dict) and "path" in data:
            paths.add(data["path"])
    return paths


def crawl_command(site: StaticSite, db: Path) -> list[str]:
    return [sys.executable, "cli.py", "crawl", site.url("/"), site.url(MORE_INDEX), "--db", str(db), "--delay", "0.02", "--workers", "0",
            "--quiet"]


def check_whole(db: Path) -> set[str]:
    """Assert the archive is consistent after a kill; return the paths of archived articles."""
    if not db.exists():
        return set()
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "articles" not in tables:
            return set()
        half_written = conn.execute(
            "SELECT url FROM articles a WHERE coalesce(body, '') = '' OR coalesce(content_hash, '') = ''"
            " OR page_id IS NULL OR NOT EXISTS (SELECT 1 FROM pages p WHERE p.id = a.page_id)"
            " OR (SELECT count(*) FROM related_links r WHERE r.article_url = a.url)"
            "    != json_array_length(coalesce(a.related, '[]'))"
        ).fetchall()
        assert half_written == [], f"half-written articles: {half_written}"
        if "frontier" in tables:
            orphans = conn.execute(
                "SELECT url FROM frontier f WHERE archived = 1 AND kind = 'article'"
                " AND NOT EXISTS (SELECT 1 FROM articles a WHERE a.url = f.url)"
            ).fetchall()
            assert orphans == [], f"frontier says archived, articles table disagrees: {orphans}"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        return {urlsplit(row[0]).path for row in conn.execute("SELECT url FROM articles")}
    finally:
        conn.close()


def kill_at_random(site: StaticSite, db: Path, rng: random.Random) -> int | None:
    """Start a crawl, SIGKILL it ``rng``-chosen seconds after its first request; its exit code if it ended first."""
    before = len(site.log)
    proc = subprocess.Popen(crawl_command(site, db), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + FIRST_REQUEST_WAIT
        while len(site.log) == before and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(rng.uniform(0.05, 2.0))
        if proc.poll() is not None:
            return proc.returncode
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        return None
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stderr is not None:
            proc.stderr.close()


def refetched(site_log: list[tuple[str, int]], archived: set[str]) -> list[str]:
    return [path for path, status in site_log if path in archived and status == 200]


@pytest.mark.slow
def test_sigkill_at_random_moments_then_resume(tmp_path):
    db = tmp_path / "archive.db"
    wanted = expected_paths() | {generated_path(i) for i in range(GENERATED)}
    assert len(wanted) > GENERATED
    archived: set[str] = set()
    killed_with_articles = 0
    counts: list[int] = []
    with StaticSite(SITE) as site:
        add_generated(site)
        for repetition in range(REPETITIONS):
            site.log.clear()
            code = kill_at_random(site, db, random.Random(1000 + repetition))
            time.sleep(0.05)  # a request in flight at the kill is logged by now
            assert refetched(site.log, archived) == [], f"repetition {repetition} refetched archived articles"
            assert code in (None, 0), f"repetition {repetition}: crawl ended by itself with exit code {code}"
            now = check_whole(db)
            assert archived <= now, f"repetition {repetition} lost articles: {archived - now}"
            killed_with_articles += bool(now)
            counts.append(len(now))
            archived = now
        site.log.clear()
        final = subprocess.run(crawl_command(site, db), cwd=ROOT, capture_output=True, text=True, timeout=180)
        assert final.returncode == 0, final.stderr
        assert "Traceback" not in final.stderr
        assert refetched(site.log, archived) == []
    done = check_whole(db)
    assert wanted <= done, f"missing after resume: {sorted(wanted - done)}"
    conn = sqlite3.connect(db)
    try:
        urls = [row[0] for row in conn.execute("SELECT url FROM articles")]
        in_frontier = conn.execute("SELECT count(*) FROM frontier WHERE state IN ('pending', 'active')").fetchone()[0]
    finally:
        conn.close()
    assert len(urls) == len(set(urls)) == len({canonicalize(u) for u in urls})
    assert len({urlsplit(u).path.rstrip("/") for u in urls}) == len(urls), "one article under two URLs"
    assert in_frontier == 0
    print(f"articles archived after each kill: {counts}; after the last run: {len(urls)}")
    # Not a tautology: kills landed after some articles were written, and before all were.
    assert killed_with_articles >= 1
    assert any(0 < n < len(wanted) for n in counts), counts
