"""Plain-text views for people: stats, version history, one article with provenance."""

from __future__ import annotations

import difflib
import json
from typing import Any

__all__ = ["format_stats", "format_history", "format_article"]


def _table(title: str, rows: Any, limit: int = 15) -> list[str]:
    lines = [title]
    items = list(rows.items()) if isinstance(rows, dict) else list(rows)
    for key, value in items[:limit]:
        lines.append(f"  {str(key or '(none)'):<40} {value}")
    if len(items) > limit:
        lines.append(f"  … {len(items) - limit} more")
    return lines


def format_stats(stats: dict[str, Any]) -> str:
    """The archive at a glance."""
    lines = [f"articles: {stats.get('articles', 0)}"]
    if "dated_share" in stats:
        lines.append(f"with a publication date: {stats['dated_share']:.1%}")
    for key, title in (("per_site", "per site"), ("per_section", "per section"),
                       ("per_published_day", "per published day"), ("per_fetched_day", "per fetched day"),
                       ("failures_by_kind", "failures by kind (all runs)"),
                       ("failures_last_run", "failures by kind (last run)"),
                       ("dead_links_per_site", "dead links (404/410) per site")):
        if stats.get(key):
            lines += _table(title, stats[key])
    if stats.get("multi_member_clusters") is not None:
        lines.append(f"syndication clusters with more than one article: {stats['multi_member_clusters']}")
    run = stats.get("last_run")
    if run:
        lines.append("last run: " + ", ".join(f"{k} {v}" for k, v in run.items() if k not in ("args",)))
    return "\n".join(lines)


def _text(version: dict[str, Any]) -> list[str]:
    parts = [version.get("headline") or "", version.get("lede") or "", version.get("body") or ""]
    return "\n\n".join(p for p in parts if p).splitlines()


def format_history(versions: list[dict[str, Any]]) -> str:
    """Each version with its hash and time, and a unified diff from the one before."""
    lines: list[str] = []
    previous: dict[str, Any] | None = None
    for number, version in enumerate(versions, 1):
        when = version.get("fetched_at") or version.get("archived_at") or "?"
        lines.append(f"version {version.get('version', number)}  {when}  {str(version.get('content_hash'))[:12]}  "
                     f"extractor {version.get('extractor_version')}")
        if previous is not None:
            diff = difflib.unified_diff(_text(previous), _text(version), f"version {number - 1}", f"version {number}",
                                        lineterm="", n=1)
            lines += ["    " + line for line in diff]
        previous = version
    return "\n".join(lines)


def format_article(row: dict[str, Any], page: dict[str, Any] | None) -> str:
    """An article's fields, then where it came from."""
    lines = [row.get("headline") or "(no headline)", ""]
    for key in ("url", "canonical_url", "site", "section", "published", "date_source", "modified", "authors",
                "language", "word_count", "version", "cluster_id", "source_credit", "feed_date", "sitemap_lastmod"):
        if row.get(key) not in (None, "", []):
            lines.append(f"{key:>16}: {row[key]}")
    lines += ["", row.get("lede") or "", "", row.get("body") or "", ""]
    lines.append("provenance:")
    if page is None:
        lines.append("  (no raw page stored)")
    else:
        for key in ("id", "url", "final_url", "status", "fetched_at", "raw_size", "sha256"):
            lines.append(f"  {key:>14}: {page.get(key)}")
        headers = page.get("headers") or {}
        lines.append("  headers: " + json.dumps(headers, ensure_ascii=False)[:800])
    lines.append(f"  extractor_version: {row.get('extractor_version')}")
    return "\n".join(lines)
