"""The persistent crawl frontier: every URL the archive knows, with its state.

States: ``pending`` (to fetch), ``active`` (handed to a fetch in this run;
reset to pending when the run ends, or by the next run when it was killed),
``done``, ``failed`` (``next_try_at`` set when worth retrying in a later run,
NULL when not; ``error_kind = 'dead'`` for a link that answered 404/410, checked
again only with ``refresh``).

The frontier lives in the archive's SQLite file, so a run killed with
SIGKILL resumes where it stopped: a URL is ``done`` only in the same
transaction that saved its article.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import sqlite_utils

from scraper.crawler.discover import Link
from scraper.crawler.urls import host_of as _host

__all__ = ["Frontier", "FrontierEntry", "LISTING_KINDS", "utcnow"]

#: Kinds that are rechecked on every run (they list new stories).
LISTING_KINDS = ("seed", "index", "feed", "sitemap")
#: Failure kinds worth another try in a later run.
TRANSIENT = frozenset({"timeout", "connection", "http_status", "too_large"})
MAX_RUN_RETRIES = 5


def utcnow() -> str:
    """Now, as the ISO text stored everywhere in the archive."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class FrontierEntry:
    """One row of the frontier, as the crawler needs it."""

    url: str
    kind: str
    depth: int
    attempts: int
    etag: str | None
    last_modified: str | None
    feed_date: str | None
    sitemap_lastmod: str | None


