"""Read-side queries of the archive: search, streaming, history, stats.

Functions take the archive's ``sqlite_utils.Database``; :class:`scraper.store.archive.Archive`
exposes them as methods. Streams use keyset pagination (``WHERE url > ?
ORDER BY url LIMIT n``) so memory stays bounded and the caller may write to
the archive between rows.

Date filters (``since``/``until``) compare against ``published`` only: an
article without a publication date is left out of a date-filtered result
rather than dated by when we fetched it (the fetch date is not its date).
Comparison is on the ISO text; ``until`` is inclusive at its own precision
(``until="2025-02-22"`` includes ``2025-02-22T23:00``).
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any

import sqlite_utils

from scraper.errors import StoreError, UsageError
from scraper.store.compression import decompress
from scraper.store.schema import VERSION_COLUMNS

__all__ = [
    "store_errors",
    "now_iso",
    "decode_article",
    "decode_page",
    "search",
    "iter_articles",
    "iter_pages",
    "history",
    "stats",
]

_ISO_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2}([T ]\d{2}(:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?)?)?)?")

# sqlite's messages for a MATCH expression it cannot parse.
_FTS_QUERY_ERRORS = ("fts5:", "unterminated string", "no such column", "unknown special query", "malformed match")

# bm25 weights for (headline, lede, body): a term in the headline says more.
_BM25 = "bm25(articles_fts, 10.0, 4.0, 1.0)"


@contextmanager
def store_errors(what: str, url: str | None = None) -> Iterator[None]:
    """Turn ``sqlite3`` errors into :class:`StoreError` (with the cause chained)."""
    try:
        yield
    except sqlite3.Error as exc:
        raise StoreError(f"{what}: {exc}", url=url) from exc


def now_iso() -> str:
    """The current UTC time as ISO 8601 (seconds)."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _rows(cursor: sqlite3.Cursor) -> list[dict[str, Any]]:
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def decode_article(row: dict[str, Any]) -> dict[str, Any]:
    """An articles row with ``authors`` and ``related`` decoded from JSON."""
    row = dict(row)
    for name in ("authors", "related"):
        row[name] = json.loads(row[name]) if row.get(name) else []
    return row


def decode_page(row: dict[str, Any]) -> dict[str, Any]:
    """A pages row with ``content`` decompressed and the JSON columns decoded."""
    row = dict(row)
    row["content"] = decompress(row["content"], row["codec"])
    row["headers"] = json.loads(row["headers"] or "{}")
    row["request_headers"] = json.loads(row["request_headers"] or "{}")
    row["redirects"] = json.loads(row["redirects"] or "[]")
    return row


def _check_date(name: str, value: str | None) -> None:
    if value is not None and not _ISO_DATE.fullmatch(value):
        raise UsageError(f"{name} must be an ISO date such as 2025-02-22, not {value!r}")


def _filters(
    alias: str, *, site: str | None, since: str | None, until: str | None = None
) -> tuple[list[str], list[Any]]:
    """WHERE clauses (and their parameters) for the site and date filters."""
    _check_date("since", since)
    _check_date("until", until)
    clauses: list[str] = []
    params: list[Any] = []
    if site is not None:
        clauses.append(f"{alias}.site = ?")
        params.append(site)
    if since is not None:
        clauses.append(f"{alias}.published >= ?")
        params.append(since)
    if until is not None:
        clauses.append(f"substr({alias}.published, 1, ?) <= ?")
        params += [len(until), until]
    return clauses, params


# -- search ----------------------------------------------------------------


_TERMS = re.compile(r'"([^"]*)"|(\S+)')


def words_query(query: str) -> str:
    """A query of words and "quoted phrases" as FTS5 syntax: each term quoted, so no operator is left.

    ``NOT Almaty`` searches for the words "not" and "almaty"; raw FTS5 syntax is
    what ``search(raw=True)`` (``--fts``) is for.
    """
    terms = [phrase if phrase is not None and word is None else word for phrase, word in
             ((m.group(1), m.group(2)) for m in _TERMS.finditer(query))]
    return " ".join('"' + term.replace('"', '""') + '"' for term in terms if term and term.strip())


def _is_query_error(exc: sqlite3.OperationalError) -> bool:
    message = str(exc).lower()
    return any(marker in message for marker in _FTS_QUERY_ERRORS)


