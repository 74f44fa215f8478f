"""The Fetcher against a real server on 127.0.0.1: pages, redirects, robots, politeness."""

from __future__ import annotations

import asyncio
import itertools
import re
import time
from typing import Any

import httpx
import pytest

from scraper import errors
from scraper.config import Settings
from scraper.fetcher.client import Fetcher
from scraper.models import Page
from tests.faultserver import ETAG, LAST_MODIFIED, PAGE_HTML, SITEMAP_XML, FaultServer, with_fetcher

FAST = Settings(timeout=1.0, backoff_base=0.05, delay=0, retry_after_cap=3)


def fetch(settings: Settings, url: str, **kwargs: Any) -> Page:
    return with_fetcher(settings, lambda f: f.fetch(url, **kwargs))


def starts(server: FaultServer, prefix: str) -> list[float]:
    """Arrival times of the requests whose path starts with ``prefix``."""
    return [r.time for r in server.log if r.path.startswith(prefix)]


def gaps(times: list[float]) -> list[float]:
    return [b - a for a, b in itertools.pairwise(times)]


#: Arrival times seen by the server jitter around the client's start times
#: (a new connection arrives later than a reused one; threads, a busy CPU).
SLACK = 0.08


def assert_spaced(times: list[float], delay: float) -> None:
    """Requests arrived about ``delay`` apart, each, and over the whole run."""
    assert len(times) >= 2
    assert min(gaps(times)) >= delay - SLACK
    assert times[-1] - times[0] >= delay * (len(times) - 1) - SLACK


# -- a plain page ------------------------------------------------------------------------------


def test_fetches_a_page_with_its_metadata(fault_server: FaultServer) -> None:
    url = fault_server.url("/page")
    page = with_fetcher(FAST, lambda f: f.fetch(url), own_client=True)
    assert page.status == 200
    assert page.content == PAGE_HTML
    assert page.url == url and page.final_url == url
    assert page.redirects == () and page.attempts == 1
    assert page.http_version == "HTTP/1.1"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", page.fetched_at)
    assert page.headers["content-type"].startswith("text/html")
    assert all(key == key.lower() for key in page.headers)
    assert page.headers["content-length"] == str(len(PAGE_HTML))
    agent = FAST.agent("0.1.0")
    assert page.request_headers["user-agent"] == agent
    assert fault_server.requests("/page")[0].headers["user-agent"] == agent
    assert page.elapsed >= 0


def test_user_agent_is_sent_on_every_request_including_robots(fault_server: FaultServer) -> None:
    settings = FAST.with_(user_agent="test-agent/9 (+mailto:someone@example.com)")
    fetch(settings, fault_server.url("/chain/2"))
    agents = {r.path: r.headers.get("user-agent") for r in fault_server.log}
    assert set(agents) == {"/robots.txt", "/chain/2", "/chain/1", "/chain/0"}
    assert set(agents.values()) == {"test-agent/9 (+mailto:someone@example.com)"}


@pytest.mark.parametrize("path", ["/gzip-page", "/deflate-page", "/deflate-raw-page", "/br-page"])
def test_compressed_pages_are_decoded(fault_server: FaultServer, path: str) -> None:
    page = fetch(FAST, fault_server.url(path))
    assert page.content == PAGE_HTML
    assert page.headers["content-encoding"] in {"gzip", "deflate", "br"}
    assert "gzip" in fault_server.requests(path)[0].headers["accept-encoding"]


def test_invalid_utf8_is_returned_as_bytes(fault_server: FaultServer) -> None:
    # Decoding text is the extractor's business; the fetcher keeps the bytes.
    page = fetch(FAST, fault_server.url("/badutf8"))
    assert b"\xff\xfe" in page.content and "charset=utf-8" in page.content_type


# -- redirects ---------------------------------------------------------------------------------


def test_follows_a_redirect_chain(fault_server: FaultServer) -> None:
    page = fetch(FAST, fault_server.url("/chain/3"))
    assert page.final_url == fault_server.url("/chain/0")
    assert page.url == fault_server.url("/chain/3")
    assert page.redirects == tuple(fault_server.url(f"/chain/{n}") for n in (3, 2, 1))
    assert page.content == PAGE_HTML
    assert [fault_server.hits(f"/chain/{n}") for n in range(4)] == [1, 1, 1, 1]


@pytest.mark.parametrize("code", [301, 302, 303, 307, 308])
def test_redirect_codes_and_relative_locations(fault_server: FaultServer, code: int) -> None:
    page = fetch(FAST, fault_server.url(f"/redirect?to=page/x&code={code}"))
    assert page.final_url == fault_server.url("/page/x")
    assert len(page.redirects) == 1


