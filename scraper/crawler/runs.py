"""Whole runs, as the CLI and a researcher's script call them.

``run_archive`` = lock + archive + crawler + optional WARC, with SIGTERM/
SIGINT turned into a prompt stop: no new request, waits and requests in flight
cancelled, fetched pages committed, the rest put back in the queue, the run
recorded as interrupted (exit code 128 + signal). A second signal ends the
process at once; the frontier guarantees nothing committed is lost.
``extract_inputs`` = extraction of files and URLs, storing nothing.
"""

from __future__ import annotations

import asyncio
import math
import os
import signal
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from scraper.config import Settings, __version__
from scraper.crawler.engine import Crawler, Event, PageRecorder, RunSummary
from scraper.crawler.urls import is_http_url
from scraper.errors import ExtractionError, ScraperError, UsageError
from scraper.extractor.article import extract
from scraper.fetcher.client import Fetcher
from scraper.models import Article
from scraper.store.archive import Archive
from scraper.store.clusters import assign_clusters
from scraper.store.lock import archive_lock

__all__ = ["crawl", "fetch", "run_archive", "extract_inputs"]


def crawl(urls: str | Iterable[str], db: str | Path = "archive.db", settings: Settings | None = None,
          **options: Any) -> RunSummary:
    """Crawl from ``urls`` (home/section pages, feeds, sitemaps) into the archive ``db``.

    ``options`` are :class:`~scraper.config.Settings` fields (``delay=0``, ``max_pages=50``...),
    applied over ``settings``. Returns the run's :class:`RunSummary`.
    """
    return run_archive(db, _url_list(urls), (settings or Settings()).with_(**options), follow=True)


def fetch(urls: str | Iterable[str], db: str | Path = "archive.db", settings: Settings | None = None,
          **options: Any) -> RunSummary:
    """Fetch, extract and archive exactly ``urls`` into the archive ``db`` (no link following)."""
    return run_archive(db, _url_list(urls), (settings or Settings()).with_(**options), follow=False,
                       command="fetch")


def _url_list(urls: str | Iterable[str]) -> list[str]:
    return [urls] if isinstance(urls, str) else list(urls)


def run_archive(db_path: str | Path, urls: list[str], settings: Settings, *, follow: bool = True,
                command: str = "crawl", args: dict[str, Any] | None = None,
                on_event: Callable[[Event], None] | None = None) -> RunSummary:
    """Crawl (``follow``) or fetch ``urls`` into the archive at ``db_path``, holding its lock."""
    check_settings(settings)
    with archive_lock(db_path), Archive(db_path) as archive:
        recorders: list[PageRecorder] = []
        warc = None
        if settings.warc_dir:
            from scraper.crawler.recorder import WarcRecorder

            warc = WarcRecorder(Path(settings.warc_dir), max_bytes=settings.warc_max_bytes, version=__version__,
                                robots="obey" if settings.respect_robots else "ignore")
            recorders.append(warc)
        crawler = Crawler(archive, settings, on_event=on_event, recorders=recorders, version=__version__)
        try:
            summary = asyncio.run(_with_signals(crawler, urls, follow, command, args))
        finally:
            if warc is not None:
                warc.close()
        if summary.archived or summary.updated:
            # Syndication groups: incremental, only new or changed articles are placed.
            assign_clusters(archive)
        return summary


#: Settings that must be finite, non-negative numbers when set.
_NUMERIC = ("concurrency", "delay", "timeout", "max_attempts", "max_bytes", "max_redirects", "retry_after_cap",
            "backoff_base", "max_pages", "max_time", "refresh_after_days", "workers", "warc_max_bytes",
            "max_failure_share")


def check_settings(settings: Settings) -> None:
    """UsageError for a numeric setting that is NaN, infinite or negative (``--delay nan`` never runs)."""
    for name in _NUMERIC:
        value = getattr(settings, name, None)
        if value is None or isinstance(value, bool):
            continue
        if not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
            raise UsageError(f"{name} must be a finite number of at least 0, not {value!r}")
    if settings.max_failure_share > 1:
        raise UsageError(f"max_failure_share is a share between 0 and 1, not {settings.max_failure_share!r}")


async def _with_signals(crawler: Crawler, urls: list[str], follow: bool, command: str,
                        args: dict[str, Any] | None) -> RunSummary:
    loop = asyncio.get_running_loop()
    installed = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, _on_signal, crawler, sig)
            installed.append(sig)
        except (NotImplementedError, RuntimeError):  # not the main thread, or no signals here
            pass
    try:
        return await crawler.run(urls, follow=follow, command=command, args=args)
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)


def _on_signal(crawler: Crawler, sig: int) -> None:
    """First signal: stop promptly and cleanly. Second: end now."""
    if crawler.interrupted:
        os.write(2, b"interrupted again: stopping at once\n")
        os._exit(128 + sig)
    crawler.interrupt(sig)


def extract_inputs(inputs: Iterable[str], *, original_url: str | None = None,
                   settings: Settings | None = None) -> Iterator[tuple[str, Article | ScraperError]]:
    """Each input (file path or http(s) URL) with its Article or the error that stopped it."""
    settings = settings or Settings(delay=0)
    for source in inputs:
        try:
            if is_http_url(source):
                page = asyncio.run(_fetch_one(source, settings))
                article = extract(page.content, page.final_url, content_type=page.content_type,
                                  fetched_at=page.fetched_at, status=page.status)
            else:
                path = Path(source)
                if not path.is_file():
                    raise UsageError("no such file", url=source)
                article = extract(path.read_bytes(), original_url)
            yield source, article
        except ScraperError as exc:
            yield source, exc
        except (OSError, ValueError, RecursionError) as exc:
            yield source, ExtractionError(f"{type(exc).__name__}: {exc}", url=source)


async def _fetch_one(url: str, settings: Settings) -> Any:
    async with Fetcher(settings, version=__version__) as fetcher:
        return await fetcher.fetch(url)