def search(
    db: sqlite_utils.Database, query: str, *, site: str | None = None, since: str | None = None,
    until: str | None = None, limit: int = 20, raw: bool = False,
) -> list[dict[str, Any]]:
    """Full-text search over headline, lede and body, best first.

    ``query`` is words and "quoted phrases", all required (see :func:`words_query`);
    with ``raw`` it is FTS5 syntax as typed (AND, OR, NOT, NEAR, prefix*, column:).
    Each hit has url, headline, published, site, snippet (matches in
    ``[brackets]``) and rank (bm25; lower is better).

    Raises:
        UsageError: empty query, bad limit or date, or a raw query FTS5 cannot parse.
    """
    if not query.strip():
        raise UsageError("empty search query")
    if limit < 1:
        raise UsageError(f"limit must be at least 1, not {limit}")
    clauses, params = _filters("a", site=site, since=since, until=until)
    sql = (
        "SELECT a.url, a.headline, a.published, a.site,"
        " snippet(articles_fts, -1, '[', ']', '…', 16) AS snippet,"
        f" {_BM25} AS rank"
        " FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid"
        f" WHERE articles_fts MATCH ?{''.join(' AND ' + c for c in clauses)}"
        " ORDER BY rank, a.url LIMIT ?"
    )
    match = query if raw else words_query(query)
    if not match:
        raise UsageError(f"nothing to search for in {query!r}")
    try:
        with store_errors("search failed"):
            return _rows(db.execute(sql, [match, *params, limit]))
    except StoreError as exc:
        cause = exc.__cause__
        if isinstance(cause, sqlite3.OperationalError) and _is_query_error(cause):
            hint = "" if raw else " (a bug: please report it)"
            raise UsageError(f"malformed full-text query {query!r}: {cause}{hint}") from exc
        raise


# -- streams -----------------------------------------------------------------


def _cluster_clause(*, site: str | None, since: str | None) -> tuple[str, list[Any]]:
    """Keep one member per cluster: the earliest published (undated last), then earliest archived."""
    clauses, params = _filters("b", site=site, since=since)
    inner = "".join(" AND " + c for c in clauses)
    clause = (
        "(a.cluster_id IS NULL OR a.url = (SELECT b.url FROM articles b"
        f" WHERE b.cluster_id = a.cluster_id{inner}"
        " ORDER BY b.published IS NULL, b.published, b.first_archived_at, b.url LIMIT 1))"
    )
    return clause, params


def iter_articles(
    db: sqlite_utils.Database, *, since: str | None = None, site: str | None = None,
    one_per_cluster: bool = False, batch: int = 500,
) -> Iterator[dict[str, Any]]:
    """Stream decoded article rows in url order, ``batch`` rows per query.

    ``site`` is an exact match; ``since`` filters on ``published`` (see the
    module docstring). With ``one_per_cluster`` only one member of each
    cluster (among those passing the filters) is yielded.
    """
    if batch < 1:
        raise UsageError(f"batch must be at least 1, not {batch}")
    clauses, params = _filters("a", site=site, since=since)
    if one_per_cluster:
        clause, extra = _cluster_clause(site=site, since=since)
        clauses, params = [*clauses, clause], [*params, *extra]
    where = "".join(" AND " + c for c in clauses)
    sql = f"SELECT a.* FROM articles a WHERE a.url > ?{where} ORDER BY a.url LIMIT ?"
    return _keyset(db, sql, params, batch)


def _keyset(db: sqlite_utils.Database, sql: str, params: list[Any], batch: int) -> Iterator[dict[str, Any]]:
    last = ""  # every url sorts after the empty string
    while True:
        with store_errors("cannot read articles"):
            rows = _rows(db.execute(sql, [last, *params, batch]))
        for row in rows:
            yield decode_article(row)
        if len(rows) < batch:
            return
        last = rows[-1]["url"]


def _article_urls(db: sqlite_utils.Database, batch: int = 500) -> Iterator[str]:
    last = ""
    while True:
        with store_errors("cannot read articles"):
            urls = [r[0] for r in db.execute("SELECT url FROM articles WHERE url > ? ORDER BY url LIMIT ?", [last, batch])]
        yield from urls
        if len(urls) < batch:
            return
        last = urls[-1]


def _latest_page(db: sqlite_utils.Database, url: str) -> dict[str, Any] | None:
    """The newest non-empty page fetched at ``url``, or the article's provenance page if newer."""
    with store_errors("cannot read pages", url):
        cursor = db.execute(
            "SELECT * FROM pages WHERE id = (SELECT max(id) FROM ("
            " SELECT page_id AS id FROM articles WHERE url = :u"
            " UNION ALL SELECT max(id) FROM pages WHERE (url = :u OR final_url = :u) AND raw_size > 0))",
            {"u": url},
        )
        rows = _rows(cursor)
    return decode_page(rows[0]) if rows else None


