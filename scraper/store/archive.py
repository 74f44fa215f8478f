"""The archive: pages and articles in one SQLite file, through sqlite-utils.

The store knows records, not HTTP or HTML. Raw pages are kept byte-exact
(compressed losslessly); articles are keyed by ``Article.url`` and versioned:
a changed ``content_hash`` moves the previous text to ``article_versions``.
Every ``sqlite3`` error leaves this module as a :class:`StoreError`.

Read-side queries (search, streaming, stats) live in :mod:`scraper.store.query`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

import sqlite_utils

from scraper.errors import StoreError, UsageError
from scraper.models import Article, Page
from scraper.store import query as store_query
from scraper.store.compression import CODECS, compress, decompress
from scraper.store.query import decode_article, now_iso, store_errors
from scraper.store.readonly import connect_read_only
from scraper.store.schema import (
    ARTICLE_COLUMNS,
    ARTICLE_FIELDS,
    RUN_COUNT_COLUMNS,
    VERSION_COLUMNS,
    ensure_schema,
)

__all__ = ["Archive", "article_from_row", "compress", "decompress", "CODECS", "EXTRA_COLUMNS"]

#: Keys ``save_article(extra=...)`` accepts: dates from feeds and sitemaps are
#: kept in their own columns, never promoted to ``published``.
EXTRA_COLUMNS = ("feed_date", "sitemap_lastmod")


def _content_hash(article: Article) -> str:
    """The article's hash, or one of its text when the extractor left it empty."""
    if article.content_hash:
        return article.content_hash
    # Without a hash every save would look "unchanged"; hash what a reader sees.
    text = json.dumps([article.headline, article.lede, article.body, article.authors, article.published])
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def _article_values(article: Article) -> dict[str, Any]:
    """The Article fields as column values (lists as JSON text)."""
    row = {name: getattr(article, name) for name in ARTICLE_FIELDS}
    row["authors"] = json.dumps(list(article.authors), ensure_ascii=False)
    row["related"] = json.dumps([dict(link) for link in article.related], ensure_ascii=False)
    row["content_hash"] = _content_hash(article)
    return row


def new_article_row(article: Article, page_id: int | None, now: str, extras: dict[str, Any] | None = None) -> list[Any]:
    """The ``articles`` row of a first save, in :data:`INSERT_ARTICLE`'s column order."""
    return _first_row(_article_values(article), page_id, now, extras)


def _first_row(values: dict[str, Any], page_id: int | None, now: str, extras: dict[str, Any] | None) -> list[Any]:
    values.update(page_id=page_id, updated_at=now, version=1, first_archived_at=now, cluster_id=None)
    values.update({name: (extras or {}).get(name) for name in EXTRA_COLUMNS})
    return [values[name] for name in _WRITTEN] + [values["url"]]


def related_rows(article: Article) -> list[tuple[Any, ...]]:
    """The article's ``related_links`` rows, for :data:`INSERT_RELATED`."""
    return [(article.url, i, link.get("url"), link.get("title")) for i, link in enumerate(article.related)]


_WRITTEN = [name for name in ARTICLE_COLUMNS if name != "url"]  # url last: it is the UPDATE's key
INSERT_ARTICLE = "INSERT INTO articles ({}, url) VALUES ({}, ?)".format(
    ", ".join(f'"{c}"' for c in _WRITTEN), ", ".join("?" for _ in _WRITTEN))
_UPDATE_ARTICLE = "UPDATE articles SET {} WHERE url = ?".format(", ".join(f'"{c}" = ?' for c in _WRITTEN))
INSERT_RELATED = "INSERT INTO related_links (article_url, position, url, title) VALUES (?, ?, ?, ?)"
INSERT_PAGE = ("INSERT INTO pages (id, url, final_url, status, headers, fetched_at, content, codec, raw_size,"
               " sha256, run_id, request_headers, http_version, attempts, redirects, elapsed)"
               " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")


def check_codec(codec: str, url: str) -> None:
    """Raise UsageError for a codec :func:`decompress` would not understand."""
    if codec not in CODECS:
        raise UsageError(f"unknown codec {codec!r}", url=url)


def page_values(page: Page, compressed: tuple[bytes, str], digest: str, run_id: int | None) -> list[Any]:
    """A ``pages`` row for :data:`INSERT_PAGE`, without its leading id."""
    blob, codec = compressed
    return [page.url, page.final_url, page.status, json.dumps(page.headers), page.fetched_at, blob, codec,
            len(page.content), digest, run_id, json.dumps(page.request_headers), page.http_version, page.attempts,
            json.dumps(list(page.redirects)), page.elapsed]