def test_redirect_to_another_host_is_followed(fault_server: FaultServer) -> None:
    with FaultServer() as other:
        page = fetch(FAST, fault_server.url(f"/redirect?to={other.url('/page/elsewhere')}"))
        assert page.final_url == other.url("/page/elsewhere")
        assert other.hits("/page/elsewhere") == 1
        assert other.hits("/robots.txt") == 1  # each hop's host has its robots.txt checked


def test_ten_redirects_are_allowed(fault_server: FaultServer) -> None:
    page = fetch(FAST, fault_server.url("/chain/10"))
    assert len(page.redirects) == 10
    with pytest.raises(errors.RedirectError):
        fetch(FAST.with_(max_redirects=9), fault_server.url("/chain/10"))


# -- conditional GET ---------------------------------------------------------------------------


def test_conditional_get_answers_304_as_a_page(fault_server: FaultServer) -> None:
    url = fault_server.url("/etag")
    fresh = fetch(FAST, url)
    assert fresh.status == 200 and fresh.headers["etag"] == ETAG
    by_etag = fetch(FAST, url, etag=fresh.headers["etag"])
    assert by_etag.status == 304 and by_etag.not_modified and by_etag.content == b""
    by_date = fetch(FAST, url, last_modified=fresh.headers["last-modified"])
    assert by_date.status == 304
    stale = fetch(FAST, url, etag='"other"')
    assert stale.status == 200 and stale.content == PAGE_HTML
    sent = fault_server.requests("/etag")
    assert "if-none-match" not in sent[0].headers
    assert sent[1].headers["if-none-match"] == ETAG
    assert sent[2].headers["if-modified-since"] == LAST_MODIFIED


# -- content types -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/plain-html", "/octet-html"])
def test_html_labelled_vaguely_is_accepted_when_it_sniffs_as_html(fault_server: FaultServer, path: str) -> None:
    assert fetch(FAST, fault_server.url(path)).content == PAGE_HTML


def test_accept_any_skips_the_type_check(fault_server: FaultServer) -> None:
    page = fetch(FAST, fault_server.url("/pdf"), accept="any")
    assert page.content.startswith(b"%PDF")


def test_accept_xml_takes_feeds_and_gunzips_sitemaps(fault_server: FaultServer) -> None:
    assert fetch(FAST, fault_server.url("/feed.xml"), accept="xml").content.startswith(b"<?xml")
    assert fetch(FAST, fault_server.url("/sitemap.xml.gz"), accept="xml").content == SITEMAP_XML
    with pytest.raises(errors.NotHTML):
        fetch(FAST, fault_server.url("/pdf"), accept="xml")
    with pytest.raises(errors.NotHTML):
        fetch(FAST, fault_server.url("/feed.xml"), accept="html")


@pytest.mark.parametrize("url", ["ftp://example.com/file", "mailto:someone@example.com", "file:///etc/passwd", "/page"])
def test_unsupported_schemes_are_refused_without_sending(url: str) -> None:
    with pytest.raises(errors.UnsupportedScheme) as info:
        fetch(FAST, url)
    assert info.value.attempts == 0 and info.value.url == url


# -- robots.txt --------------------------------------------------------------------------------


def test_robots_disallow_is_honoured_and_robots_fetched_once(fault_server: FaultServer) -> None:
    fault_server.robots = "User-agent: *\nDisallow: /private\n"

    async def use(fetcher: Fetcher) -> list[Any]:
        urls = [fault_server.url(p) for p in ("/page/1", "/private/a", "/page/2", "/page/3")]
        return await asyncio.gather(*(fetcher.fetch(u) for u in urls), return_exceptions=True)

    results = with_fetcher(FAST, use)
    assert [type(r).__name__ for r in results] == ["Page", "RobotsDisallowed", "Page", "Page"]
    assert results[1].kind == "robots" and results[1].attempts == 0
    assert fault_server.hits("/private/a") == 0
    assert fault_server.hits("/robots.txt") == 1


def test_robots_rules_for_our_agent_apply(fault_server: FaultServer) -> None:
    fault_server.robots = "User-agent: *\nAllow: /\n\nUser-agent: news-archiver\nDisallow: /page/no\n"
    with pytest.raises(errors.RobotsDisallowed):
        fetch(FAST, fault_server.url("/page/no"))
    assert fetch(FAST, fault_server.url("/page/yes")).status == 200


