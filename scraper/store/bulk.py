"""Many articles in one call, stored as :meth:`Archive.save_article` would store them one by one.

For loaders (the Dask import's one writer): saved one at a time, an article costs a savepoint, a
lookup and a few statements, which is most of a bulk load's time. Here the new articles of a batch
go in with one ``executemany`` per table. An article already archived, or repeated within the
batch, takes the one-by-one path at its place in the order, so the outcome is the same.
"""

from __future__ import annotations

from collections.abc import Sequence

from scraper.models import Article
from scraper.store.archive import INSERT_ARTICLE, INSERT_RELATED, Archive, new_article_row, related_rows
from scraper.store.query import now_iso, store_errors

__all__ = ["save_articles"]

_LOOKUP = 500  # urls per IN (...) lookup, under SQLite's variable limit


def _archived(archive: Archive, urls: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(urls), _LOOKUP):
        chunk = list(urls[start : start + _LOOKUP])
        marks = ", ".join("?" for _ in chunk)
        found.update(row[0] for row in archive.db.execute(f"SELECT url FROM articles WHERE url IN ({marks})", chunk))
    return found


def save_articles(archive: Archive, items: Sequence[tuple[Article, int | None]]) -> list[str]:
    """Archive each ``(article, page_id)`` in order, in one transaction; return the verdicts.

    The verdicts are those of :meth:`Archive.save_article`: ``"new"``, ``"unchanged"`` or ``"updated"``.
    """
    verdicts: list[str] = []
    with archive.transaction(), store_errors("cannot save articles"):
        stored = _archived(archive, [article.url for article, _ in items])
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