class Frontier:
    """The ``frontier`` table of an archive database."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        table = db.table("frontier")
        if not table.exists():
            table.create(
                {
                    "url": str, "host": str, "kind": str, "state": str, "priority": int, "depth": int,
                    "found_on": str, "attempts": int, "next_try_at": str, "error_kind": str, "last_error": str,
                    "etag": str, "last_modified": str, "last_status": int, "last_checked_at": str,
                    "archived": int, "feed_date": str, "sitemap_lastmod": str, "added_at": str,
                },
                pk="url",
                not_null={"state", "kind"},
                defaults={"state": "pending", "attempts": 0, "priority": 5, "depth": 0, "archived": 0},
                if_not_exists=True,
            )
            table.create_index(["state", "priority"], if_not_exists=True)

    def begin_run(self, *, refresh: bool = False, refresh_after_days: float | None = None) -> None:
        """Prepare for a run: resume a killed one, requeue listings and due retries."""
        now = utcnow()
        conn = self.db.conn
        self.release_active()
        marks = ",".join("?" * len(LISTING_KINDS))
        conn.execute(f"UPDATE frontier SET state = 'pending' WHERE state = 'done' AND kind IN ({marks})", LISTING_KINDS)
        conn.execute(
            "UPDATE frontier SET state = 'pending' WHERE state = 'failed' AND next_try_at IS NOT NULL AND next_try_at <= ?",
            (now,),
        )
        if refresh:
            conn.execute("UPDATE frontier SET state = 'pending' WHERE state = 'done'")
            # Dead links (404/410) are checked again only when asked to.
            conn.execute("UPDATE frontier SET state = 'pending' WHERE state = 'failed' AND error_kind = 'dead'")
        elif refresh_after_days is not None:
            cutoff = (datetime.now(timezone.utc) - timedelta(days=refresh_after_days)).strftime("%Y-%m-%dT%H:%M:%SZ")
            conn.execute(
                "UPDATE frontier SET state = 'pending' WHERE state = 'done' AND (last_checked_at IS NULL OR last_checked_at <= ?)",
                (cutoff,),
            )

    def add_seeds(self, links: Iterable[Link], *, force: bool = True) -> None:
        """Queue seeds; a known seed is set pending again (seeds are always rechecked)."""
        for link in links:
            kind = link.kind if link.kind in ("feed", "sitemap", "article") else "seed"
            self._insert([link], kind_override=kind, depth=0, found_on=None, priority=0)
            if force:
                self.db.conn.execute("UPDATE frontier SET state = 'pending' WHERE url = ? AND state != 'active'", (link.url,))

    def add(self, links: Sequence[Link], *, depth: int, found_on: str | None) -> int:
        """Queue newly discovered links; known ones are left alone. Returns how many were new."""
        return self._insert(links, kind_override=None, depth=depth, found_on=found_on, priority=None)

    def _insert(self, links: Iterable[Link], *, kind_override: str | None, depth: int, found_on: str | None,
                priority: int | None) -> int:
        now = utcnow()
        rows = []
        for link in links:
            kind = kind_override or link.kind
            prio = priority if priority is not None else {"feed": 0, "sitemap": 0, "index": 1, "article": 2}.get(kind, 3)
            rows.append((link.url, _host(link.url), kind, prio, depth, found_on, link.feed_date, link.sitemap_lastmod, now))
        before = self.db.conn.total_changes
        self.db.conn.executemany(
            "INSERT OR IGNORE INTO frontier (url, host, kind, priority, depth, found_on, feed_date, sitemap_lastmod, added_at, state) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending')",
            rows,
        )
        # Listings may tell us dates for URLs we already knew: keep them, labelled.
        self.db.conn.executemany(
            "UPDATE frontier SET feed_date = COALESCE(?, feed_date), sitemap_lastmod = COALESCE(?, sitemap_lastmod) "
            "WHERE url = ? AND (? IS NOT NULL OR ? IS NOT NULL)",
            [(r[6], r[7], r[0], r[6], r[7]) for r in rows if r[6] or r[7]],
        )
        return self.db.conn.total_changes - before

    def take(self, limit: int, *, only: Collection[str] | None = None) -> list[FrontierEntry]:
        """Up to ``limit`` pending URLs (among ``only`` when given), best first, marked active."""
        among = "" if only is None else "AND url IN (SELECT value FROM json_each(?)) "
        cursor = self.db.conn.execute(
            "SELECT url, kind, depth, attempts, etag, last_modified, feed_date, sitemap_lastmod FROM frontier "
            f"WHERE state = 'pending' {among}ORDER BY priority, rowid LIMIT ?",
            (limit,) if only is None else (json.dumps(sorted(only)), limit),
        )
        entries = [FrontierEntry(*row) for row in cursor.fetchall()]
        self.db.conn.executemany("UPDATE frontier SET state = 'active' WHERE url = ?", [(e.url,) for e in entries])
        return entries

    def pending_count(self) -> int:
        """How many URLs wait to be fetched."""
        return int(self.db.conn.execute("SELECT count(*) FROM frontier WHERE state IN ('pending', 'active')").fetchone()[0])

    def known_article(self, url: str) -> bool:
        """True when ``url`` is already archived as an article."""
        row = self.db.conn.execute("SELECT archived FROM frontier WHERE url = ?", (url,)).fetchone()
        return bool(row and row[0])

    def mark_done(self, url: str, *, kind: str, status: int, etag: str | None, last_modified: str | None,
                  archived: bool) -> None:
        """Record a successful fetch (200 or 304)."""
        self.db.conn.execute(
            "INSERT INTO frontier (url, host, kind, state, added_at) VALUES (?, ?, ?, 'done', ?) "
            "ON CONFLICT(url) DO UPDATE SET state = 'done', kind = excluded.kind",
            (url, _host(url), kind, utcnow()),
        )
        self.db.conn.execute(
            "UPDATE frontier SET last_status = ?, etag = COALESCE(?, etag), last_modified = COALESCE(?, last_modified), "
            "last_checked_at = ?, archived = MAX(archived, ?), attempts = 0, next_try_at = NULL, error_kind = NULL, "
            "last_error = NULL WHERE url = ?",
            (status, etag, last_modified, utcnow(), int(archived), url),
        )

    def mark_failed(self, url: str, *, error_kind: str, error: str, status: int | None = None) -> None:
        """Record a failure; transient ones are retried in a later run, with growing gaps."""
        row = self.db.conn.execute("SELECT attempts FROM frontier WHERE url = ?", (url,)).fetchone()
        attempts = (row[0] if row else 0) + 1
        next_try = None
        if error_kind in TRANSIENT and attempts < MAX_RUN_RETRIES:
            next_try = (datetime.now(timezone.utc) + timedelta(minutes=30 * 2 ** (attempts - 1))).strftime("%Y-%m-%dT%H:%M:%SZ")
        self.db.conn.execute(
            "UPDATE frontier SET state = 'failed', attempts = ?, next_try_at = ?, error_kind = ?, last_error = ?, "
            "last_status = COALESCE(?, last_status), last_checked_at = ? WHERE url = ?",
            (attempts, next_try, error_kind, error[:500], status, utcnow(), url),
        )

    def release_active(self) -> None:
        """Put every active URL back to pending: what a run (this one, or one that died) left unfinished.

        Only the run holding the archive's lock calls this, so no other run owns an active row.
        """
        self.db.conn.execute("UPDATE frontier SET state = 'pending' WHERE state = 'active'")

    def release(self, urls: Iterable[str]) -> None:
        """Put active URLs back to pending (a run stopped by its budget)."""
        self.db.conn.executemany("UPDATE frontier SET state = 'pending' WHERE url = ? AND state = 'active'", [(u,) for u in urls])