def test_robots_is_checked_on_every_redirect_hop(fault_server: FaultServer) -> None:
    fault_server.robots = "User-agent: *\nDisallow: /private\n"
    with pytest.raises(errors.RobotsDisallowed) as info:
        fetch(FAST, fault_server.url("/redirect?to=/private/b"))
    assert info.value.url == fault_server.url("/redirect?to=/private/b")
    assert fault_server.hits("/redirect") == 1 and fault_server.hits("/private/b") == 0


@pytest.mark.parametrize(("status", "state"), [(404, "missing"), (403, "missing"), (500, "unavailable")])
def test_robots_errors_allow_all_and_are_recorded(fault_server: FaultServer, status: int, state: str) -> None:
    fault_server.robots, fault_server.robots_status = "User-agent: *\nDisallow: /\n", status

    async def use(fetcher: Fetcher) -> tuple[Page, Any]:
        page = await fetcher.fetch(fault_server.url("/page"))
        return page, fetcher.robots_record(fault_server.url("/"))

    page, record = with_fetcher(FAST.with_(max_attempts=1), use)
    assert page.status == 200
    assert record.state == state and record.status == status


def test_unreachable_robots_allows_all_and_is_recorded() -> None:
    # Connection refused for robots.txt: nothing to obey, but it is noted.
    async def use(fetcher: Fetcher) -> tuple[bool, Any]:
        allowed = await fetcher.robots_allowed("http://127.0.0.1:9/any")  # port 9: nothing listens
        return allowed, fetcher.robots_record("http://127.0.0.1:9/")

    allowed, record = with_fetcher(FAST.with_(max_attempts=1), use)
    assert allowed is True
    assert record.state == "unavailable" and record.error.startswith("connection")


def test_respect_robots_false_never_asks(fault_server: FaultServer) -> None:
    fault_server.robots = "User-agent: *\nDisallow: /\n"
    assert fetch(FAST.with_(respect_robots=False), fault_server.url("/page")).status == 200
    assert fault_server.hits("/robots.txt") == 0


# -- politeness: spacing and concurrency -------------------------------------------------------


def test_crawl_delay_spaces_requests(fault_server: FaultServer) -> None:
    fault_server.robots = "User-agent: *\nCrawl-delay: 0.4\n"

    async def use(fetcher: Fetcher) -> float | None:
        await asyncio.gather(*(fetcher.fetch(fault_server.url(f"/page/{n}")) for n in range(3)))
        return fetcher.crawl_delay(f"127.0.0.1:{fault_server.port}")

    assert with_fetcher(FAST, use) == 0.4
    assert_spaced(starts(fault_server, "/page/"), 0.4)


def test_delay_spaces_one_host_while_two_hosts_run_in_parallel(fault_server: FaultServer) -> None:
    settings = FAST.with_(delay=0.3, respect_robots=False)
    with FaultServer() as other:

        async def use(fetcher: Fetcher) -> float:
            began = time.monotonic()
            urls = [s.url(f"/page/{n}") for n in range(3) for s in (fault_server, other)]
            await asyncio.gather(*(fetcher.fetch(u) for u in urls))
            return time.monotonic() - began

        elapsed = with_fetcher(settings, use)
        for server in (fault_server, other):
            assert_spaced(starts(server, "/page/"), 0.3)
        # Six requests in series would need >= 1.5 s; in parallel per host, ~0.6 s.
        assert elapsed < 1.3
        first_a, first_b = starts(fault_server, "/page/")[0], starts(other, "/page/")[0]
        assert abs(first_a - first_b) < 0.2


@pytest.mark.parametrize("concurrency", [1, 2])
def test_concurrency_is_capped_per_host(fault_server: FaultServer, concurrency: int) -> None:
    settings = FAST.with_(concurrency=concurrency, respect_robots=False)

    async def use(fetcher: Fetcher) -> None:
        await asyncio.gather(*(fetcher.fetch(fault_server.url(f"/slow?d=0.2&n={n}")) for n in range(5)))

    with_fetcher(settings, use, own_client=True)
    assert fault_server.hits("/slow") == 5
    assert fault_server.max_in_flight == concurrency


def test_an_injected_client_is_left_open(fault_server: FaultServer) -> None:
    async def main() -> bool:
        async with httpx.AsyncClient() as client:
            async with Fetcher(FAST, client=client) as fetcher:
                await fetcher.fetch(fault_server.url("/page"))
            return client.is_closed

    assert asyncio.run(main()) is False
