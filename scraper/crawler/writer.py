"""Writing what a fetched page yields: raw page, article, links, frontier state.

A :class:`PageWriter` runs where the page is analysed: in each extraction
worker process (with its own connection to the archive) or inline. A batch of
pages is written in one transaction, and the frontier
marks each URL ``done`` in that same transaction, so a crash never leaves an
archived article that the next run would fetch again, nor a ``done`` URL
without its article. Doing the writes in the workers keeps the crawler's
event loop for I/O alone.
"""

from __future__ import annotations

import signal
from collections import Counter
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from scraper.config import Settings
from scraper.crawler.discover import Link, feed_links, sitemap_links
from scraper.crawler.frontier import Frontier, FrontierEntry
from scraper.crawler.urls import (
    archive_key,
    canonicalize,
    host_of,
    host_shard,
    is_asset,
    is_private_host,
    looks_like_article,
    site_of,
)
from scraper.crawler.workers import Analysis, analyse
from scraper.models import Article, Page
from scraper.store.archive import Archive
from scraper.store.clusters import save_signature, signature

__all__ = ["SKIP_KINDS", "Event", "Job", "PageWriter", "Scope", "Tally", "init_worker", "run_job", "run_jobs",
           "worker_jobs"]

# Skipped on purpose, not failures: they do not make the exit code 1.
SKIP_KINDS = frozenset({"robots", "scope", "not_article", "dead"})


@dataclass(frozen=True, slots=True)
class Event:
    """Progress news for a front end: kind is fetched|archived|updated|unchanged|not_modified|skipped|failed."""

    kind: str
    url: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Scope:
    """Which links a run follows: allowed hosts only, no private address reached from a public page."""

    hosts: frozenset[str]
    follow: bool
    shard: tuple[int, int] | None = None  # (K, N): only hosts in shard K of N (crawl --shard)

    def allows(self, url: str, found_on: str) -> bool:
        """True when a link to ``url`` found on ``found_on`` may be crawled."""
        return (host_of(url) in self.hosts and (is_private_host(found_on) or not is_private_host(url))
                and self.in_shard(url))

    def in_shard(self, url: str) -> bool:
        """True when the URL's host belongs to this run's shard (always, without sharding)."""
        return self.shard is None or host_shard(url, self.shard[1]) == self.shard[0]


@dataclass(slots=True)
class Tally:
    """What writing some pages did: events to show and counters to add up."""

    events: list[Event] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)

    def add(self, other: Tally) -> None:
        """Merge another tally into this one."""
        self.events.extend(other.events)
        self.counts.update(other.counts)
        self.failures.update(other.failures)


@dataclass(frozen=True, slots=True)
class Job:
    """A fetched page to analyse and write (picklable: it crosses into a worker)."""

    entry: FrontierEntry
    page: Page
    listing: str | None  # "feed" | "sitemap" | None for an HTML page