def _first(*values: Any) -> Any:
    return next((v for v in values if v is not None), None)


# What makes a new version: the text (content_hash) and what a better extractor
# may find later (a date, a lede, authors). Fetch time and status do not.
_COMPARED = ("content_hash", "published", "date_source", "modified", "lede", "authors", "source_credit", "section",
             "canonical_url", "language")


def _check_extra(extra: dict[str, Any] | None) -> dict[str, Any]:
    unknown = set(extra or {}) - set(EXTRA_COLUMNS)
    if unknown:
        raise UsageError(f"save_article extra: unknown keys {sorted(unknown)} (allowed: {EXTRA_COLUMNS})")
    return dict(extra or {})


class Archive:
    """One archive file: open it, save pages and articles, query them.

    Use as a context manager. Writes go through :meth:`transaction`, which
    takes SQLite's write lock up front (``BEGIN IMMEDIATE``) and waits up to
    ``busy_timeout_ms`` for another writer, so readers such as ``sqlite3`` or
    datasette never break a running crawl (WAL mode).
    """

    def __init__(self, path: str | os.PathLike[str], *, busy_timeout_ms: int = 30_000,
                 read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self._depth = 0
        # Serialises transactions if the crawler calls in from worker threads.
        self._lock = threading.RLock()
        if read_only:
            self.db = sqlite_utils.Database(connect_read_only(self.path, busy_timeout_ms))
            return
        try:
            conn = sqlite3.connect(str(self.path), timeout=busy_timeout_ms / 1000, check_same_thread=False)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open archive: {exc}", url=str(self.path)) from exc
        self.db = sqlite_utils.Database(conn)
        try:
            self._configure(busy_timeout_ms)
            with self.transaction():
                ensure_schema(self.db)
        except BaseException:
            conn.close()
            raise

    def _configure(self, busy_timeout_ms: int) -> None:
        with store_errors("cannot open archive", str(self.path)):
            self.db.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            self.db.enable_wal()
            self.db.execute("PRAGMA synchronous = NORMAL")
            self.db.execute("PRAGMA foreign_keys = ON")

    def close(self) -> None:
        """Close the connection (an open transaction is rolled back)."""
        self.db.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """BEGIN IMMEDIATE … COMMIT, ROLLBACK on error; nested calls become savepoints."""
        with self._lock:
            # A transaction someone opened on db.conn directly (sqlite-utils' atomic(),
            # a raw BEGIN) is joined like an outer one of ours, never committed early.
            depth = self._depth or int(self.db.conn.in_transaction)
            savepoint = f"store_sp_{self._depth}"  # built from a counter, never from input
            with store_errors("cannot start transaction", str(self.path)):
                self.db.execute("BEGIN IMMEDIATE" if depth == 0 else f"SAVEPOINT {savepoint}")
            self._depth += 1
            try:
                yield
            except BaseException:
                self._depth -= 1
                self._undo(depth, savepoint)
                raise
            self._depth -= 1
            self._finish(depth, savepoint)

    def _undo(self, depth: int, savepoint: str) -> None:
        if not self.db.conn.in_transaction:
            return  # the error already ended the transaction
        if depth == 0:
            self.db.conn.execute("ROLLBACK")
        else:
            self.db.conn.execute(f"ROLLBACK TO SAVEPOINT {savepoint}")
            self.db.conn.execute(f"RELEASE SAVEPOINT {savepoint}")

    def _finish(self, depth: int, savepoint: str) -> None:
        try:
            self.db.conn.execute("COMMIT" if depth == 0 else f"RELEASE SAVEPOINT {savepoint}")
        except sqlite3.Error as exc:
            self._undo(depth, savepoint)
            raise StoreError(f"commit failed: {exc}", url=str(self.path)) from exc

    # -- pages -----------------------------------------------------------

    def save_page(
        self, page: Page, *, compressed: tuple[bytes, str] | None = None, run_id: int | None = None
    ) -> int:
        """Store the raw page, return its ``pages.id``.

        If the newest row for ``page.url`` holds the same bytes (sha256), or the
        answer is a 304, that row's id is returned and nothing is written.
        """
        digest = hashlib.sha256(page.content).hexdigest()
        if compressed is not None:
            check_codec(compressed[1], page.url)
        with self.transaction(), store_errors("cannot save page", page.url):
            latest = self.db.execute(
                "SELECT id, sha256 FROM pages WHERE url = ? ORDER BY id DESC LIMIT 1", [page.url]
            ).fetchone()
            if latest is not None and (latest[1] == digest or page.not_modified):
                return int(latest[0])
            blob, codec = compressed if compressed is not None else compress(page.content)
            cursor = self.db.execute(INSERT_PAGE, [None, *page_values(page, (blob, codec), digest, run_id)])
            return int(cursor.lastrowid or 0)

    def get_page(self, page_id: int) -> dict[str, Any] | None:
        """The page row with ``content`` decompressed and JSON columns decoded, or None."""
        with store_errors("cannot read page"):
            cursor = self.db.execute("SELECT * FROM pages WHERE id = ?", [page_id])
            row = cursor.fetchone()
            if row is None:
                return None
            return store_query.decode_page(dict(zip([c[0] for c in cursor.description], row)))

    def iter_pages(self, urls: Sequence[str] | None = None) -> Iterator[dict[str, Any]]:
        """For each article (or each of ``urls``), its latest page, decompressed, streamed."""
        return store_query.iter_pages(self.db, urls)

    # -- articles --------------------------------------------------------

    def save_article(
        self, article: Article, *, page_id: int | None = None, extra: dict[str, Any] | None = None
    ) -> str:
        """Archive ``article``; return ``"new"``, ``"unchanged"`` or ``"updated"``.

        Same content (hash of headline + body, and the same date, lede, authors…) as
        the stored row: nothing is written. Different: the stored row becomes a row
        of ``article_versions`` and ``version`` goes up.
        """
        extras = _check_extra(extra)
        values = _article_values(article)
        with self.transaction(), store_errors("cannot save article", article.url):
            old = self._raw_article(article.url)
            now = now_iso()
            if old is not None and all(old[name] == values[name] for name in _COMPARED):
                return "unchanged"
            if old is None:
                self.db.execute(INSERT_ARTICLE, _first_row(values, page_id, now, extras))
                self.db.conn.executemany(INSERT_RELATED, related_rows(article))
                return "new"
            self._keep_version(old, now)
            values.update(page_id=page_id, updated_at=now)
            values.update(version=int(old["version"]) + 1, first_archived_at=old["first_archived_at"])
            values["cluster_id"] = old["cluster_id"]
            # A None in extra means "not known this time", not "clear it".
            values.update({name: _first(extras.get(name), old[name]) for name in EXTRA_COLUMNS})
            # UPDATE keeps the rowid, so the FTS triggers swap the old text for the new.
            self.db.execute(_UPDATE_ARTICLE, [values[name] for name in _WRITTEN] + [values["url"]])
            self.db.execute("DELETE FROM related_links WHERE article_url = ?", [article.url])
            self.db.conn.executemany(INSERT_RELATED, related_rows(article))
            return "updated"

    def _raw_article(self, url: str) -> dict[str, Any] | None:
        cursor = self.db.execute("SELECT * FROM articles WHERE url = ?", [url])
        row = cursor.fetchone()
        return None if row is None else dict(zip([c[0] for c in cursor.description], row))

    def _keep_version(self, old: dict[str, Any], now: str) -> None:
        columns = ("article_url", *VERSION_COLUMNS, "archived_at")
        params = [old["url"], *(old[name] for name in VERSION_COLUMNS), now]
        self.db.execute(
            "INSERT INTO article_versions ({}) VALUES ({})".format(
                ", ".join(f'"{c}"' for c in columns), ", ".join("?" for _ in columns)
            ),
            params,
        )

    def get_article(self, url: str) -> dict[str, Any] | None:
        """The stored article as a dict (authors and related decoded), or None."""
        with store_errors("cannot read article", url):
            row = self._raw_article(url)
        return None if row is None else decode_article(row)

    def history(self, url: str) -> list[dict[str, Any]]:
        """Every version of the article, oldest first; the current row last (archived_at None)."""
        return store_query.history(self.db, url)

    def count_articles(self) -> int:
        """How many articles the archive holds."""
        with store_errors("cannot count articles"):
            return int(self.db.execute("SELECT count(*) FROM articles").fetchone()[0])

    def set_cluster(self, url: str, cluster_id: str) -> None:
        """Mark the article as a member of a near-duplicate cluster."""
        with self.transaction(), store_errors("cannot set cluster", url):
            cursor = self.db.execute("UPDATE articles SET cluster_id = ? WHERE url = ?", [cluster_id, url])
            if cursor.rowcount == 0:
                raise StoreError("no such article", url=url)

    def search(
        self, query: str, *, site: str | None = None, since: str | None = None, until: str | None = None,
        limit: int = 20, raw: bool = False,
    ) -> list[dict[str, Any]]:
        """Full-text search, best first (bm25): words and "phrases", or FTS5 syntax with ``raw``;
        see :func:`scraper.store.query.search`."""
        return store_query.search(self.db, query, site=site, since=since, until=until, limit=limit, raw=raw)

    def iter_articles(
        self, *, since: str | None = None, site: str | None = None, one_per_cluster: bool = False,
        batch: int = 500,
    ) -> Iterator[dict[str, Any]]:
        """Stream decoded article rows in url order, ``batch`` rows per query."""
        return store_query.iter_articles(
            self.db, since=since, site=site, one_per_cluster=one_per_cluster, batch=batch
        )

    def get(self, url: str) -> Article | None:
        """The stored article under its archive key, as an :class:`Article`, or None."""
        row = self.get_article(url)
        return None if row is None else article_from_row(row)

    def articles(self, *, since: str | None = None, site: str | None = None,
                 one_per_cluster: bool = False) -> Iterator[Article]:
        """Every stored article as an :class:`Article`, in URL order (streamed)."""
        for row in self.iter_articles(since=since, site=site, one_per_cluster=one_per_cluster):
            yield article_from_row(row)

    # -- runs ------------------------------------------------------------

    def start_run(self, command: str, args: dict[str, Any]) -> int:
        """Record the start of a CLI run; return its id.

        Runs still open are ones that died without recording their end (SIGKILL,
        OOM, power loss: the caller holds the archive's lock, so none is running);
        they are closed as such, never left looking clean.
        """
        with self.transaction(), store_errors("cannot start run"):
            self.db.execute(
                "UPDATE runs SET ended_at = ?, error = 'died without recording its end (killed?)'"
                " WHERE ended_at IS NULL",
                [now_iso()],
            )
            cursor = self.db.execute(
                "INSERT INTO runs (command, args, started_at, pid, {}) VALUES (?, ?, ?, ?, {})".format(
                    ", ".join(RUN_COUNT_COLUMNS), ", ".join("0" for _ in RUN_COUNT_COLUMNS)
                ),
                [command, json.dumps(args, default=str, ensure_ascii=False), now_iso(), os.getpid()],
            )
            return int(cursor.lastrowid or 0)

    def finish_run(self, run_id: int, *, exit_code: int, counts: dict[str, int], error: str | None = None) -> None:
        """Record the end of a run with its exit code, counters and, when it did not end cleanly, why."""
        unknown = set(counts) - set(RUN_COUNT_COLUMNS)
        if unknown:
            raise UsageError(f"finish_run: unknown counters {sorted(unknown)} (known: {RUN_COUNT_COLUMNS})")
        names = [name for name in RUN_COUNT_COLUMNS if name in counts]
        assignments = "".join(f", {name} = ?" for name in names)
        with self.transaction(), store_errors("cannot finish run"):
            cursor = self.db.execute(
                f"UPDATE runs SET ended_at = ?, exit_code = ?, error = ?{assignments} WHERE id = ?",
                [now_iso(), exit_code, error, *(int(counts[name]) for name in names), run_id],
            )
            if cursor.rowcount == 0:
                raise StoreError(f"no run with id {run_id}")

    def record_failure(
        self, *, run_id: int | None, url: str, kind: str, error: str, attempts: int, status: int | None = None
    ) -> None:
        """Record one URL that could not be fetched or extracted."""
        with self.transaction(), store_errors("cannot record failure", url):
            self.db.execute(
                "INSERT INTO failures (run_id, url, kind, error, attempts, status, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [run_id, url, kind, error, attempts, status, now_iso()],
            )

    def stats(self) -> dict[str, Any]:
        """Figures about the archive; see :func:`scraper.store.query.stats`."""
        return store_query.stats(self.db)


_ARTICLE_FIELDS = frozenset(f.name for f in dataclasses.fields(Article))


def article_from_row(row: dict[str, Any]) -> Article:
    """An :class:`Article` from a decoded ``articles`` row (archive-only columns dropped)."""
    return Article(**{k: v for k, v in row.items() if k in _ARTICLE_FIELDS})
