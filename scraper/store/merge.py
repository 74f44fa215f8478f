"""Merge archives: shard archives of one crawl (``crawl --shard K/N``), or archives of several machines.

For each source archive, in one transaction of the target:

- ``runs``: copied once per source archive (its resolved path and run id, kept in ``merged_runs``); ids renumbered;
- ``pages``: copied unless the target holds the same bytes for the URL (url + sha256); ids renumbered;
- ``articles``: an article new to the target is copied with its versions and related links. One
  the target already has gets the union of both histories, one version per distinct text
  (``content_hash``, at its earliest fetch): the newest fetch is the current row, every other text
  a version, numbered by fetch time;
- ``frontier``: a URL new to the target is copied; a known one takes the source's state when the
  source checked it later;
- ``failures``: copied unless the same (url, kind, error, time) is there.

Merging the same source twice changes nothing. Syndication clusters are recomputed at the end.
The store knows records only: this module copies rows, it never fetches or parses.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from scraper.errors import StoreError, UsageError
from scraper.store.archive import Archive
from scraper.store.query import store_errors
from scraper.store.schema import ARTICLE_COLUMNS, VERSION_COLUMNS

__all__ = ["merge_archives", "MERGE_COUNTS"]

#: What :func:`merge_archives` counts.
MERGE_COUNTS = ("articles_new", "articles_updated", "versions_added", "pages", "runs", "failures", "frontier")

_RUN_COLUMNS = ("command", "args", "started_at", "ended_at", "fetched", "archived", "updated", "unchanged",
                "not_modified", "skipped", "failed", "exit_code", "pid")
_PAGE_COLUMNS = ("url", "final_url", "status", "headers", "fetched_at", "content", "codec", "raw_size", "sha256",
                 "request_headers", "http_version", "attempts", "redirects", "elapsed")


def _rows(db: Any, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    cursor = db.execute(sql, list(params))
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def _quoted(names: Sequence[str]) -> str:
    return ", ".join(f'"{n}"' for n in names)


def _merge_runs(db: Any, source: str) -> int:
    """Copy the runs not merged from this source before (table ``merged_runs``); fill ``run_map``."""
    # Provenance, not equality: two shard crawls started in the same second by one process are two runs.
    db.execute("CREATE TABLE IF NOT EXISTS main.merged_runs (source TEXT NOT NULL, source_run_id INTEGER NOT NULL,"
               " run_id INTEGER NOT NULL, PRIMARY KEY (source, source_run_id))")
    db.execute("CREATE TEMP TABLE run_map (old INTEGER PRIMARY KEY, new INTEGER)")
    db.execute("INSERT INTO run_map SELECT source_run_id, run_id FROM main.merged_runs WHERE source = ?", [source])
    added = 0
    for row in _rows(db, "SELECT * FROM src.runs WHERE id NOT IN (SELECT old FROM run_map) ORDER BY id"):
        new = db.execute(f"INSERT INTO main.runs ({_quoted(_RUN_COLUMNS)}) VALUES ({', '.join('?' for _ in _RUN_COLUMNS)})",
                         [row[c] for c in _RUN_COLUMNS]).lastrowid
        db.execute("INSERT INTO run_map VALUES (?, ?)", [row["id"], new])
        db.execute("INSERT INTO main.merged_runs VALUES (?, ?, ?)", [source, row["id"], new])
        added += 1
    return added


def _merge_pages(db: Any) -> int:
    db.execute("CREATE TEMP TABLE page_map (old INTEGER PRIMARY KEY, new INTEGER)")
    columns = _quoted(_PAGE_COLUMNS)
    added = db.execute(
        f"INSERT INTO main.pages ({columns}, run_id) SELECT {columns}, (SELECT new FROM run_map WHERE old = s.run_id)"
        " FROM src.pages s WHERE NOT EXISTS (SELECT 1 FROM main.pages p WHERE p.url = s.url AND p.sha256 = s.sha256)"
        " ORDER BY s.id").rowcount
    db.execute("INSERT INTO page_map SELECT s.id, (SELECT min(p.id) FROM main.pages p WHERE p.url = s.url"
               " AND p.sha256 = s.sha256) FROM src.pages s")
    return added


def _page_id(db: Any, old: int | None) -> int | None:
    if old is None:
        return None
    row = db.execute("SELECT new FROM page_map WHERE old = ?", [old]).fetchone()
    return None if row is None else row[0]


def _snapshot(row: dict[str, Any], db: Any | None) -> dict[str, Any]:
    """A version row (VERSION_COLUMNS + archived_at); page ids of the source mapped when ``db`` is given."""
    snap = {name: row.get(name) for name in (*VERSION_COLUMNS, "archived_at")}
    if db is not None:
        snap["page_id"] = _page_id(db, snap["page_id"])
    return snap


def _key(snap: dict[str, Any]) -> tuple[str, int]:
    return snap["fetched_at"] or "", snap["version"] or 0


def _write_versions(db: Any, url: str, versions: list[dict[str, Any]]) -> None:
    db.execute("DELETE FROM main.article_versions WHERE article_url = ?", [url])
    columns = ("article_url", *VERSION_COLUMNS, "archived_at")
    db.conn.executemany(
        f"INSERT INTO main.article_versions ({_quoted(columns)}) VALUES ({', '.join('?' for _ in columns)})",
        [[url, *(v["version"] if n == "version" else v[n] for n in (*VERSION_COLUMNS, "archived_at"))]
         for v in versions],
    )


def _copy_related(db: Any, url: str) -> None:
    db.execute("DELETE FROM main.related_links WHERE article_url = ?", [url])
    db.execute("INSERT INTO main.related_links (article_url, position, url, title)"
               " SELECT article_url, position, url, title FROM src.related_links WHERE article_url = ?", [url])


def _merge_article(db: Any, new: dict[str, Any]) -> str | None:
    """Merge one source article; return "new", "updated" or None (nothing to do)."""
    url = new["url"]
    theirs = _rows(db, "SELECT * FROM src.article_versions WHERE article_url = ? ORDER BY version", [url])
    old = _rows(db, "SELECT * FROM main.articles WHERE url = ?", [url])
    new = {**new, "page_id": _page_id(db, new["page_id"])}
    if not old:
        db.execute(f"INSERT INTO main.articles ({_quoted(ARTICLE_COLUMNS)}) VALUES ({', '.join('?' for _ in ARTICLE_COLUMNS)})",
                   [None if name == "cluster_id" else new[name] for name in ARTICLE_COLUMNS])
        _write_versions(db, url, [_snapshot(v, db) for v in theirs])
        _copy_related(db, url)
        return "new"
    current = old[0]
    ours = _rows(db, "SELECT * FROM main.article_versions WHERE article_url = ? ORDER BY version", [url])
    newer = (new["fetched_at"] or "") > (current["fetched_at"] or "") and new["content_hash"] != current["content_hash"]
    winner, loser = (new, current) if newer else (current, new)
    texts: dict[str, dict[str, Any]] = {}
    for snap in [*(_snapshot(v, None) for v in ours), *(_snapshot(v, db) for v in theirs),
                 {**_snapshot(loser, None), "archived_at": winner["updated_at"]}]:
        known = texts.get(snap["content_hash"])
        # One version per text: its earliest fetch, when the text was first seen.
        if snap["content_hash"] != winner["content_hash"] and (known is None or _key(snap) < _key(known)):
            texts[snap["content_hash"]] = snap
    versions = sorted(texts.values(), key=_key)
    if not newer and [(v["content_hash"], v["fetched_at"]) for v in versions] == [
            (v["content_hash"], v["fetched_at"]) for v in ours]:
        return None  # the target already holds everything this source knows
    for number, version in enumerate(versions, start=1):
        version["version"] = number
    _write_versions(db, url, versions)
    values = {**winner, "version": len(versions) + 1, "cluster_id": current["cluster_id"],
              "first_archived_at": min(filter(None, (current["first_archived_at"], new["first_archived_at"])),
                                       default=None)}
    for name in ("feed_date", "sitemap_lastmod"):
        values[name] = winner[name] if winner[name] is not None else loser[name]
    columns = [name for name in ARTICLE_COLUMNS if name != "url"]
    db.execute(f"UPDATE main.articles SET {', '.join(f'{chr(34)}{c}{chr(34)} = ?' for c in columns)} WHERE url = ?",
               [*(values[c] for c in columns), url])
    if newer:
        _copy_related(db, url)
    return "updated"


def _merge_frontier(db: Any) -> int:
    if db.execute("SELECT 1 FROM src.sqlite_master WHERE name = 'frontier'").fetchone() is None:
        return 0
    if db.execute("SELECT 1 FROM main.sqlite_master WHERE name = 'frontier'").fetchone() is None:
        for (sql,) in db.execute("SELECT sql FROM src.sqlite_master WHERE tbl_name = 'frontier' AND sql IS NOT NULL"
                                 " ORDER BY type DESC").fetchall():
            db.execute(sql)  # the table first ("table" > "index"), then its indexes
    columns = [row[1] for row in db.execute("PRAGMA src.table_info(frontier)")]
    updates = ", ".join(f'"{c}" = excluded."{c}"' for c in columns if c != "url")
    return db.execute(
        f"INSERT INTO main.frontier ({_quoted(columns)}) SELECT {_quoted(columns)} FROM src.frontier WHERE true"
        f" ON CONFLICT(url) DO UPDATE SET {updates}"
        " WHERE coalesce(excluded.last_checked_at, '') > coalesce(frontier.last_checked_at, '')").rowcount


def _merge_failures(db: Any) -> int:
    columns = ("url", "kind", "error", "attempts", "status", "at")
    match = " AND ".join(f"f.{c} IS s.{c}" for c in ("url", "kind", "error", "at"))
    return db.execute(
        f"INSERT INTO main.failures ({_quoted(columns)}, run_id) SELECT {_quoted(columns)},"
        f" (SELECT new FROM run_map WHERE old = s.run_id) FROM src.failures s"
        f" WHERE NOT EXISTS (SELECT 1 FROM main.failures f WHERE {match}) ORDER BY s.id").rowcount


def _merge_one(target: Archive, source: Path) -> dict[str, int]:
    counts = dict.fromkeys(MERGE_COUNTS, 0)
    db = target.db
    with store_errors("cannot merge archive", str(source)):
        db.execute("ATTACH DATABASE ? AS src", [str(source)])
    try:
        with target.transaction(), store_errors("cannot merge archive", str(source)):
            if db.execute("SELECT 1 FROM src.sqlite_master WHERE name = 'articles'").fetchone() is None:
                raise UsageError("not an archive (no articles table)", url=str(source))
            counts["runs"] = _merge_runs(db, str(source.resolve()))
            counts["pages"] = _merge_pages(db)
            before = db.execute("SELECT count(*) FROM main.article_versions").fetchone()[0]
            for row in _rows(db, "SELECT * FROM src.articles ORDER BY url"):
                verdict = _merge_article(db, row)
                if verdict:
                    counts[f"articles_{verdict}"] += 1
            counts["versions_added"] = db.execute("SELECT count(*) FROM main.article_versions").fetchone()[0] - before
            counts["frontier"] = _merge_frontier(db)
            counts["failures"] = _merge_failures(db)
            db.execute("DROP TABLE temp.run_map")
            db.execute("DROP TABLE temp.page_map")
    finally:
        db.execute("DETACH DATABASE src")
    return counts


def merge_archives(target: Archive, sources: Sequence[str | Path]) -> dict[str, int]:
    """Merge each source archive into ``target`` (idempotent); return the summed :data:`MERGE_COUNTS`.

    Raises:
        UsageError: a source does not exist, is the target itself, or is not an archive.
        StoreError: SQLite failed.
    """
    from scraper.store.clusters import assign_clusters

    totals = dict.fromkeys(MERGE_COUNTS, 0)
    for source in sources:
        path = Path(source)
        if not path.is_file():
            raise UsageError("no such archive", url=str(path))
        if path.resolve() == target.path.resolve():
            raise UsageError("cannot merge an archive into itself", url=str(path))
        try:
            for name, value in _merge_one(target, path).items():
                totals[name] += value
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot merge archive: {exc}", url=str(path)) from exc
    if totals["articles_new"] or totals["articles_updated"]:
        assign_clusters(target)
    return totals