class PageWriter:
    """Writes pages' outcomes into an archive, one transaction per page.

    ``lock`` (shared by every process writing to the archive in one run) is
    held around each transaction: SQLite's own busy handler sleeps in steps of
    up to 100 ms when writers collide, a lock hands over at once.
    """

    def __init__(self, archive: Archive, settings: Settings, scope: Scope, run_id: int | None,
                 lock: AbstractContextManager[Any] | None = None) -> None:
        self.archive = archive
        self.lock: AbstractContextManager[Any] = lock if lock is not None else nullcontext()
        self.settings = settings
        self.scope = scope
        self.run_id = run_id
        self.frontier = Frontier(archive.db)
        # Links already offered to the frontier: most pages repeat the same related
        # pool, so this saves canonicalising and an INSERT OR IGNORE per link.
        self._offered: set[str] = set()

    def failure(self, entry: FrontierEntry, kind: str, message: str, attempts: int, status: int | None) -> Tally:
        """Record a URL that yielded nothing (skipped on purpose, or failed)."""
        tally = Tally()
        skipped = kind in SKIP_KINDS
        tally.counts["skipped" if skipped else "failed"] += 1
        if not skipped:
            tally.failures[kind] += 1
        self.archive.record_failure(run_id=self.run_id, url=entry.url, kind=kind, error=message, attempts=attempts,
                                    status=status)
        if kind == "not_article":
            self.frontier.mark_done(entry.url, kind="other", status=status or 200, etag=None, last_modified=None,
                                    archived=False)
        else:
            self.frontier.mark_failed(entry.url, error_kind=kind, error=message, status=status)
        tally.events.append(Event("skipped" if skipped else "failed", entry.url, f"{kind}: {message}"))
        return tally

    def not_modified(self, entry: FrontierEntry, page: Page) -> Tally:
        """A 304: a check on record, nothing new."""
        self.frontier.mark_done(entry.url, kind=entry.kind if entry.kind != "unknown" else "index", status=304,
                                etag=page.headers.get("etag"), last_modified=page.headers.get("last-modified"),
                                archived=entry.kind == "article")
        return Tally([Event("fetched", entry.url, "304"), Event("not_modified", entry.url)],
                     Counter(fetched=1, not_modified=1))

    def write(self, job: Job, analysis: Analysis | None, links: Sequence[Link] | None) -> Tally:
        """Write an analysed HTML page (``analysis``) or a feed/sitemap (``links``).

        The caller holds the lock and the batch's transaction (:func:`run_jobs`).
        """
        entry, page = job.entry, job.page
        tally = Tally([Event("fetched", entry.url, str(page.status))], Counter(fetched=1))
        page_id = self.archive.save_page(page, compressed=analysis.compressed if analysis else None,
                                         run_id=self.run_id)
        if analysis is None:
            self.frontier.mark_done(entry.url, kind=entry.kind if entry.kind != "unknown" else "feed",
                                    status=page.status, etag=page.headers.get("etag"),
                                    last_modified=page.headers.get("last-modified"), archived=False)
            self._add_links(links or [], entry, page.final_url)
            return tally
        if analysis.article is None:
            tally.add(self.failure(entry, analysis.error_kind or "extraction", analysis.error or "", 1, page.status))
            return tally
        fresh = [u for u in analysis.links if u not in self._offered]
        self._offered.update(fresh)
        self._add_links([Link(u, self._link_kind(u)) for u in fresh], entry, page.final_url)
        tally.add(self._save_article(entry, page, analysis, page_id))
        return tally

    def _save_article(self, entry: FrontierEntry, page: Page, analysis: Analysis, page_id: int) -> Tally:
        article: Article = analysis.article  # type: ignore[assignment]
        key = archive_key(page.final_url, article.canonical_url)
        verdict = looks_like_article(key, self.settings.site(site_of(key)))
        etag, modified = page.headers.get("etag"), page.headers.get("last-modified")
        listing = article.page_type == "index" or verdict is False or entry.kind == "seed"
        kind = "index" if listing else "other"
        if article.page_type != "article" or verdict is False:
            # A crawl archives articles only; a URL the user named is archived with its page_type,
            # unless articles_only asks for today's filter.
            if self.scope.follow or self.settings.articles_only:
                self.frontier.mark_done(entry.url, kind=kind, status=page.status, etag=etag,
                                        last_modified=modified, archived=False)
                if not self.scope.follow:  # an explicit URL that is no article: say so
                    return self.failure(entry, "not_article", f"not an article page ({article.page_type})", 1,
                                        page.status)
                return Tally()
        if article.page_type == "article":
            kind = "article"
        article = article.replace(url=key, site=article.site or site_of(key))
        result = self.archive.save_article(article, page_id=page_id,
                                           extra={"feed_date": entry.feed_date, "sitemap_lastmod": entry.sitemap_lastmod})
        if result != "unchanged" and analysis.signature is not None:  # only articles are clustered
            save_signature(self.archive, key, article.content_hash, analysis.signature)
        self.frontier.mark_done(entry.url, kind=kind, status=page.status, etag=etag, last_modified=modified,
                                archived=True)
        if key != entry.url:
            self.frontier.mark_done(key, kind=kind, status=page.status, etag=None, last_modified=None,
                                    archived=True)
        counter = {"new": "archived", "updated": "updated", "unchanged": "unchanged"}[result]
        return Tally([Event(counter, key, article.headline or "")], Counter({counter: 1}))

    def queue_links(self, entry: FrontierEntry, found_on: str, urls: Sequence[str]) -> None:
        """Queue a listing page's links at once, in their own small transaction."""
        with self.lock, self.archive.transaction():
            self._add_links([Link(u, self._link_kind(u)) for u in urls], entry, found_on)

    def _link_kind(self, url: str) -> str:
        verdict = looks_like_article(url, self.settings.site(site_of(url)))
        return {True: "article", False: "index", None: "unknown"}[verdict]

    def _add_links(self, links: Sequence[Link], entry: FrontierEntry, found_on: str) -> None:
        """Queue in-scope links (assets aside)."""
        if not self.scope.follow:
            return
        keep = [
            Link(canonicalize(link.url), link.kind, link.feed_date, link.sitemap_lastmod)
            for link in links
            if self.scope.allows(link.url, found_on) and (link.kind == "sitemap" or not is_asset(link.url))
        ]
        if keep:
            self.frontier.add(keep, depth=entry.depth + 1, found_on=entry.url)


