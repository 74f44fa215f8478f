"""Quiet when healthy, exit 1 only for what deserves a cron mail; ``fetch`` touches only its URLs (issue 15, points 4-5).

Real ``cli.py`` subprocesses against sites served on 127.0.0.1 (the fixture
site, a small KazPost-style site made of overrides, the fault server), real
archives under ``tmp_path``.
"""

from __future__ import annotations

import socket

import pytest

from scraper.research.demo_site import StaticSite
from tests.clirun import ROOT, run_cli, sql_rows
from tests.faultserver import FaultServer

SITE = ROOT / "fixtures" / "site"
FAST = ("--delay", "0", "--workers", "0", "--max-attempts", "1", "--timeout", "5")
DEAD = [f"/section-number-{i}-that-was-removed-long-ago" for i in range(9)]
STORIES = [f"/kazpost-story-number-{i}-about-the-steppe" for i in range(5)]


def story(number: int) -> bytes:
    text = "".join(f"<p>Paragraph {part} of story {number}: herders on the steppe told the district council about "
                   f"the winter, the roads and the prices of fodder, {number + part} of them in all.</p>"
                   for part in range(6))
    return (f"<html><head><title>Story {number}</title></head><body><article><h1>Story {number} from the steppe "
            f"and its herders</h1>{text}</article></body></html>").encode()


def home(extra: list[str]) -> bytes:
    links = "".join(f'<li><a href="{href}">Link {i} with several words</a></li>'
                    for i, href in enumerate(STORIES + extra))
    return f"<html><body><nav><ul>{links}</ul></nav><h1>KazPost</h1></body></html>".encode()


@pytest.fixture()
def kazpost():
    """Five articles; the navigation has nine dead links (404)."""
    with StaticSite(SITE) as site:
        site.overrides["/"] = home(DEAD)
        for i, path in enumerate(STORIES):
            site.overrides[path] = story(i)
        yield site


def requested(site: StaticSite) -> set[str]:
    return {path for path, _ in site.log}


def test_dead_navigation_links_are_not_a_failure_and_are_not_retried(kazpost, tmp_path):
    db = tmp_path / "a.db"
    first = run_cli("crawl", kazpost.url("/"), "--db", str(db), "--quiet", *FAST)
    assert (first.returncode, first.stdout, first.stderr) == (0, "", "")
    assert sql_rows(db, "SELECT count(*) FROM articles") == [(5,)]
    assert sql_rows(db, "SELECT count(*) FROM frontier WHERE state = 'failed' AND error_kind = 'dead'") == [(9,)]
    assert sql_rows(db, "SELECT exit_code, failed, error FROM runs") == [(0, 0, None)]
    stats = run_cli("stats", "--db", str(db))
    assert stats.returncode == 0, stats.stderr
    section = stats.stdout.split("dead links (404/410) per site", 1)[1].splitlines()[1]
    assert section.split() == [kazpost.base_url.removeprefix("http://"), "9"]

    kazpost.log.clear()
    second = run_cli("crawl", kazpost.url("/"), "--db", str(db), "--quiet", *FAST)
    assert (second.returncode, second.stdout, second.stderr) == (0, "", "")
    assert requested(kazpost) & set(DEAD) == set()  # dead links are not asked again

    kazpost.log.clear()
    refresh = run_cli("crawl", kazpost.url("/"), "--db", str(db), "--quiet", "--refresh", *FAST)
    assert refresh.returncode == 0, refresh.stderr
    assert set(DEAD) <= requested(kazpost)  # --refresh checks them again


def test_a_named_url_that_is_gone_still_fails(kazpost, tmp_path):
    db = tmp_path / "a.db"
    result = run_cli("fetch", kazpost.url(DEAD[0]), "--db", str(db), "--quiet", *FAST)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [f"failed: {kazpost.url(DEAD[0])}: http_status: HTTP 404"]


def test_too_many_failures_fail_the_run_and_quiet_says_exactly_why(tmp_path):
    with StaticSite(SITE) as site, FaultServer() as fault:
        broken = [fault.url(f"/status/500?n={i}") for i in range(3)]
        site.overrides["/"] = home(broken)
        for i, path in enumerate(STORIES):
            site.overrides[path] = story(i)
        host = f"127.0.0.1:{fault.port}"
        db = tmp_path / "a.db"
        result = run_cli("crawl", site.url("/"), "--db", str(db), "--quiet", "--allow-host", host, *FAST)
        assert result.returncode == 1, result.stderr
        assert result.stdout == ""
        lines = result.stderr.splitlines()
        # 3 of 9 fetches (home, 5 stories, 3 broken): 33% > 10%
        assert lines[0] == "3 of 9 fetches failed (33%, more than 10%): http_status 3", lines
        assert sorted(lines[1:]) == sorted(f"failed: {url}: http_status: HTTP 500" for url in broken)

        lenient = run_cli("crawl", site.url("/"), "--db", str(tmp_path / "b.db"), "--quiet", "--allow-host", host,
                      "--max-failure-share", "0.5", *FAST)
        assert (lenient.returncode, lenient.stdout, lenient.stderr) == (0, "", "")


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_host_that_cannot_be_reached_at_all_fails_the_run(kazpost, tmp_path):
    port = closed_port()
    gone = f"http://127.0.0.1:{port}/a-story-on-a-host-that-is-down"
    kazpost.overrides["/"] = home([gone])
    db = tmp_path / "a.db"
    result = run_cli("crawl", kazpost.url("/"), "--db", str(db), "--quiet", "--allow-host", f"127.0.0.1:{port}", *FAST)
    assert result.returncode == 1, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"unreachable host: 127.0.0.1:{port} (1 fetches failed, e.g. connection:")


def test_fetch_touches_only_the_urls_it_is_given(tmp_path):
    db = tmp_path / "a.db"
    with StaticSite(SITE) as site:
        with StaticSite(SITE) as other:  # a second seed host, down by the time of the fetch
            crawl = run_cli("crawl", site.url("/"), other.url("/feed.rss"), "--db", str(db), "--max-pages", "6", *FAST)
            assert crawl.returncode == 0, crawl.stderr
        pending_before = sql_rows(db, "SELECT url FROM frontier WHERE state = 'pending' ORDER BY url")
        assert pending_before, "the crawl was meant to stop with work left"
        article = site.url("/turkmenistan-opens-new-caspian-ferry-route-to-azerbaijan")
        site.log.clear()
        result = run_cli("fetch", article, "--db", str(db), "--quiet", *FAST)
        assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
        assert requested(site) <= {"/turkmenistan-opens-new-caspian-ferry-route-to-azerbaijan", "/robots.txt"}
    after = sql_rows(db, "SELECT url FROM frontier WHERE state = 'pending' ORDER BY url")
    assert after == [row for row in pending_before if row[0] != article]
    assert sql_rows(db, "SELECT state FROM frontier WHERE url = ?", (article,)) == [("done",)]
