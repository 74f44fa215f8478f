"""The CPU side of one fetched page: extract, find links, compress.

``analyse`` is a pure function of its arguments so it can run in a worker
process, keeping the crawler's event loop free for I/O.
"""

from __future__ import annotations

import os
import select
import threading
import time
from dataclasses import dataclass, field

from scraper.config import SiteConfig
from scraper.crawler.discover import page_links
from scraper.errors import ScraperError
from scraper.extractor.article import extract_tree, parse_html
from scraper.models import Article
from scraper.store.archive import compress

__all__ = ["Analysis", "analyse", "die_with_parent"]


@dataclass(slots=True)
class Analysis:
    """What the crawler needs from one page."""

    article: Article | None = None
    error_kind: str | None = None
    error: str | None = None
    links: list[str] = field(default_factory=list)
    compressed: tuple[bytes, str] | None = None
    signature: bytes | None = None  # MinHash of the body, for syndication clusters


def analyse(content: bytes, url: str, *, content_type: str | None, site: SiteConfig | None, fetched_at: str | None,
            status: int | None, want_links: bool, want_compressed: bool = True) -> Analysis:
    """Parse once; the tree feeds link discovery and extraction. Never raises for page content."""
    result = Analysis()
    if want_compressed:
        result.compressed = compress(content)
    try:
        tree = parse_html(content, content_type)
        if want_links:
            # Links first: extraction prunes the tree.
            result.links = page_links(tree, url)
        result.article = extract_tree(tree, url, site=site, fetched_at=fetched_at, status=status)
    except ScraperError as exc:
        result.error_kind, result.error = exc.kind, exc.message
    except (ValueError, TypeError, RecursionError, MemoryError) as exc:  # a page must never stop the run
        result.error_kind, result.error = "extraction", f"{type(exc).__name__}: {exc}"
    return result


def die_with_parent(pid: int) -> None:
    """End this process as soon as process ``pid`` (the crawler) is gone, however it ended.

    A crawler killed with SIGKILL (OOM killer, ``timeout -s KILL``) runs no
    clean-up, and multiprocessing's pool workers would live on under PID 1
    holding the archive open. A daemon thread waits on a pidfd of the crawler
    (polls where pidfds are missing) and ends the process; an uncommitted batch
    is rolled back by SQLite and fetched again by the next run.
    """
    threading.Thread(target=_watch, args=(pid,), name="die-with-parent", daemon=True).start()


def _watch(pid: int) -> None:
    try:
        fd = os.pidfd_open(pid)
    except (AttributeError, OSError):  # no pidfd (old kernel, not Linux): poll
        fd = None
    if fd is not None:
        select.select([fd], [], [])
        os._exit(1)
    while _alive(pid):
        time.sleep(0.5)
    os._exit(1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
