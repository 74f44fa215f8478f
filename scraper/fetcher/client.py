"""Fetch pages over HTTP: polite, bounded, and fault-tolerant.

One :class:`Fetcher` per run. For every URL it checks the scheme and
robots.txt, waits for the host's turn (:mod:`scraper.fetcher.throttle`), sends a GET
with an honest User-Agent, follows redirects itself (each hop checked again),
retries transient failures with back-off, streams the body under a size cap
(:mod:`scraper.fetcher.payload`) and returns a :class:`~scraper.models.Page`, or raises a
:class:`~scraper.errors.FetchError`. No httpx exception crosses this module.

``Page.attempts`` and ``FetchError.attempts`` count the tries of the request
that decided the outcome (the last redirect hop); 0 when nothing was sent
(a refused scheme or a robots.txt rule).
"""

from __future__ import annotations

import asyncio
import dataclasses
import random
import ssl
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from types import TracebackType

import httpx

from scraper import errors
from scraper.config import Settings
from scraper.fetcher.payload import (
    ACCEPT_ENCODING,
    ACCEPT_HEADER,
    Accept,
    BodyReader,
    check_body,
    media_type,
    precheck,
)
from scraper.fetcher.robots import (
    ROBOTS_MAX_BYTES,
    RobotsCache,
    RobotsRecord,
    origin_of,
    parse_robots,
)
from scraper.fetcher.throttle import HostThrottle, backoff_delay, parse_retry_after
from scraper.models import Page

__all__ = ["Accept", "Fetcher"]

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_HONOURS_RETRY_AFTER = frozenset({429, 503})
_SCHEMES = frozenset({"http", "https"})


@dataclass(frozen=True, slots=True)
class _Redirect:
    """A 3xx answer: where it points, and how many tries it took."""

    location: str
    attempts: int = 1


class _Transient(Exception):
    """A failure worth another try, with the server's Retry-After advice."""

    def __init__(self, error: errors.FetchError, cause: BaseException | None = None, retry_after: float | None = None):
        super().__init__(error.message)
        self.error = error
        self.cause = cause
        self.retry_after = retry_after


def _utc_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _tls_failure(exc: BaseException) -> bool:
    """Was ``exc`` caused, somewhere down its chain, by a TLS error?"""
    seen: BaseException | None = exc
    for _ in range(10):  # httpx -> httpcore -> ssl: a short chain
        if seen is None:
            return False
        if isinstance(seen, ssl.SSLError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _checked_url(raw: str, url: str, error: type[errors.FetchError] = errors.InvalidURL) -> httpx.URL:
    """``raw`` as an http(s) URL without fragment, or raise ``error``."""
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in raw):
        raise error(f"control character in URL {raw!r}", url=url, attempts=0)
    try:
        parsed = httpx.URL(raw)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise error(f"invalid URL {raw!r}", url=url, attempts=0) from exc
    if parsed.port is not None and not 0 < parsed.port <= 65535:
        raise error(f"port {parsed.port} out of range in {raw!r}", url=url, attempts=0)
    if parsed.scheme.lower() not in _SCHEMES:
        raise errors.UnsupportedScheme(f"scheme {parsed.scheme!r} is not http(s): {raw}", url=url, attempts=0)
    if not parsed.host:
        raise error(f"no host in URL {raw!r}", url=url, attempts=0)
    return parsed.copy_with(fragment=None)


