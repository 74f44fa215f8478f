"""What the archive covers, as SQL aggregates: the figures behind ``cli.py report``.

Every figure is a ``GROUP BY`` in SQLite, so the Python side holds only one row
per (site, day), per source or per run, never one per article: a million
articles are a few walks of the indexes made for it (``articles_mix``, ``articles_published_day``, ... in
:mod:`scraper.store.schema`), not a million rows in memory.

``since`` filters the publication views by ``published`` (like ``search`` and
``export``) and everything else by when it happened (``fetched_at`` for
articles, ``started_at`` for runs): a date filter on ``published`` alone would
drop every undated article and make the dated share look perfect.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from scraper.errors import UsageError

__all__ = ["Coverage", "Gap", "collect_coverage", "gaps_between"]

# A publication day is only charted when the date has day precision (a bare "2021" is dated, not dayed).
_DAY_GLOB = "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"  # matched against substr(x, 1, 10)
_FAILURES_LISTED = 200
_CLUSTERS_LISTED = 50
_RUNS_CHARTED = 500


@dataclass(frozen=True)
class Gap:
    """Days with no article inside a site's covered range (both ends inclusive)."""

    site: str
    first: str
    last: str
    days: int


@dataclass
class Coverage:
    """Everything the report shows; each field is a list of small aggregate rows."""

    since: str | None
    site: str | None
    articles: int = 0
    #: (site, day, articles) by publication day and by fetch day
    published_days: list[tuple[str, str, int]] = field(default_factory=list)
    fetched_days: list[tuple[str, str, int]] = field(default_factory=list)
    #: site -> {"articles", "dated", "dayed"} and site -> {date_source or "undated": n}
    per_site: dict[str, dict[str, int]] = field(default_factory=dict)
    date_sources: dict[str, dict[str, int]] = field(default_factory=dict)
    page_types: dict[str, int] = field(default_factory=dict)
    languages: dict[str, int] = field(default_factory=dict)
    gaps: list[Gap] = field(default_factory=list)
    runs: list[dict[str, Any]] = field(default_factory=list)
    failures_by_kind: dict[str, int] = field(default_factory=dict)
    last_run: dict[str, Any] | None = None
    last_run_failures: list[dict[str, Any]] = field(default_factory=list)
    last_run_failure_count: int = 0
    clusters: list[dict[str, Any]] = field(default_factory=list)
    cluster_count: int = 0

    @property
    def sites(self) -> list[str]:
        """Sites, most articles first."""
        return sorted(self.per_site, key=lambda s: (-self.per_site[s]["articles"], s))

    @property
    def dated(self) -> int:
        """Articles with a publication date."""
        return sum(row["dated"] for row in self.per_site.values())

    def gap_days(self, site: str) -> int:
        """How many days inside the site's covered range have no article."""
        return sum(g.days for g in self.gaps if g.site == site)


