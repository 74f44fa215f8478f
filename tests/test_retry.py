"""Retry and back-off decisions, with httpx.MockTransport and a fake clock.

No real sleeping: the Fetcher gets a ``sleep`` that only records the wait and
advances a fake clock, so every wait the policy decides is visible here.
"""

from __future__ import annotations

import asyncio
import email.utils
import random
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from scraper import errors
from scraper.config import Settings
from scraper.fetcher.client import Fetcher
from scraper.fetcher.throttle import BACKOFF_CAP, backoff_delay, parse_retry_after

HTML = b"<!doctype html><html><body><p>ok</p></body></html>"
URL = "http://news.example.com/story"


class FakeTime:
    """A clock that moves only when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.waits: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


def page(status: int = 200, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, headers={"content-type": "text/html", **(headers or {})}, content=HTML)


def run_fetch(
    responder: Callable[[httpx.Request, int], httpx.Response],
    settings: Settings,
    url: str = URL,
    fetches: int = 1,
) -> tuple[list[Any], list[httpx.Request], FakeTime]:
    """Fetch ``url`` ``fetches`` times; ``responder(request, n)`` answers the n-th page request.

    robots.txt answers 404 unless the responder handles it. Returns the
    results (Page or the raised FetchError), the page requests, the fake time.
    """
    seen: list[httpx.Request] = []
    fake = FakeTime()

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/robots.txt":
            answer = responder(request, 0)
            return answer if answer is not None else httpx.Response(404)
        seen.append(request)
        return responder(request, len(seen))

    async def main() -> list[Any]:
        results: list[Any] = []
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
            fetcher = Fetcher(settings, client=client, sleep=fake.sleep, clock=fake.clock)
            for _ in range(fetches):
                try:
                    results.append(await fetcher.fetch(url))
                except errors.FetchError as exc:
                    results.append(exc)
        return results

    return asyncio.run(main()), seen, fake


def settings(**changes: Any) -> Settings:
    return Settings(delay=0, backoff_base=1.0, retry_after_cap=60, max_attempts=3).with_(**changes)


def test_5xx_is_retried_up_to_max_attempts() -> None:
    results, seen, fake = run_fetch(lambda r, n: None if n == 0 else page(502), settings(max_attempts=4))
    error = results[0]
    assert isinstance(error, errors.HTTPStatusError)
    assert (error.status, error.attempts, error.url) == (502, 4, URL)
    assert len(seen) == 4
    assert len(fake.waits) == 3  # no wait after the last attempt


def test_5xx_then_success_counts_attempts() -> None:
    results, _, _ = run_fetch(lambda r, n: None if n == 0 else page(500 if n < 3 else 200), settings())
    assert results[0].status == 200
    assert results[0].attempts == 3
    assert results[0].content == HTML


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 451])
def test_other_4xx_is_not_retried(status: int) -> None:
    results, seen, fake = run_fetch(lambda r, n: None if n == 0 else page(status), settings())
    assert isinstance(results[0], errors.HTTPStatusError)
    assert results[0].status == status
    assert results[0].attempts == 1
    assert len(seen) == 1 and fake.waits == []


def test_429_retry_after_seconds_is_waited() -> None:
    def responder(request: httpx.Request, n: int) -> httpx.Response | None:
        return None if n == 0 else page(429, {"retry-after": "7"}) if n == 1 else page(200)

    results, _, fake = run_fetch(responder, settings(retry_after_cap=10))
    assert results[0].status == 200 and results[0].attempts == 2
    assert fake.waits == [7.0]


def test_503_retry_after_http_date_is_parsed() -> None:
    when = email.utils.formatdate(time.time() + 30, usegmt=True)

    def responder(request: httpx.Request, n: int) -> httpx.Response | None:
        return None if n == 0 else page(503, {"retry-after": when}) if n == 1 else page(200)

    results, _, fake = run_fetch(responder, settings())
    assert results[0].status == 200
    assert len(fake.waits) == 1
    assert 28.0 <= fake.waits[0] <= 30.5


def test_retry_after_over_the_cap_gives_up_at_once() -> None:
    results, seen, fake = run_fetch(
        lambda r, n: None if n == 0 else page(429, {"retry-after": "3600"}), settings(retry_after_cap=60)
    )
    error = results[0]
    assert isinstance(error, errors.HTTPStatusError)
    assert error.status == 429 and error.attempts == 1
    assert "3600" in str(error)
    assert len(seen) == 1 and fake.waits == []


def test_retry_after_is_ignored_on_plain_500() -> None:
    # Only 429 and 503 carry Retry-After meaningfully; a 500 backs off instead.
    results, _, fake = run_fetch(
        lambda r, n: None if n == 0 else page(500, {"retry-after": "50"}) if n == 1 else page(200),
        settings(backoff_base=0.5),
    )
    assert results[0].status == 200
    assert len(fake.waits) == 1 and 0.0 <= fake.waits[0] <= 0.5


def test_backoff_waits_stay_within_the_jitter_bounds() -> None:
    base = 1.0
    results, _, fake = run_fetch(lambda r, n: None if n == 0 else page(500), settings(max_attempts=8))
    assert isinstance(results[0], errors.HTTPStatusError)
    assert len(fake.waits) == 7
    for attempt, wait in enumerate(fake.waits, start=1):
        assert 0.0 <= wait <= min(BACKOFF_CAP, base * 2 ** (attempt - 1))


def test_backoff_delay_is_full_jitter_and_capped() -> None:
    rng = random.Random(1234)
    for attempt in range(1, 12):
        ceiling = min(BACKOFF_CAP, 0.5 * 2 ** (attempt - 1))
        samples = [backoff_delay(attempt, 0.5, rng) for _ in range(300)]
        assert all(0.0 <= s <= ceiling for s in samples)
        # Full jitter spreads over the whole range, not a fixed value.
        assert min(samples) < 0.2 * ceiling and max(samples) > 0.8 * ceiling
    assert max(backoff_delay(40, 1.0, rng) for _ in range(100)) <= BACKOFF_CAP


def test_timeouts_and_connection_errors_are_retried_and_translated() -> None:
    def timeout(request: httpx.Request, n: int) -> httpx.Response | None:
        if n == 0:
            return None
        raise httpx.ReadTimeout("slow", request=request)

    results, seen, _ = run_fetch(timeout, settings())
    assert isinstance(results[0], errors.FetchTimeout)
    assert results[0].attempts == 3 and len(seen) == 3
    assert isinstance(results[0].__cause__, httpx.ReadTimeout)

    def refused(request: httpx.Request, n: int) -> httpx.Response | None:
        if n == 0:
            return None
        raise httpx.ConnectError("refused", request=request)

    results, seen, _ = run_fetch(refused, settings(max_attempts=2))
    assert isinstance(results[0], errors.ConnectionFailed)
    assert results[0].attempts == 2 and len(seen) == 2
    assert isinstance(results[0].__cause__, httpx.ConnectError)


def test_per_host_delay_uses_the_injected_sleep() -> None:
    results, _, fake = run_fetch(lambda r, n: None if n == 0 else page(200), settings(delay=2.5), fetches=3)
    assert all(r.status == 200 for r in results)
    # robots.txt, then three pages: each page starts 2.5 s after the previous.
    assert fake.waits.count(2.5) >= 2
    assert sum(fake.waits) == pytest.approx(2.5 * 3)


def test_crawl_delay_from_robots_beats_a_smaller_delay() -> None:
    def responder(request: httpx.Request, n: int) -> httpx.Response | None:
        if n == 0:
            return httpx.Response(200, text="User-agent: *\nCrawl-delay: 5\n")
        return page(200)

    results, _, fake = run_fetch(responder, settings(delay=1.0), fetches=3)
    assert all(r.status == 200 for r in results)
    assert fake.waits.count(5.0) >= 2


def test_retries_respect_the_host_spacing() -> None:
    results, _, fake = run_fetch(
        lambda r, n: None if n == 0 else page(500 if n == 1 else 200), settings(delay=4.0, backoff_base=0.01)
    )
    assert results[0].status == 200
    # Back-off (<= 0.01 s) is shorter than the delay: the throttle makes up the rest.
    assert sum(fake.waits) >= 8.0 - 1e-9


@pytest.mark.parametrize(
    ("value", "expected"),
    [("5", 5.0), (" 10 ", 10.0), ("0", 0.0), ("1.5", 1.5), ("-3", None), ("soon", None), ("", None), (None, None)],
)
def test_parse_retry_after_seconds(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value) == expected


def test_parse_retry_after_dates() -> None:
    now = datetime(2025, 2, 22, 12, 0, 0, tzinfo=timezone.utc)
    later = email.utils.format_datetime(now + timedelta(seconds=90), usegmt=True)
    earlier = email.utils.format_datetime(now - timedelta(hours=1), usegmt=True)
    assert parse_retry_after(later, now=now) == pytest.approx(90.0)
    assert parse_retry_after(earlier, now=now) == 0.0
    assert parse_retry_after("Sun, 99 Foo 2025 25:61:00 GMT", now=now) is None
