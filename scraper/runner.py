"""Whole runs, as the CLI and a researcher's script call them.

``run_archive`` = lock + archive + crawler + optional WARC, with SIGTERM/
SIGINT turned into a graceful stop (finish what is in flight, commit, record
the run). ``extract_inputs`` = extraction of files and URLs, storing nothing.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from scraper import __version__
from scraper.cluster import assign_clusters
from scraper.config import Settings
from scraper.crawl import Crawler, Event, PageRecorder, RunSummary
from scraper.errors import ExtractionError, ScraperError, UsageError
from scraper.extract import extract
from scraper.fetch import Fetcher
from scraper.lock import archive_lock
from scraper.models import Article
from scraper.store import Archive
from scraper.urls import is_http_url

__all__ = ["run_archive", "extract_inputs"]


def run_archive(db_path: str | Path, urls: list[str], settings: Settings, *, follow: bool = True,
                command: str = "crawl", args: dict[str, Any] | None = None,
                on_event: Callable[[Event], None] | None = None) -> RunSummary:
    """Crawl (``follow``) or fetch ``urls`` into the archive at ``db_path``, holding its lock."""
    with archive_lock(db_path), Archive(db_path) as archive:
        recorders: list[PageRecorder] = []
        warc = None
        if settings.warc_dir:
            from scraper.warc import WarcRecorder

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


async def _with_signals(crawler: Crawler, urls: list[str], follow: bool, command: str,
                        args: dict[str, Any] | None) -> RunSummary:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, crawler.stop)
        except (NotImplementedError, RuntimeError):  # not the main thread, or no signals here
            pass
    return await crawler.run(urls, follow=follow, command=command, args=args)


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