def _rows(conn: sqlite3.Connection, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    cursor = conn.execute(sql, params)
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def _where(clauses: list[tuple[str, Any]]) -> tuple[str, list[Any]]:
    """' WHERE a AND b' and its parameters, from (clause, value-or-None) pairs; None values drop out."""
    kept = [(sql, value) for sql, value in clauses if value is not None]
    if not kept:
        return "", []
    return " WHERE " + " AND ".join(sql for sql, _ in kept), [value for _, value in kept]


def _check_since(since: str | None) -> str | None:
    """The date part of ``since`` (YYYY-MM-DD), or a UsageError."""
    if since is None:
        return None
    try:
        return date.fromisoformat(since[:10]).isoformat()
    except ValueError as exc:
        raise UsageError(f"--since must be a date such as 2025-02-22, not {since!r}") from exc


def gaps_between(site: str, days: list[str]) -> list[Gap]:
    """The runs of missing days between the first and last of ``days`` (sorted ISO dates)."""
    gaps: list[Gap] = []
    previous: date | None = None
    for text in days:
        try:
            current = date.fromisoformat(text)
        except ValueError:
            continue
        if previous is not None and (current - previous).days > 1:
            first, last = previous + timedelta(days=1), current - timedelta(days=1)
            gaps.append(Gap(site, first.isoformat(), last.isoformat(), (last - first).days + 1))
        previous = current
    return gaps


def _article_mix(conn: sqlite3.Connection, cov: Coverage, where: str, params: list[Any]) -> None:
    """Per-site totals, date sources, page types and languages from one scan of ``articles_mix``."""
    sql = (
        "SELECT coalesce(site, '(none)'), date_source, page_type, language, count(*), count(published),"
        f" sum(substr(published, 1, 10) GLOB '{_DAY_GLOB}') FROM articles{where} GROUP BY site, date_source, page_type, language"
    )
    types: dict[str, int] = defaultdict(int)
    languages: dict[str, int] = defaultdict(int)
    for site, source, page_type, language, n, dated, dayed in conn.execute(sql, params):
        totals = cov.per_site.setdefault(site, {"articles": 0, "dated": 0, "dayed": 0})
        totals["articles"] += n
        totals["dated"] += dated
        totals["dayed"] += dayed or 0
        mix = cov.date_sources.setdefault(site, {})
        if dated:
            key = source or "(unknown)"
            mix[key] = mix.get(key, 0) + dated
        if n > dated:
            mix["undated"] = mix.get("undated", 0) + n - dated
        types[page_type or "(none)"] += n
        languages[language or "(none)"] += n
    cov.articles = sum(t["articles"] for t in cov.per_site.values())
    cov.page_types = dict(sorted(types.items(), key=lambda kv: (-kv[1], kv[0])))
    cov.languages = dict(sorted(languages.items(), key=lambda kv: (-kv[1], kv[0])))


def _days(conn: sqlite3.Connection, column: str, site: str | None, since: str | None) -> list[tuple[str, str, int]]:
    """(site, day, articles) walking the ``articles_<column>_day`` expression index in order."""
    day = f"substr({column}, 1, 10)"
    where, params = _where([("site = ?", site), (f"{day} >= ?", since)])
    sql = (f"SELECT coalesce(site, '(none)'), {day}, count(*) FROM articles{where}"
           f"{' AND' if where else ' WHERE'} {day} GLOB '{_DAY_GLOB}' GROUP BY site, {day}")
    return sorted((s, d, int(n)) for s, d, n in conn.execute(sql, params))


def _runs(conn: sqlite3.Connection, cov: Coverage, since: str | None) -> None:
    where, params = _where([("started_at >= ?", since)])
    cov.runs = list(reversed(_rows(
        conn,
        "SELECT id, command, started_at, ended_at, fetched, archived, updated, failed, exit_code FROM runs"
        f"{where} ORDER BY id DESC LIMIT {_RUNS_CHARTED}", params,
    )))
    where, params = _where([("at >= ?", since)])
    cov.failures_by_kind = {k or "(none)": int(n) for k, n in conn.execute(
        f"SELECT kind, count(*) FROM failures{where} GROUP BY 1 ORDER BY 2 DESC, 1", params)}
    last = _rows(conn, "SELECT * FROM runs ORDER BY id DESC LIMIT 1", [])
    cov.last_run = last[0] if last else None
    if cov.last_run:
        run_id = cov.last_run["id"]
        cov.last_run_failure_count = conn.execute("SELECT count(*) FROM failures WHERE run_id = ?", [run_id]).fetchone()[0]
        cov.last_run_failures = _rows(
            conn, f"SELECT url, kind, status, attempts, error, at FROM failures WHERE run_id = ? ORDER BY id LIMIT {_FAILURES_LISTED}",
            [run_id])


def _clusters(conn: sqlite3.Connection, cov: Coverage, site: str | None) -> None:
    """Syndication clusters whose members come from more than one site, biggest first.

    Counted over the whole archive (the point is the spread); ``site`` keeps those with a member there.
    The grouping walks the (cluster_id, site) index; the listed few are then described one by one.
    """
    having = " AND sum(site = ?) > 0" if site is not None else ""
    rows = conn.execute(
        "SELECT cluster_id, count(*), count(*) OVER () FROM articles WHERE cluster_id IS NOT NULL GROUP BY cluster_id"
        f" HAVING min(site) <> max(site){having} ORDER BY 2 DESC, 1 LIMIT {_CLUSTERS_LISTED}",
        [site] if site is not None else [],
    ).fetchall()
    cov.cluster_count = rows[0][2] if rows else 0
    cov.clusters = []
    for cluster_id, articles, _ in rows:
        sites, site_list = conn.execute(
            "SELECT count(DISTINCT site), group_concat(DISTINCT site) FROM articles WHERE cluster_id = ?", [cluster_id]
        ).fetchone()
        headline, first = conn.execute(
            "SELECT headline, published FROM articles WHERE cluster_id = ? ORDER BY published IS NULL, published, url"
            " LIMIT 1", [cluster_id],
        ).fetchone()
        cov.clusters.append({"cluster_id": cluster_id, "articles": articles, "sites": sites, "site_list": site_list,
                             "headline": headline, "first_published": first})


def collect_coverage(conn: sqlite3.Connection, *, since: str | None = None, site: str | None = None) -> Coverage:
    """Compute the report's figures with aggregate queries on an open archive connection."""
    since = _check_since(since)
    cov = Coverage(since=since, site=site)
    where, params = _where([("site = ?", site), ("fetched_at >= ?", since)])
    _article_mix(conn, cov, where, params)
    cov.published_days = _days(conn, "published", site, since)
    cov.fetched_days = _days(conn, "fetched_at", site, since)
    by_site: dict[str, list[str]] = defaultdict(list)
    for row_site, day, _ in cov.published_days:
        by_site[row_site].append(day)
    cov.gaps = [gap for s, days in by_site.items() for gap in gaps_between(s, days)]
    _runs(conn, cov, since)
    _clusters(conn, cov, site)
    return cov