def iter_pages(db: sqlite_utils.Database, urls: Sequence[str] | None = None) -> Iterator[dict[str, Any]]:
    """For each article (or each of ``urls``), its latest page row, decompressed, streamed.

    Each row also carries ``article_url``. Urls without any stored page are skipped.
    """
    source: Iterable[str] = _article_urls(db) if urls is None else urls
    for url in source:
        page = _latest_page(db, url)
        if page is not None:
            page["article_url"] = url
            yield page


# -- history and stats ---------------------------------------------------------


def history(db: sqlite_utils.Database, url: str) -> list[dict[str, Any]]:
    """All versions of an article, oldest first, the current row last (``archived_at`` None)."""
    columns = ", ".join(VERSION_COLUMNS)
    with store_errors("cannot read history", url):
        older = _rows(
            db.execute(
                f"SELECT article_url AS url, {columns}, archived_at FROM article_versions"
                " WHERE article_url = ? ORDER BY version",
                [url],
            )
        )
        current = _rows(
            db.execute(f"SELECT url, {columns}, NULL AS archived_at FROM articles WHERE url = ?", [url])
        )
    result = []
    for row in older + current:
        row["authors"] = json.loads(row["authors"]) if row["authors"] else []
        result.append(row)
    return result


def _counts(db: sqlite_utils.Database, sql: str, params: Sequence[Any] = ()) -> dict[Any, int]:
    return {key: int(n) for key, n in db.execute(sql, list(params)).fetchall()}


def _scalar(db: sqlite_utils.Database, sql: str, params: Sequence[Any] = ()) -> Any:
    return db.execute(sql, list(params)).fetchone()[0]


def _dead_links(db: sqlite_utils.Database) -> dict[str, int]:
    """Links that answered 404/410, per host (the crawler's frontier; none before a first crawl)."""
    if not db.table("frontier").exists():
        return {}
    return _counts(db, "SELECT host, count(*) FROM frontier WHERE state = 'failed' AND error_kind = 'dead'"
                       " GROUP BY 1 ORDER BY 2 DESC, 1")


def stats(db: sqlite_utils.Database) -> dict[str, Any]:
    """Figures about the archive.

    Keys: articles, pages, versions, per_site, per_section, per_published_day,
    per_fetched_day, dated_share (0..1), last_run (row or None),
    failures_by_kind, failures_last_run, dead_links_per_site (links that answered
    404/410, by host), multi_member_clusters.
    """
    by = "SELECT {0}, count(*) FROM articles{1} GROUP BY 1 ORDER BY {2}"
    with store_errors("cannot compute stats"):
        total = int(_scalar(db, "SELECT count(*) FROM articles"))
        dated = int(_scalar(db, "SELECT count(*) FROM articles WHERE published IS NOT NULL"))
        last_runs = _rows(db.execute("SELECT * FROM runs ORDER BY id DESC LIMIT 1"))
        last_run = last_runs[0] if last_runs else None
        return {
            "articles": total,
            "pages": int(_scalar(db, "SELECT count(*) FROM pages")),
            "versions": int(_scalar(db, "SELECT count(*) FROM article_versions")),
            "per_site": _counts(db, by.format("site", "", "2 DESC, 1")),
            "per_section": _counts(db, by.format("section", "", "2 DESC, 1")),
            "per_published_day": _counts(
                db, by.format("substr(published, 1, 10)", " WHERE published IS NOT NULL", "1")
            ),
            "per_fetched_day": _counts(db, by.format("substr(fetched_at, 1, 10)", " WHERE fetched_at IS NOT NULL", "1")),
            "dated_share": dated / total if total else 0.0,
            "last_run": last_run,
            "failures_by_kind": _counts(db, "SELECT kind, count(*) FROM failures GROUP BY 1 ORDER BY 2 DESC, 1"),
            "failures_last_run": _counts(
                db,
                "SELECT kind, count(*) FROM failures WHERE run_id = ? GROUP BY 1 ORDER BY 2 DESC, 1",
                [last_run["id"] if last_run else None],
            ),
            "dead_links_per_site": _dead_links(db),
            "multi_member_clusters": int(
                _scalar(
                    db,
                    "SELECT count(*) FROM (SELECT cluster_id FROM articles WHERE cluster_id IS NOT NULL"
                    " GROUP BY cluster_id HAVING count(*) > 1)",
                )
            ),
        }
