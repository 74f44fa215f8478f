"""The datasette plugin behind ``cli.py browse`` (registered by :func:`scraper.research.browse.serve`).

- ``render_cell``: the JSON columns ``authors`` and ``related`` as lists (related as links);
  an article's headline links to its readable page.
- ``register_facet_classes``: a ``month`` facet (``{"month": "published"}``) that selects with
  datasette's own ``published__startswith=YYYY-MM`` filter.
- ``register_routes``: ``/-/article?url=...``, the article as a reader sees it, with provenance.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from datasette import Response, hookimpl
from datasette.facets import Facet
from datasette.utils import escape_sqlite, path_with_added_args, path_with_removed_args
from datasette.utils.asgi import NotFound
from markupsafe import Markup, escape

_JSON_LIST_COLUMNS = frozenset({"authors", "related"})
_ARTICLE_TABLES = frozenset({"articles", "article_versions"})


def article_path(url: str) -> str:
    """The readable page of an article."""
    return "/-/article?url=" + quote(url, safe="")


def _list_markup(column: str, items: list[Any]) -> Markup:
    if not items:
        return Markup('<span class="none">–</span>')
    if column == "authors":
        return Markup("<ul>{}</ul>").format(Markup("").join(Markup("<li>{}</li>").format(a) for a in items))
    links = Markup("").join(
        Markup('<li><a href="{}">{}</a></li>').format(item.get("url", ""), item.get("title") or item.get("url"))
        if isinstance(item, dict) else Markup("<li>{}</li>").format(item) for item in items
    )
    return Markup("<ol>{}</ol>").format(links)


@hookimpl
def render_cell(row: Any, value: Any, column: str, table: str | None, database: str, datasette: Any) -> Any:
    """JSON lists as HTML lists; headlines linked to the article page."""
    if column in _JSON_LIST_COLUMNS and isinstance(value, str) and value.startswith("["):
        try:
            return _list_markup(column, json.loads(value))
        except (ValueError, AttributeError):
            return None
    if column == "headline" and table == "articles" and value:
        try:
            url = row["url"]
        except (KeyError, IndexError):
            return None
        return Markup('<a href="{}">{}</a>').format(article_path(url), value)
    return None


class MonthFacet(Facet):  # type: ignore[misc] - datasette is untyped
    """Counts per calendar month of a date column, newest first."""

    type = "month"

    async def suggest(self) -> list[Any]:
        return []

    async def facet_results(self) -> tuple[list[dict[str, Any]], list[str]]:
        from datasette.database import QueryInterrupted

        results: list[dict[str, Any]] = []
        timed_out: list[str] = []
        args = dict(self.get_querystring_pairs())
        size = self.get_facet_size()
        for item in self.get_configs():
            column = item["config"].get("column") or item["config"]["simple"]
            col = escape_sqlite(column)
            sql = (f"SELECT substr({col}, 1, 7) AS value, count(*) AS count FROM ({self.sql})"
                   f" WHERE {col} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]*' GROUP BY value ORDER BY value DESC"
                   f" LIMIT {size + 1}")
            try:
                rows = await self.ds.execute(self.database, sql, self.params, truncate=False,
                                             custom_time_limit=self.ds.setting("facet_time_limit_ms"))
            except QueryInterrupted:
                timed_out.append(column)
                continue
            key = f"{column}__startswith"
            values = []
            for row in rows.rows[:size]:
                selected = args.get(key) == row["value"]
                change = path_with_removed_args if selected else path_with_added_args
                values.append({"value": row["value"], "label": row["value"], "count": row["count"], "selected": selected,
                               "toggle_url": self.ds.absolute_url(self.request, change(self.request, {key: row["value"]}))})
            results.append({"name": column, "type": self.type, "results": values, "truncated": len(rows.rows) > size,
                            "hideable": item["source"] != "metadata",
                            "toggle_url": path_with_removed_args(self.request, {"_facet_month": column})})
        return results, timed_out


@hookimpl
def register_facet_classes() -> list[type]:
    return [MonthFacet]


def _paragraphs(body: str | None) -> list[str]:
    return [p.strip() for p in (body or "").split("\n") if p.strip()]


async def _article_page(datasette: Any, request: Any) -> Response:
    url = request.args.get("url")
    if not url:
        raise NotFound("give the article's url: /-/article?url=...")
    db = datasette.get_database()
    rows = (await db.execute("SELECT * FROM articles WHERE url = ?", [url])).rows
    if not rows:
        raise NotFound(f"no article with url {url}")
    article = dict(rows[0])
    page = None
    if article.get("page_id"):
        found = (await db.execute(
            "SELECT id, url, final_url, status, fetched_at, raw_size, sha256, http_version, attempts, run_id, headers"
            " FROM pages WHERE id = ?", [article["page_id"]])).rows
        page = dict(found[0]) if found else None
    versions = (await db.execute("SELECT count(*) FROM article_versions WHERE article_url = ?", [url])).first()[0]
    context = {
        "article": article,
        "authors": json.loads(article.get("authors") or "[]"),
        "related": json.loads(article.get("related") or "[]"),
        "paragraphs": _paragraphs(article.get("body")),
        "page": page,
        "older_versions": versions,
        "database": db.name,
        "quoted_url": quote(url, safe=""),
    }
    html = await datasette.render_template("news_article.html", context, request=request)
    return Response.html(html)


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [(r"^/-/article$", _article_page)]