@dataclass(slots=True)
class _Analysed:
    """One job after the CPU work, before the writes: an analysis, a listing's links, or why it failed."""

    job: Job
    analysis: Analysis | None = None
    links: list[Link] | None = None
    error: str | None = None  # an unreadable feed or sitemap


def _analyse_job(writer: PageWriter, job: Job) -> _Analysed:
    if job.listing is not None:
        parse = partial(feed_links if job.listing == "feed" else sitemap_links, job.page.content, job.page.final_url)
        try:
            return _Analysed(job, links=list(parse()))
        except Exception as exc:  # noqa: BLE001 - a broken listing is a recorded failure, not a crash
            return _Analysed(job, error=f"unreadable {job.listing}: {exc}")
    page = job.page
    analysis = analyse(page.content, page.final_url, content_type=page.content_type or None,
                       site=writer.settings.site(site_of(page.final_url)), fetched_at=page.fetched_at,
                       status=page.status, want_links=writer.scope.follow)
    if analysis.article is not None and analysis.article.page_type == "article":
        analysis.signature = signature(analysis.article.body)
    return _Analysed(job, analysis=analysis)


def run_jobs(writer: PageWriter, jobs: Sequence[Job]) -> list[Tally]:
    """Analyse fetched pages, then write them all in one transaction: the CPU side of a crawl.

    The analysis runs before the write lock is taken; one commit per batch
    instead of one per page is what makes batching pay.
    """
    done = [_analyse_job(writer, job) for job in jobs]
    with writer.lock, writer.archive.transaction():
        return [
            writer.failure(item.job.entry, "decode", item.error, 1, item.job.page.status)
            if item.error is not None
            else writer.write(item.job, item.analysis, item.links)
            for item in done
        ]


def run_job(writer: PageWriter, job: Job) -> Tally:
    """Analyse one fetched page and write it."""
    return run_jobs(writer, [job])[0]


# -- worker processes -------------------------------------------------------------------------------

# Worker-process state: one writer (its own SQLite connection) made on first use,
# and the run's write lock handed over when the process starts.
_WORKER_WRITERS: dict[tuple[str, int | None], PageWriter] = {}
_WORKER_LOCK: list[AbstractContextManager[Any]] = []


def init_worker(lock: AbstractContextManager[Any]) -> None:
    """Process-pool initializer: keep the write lock; leave Ctrl-C to the crawler's graceful stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER_LOCK[:] = [lock]


def worker_jobs(db_path: str, settings: Settings, scope: Scope, run_id: int | None, jobs: list[Job]) -> list[Tally]:
    """Entry point in an extraction worker: ``run_jobs`` with this process's writer."""
    writer = _WORKER_WRITERS.get((db_path, run_id))
    if writer is None:
        for old in _WORKER_WRITERS.values():
            old.archive.close()
        _WORKER_WRITERS.clear()
        lock = _WORKER_LOCK[0] if _WORKER_LOCK else None
        writer = _WORKER_WRITERS[(db_path, run_id)] = PageWriter(Archive(db_path), settings, scope, run_id, lock)
    return run_jobs(writer, jobs)
