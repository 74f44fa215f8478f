"""``cli.py browse``: datasette on the archive, set up for reading news.

The metadata (titles, descriptions, facets, canned queries) is generated here
as a dict and handed to datasette; :mod:`scraper.research.browse_plugin` adds a
month facet, JSON columns shown as lists and a readable article page at
``/-/article?url=...``. datasette is the optional ``[browse]`` extra.

Read-only by default: the archive is opened *immutable* (no locks, no writes;
counts are cached). ``live=True`` opens it read-only but mutable, so a crawl
running at the same time shows up on reload.
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

from scraper.errors import UsageError

__all__ = ["archive_metadata", "serve", "require_datasette", "TEMPLATES"]

TEMPLATES = Path(__file__).resolve().parent / "templates"
_DAY_GLOB = "'[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*'"

_ARTICLE_COLUMNS = {
    "url": "The archive key: the canonical form of the page's address.",
    "site": "The host the article was fetched from.",
    "headline": "Click it for the readable article page.",
    "published": "Publication date; null when the page gives no honest date (never the masthead date).",
    "date_source": "Where the date came from: jsonld, meta, dateline, url, feed, sitemap ...",
    "modified": "Last modification date, when the page states one.",
    "authors": "Bylines, as a list.",
    "related": "The 'Related Articles' pool, kept out of the body.",
    "page_type": "article, listing, ... as far as the extractor can tell.",
    "fetched_at": "When this version was fetched (UTC).",
    "cluster_id": "Syndication cluster: the same story on several sites shares it.",
    "version": "How many versions of the text have been archived.",
}

_QUERIES: dict[str, dict[str, Any]] = {
    "undated_articles": {
        "title": "Undated articles",
        "description": "Articles with no honest publication date, newest fetch first.",
        "sql": "SELECT url, site, section, headline, fetched_at FROM articles WHERE published IS NULL"
               " ORDER BY fetched_at DESC",
    },
    "articles_per_day": {
        "title": "Articles per publication day",
        "description": "How many articles each site published each day (day-precise dates only).",
        "sql": "SELECT substr(published, 1, 10) AS day, site, count(*) AS articles FROM articles"
               f" WHERE published GLOB {_DAY_GLOB} GROUP BY day, site ORDER BY day DESC, site",
    },
    "last_run_failures": {
        "title": "The last run's failures",
        "description": "Every URL the most recent run could not fetch or extract.",
        "sql": "SELECT f.url, f.kind, f.status, f.attempts, f.error, f.at, r.command, r.started_at FROM failures f"
               " JOIN runs r ON r.id = f.run_id WHERE f.run_id = (SELECT max(id) FROM runs) ORDER BY f.id",
    },
    "versions_of_article": {
        "title": "An article's versions",
        "description": "The current text and every superseded version of one article (give its url).",
        "sql": "SELECT version, 'current' AS kept, fetched_at, content_hash, headline, extractor_version"
               " FROM articles WHERE url = :url UNION ALL"
               " SELECT version, archived_at, fetched_at, content_hash, headline, extractor_version"
               " FROM article_versions WHERE article_url = :url ORDER BY version DESC",
    },
}


def archive_metadata(database: str) -> dict[str, Any]:
    """datasette metadata for an archive served under the name ``database`` (the file's stem)."""
    hidden = {name: {"hidden": True} for name in
              ("_migrations", "minhashes", "minhash_bands", "cluster_pending", "cluster_state")}
    return {
        "title": "news-archiver",
        "description": "Archived news articles with honest publication dates, their versions and provenance. "
                       "Open an article's headline for a readable page.",
        "databases": {
            database: {
                "description": "One row per article (current version); versions, raw pages and runs beside it.",
                "queries": _QUERIES,
                "tables": {
                    **hidden,
                    "articles": {
                        "description": "The current version of every archived article. Full-text search covers "
                                       "headline, lede and body.",
                        "label_column": "headline",
                        "facets": ["site", "section", "language", "page_type", "date_source", {"month": "published"}],
                        "sort_desc": "fetched_at",
                        "columns": _ARTICLE_COLUMNS,
                    },
                    "article_versions": {"description": "Superseded versions of articles (text and provenance)."},
                    "related_links": {"description": "The related-article links of each article, in page order."},
                    "pages": {"description": "Raw fetched pages (compressed bytes), headers and fetch details."},
                    "runs": {"description": "Every crawl/fetch run with its counters.", "sort_desc": "id"},
                    "failures": {"description": "URLs that could not be fetched or extracted, per run.",
                                 "facets": ["kind", "run_id"], "sort_desc": "id"},
                    "frontier": {"description": "The crawl frontier: URLs seen and their state."},
                },
            }
        },
    }


def require_datasette() -> None:
    """Raise a :class:`UsageError` naming the ``[browse]`` extra when datasette is missing."""
    try:
        import datasette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        raise UsageError("browse needs datasette: pip install -e '.[browse]'") from exc


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise UsageError(f"cannot listen on {host}:{port} ({exc.strerror}); try another --port") from exc
    sock.listen(64)
    return sock


def serve(db_path: Path, *, host: str = "127.0.0.1", port: int = 8001, live: bool = False,
          on_ready: Any = None) -> None:
    """Serve the archive with datasette until interrupted; ``on_ready(url)`` is called once listening."""
    require_datasette()
    import uvicorn
    from datasette.app import Datasette
    from datasette.plugins import pm

    from scraper.research import browse_plugin

    if not pm.is_registered(browse_plugin):
        pm.register(browse_plugin, name="news-archiver")
    path = str(db_path)
    ds = Datasette(
        files=[path] if live else [], immutables=[] if live else [path],
        metadata=archive_metadata(db_path.stem), template_dir=str(TEMPLATES),
        settings={"truncate_cells_html": 200, "facet_time_limit_ms": 1000, "sql_time_limit_ms": 3000},
    )
    sock = _bind(host, port)
    shown_host = f"[{host}]" if ":" in host else host
    if on_ready is not None:
        on_ready(f"http://{shown_host}:{sock.getsockname()[1]}/")
    server = uvicorn.Server(uvicorn.Config(ds.app(), log_level="warning", lifespan="on"))
    server.run(sockets=[sock])
