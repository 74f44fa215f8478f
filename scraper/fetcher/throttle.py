"""Waiting politely: per-host spacing and concurrency, back-off and Retry-After.

The fetcher asks :class:`HostThrottle` for a slot before every request
(retries and redirect hops included) and asks :func:`retry_wait` how long to
wait after a transient failure. All waits go through an injected ``sleep`` so
tests can run without real time passing.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

__all__ = ["BACKOFF_CAP", "HostThrottle", "backoff_delay", "parse_retry_after"]

#: The longest back-off between two attempts, whatever the attempt number.
BACKOFF_CAP = 30.0

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]


@dataclass(slots=True)
class _HostState:
    """What one host's limiter remembers: its in-flight slots and next start."""

    semaphore: asyncio.Semaphore
    next_start: float = field(default=float("-inf"))


class HostThrottle:
    """At most ``concurrency`` requests in flight per host, starts spaced apart.

    Keys are origins (``scheme://host:port``); different keys never wait for
    each other. State is created lazily, inside the running event loop.
    """

    def __init__(self, concurrency: int, *, sleep: Sleep, clock: Clock) -> None:
        self._concurrency = max(1, concurrency)
        self._sleep = sleep
        self._clock = clock
        self._hosts: dict[str, _HostState] = {}

    def _state(self, key: str) -> _HostState:
        state = self._hosts.get(key)
        if state is None:
            state = _HostState(asyncio.Semaphore(self._concurrency))
            self._hosts[key] = state
        return state

    @asynccontextmanager
    async def slot(self, key: str, interval: float) -> AsyncIterator[None]:
        """Hold one of the host's slots; the request starts at least
        ``interval`` seconds after the previous start on the same host."""
        state = self._state(key)
        async with state.semaphore:
            # Reserve a start time without awaiting in between, so concurrent
            # waiters on one host each get their own, spaced, start time.
            now = self._clock()
            start = max(now, state.next_start)
            state.next_start = start + max(0.0, interval)
            if start > now:
                await self._sleep(start - now)
            yield


def backoff_delay(attempt: int, base: float, rng: random.Random, cap: float = BACKOFF_CAP) -> float:
    """Full-jitter exponential back-off after failed attempt number ``attempt``.

    The ceiling doubles from ``base`` (1, 2, 4 ... seconds) up to ``cap``; the
    wait is drawn uniformly below it, so many clients do not retry in step.
    """
    ceiling = min(cap, base * (2 ** max(0, attempt - 1)))
    return rng.uniform(0.0, max(0.0, ceiling))


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date).

    ``None`` when the header is missing or unreadable; a date in the past
    gives 0.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        return _seconds_until(text, now)
    # Negative or NaN values are nonsense: treat them as "no advice".
    return seconds if seconds >= 0 else None


def _seconds_until(text: str, now: datetime | None) -> float | None:
    """Seconds from ``now`` to an HTTP-date, or ``None`` if it does not parse."""
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:  # RFC 9110 dates are GMT; -0000 parses as naive
        when = when.replace(tzinfo=timezone.utc)
    current = now or datetime.now(timezone.utc)
    return max(0.0, (when - current).total_seconds())
