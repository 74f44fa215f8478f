"""Many pages or articles in one call, stored as :meth:`Archive.save_page` / :meth:`Archive.save_article`
would store them one by one.

For loaders (the Dask import's one writer): saved one at a time, a row costs a savepoint, a
lookup and a few statements, which is most of a bulk load's time. Here the new rows of a batch
go in with one ``executemany`` per table. A URL already archived, or repeated within the batch,
takes the one-by-one path at its place in the order, so the outcome is the same.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from scraper.models import Article, Page
from scraper.store.archive import (
    INSERT_ARTICLE,
    INSERT_PAGE,
    INSERT_RELATED,
    Archive,
    check_codec,
    new_article_row,
    page_values,
    related_rows,
)
from scraper.store.query import now_iso, store_errors

__all__ = ["save_articles", "save_pages"]

_LOOKUP = 500  # urls per IN (...) lookup, under SQLite's variable limit


def _archived(archive: Archive, table: str, urls: Sequence[str]) -> set[str]:
    """The ``urls`` that have a row in ``table`` (articles or pages: a name from this module, never input)."""
    found: set[str] = set()
    for start in range(0, len(urls), _LOOKUP):
        chunk = list(urls[start : start + _LOOKUP])
        marks = ", ".join("?" for _ in chunk)
        found.update(row[0] for row in archive.db.execute(f"SELECT url FROM {table} WHERE url IN ({marks})", chunk))
    return found


def save_pages(archive: Archive, items: Sequence[tuple[Page, tuple[bytes, str]]], *,
               run_id: int | None = None) -> list[int]:
    """Store each ``(page, (blob, codec))`` in order, in one transaction; return the ``pages.id`` of each.

    A page whose URL has no stored page yet is inserted with the id SQLite would give it (the
    largest id plus one: this transaction is the only writer); any other takes
    :meth:`Archive.save_page`, which keeps the stored row when the bytes are the same.
    """
    for page, (_blob, codec) in items:
        check_codec(codec, page.url)
    ids: list[int] = []
    with archive.transaction(), store_errors("cannot save pages"):
        stored = _archived(archive, "pages", [page.url for page, _ in items])
        rows: list[list[object]] = []

        def flush() -> None:
            archive.db.conn.executemany(INSERT_PAGE, rows)
            rows.clear()

        for page, compressed in items:
            if page.url in stored:
                flush()
                ids.append(archive.save_page(page, compressed=compressed, run_id=run_id))
                continue
            page_id = ids[-1] + 1 if rows else _largest_id(archive) + 1  # rows pending: the last id is theirs
            digest = hashlib.sha256(page.content).hexdigest()
            rows.append([page_id, *page_values(page, compressed, digest, run_id)])
            ids.append(page_id)
            stored.add(page.url)
        flush()
    return ids


def _largest_id(archive: Archive) -> int:
    return int(archive.db.execute("SELECT COALESCE(MAX(id), 0) FROM pages").fetchone()[0])


def save_articles(archive: Archive, items: Sequence[tuple[Article, int | None]]) -> list[str]:
    """Archive each ``(article, page_id)`` in order, in one transaction; return the verdicts.

    The verdicts are those of :meth:`Archive.save_article`: ``"new"``, ``"unchanged"`` or ``"updated"``.
    """
    verdicts: list[str] = []
    with archive.transaction(), store_errors("cannot save articles"):
        stored = _archived(archive, "articles", [article.url for article, _ in items])
        now = now_iso()
        rows: list[list[object]] = []
        links: list[tuple[object, ...]] = []

        def flush() -> None:
            archive.db.conn.executemany(INSERT_ARTICLE, rows)
            archive.db.conn.executemany(INSERT_RELATED, links)
            rows.clear()
            links.clear()

        for article, page_id in items:
            if article.url in stored:  # archived before, or earlier in this batch: compare, maybe a version
                flush()
                verdicts.append(archive.save_article(article, page_id=page_id))
                continue
            rows.append(new_article_row(article, page_id, now))
            links.extend(related_rows(article))
            stored.add(article.url)
            verdicts.append("new")
        flush()
    return verdicts
