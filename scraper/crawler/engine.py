"""The crawler: frontier → fetch → analyse and write, one run at a time.

Scrapy's vocabulary, small: the frontier schedules, the Fetcher downloads
(politely, per host) on the event loop, and fetched pages go in small batches
to worker processes that extract them and write pages, articles, links and
frontier state, one transaction per batch (:mod:`scraper.crawler.writer`). The event loop does I/O
only; a SIGKILL at any moment loses only pages not yet committed, which the
next run fetches again. Nothing archived is lost or fetched twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from functools import partial
from multiprocessing import get_context
from typing import Any, Literal, Protocol

from scraper.config import Settings
from scraper.crawler.discover import Link, page_links, sniff_listing
from scraper.crawler.frontier import Frontier, FrontierEntry
from scraper.crawler.summary import RunSummary
from scraper.crawler.urls import canonicalize, host_of, looks_like_article, site_of
from scraper.crawler.writer import (
    Event,
    Job,
    PageWriter,
    Scope,
    Tally,
    init_worker,
    run_job,
    worker_jobs,
)
from scraper.crawler.workers import die_with_parent
from scraper.errors import FetchError, HTTPStatusError, ScraperError
from scraper.extractor.article import parse_html
from scraper.fetcher.client import Fetcher
from scraper.models import Page
from scraper.store.archive import Archive

__all__ = ["Crawler", "RunSummary", "Event", "PageRecorder"]

FLUSH_EVERY = 32  # fetch failures and 304s per write transaction in the crawler's own process
FLUSH_SECONDS = 0.25
MAX_BATCH = 16  # fetched pages per worker task: one pickling, one commit
DEAD_STATUSES = frozenset({404, 410})


class PageRecorder(Protocol):
    """Something that keeps every fetched response (the WARC writer)."""

    def record(self, page: Page) -> None: ...


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
        self._follow = True
        self._summary = RunSummary()
        self._writer: PageWriter | None = None
        self._local: list[Callable[[], Tally]] = []  # small writes done here, batched
        self._last_flush = time.monotonic()
        self._stop = False
        self._named: frozenset[str] = frozenset()  # the URLs the user gave: their failure fails the run
        self._fetching: set[asyncio.Task[None]] = set()  # tasks still waiting for an answer (cancellable)
        self._batcher: _Batcher | None = None
        # One writer at a time across this process and its workers (see PageWriter).
        self._lock = get_context("forkserver").Lock()

    def stop(self) -> None:
        """Ask the run to stop after the requests in flight (--max-time)."""
        self._stop = True

    @property
    def interrupted(self) -> bool:
        """True once :meth:`interrupt` was called."""
        return self._summary.interrupted is not None

    def interrupt(self, signum: int) -> None:
        """Stop now (SIGINT/SIGTERM): no new request, waits and requests in flight cancelled.

        Pages already fetched are still written (a batch in a worker commits);
        every URL left ``active`` goes back to ``pending`` for the next run.
        """
        self._stop = True
        if self._summary.interrupted is None:
            self._summary.interrupted = signum
        for task in list(self._fetching):
            task.cancel()
        if self._batcher is not None:
            self._batcher.drop_pending()

    async def run(self, seeds: Iterable[str], *, follow: bool = True, command: str = "crawl",
                  args: dict[str, Any] | None = None) -> RunSummary:
        """Crawl from ``seeds`` (or fetch exactly them, and nothing else, when ``follow`` is False)."""
        started = time.monotonic()
        links = [Link(canonicalize(u), "unknown" if follow else "article") for u in seeds]
        links = [link for link in links if self._in_shard(link.url)]
        self._named = frozenset(link.url for link in links)
        for link in links:
            self._hosts.add(host_of(link.url))
            for site in self.settings.sites:
                if site_of(link.url) == site.host.removeprefix("www."):
                    self._hosts.update(h.lower() for h in site.allowed_hosts)
        self._follow = follow
        with self.archive.transaction():
            self._summary.run_id = self.archive.start_run(command, args or {})
            if follow:
                self.frontier.begin_run(refresh=self.settings.refresh, refresh_after_days=self.settings.refresh_after_days)
            else:  # fetch: exactly these URLs; a killed run's rows are only put back in the queue
                self.frontier.release_active()
            self.frontier.add_seeds(links)
        self._writer = PageWriter(self.archive, self.settings, self._scope(), self._summary.run_id, self._lock)
        fetcher = self._fetcher or Fetcher(self.settings, version=self._version)
        workers = _worker_count(self.settings.workers)
        executor = _make_executor(workers, self._lock)
        if executor is not None:
            call = partial(worker_jobs, str(self.archive.path), self.settings, self._writer.scope, self._summary.run_id)
            # One batch queued beyond the running ones keeps every worker busy.
            self._batcher = _Batcher(executor, call, slots=workers + 1)
        try:
            await self._loop(fetcher, self._batcher, started)
        except BaseException as exc:
            self._summary.error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            raise
        finally:
            self._finish(executor, started)
            if self._own_fetcher:
                await fetcher.aclose()
        return self._summary

    def _finish(self, executor: Executor | None, started: float) -> None:
        """Commit what was gathered, put unfinished URLs back in the queue, record the run's end."""
        died = self._summary.error is not None
        try:
            self._flush()
        except ScraperError:
            if not died:
                raise
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
        self._summary.seconds = time.monotonic() - started
        if not died and self._summary.interrupted is None:
            self._summary.judge(self._named, self.settings.max_failure_share)
        try:
            with self._lock, self.archive.transaction():
                self.frontier.release_active()
                self.archive.finish_run(self._summary.run_id or 0, exit_code=self._summary.exit_code,
                                        counts=self._summary.counts(), error=self._summary.outcome)
        except ScraperError:
            if not died:  # a broken archive must not hide why the run died
                raise

    def _scope(self) -> Scope:
        return Scope(frozenset(self._hosts), self._follow, self.settings.shard)

    def _in_shard(self, url: str) -> bool:
        """Seeds of other shards' hosts are skipped, and said so."""
        if Scope(frozenset(), True, self.settings.shard).in_shard(url):
            return True
        self._summary.skipped += 1
        self._on_event(Event("skipped", url, f"shard: its host is not in shard {self.settings.shard[0]}/"
                                              f"{self.settings.shard[1]}"))  # type: ignore[index]
        return False

    async def _loop(self, fetcher: Fetcher, batcher: _Batcher | None, started: float) -> None:
        in_flight: dict[asyncio.Task[None], str] = {}
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
                with self._lock, self.archive.transaction():
                    entries = self.frontier.take(room, only=None if self._follow else self._named)
                for entry in entries:
                    task = asyncio.create_task(self._handle(fetcher, batcher, entry))
                    in_flight[task] = entry.url
                    self._fetching.add(task)
                issued += len(entries)
            if not in_flight:
                if self._local:
                    self._flush()
                    continue
                if self._stop or (budget is not None and issued >= budget):
                    self._summary.stopped_early = self.frontier.pending_count() > 0
                break
            done, _ = await asyncio.wait(in_flight, timeout=FLUSH_SECONDS, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                in_flight.pop(task)
                self._fetching.discard(task)
                if not task.cancelled():
                    task.result()  # _handle records every failure; anything else is a bug and ends the run
            if len(self._local) >= FLUSH_EVERY or time.monotonic() - self._last_flush > FLUSH_SECONDS:
                self._flush()

    async def _handle(self, fetcher: Fetcher, batcher: _Batcher | None, entry: FrontierEntry) -> None:
        """Fetch one URL and hand the page on; every failure is recorded, none raised.

        Whatever goes wrong with one URL (a URL nothing can be sent to, a bug
        its page triggers, a worker that died) is a failure of that URL, never
        of the run.
        """
        writer = self._writer
        assert writer is not None
        try:
            job = await self._fetch(fetcher, writer, entry)
            if job is None:
                return
            self._fetching.discard(asyncio.current_task())  # type: ignore[arg-type]  # fetched: let it be written
            self._report(run_job(writer, job) if batcher is None else await batcher.submit(job))
        except Exception as exc:  # noqa: BLE001 - see the docstring
            message = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            self._local.append(partial(writer.failure, entry, "error", message, 1, None))

    async def _fetch(self, fetcher: Fetcher, writer: PageWriter, entry: FrontierEntry) -> Job | None:
        """The fetched page as a Job to write, or None when the outcome is already queued here."""
        is_listing = entry.kind in ("seed", "feed", "sitemap")
        # A seed may be a home page, a feed or a sitemap: any type, sniffed below
        # (discover gunzips .xml.gz sitemaps itself, with a cap).
        accept: Literal["html", "xml", "any"] = "any" if entry.kind == "seed" else "xml" if is_listing else "html"
        try:
            page = await fetcher.fetch(entry.url, accept=accept, etag=entry.etag, last_modified=entry.last_modified,
                                       allow=self._redirect_allowed(entry))
        except FetchError as exc:
            status = getattr(exc, "status", None)
            # A link found on a page that is gone: a dead link, not a failure of the run.
            dead = isinstance(exc, HTTPStatusError) and status in DEAD_STATUSES and entry.url not in self._named
            self._local.append(partial(writer.failure, entry, "dead" if dead else exc.kind, exc.message,
                                       exc.attempts, status))
            return None
        for recorder in self._recorders:
            recorder.record(page)
        if page.not_modified:
            self._local.append(partial(writer.not_modified, entry, page))
            return None
        listing = sniff_listing(page.content, page.content_type, page.final_url) if is_listing else None
        if is_listing and listing is None and not _looks_html(page):
            message = f"not an HTML page, feed or sitemap ({page.content_type or 'no type'})"
            self._local.append(partial(writer.failure, entry, "not_html", message, page.attempts, page.status))
            return None
        if self._follow and listing is None and _is_listing(entry):
            # Index pages feed the frontier: their links go in now, not after the
            # page has waited its turn in the extraction queue (pagination is a chain).
            with contextlib.suppress(ScraperError):
                writer.queue_links(entry, page.final_url, page_links(parse_html(page.content, page.content_type), page.final_url))
        return Job(entry, page, listing)

    def _report(self, tally: Tally) -> None:
        self._summary.add(tally)
        for event in tally.events:
            self._on_event(event)

    def _flush(self) -> None:
        """Write the fetch failures and 304s gathered here in one transaction."""
        batch, self._local = self._local, []
        self._last_flush = time.monotonic()
        if not batch:
            return
        total = Tally()
        with self._lock, self.archive.transaction():
            for write in batch:
                total.add(write())
        self._report(total)

    def _redirect_allowed(self, entry: FrontierEntry) -> Callable[[str], bool] | None:
        if not self._follow:
            return None  # explicit URLs: the user chose them, wherever they lead
        home = host_of(entry.url).removeprefix("www.")
        scope = self._scope()

        def allowed(url: str) -> bool:
            # www <-> bare host and http -> https moves of one site stay allowed.
            return scope.allows(url, entry.url) or host_of(url).removeprefix("www.") == home

        return allowed


class _Batcher:
    """Hands fetched pages to the worker pool in batches.

    A batch leaves as soon as a worker slot is free, so an idle pool gets each
    page at once, and a busy one gets what piled up meanwhile in one task: one
    pickling of the settings and one COMMIT for up to ``MAX_BATCH`` pages.
    """

    def __init__(self, executor: Executor, call: Callable[[list[Job]], list[Tally]], *, slots: int) -> None:
        self._executor = executor
        self._call = call
        self._slots = slots
        self._busy = 0
        self._pending: list[tuple[Job, asyncio.Future[Tally]]] = []

    async def submit(self, job: Job) -> Tally:
        """The tally of writing ``job``, once its batch is done."""
        future: asyncio.Future[Tally] = asyncio.get_running_loop().create_future()
        self._pending.append((job, future))
        self._send()
        return await future

    def drop_pending(self) -> None:
        """Cancel the jobs not yet handed to a worker (an interrupted run)."""
        pending, self._pending = self._pending, []
        for _, future in pending:
            future.cancel()

    def _send(self) -> None:
        loop = asyncio.get_running_loop()
        while self._pending and self._busy < self._slots:
            batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
            self._busy += 1
            task = loop.run_in_executor(self._executor, self._call, [job for job, _ in batch])
            task.add_done_callback(partial(self._done, batch))

    def _done(self, batch: list[tuple[Job, asyncio.Future[Tally]]], task: asyncio.Future[list[Tally]]) -> None:
        self._busy -= 1
        cancelled = task.cancelled()
        error = None if cancelled else task.exception()
        tallies = task.result() if not cancelled and error is None else []
        for index, (_, future) in enumerate(batch):
            if future.done():
                continue
            if cancelled:
                future.cancel()
            elif error is not None:
                future.set_exception(error)
            else:
                future.set_result(tallies[index])
        self._send()


def _is_listing(entry: FrontierEntry) -> bool:
    return entry.kind in ("seed", "index") or looks_like_article(entry.url) is False


def _looks_html(page: Page) -> bool:
    ctype = page.content_type.lower()
    if "html" in ctype:
        return True
    head = page.content[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<head" in head or b"<body" in head


def _worker_count(workers: int | None) -> int:
    """Extraction processes: as many as cores unless set; 0 means inline."""
    return (os.cpu_count() or 1) if workers is None else max(0, workers)


def _make_executor(count: int, lock: Any) -> Executor | None:
    """A process pool of ``count`` workers; None (inline) for 0."""
    if count <= 0:
        return None
    # forkserver: no fork of a process that runs an event loop and threads.
    context = get_context("forkserver")
    return ProcessPoolExecutor(max_workers=count, mp_context=context, initializer=_init_worker,
                               initargs=(lock, os.getpid()))


def _init_worker(lock: Any, parent: int) -> None:
    """A worker keeps the write lock, leaves SIGINT/SIGTERM to the crawler, and dies with it."""
    init_worker(lock)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # systemd signals the whole group: the crawler stops them
    die_with_parent(parent)
