"""The crawler: frontier → fetch → analyse → store, one run at a time.

Scrapy's vocabulary, small: the frontier schedules, the Fetcher downloads
(politely, per host), ``analyse`` extracts in worker processes, and results
are written in small batched transactions so a SIGKILL loses at most the
pages not yet committed (they are fetched again on resume; nothing archived
is lost or duplicated).
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from multiprocessing import get_context
from typing import Any, Protocol, TypeVar

from scraper.config import Settings
from scraper.discover import Link, feed_links, sitemap_links, sniff_listing
from scraper.errors import BinaryContent, FetchError, NotHTML, ScraperError
from scraper.fetch import Fetcher
from scraper.frontier import Frontier, FrontierEntry
from scraper.models import Article, Page
from scraper.process import Analysis, analyse
from scraper.store import Archive
from scraper.urls import archive_key, canonicalize, host_of, is_asset, is_private_host, looks_like_article, site_of

__all__ = ["Crawler", "RunSummary", "Event", "PageRecorder"]

T = TypeVar("T")

# Skipped on purpose, not failures: they do not make the exit code 1.
SKIP_KINDS = frozenset({"robots", "scope", "not_article"})
FLUSH_EVERY = 32  # results per write transaction
FLUSH_SECONDS = 0.25


class PageRecorder(Protocol):
    """Something that keeps every fetched response (the WARC writer)."""

    def record(self, page: Page) -> None: ...


@dataclass(frozen=True, slots=True)
class Event:
    """Progress news for a front end: kind is fetched|archived|updated|unchanged|not_modified|skipped|failed."""

    kind: str
    url: str
    detail: str = ""


@dataclass(slots=True)
class RunSummary:
    """What a run did."""

    run_id: int | None = None
    fetched: int = 0
    archived: int = 0
    updated: int = 0
    unchanged: int = 0
    not_modified: int = 0
    skipped: int = 0
    failed: int = 0
    failures: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    stopped_early: bool = False

    @property
    def exit_code(self) -> int:
        """0 when nothing failed, 1 when any input failed."""
        return 1 if self.failed else 0

    def counts(self) -> dict[str, int]:
        """The counters, for the ``runs`` table."""
        return {k: getattr(self, k) for k in ("fetched", "archived", "updated", "unchanged", "not_modified", "skipped", "failed")}


@dataclass(slots=True)
class _Outcome:
    entry: FrontierEntry
    page: Page | None = None
    analysis: Analysis | None = None
    listing: list[Link] | None = None
    error: ScraperError | None = None


class Crawler:
    """One crawl or fetch run over an archive.

    ``follow`` decides whether links are followed (``crawl``) or only the given
    URLs are fetched (``fetch``).
    """

    def __init__(self, archive: Archive, settings: Settings, *, fetcher: Fetcher | None = None,
                 on_event: Callable[[Event], None] | None = None, recorders: Sequence[PageRecorder] = (),
                 version: str = "0.1.0") -> None:
        self.archive = archive
        self.settings = settings
        self.frontier = Frontier(archive.db)
        self._fetcher = fetcher
        self._own_fetcher = fetcher is None
        self._on_event = on_event or (lambda event: None)
        self._recorders = list(recorders)
        self._version = version
        self._hosts: set[str] = set(h.lower() for h in settings.allowed_hosts)
        self._summary = RunSummary()
        self._pending_writes: list[_Outcome] = []
        self._last_flush = time.monotonic()
        self._stop = False
        # Links already offered to the frontier this run: most pages repeat the same
        # related pool, so this saves canonicalising and an INSERT OR IGNORE per link.
        self._offered: set[str] = set()

    def stop(self) -> None:
        """Ask the run to stop after the requests in flight (SIGTERM, --max-time)."""
        self._stop = True

    async def run(self, seeds: Iterable[str], *, follow: bool = True, command: str = "crawl",
                  args: dict[str, Any] | None = None) -> RunSummary:
        """Crawl from ``seeds`` (or fetch exactly them when ``follow`` is False)."""
        started = time.monotonic()
        links = [Link(canonicalize(u), "unknown" if follow else "article") for u in seeds]
        for link in links:
            self._hosts.add(host_of(link.url))
            for site in self.settings.sites:
                if site_of(link.url) == site.host.removeprefix("www."):
                    self._hosts.update(h.lower() for h in site.allowed_hosts)
        with self.archive.transaction():
            self._summary.run_id = self.archive.start_run(command, args or {})
            self.frontier.begin_run(refresh=self.settings.refresh, refresh_after_days=self.settings.refresh_after_days)
            self.frontier.add_seeds(links)
        self._follow = follow
        fetcher = self._fetcher or Fetcher(self.settings, version=self._version)
        executor = _make_executor(self.settings.workers)
        try:
            await self._loop(fetcher, executor, started)
        finally:
            self._flush()
            if executor is not None:
                executor.shutdown(wait=True, cancel_futures=True)
            if self._own_fetcher:
                await fetcher.aclose()
            self._summary.seconds = time.monotonic() - started
            with self.archive.transaction():
                self.archive.finish_run(self._summary.run_id or 0, exit_code=self._summary.exit_code,
                                        counts=self._summary.counts())
        return self._summary

    async def _loop(self, fetcher: Fetcher, executor: Executor | None, started: float) -> None:
        in_flight: dict[asyncio.Task[_Outcome], str] = {}
        per_host = max(1, self.settings.concurrency)
        limit = min(256, max(4, 2 * per_host * max(1, len(self._hosts))))
        budget = self.settings.max_pages
        issued = 0
        while True:
            if self.settings.max_time is not None and time.monotonic() - started > self.settings.max_time:
                self._stop = True
            # Refill a quarter of the slots at a time: one frontier transaction per limit/4 pages.
            refill = len(in_flight) <= limit - max(1, limit // 4)
            if not self._stop and (budget is None or issued < budget) and refill:
                room = limit - len(in_flight)
                if budget is not None:
                    room = min(room, budget - issued)
                with self.archive.transaction():
                    entries = self.frontier.take(room)
                for entry in entries:
                    task = asyncio.create_task(self._handle(fetcher, executor, entry))
                    in_flight[task] = entry.url
                issued += len(entries)
            if not in_flight:
                if self._pending_writes:
                    self._flush()
                    continue
                if self._stop or (budget is not None and issued >= budget):
                    self._summary.stopped_early = self.frontier.pending_count() > 0
                break
            done, _ = await asyncio.wait(in_flight, timeout=FLUSH_SECONDS, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                in_flight.pop(task)
                self._pending_writes.append(task.result())
            if len(self._pending_writes) >= FLUSH_EVERY or time.monotonic() - self._last_flush > FLUSH_SECONDS:
                self._flush()
        if in_flight:  # only reached on cancellation paths
            with self.archive.transaction():
                self.frontier.release(in_flight.values())

    async def _handle(self, fetcher: Fetcher, executor: Executor | None, entry: FrontierEntry) -> _Outcome:
        """Fetch and analyse one URL; every failure becomes part of the outcome."""
        outcome = _Outcome(entry)
        listing_kind = entry.kind in ("seed", "feed", "sitemap")
        try:
            # A seed may be a home page, a feed or a sitemap: any type, sniffed below
            # (discover gunzips .xml.gz sitemaps itself, with a cap).
            accept = "any" if entry.kind == "seed" else "xml" if listing_kind else "html"
            page = await fetcher.fetch(entry.url, accept=accept, etag=entry.etag, last_modified=entry.last_modified,
                                       allow=self._redirect_allowed(entry))
        except FetchError as exc:
            outcome.error = exc
            return outcome
        outcome.page = page
        for recorder in self._recorders:
            recorder.record(page)
        if page.not_modified:
            return outcome
        kind = sniff_listing(page.content, page.content_type, page.final_url) if listing_kind else None
        if kind is not None:
            parse = partial(feed_links if kind == "feed" else sitemap_links, page.content, page.final_url)
            try:
                outcome.listing = await _off_loop(executor, parse)
            except Exception as exc:  # noqa: BLE001 - a broken listing is a recorded failure, not a crash
                outcome.error = BinaryContent(f"unreadable {kind}: {exc}", url=entry.url)
            return outcome
        if listing_kind and not _looks_html(page):
            outcome.error = NotHTML(f"not an HTML page, feed or sitemap ({page.content_type or 'no type'})",
                                    url=entry.url)
            return outcome
        outcome.analysis = await _off_loop(executor, _analysis_call(page, self.settings, want_links=self._follow))
        return outcome

    # -- writing ----------------------------------------------------------------------------------

    def _flush(self) -> None:
        """Write the finished outcomes in one transaction."""
        batch, self._pending_writes = self._pending_writes, []
        self._last_flush = time.monotonic()
        if not batch:
            return
        events: list[Event] = []
        with self.archive.transaction():
            for outcome in batch:
                events.extend(self._write(outcome))
        for event in events:
            self._on_event(event)

    def _write(self, outcome: _Outcome) -> list[Event]:
        entry, page = outcome.entry, outcome.page
        if outcome.error is not None:
            return [self._fail(entry, outcome.error.kind, outcome.error.message, getattr(outcome.error, "attempts", 1),
                               getattr(outcome.error, "status", None))]
        assert page is not None
        self._summary.fetched += 1
        events = [Event("fetched", entry.url, str(page.status))]
        if page.not_modified:
            self._summary.not_modified += 1
            self.frontier.mark_done(entry.url, kind=_done_kind(entry), status=304, etag=page.headers.get("etag"),
                                    last_modified=page.headers.get("last-modified"), archived=entry.kind == "article")
            return events + [Event("not_modified", entry.url)]
        page_id = self.archive.save_page(page, compressed=outcome.analysis.compressed if outcome.analysis else None,
                                         run_id=self._summary.run_id)
        if outcome.listing is not None:
            self.frontier.mark_done(entry.url, kind=entry.kind if entry.kind != "unknown" else "feed", status=page.status,
                                    etag=page.headers.get("etag"), last_modified=page.headers.get("last-modified"),
                                    archived=False)
            self._add_links(outcome.listing, entry, page.final_url)
            return events
        analysis = outcome.analysis
        assert analysis is not None
        if analysis.article is None:
            return events + [self._fail(entry, analysis.error_kind or "extraction", analysis.error or "", 1, page.status)]
        fresh = [u for u in analysis.links if u not in self._offered]
        self._offered.update(fresh)
        self._add_links([Link(u, _link_kind(u, self.settings)) for u in fresh], entry, page.final_url)
        return events + self._save_article(entry, page, analysis.article, page_id)

    def _save_article(self, entry: FrontierEntry, page: Page, article: Article, page_id: int) -> list[Event]:
        key = archive_key(page.final_url, article.canonical_url)
        verdict = looks_like_article(key, self.settings.site(site_of(key)))
        is_article = article.page_type == "article" and verdict is not False
        etag, modified = page.headers.get("etag"), page.headers.get("last-modified")
        if not is_article:
            listing = article.page_type == "index" or verdict is False or entry.kind == "seed"
            self.frontier.mark_done(entry.url, kind="index" if listing else "other",
                                    status=page.status, etag=etag, last_modified=modified, archived=False)
            if not self._follow:  # an explicit URL that is no article: say so
                return [self._fail(entry, "not_article", f"not an article page ({article.page_type})", 1, page.status)]
            return []
        article = article.replace(url=key, site=article.site or site_of(key))
        result = self.archive.save_article(article, page_id=page_id,
                                           extra={"feed_date": entry.feed_date, "sitemap_lastmod": entry.sitemap_lastmod})
        self.frontier.mark_done(entry.url, kind="article", status=page.status, etag=etag, last_modified=modified, archived=True)
        if key != entry.url:
            self.frontier.mark_done(key, kind="article", status=page.status, etag=None, last_modified=None, archived=True)
        counter = {"new": "archived", "updated": "updated", "unchanged": "unchanged"}[result]
        setattr(self._summary, counter, getattr(self._summary, counter) + 1)
        return [Event(counter, key, article.headline or "")]

    def _in_scope(self, url: str, found_on: str) -> bool:
        """Allowed hosts only; no private address reached from a public page."""
        return host_of(url) in self._hosts and (is_private_host(found_on) or not is_private_host(url))

    def _redirect_allowed(self, entry: FrontierEntry) -> Callable[[str], bool] | None:
        if not self._follow:
            return None  # explicit URLs: the user chose them, wherever they lead
        home = host_of(entry.url).removeprefix("www.")

        def allowed(url: str) -> bool:
            # www <-> bare host and http -> https moves of one site stay allowed.
            return self._in_scope(url, entry.url) or host_of(url).removeprefix("www.") == home

        return allowed

    def _add_links(self, links: Sequence[Link], entry: FrontierEntry, found_on: str) -> None:
        """Queue in-scope links: allowed hosts only, and no private addresses found on public pages."""
        if not self._follow:
            return
        keep = [
            Link(canonicalize(link.url), link.kind, link.feed_date, link.sitemap_lastmod)
            for link in links
            if self._in_scope(link.url, found_on) and (link.kind == "sitemap" or not is_asset(link.url))
        ]
        if keep:
            self.frontier.add(keep, depth=entry.depth + 1, found_on=entry.url)

    def _fail(self, entry: FrontierEntry, kind: str, message: str, attempts: int, status: int | None) -> Event:
        skipped = kind in SKIP_KINDS
        if skipped:
            self._summary.skipped += 1
        else:
            self._summary.failed += 1
            self._summary.failures[kind] = self._summary.failures.get(kind, 0) + 1
        self.archive.record_failure(run_id=self._summary.run_id, url=entry.url, kind=kind, error=message,
                                    attempts=attempts, status=status)
        if kind == "not_article":
            self.frontier.mark_done(entry.url, kind="other", status=status or 200, etag=None, last_modified=None, archived=False)
        else:
            self.frontier.mark_failed(entry.url, error_kind=kind, error=message, status=status)
        return Event("skipped" if skipped else "failed", entry.url, f"{kind}: {message}")


def _done_kind(entry: FrontierEntry) -> str:
    return entry.kind if entry.kind != "unknown" else "index"


def _link_kind(url: str, settings: Settings) -> str:
    verdict = looks_like_article(url, settings.site(site_of(url)))
    return {True: "article", False: "index", None: "unknown"}[verdict]


def _looks_html(page: Page) -> bool:
    ctype = page.content_type.lower()
    if "html" in ctype:
        return True
    head = page.content[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<head" in head or b"<body" in head


async def _off_loop(executor: Executor | None, call: Callable[[], T]) -> T:
    """Run CPU work in the pool so the event loop stays free for I/O (inline without a pool)."""
    if executor is None:
        return call()
    return await asyncio.get_running_loop().run_in_executor(executor, call)


def _analysis_call(page: Page, settings: Settings, *, want_links: bool) -> Callable[[], Analysis]:
    return partial(analyse, page.content, page.final_url, content_type=page.content_type or None,
                   site=settings.site(site_of(page.final_url)), fetched_at=page.fetched_at, status=page.status,
                   want_links=want_links)


def _make_executor(workers: int | None) -> Executor | None:
    """A process pool sized to the cores; None (inline) when asked for 0 workers."""
    count = (os.cpu_count() or 1) if workers is None else workers
    if count <= 0:
        return None
    # forkserver: no fork of a process that runs an event loop and threads.
    return ProcessPoolExecutor(max_workers=count, mp_context=get_context("forkserver"))
