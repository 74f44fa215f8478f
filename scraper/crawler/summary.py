"""What a run did, and whether that deserves exit code 1.

A cron job mails whatever a run prints and whenever it exits non-zero, so the
verdict is narrow on purpose (README, "Exit codes"): a run fails when a URL the
user named failed, when a host could not be reached at all, or when more than
``max_failure_share`` of its fetches failed for other reasons. A discovered
link that answers 404/410 is a dead link (recorded, shown by ``stats``), not a
failure; robots, scope and non-article skips are not failures either.
"""

from __future__ import annotations

import signal
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field

from scraper.crawler.urls import host_of
from scraper.crawler.writer import Event, Tally

__all__ = ["RunSummary", "UNREACHABLE_KINDS"]

#: Failure kinds that say the host itself did not answer.
UNREACHABLE_KINDS = frozenset({"connection", "timeout"})


@dataclass(slots=True)
class RunSummary:
    """What a run did, and (``problems``) what made it fail."""

    run_id: int | None = None
    fetched: int = 0
    archived: int = 0
    updated: int = 0
    unchanged: int = 0
    not_modified: int = 0
    skipped: int = 0
    failed: int = 0
    dead: int = 0  # discovered links answering 404/410 (also counted in skipped)
    failures: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    stopped_early: bool = False
    interrupted: int | None = None  # the signal number that stopped the run
    error: str | None = None  # why the run died, when it did
    problems: list[str] = field(default_factory=list)  # each reason for exit code 1, one line each
    _failed_urls: list[tuple[str, str]] = field(default_factory=list)  # (url, "kind: message")
    _host_ok: Counter[str] = field(default_factory=Counter)

    @property
    def exit_code(self) -> int:
        """128 + signal when interrupted; 1 when the run died or has problems; else 0."""
        if self.interrupted is not None:
            return 128 + self.interrupted
        return 1 if self.error is not None or self.problems else 0

    @property
    def outcome(self) -> str | None:
        """The text kept in the ``runs.error`` column: why the run did not end cleanly, or None."""
        if self.interrupted is not None:
            return f"interrupted by {signal.Signals(self.interrupted).name}"
        return self.error

    def counts(self) -> dict[str, int]:
        """The counters, for the ``runs`` table."""
        return {k: getattr(self, k) for k in ("fetched", "archived", "updated", "unchanged", "not_modified", "skipped", "failed")}

    def add(self, tally: Tally) -> None:
        """Count what some pages' writes did."""
        for name, value in tally.counts.items():
            setattr(self, name, getattr(self, name) + value)
        for kind, value in tally.failures.items():
            self.failures[kind] = self.failures.get(kind, 0) + value
        for event in tally.events:
            self._observe(event)

    def _observe(self, event: Event) -> None:
        if event.kind in ("fetched", "not_modified"):
            self._host_ok[host_of(event.url)] += 1
        elif event.kind == "failed":
            self._failed_urls.append((event.url, event.detail))
        elif event.kind == "skipped" and event.detail.startswith("dead:"):
            self.dead += 1

    def judge(self, named: Collection[str], max_failure_share: float) -> list[str]:
        """Set and return ``problems``: the named URLs that failed, unreachable hosts, too many failures."""
        problems = [f"failed: {url}: {detail}" for url, detail in self._failed_urls if url in named]
        others = [(url, detail) for url, detail in self._failed_urls if url not in named]
        unreachable: dict[str, list[str]] = {}
        for url, detail in others:
            if detail.split(":", 1)[0] in UNREACHABLE_KINDS and not self._host_ok[host_of(url)]:
                unreachable.setdefault(host_of(url), []).append(detail)
        for host, details in sorted(unreachable.items()):
            problems.append(f"unreachable host: {host} ({len(details)} fetches failed, e.g. {details[0]})")
        rest = [(url, detail) for url, detail in others if host_of(url) not in unreachable]
        tried = self.fetched + self.failed
        if tried and len(rest) / tried > max_failure_share:
            kinds = Counter(detail.split(":", 1)[0] for _, detail in rest)
            listed = ", ".join(f"{kind} {n}" for kind, n in sorted(kinds.items()))
            problems.append(f"{len(rest)} of {tried} fetches failed ({len(rest) / tried:.0%}, more than "
                            f"{max_failure_share:.0%}): {listed}")
            problems += [f"failed: {url}: {detail}" for url, detail in rest]
        self.problems = problems
        return problems