class Fetcher:
    """Fetches pages with one shared httpx client and per-host politeness.

    Pass ``client`` to reuse one (tests pass ``httpx.MockTransport`` clients);
    an injected client is not closed by :meth:`aclose`. ``sleep`` and ``clock``
    are injectable so waits can be recorded instead of slept.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        client: httpx.AsyncClient | None = None,
        version: str = "0.1.0",
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._settings = settings
        self._agent = settings.agent(version)
        self._timeout = httpx.Timeout(settings.timeout)
        self._owns_client = client is None
        self._client = client if client is not None else self._new_client()
        self._sleep = sleep
        self._clock = clock
        self._throttle = HostThrottle(settings.concurrency, sleep=sleep, clock=clock)
        self._robots = RobotsCache()
        self._rng = random.Random()

    def _new_client(self) -> httpx.AsyncClient:
        # Per-host limits are ours (HostThrottle); the pool only keeps enough
        # idle connections around for reuse, and never blocks a request.
        limits = httpx.Limits(max_connections=None, max_keepalive_connections=max(10, 4 * self._settings.concurrency))
        return httpx.AsyncClient(
            http1=True, http2=False, follow_redirects=False, trust_env=False, timeout=self._timeout, limits=limits
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the client if this Fetcher created it."""
        if self._owns_client:
            await self._client.aclose()

    async def fetch(
        self, url: str, *, accept: Accept = "html", etag: str | None = None, last_modified: str | None = None,
        allow: Callable[[str], bool] | None = None,
    ) -> Page:
        """GET ``url`` and return the final answer as a :class:`Page`.

        ``accept`` says what the caller can use ("html", "xml" for feeds and
        sitemaps, "any"); ``etag``/``last_modified`` make the GET conditional,
        and a 304 answer comes back as a Page with ``status == 304``. ``allow``
        is asked before each redirect hop: a hop it refuses raises OutOfScope,
        so a redirect never carries a crawl to a host it may not visit.

        Raises:
            FetchError: one of its subclasses, with ``url`` and ``attempts``.
        """
        headers = {"User-Agent": self._agent, "Accept": ACCEPT_HEADER[accept], "Accept-Encoding": ACCEPT_ENCODING}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return await self._follow(url, headers, accept, self._settings.max_bytes, self._settings.respect_robots, allow)

    async def _follow(self, url: str, headers: dict[str, str], accept: Accept, cap: int, robots: bool,
                      allow: Callable[[str], bool] | None = None) -> Page:
        """Follow redirects by hand: counted, loop-checked, scheme- and robots-checked."""
        current = _checked_url(url, url)
        chain: list[str] = []
        while True:
            if robots and not await self.robots_allowed(str(current)):
                raise errors.RobotsDisallowed(f"robots.txt disallows {current}", url=url, attempts=0)
            outcome = await self._with_retries(url, current, headers, accept, cap, hop=bool(chain))
            if isinstance(outcome, Page):
                return dataclasses.replace(outcome, url=url, redirects=tuple(chain))
            chain.append(str(current))
            try:
                target = current.join(outcome.location)
            except httpx.InvalidURL as exc:
                raise errors.RedirectError(f"bad Location {outcome.location!r}", url=url) from exc
            current = _checked_url(str(target), url, errors.RedirectError)
            if allow is not None and not allow(str(current)):
                raise errors.OutOfScope(f"redirected out of scope to {current}", url=url, attempts=len(chain))
            if len(chain) > self._settings.max_redirects:
                limit = self._settings.max_redirects
                raise errors.RedirectError(f"more than {limit} redirects", url=url, attempts=outcome.attempts)
            if str(current) in chain:
                raise errors.RedirectError(f"redirect loop back to {current}", url=url, attempts=outcome.attempts)

    async def _with_retries(
        self, url: str, current: httpx.URL, headers: dict[str, str], accept: Accept, cap: int, *, hop: bool
    ) -> Page | _Redirect:
        """One request, tried up to ``max_attempts`` times on transient failures.

        Errors carry the URL the caller asked for; a redirect ``hop`` that
        fails is named in the message.
        """
        max_attempts = max(1, self._settings.max_attempts)
        for attempt in range(1, max_attempts + 1):
            try:
                outcome = await self._attempt(current, headers, accept, cap)
            except _Transient as failure:
                failure.error.url, failure.error.attempts = url, attempt
                if hop:
                    failure.error.message = f"{failure.error.message} (at {current})"
                wait = self._retry_wait(failure, attempt, max_attempts)
                await self._sleep(wait)
                continue
            except errors.FetchError as exc:
                exc.url, exc.attempts = url, attempt
                if hop:
                    exc.message = f"{exc.message} (at {current})"
                raise
            return dataclasses.replace(outcome, attempts=attempt)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _retry_wait(self, failure: _Transient, attempt: int, max_attempts: int) -> float:
        """Seconds to wait before the next try; raise the error when giving up."""
        error = failure.error
        if attempt >= max_attempts:
            raise error from failure.cause
        if failure.retry_after is None:
            return backoff_delay(attempt, self._settings.backoff_base, self._rng)
        if failure.retry_after > self._settings.retry_after_cap:
            status = error.status if isinstance(error, errors.HTTPStatusError) else 0
            raise errors.HTTPStatusError(
                f"HTTP {status} asks to retry after {failure.retry_after:.0f} s, "
                f"more than the {self._settings.retry_after_cap:.0f} s cap",
                url=error.url,
                attempts=attempt,
                status=status,
            ) from failure.cause
        return failure.retry_after

    def _interval(self, origin: str) -> float:
        """Seconds between request starts on ``origin``: delay or Crawl-delay."""
        record = self._robots.peek(origin)
        crawl_delay = record.crawl_delay(self._agent) if record else None
        return max(self._settings.delay, crawl_delay or 0.0)

    async def _attempt(self, current: httpx.URL, headers: dict[str, str], accept: Accept, cap: int) -> Page | _Redirect:
        """One request in the host's slot, under a total deadline."""
        origin = origin_of(current)
        where = str(current)
        async with self._throttle.slot(origin, self._interval(origin)):
            started = self._clock()
            try:
                # httpx's timeout is per read; the total deadline stops a
                # server that trickles a byte at a time from holding us.
                outcome = await asyncio.wait_for(self._exchange(current, headers, accept, cap), self._settings.timeout)
            except (asyncio.TimeoutError, httpx.TimeoutException) as exc:
                raise _Transient(errors.FetchTimeout(f"no answer within {self._settings.timeout} s", url=where), exc)
            except httpx.UnsupportedProtocol as exc:
                raise errors.UnsupportedScheme(f"unsupported protocol: {exc}", url=where) from exc
            except (httpx.HTTPError, OSError) as exc:
                message = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
                if _tls_failure(exc):  # a bad certificate will not get better in a second
                    raise errors.ConnectionFailed(f"TLS failure: {message}", url=where) from exc
                raise _Transient(errors.ConnectionFailed(message, url=where), exc)
        if isinstance(outcome, Page):
            return dataclasses.replace(outcome, elapsed=self._clock() - started)
        return outcome

    async def _exchange(self, current: httpx.URL, headers: dict[str, str], accept: Accept, cap: int) -> Page | _Redirect:
        """Send the GET, sort the answer by status, read the body if wanted."""
        where = str(current)
        request = self._client.stream("GET", current, headers=headers, timeout=self._timeout, follow_redirects=False)
        async with request as response:
            status = response.status_code
            if status in _REDIRECTS and response.headers.get("location"):
                return _Redirect(response.headers["location"])
            if status == 304:
                return self._page(current, response, b"")
            if status == 429 or status >= 500:
                advice = response.headers.get("retry-after") if status in _HONOURS_RETRY_AFTER else None
                error = errors.HTTPStatusError(f"HTTP {status}", url=where, status=status)
                raise _Transient(error, retry_after=parse_retry_after(advice))
            if status >= 300:
                raise errors.HTTPStatusError(f"HTTP {status}", url=where, status=status)
            return self._page(current, response, await self._read(response, accept, cap, where))

    async def _read(self, response: httpx.Response, accept: Accept, cap: int, where: str) -> bytes:
        """The body, streamed under ``cap`` and checked against ``accept``."""
        mtype = media_type(response.headers.get("content-type", ""))
        precheck(accept, mtype, where)
        length = response.headers.get("content-length", "").strip()
        if length.isdigit() and int(length) > cap:
            raise errors.TooLarge(f"Content-Length {length} is over the {cap} byte cap", url=where)
        if response.is_stream_consumed:
            # A transport that read the body already (httpx.MockTransport with
            # content=...): httpx decoded it, so only the cap is left to check.
            reader = BodyReader("identity", cap, where)
            reader.feed(response.content)
        else:
            reader = BodyReader(response.headers.get("content-encoding", ""), cap, where)
            async for chunk in response.aiter_raw():
                reader.feed(chunk)
        return check_body(accept, mtype, reader.finish(), cap, where)

    def _page(self, current: httpx.URL, response: httpx.Response, content: bytes) -> Page:
        return Page(
            url=str(current),
            final_url=str(current),
            status=response.status_code,
            headers=dict(response.headers.items()),
            content=content,
            fetched_at=_utc_now(),
            request_headers=dict(response.request.headers.items()),
            http_version=response.http_version,
        )

    async def robots_allowed(self, url: str) -> bool:
        """May we fetch ``url``? robots.txt is loaded once per origin."""
        if not self._settings.respect_robots:
            return True
        parsed = _checked_url(url, url)
        record = await self._robots.get(origin_of(parsed), self._load_robots)
        return record.allowed(str(parsed), self._agent)

    async def _load_robots(self, origin: str) -> RobotsRecord:
        """Fetch and parse ``origin``'s robots.txt; failures allow all (see robots.py)."""
        robots_url = f"{origin}/robots.txt"
        headers = {"User-Agent": self._agent, "Accept": "text/plain,*/*;q=0.1", "Accept-Encoding": ACCEPT_ENCODING}
        try:
            page = await self._follow(robots_url, headers, "any", ROBOTS_MAX_BYTES, robots=False)
        except errors.HTTPStatusError as exc:
            return parse_robots(origin, exc.status, b"")
        except errors.FetchError as exc:
            return RobotsRecord(origin, "unavailable", error=f"{exc.kind}: {exc.message}")
        return parse_robots(origin, page.status, page.content)

    def crawl_delay(self, host: str) -> float | None:
        """The Crawl-delay robots.txt set for ``host`` (origin, URL, host or host:port)."""
        delays = [d for r in self._robots.matching(host) if (d := r.crawl_delay(self._agent)) is not None]
        return max(delays) if delays else None

    def robots_record(self, url: str) -> RobotsRecord | None:
        """What was learnt of ``url``'s robots.txt, if it was loaded."""
        return self._robots.peek(origin_of(url))
