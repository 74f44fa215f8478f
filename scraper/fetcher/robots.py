"""robots.txt: one fetch per origin, parsed with protego, cached.

Policy (RFC 9309 where it speaks, our choice where it lets us choose):

* 2xx: the rules apply, Crawl-delay included.
* 4xx (no robots.txt): everything is allowed.
* 5xx, timeout, refused connection, oversized file: everything is allowed,
  and the failure is kept in the :class:`RobotsRecord` (``state ==
  "unavailable"``) so a crawl report can show it. RFC 9309 suggests treating
  an unreachable robots.txt as "disallow all"; for a small research archive
  that mostly fetches pages a person picked, we prefer to fetch and to say
  so, rather than to silently archive nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx
from protego import Protego

__all__ = ["ROBOTS_MAX_BYTES", "RobotsCache", "RobotsRecord", "origin_of", "parse_robots"]

#: Google reads the first 500 KiB of a robots.txt; so do we.
ROBOTS_MAX_BYTES = 500 * 1024

_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str | httpx.URL) -> str:
    """``scheme://host:port`` of a URL, the key of politeness and robots state."""
    parsed = url if isinstance(url, httpx.URL) else httpx.URL(url)
    scheme = parsed.scheme.lower()
    port = parsed.port or _DEFAULT_PORTS.get(scheme, 0)
    return f"{scheme}://{parsed.host.lower()}:{port}"


@dataclass(frozen=True, slots=True)
class RobotsRecord:
    """What was learnt from one origin's robots.txt.

    ``state`` is ``"ok"`` (rules parsed), ``"missing"`` (4xx: allow all) or
    ``"unavailable"`` (5xx or unreachable: allow all, ``error`` says why).
    """

    origin: str
    state: str
    status: int | None = None
    error: str | None = None
    parser: Protego | None = None

    def allowed(self, url: str, agent: str) -> bool:
        """May ``agent`` fetch ``url``? Without rules, yes."""
        return True if self.parser is None else bool(self.parser.can_fetch(url, agent))

    def crawl_delay(self, agent: str) -> float | None:
        """The Crawl-delay for ``agent``, if the file names one."""
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(agent)
        return None if delay is None else float(delay)


def parse_robots(origin: str, status: int, body: bytes) -> RobotsRecord:
    """A record from a robots.txt answer that arrived with ``status``."""
    if 200 <= status < 300:
        text = body[:ROBOTS_MAX_BYTES].decode("utf-8", errors="replace")
        return RobotsRecord(origin, "ok", status=status, parser=Protego.parse(text))
    # 429 means "slow down", not "no file": treat it like a server error.
    if 400 <= status < 500 and status != 429:
        return RobotsRecord(origin, "missing", status=status)
    return RobotsRecord(origin, "unavailable", status=status, error=f"HTTP {status}")


Loader = Callable[[str], Awaitable[RobotsRecord]]


class RobotsCache:
    """Records per origin; each origin is loaded once even under concurrency."""

    def __init__(self) -> None:
        self._records: dict[str, RobotsRecord] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def get(self, origin: str, loader: Loader) -> RobotsRecord:
        """The origin's record, loading it with ``loader`` the first time."""
        record = self._records.get(origin)
        if record is not None:
            return record
        lock = self._locks.setdefault(origin, asyncio.Lock())
        async with lock:
            record = self._records.get(origin)
            if record is None:
                record = await loader(origin)
                self._records[origin] = record
            return record

    def peek(self, origin: str) -> RobotsRecord | None:
        """The origin's record if it was already loaded."""
        return self._records.get(origin)

    def matching(self, host: str) -> list[RobotsRecord]:
        """Loaded records for ``host``: an origin, a URL, ``host`` or ``host:port``."""
        if "://" in host:
            record = self._records.get(origin_of(host))
            return [record] if record else []
        wanted = host.lower()
        found = []
        for origin, record in self._records.items():
            netloc = origin.split("://", 1)[1]
            if wanted in (netloc, netloc.rsplit(":", 1)[0]):
                found.append(record)
        return found
