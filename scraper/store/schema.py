"""The archive's SQLite schema and its migrations.

Migrations are named and recorded in a ``_migrations`` table (name, applied_at)
instead of ``PRAGMA user_version``, so other modules that share the file (the
crawl frontier) can keep their own migrations there without clashing.
Each migration runs once, inside the caller's transaction.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime, timezone

import sqlite_utils

from scraper.models import Article

__all__ = [
    "ARTICLE_FIELDS",
    "ARTICLE_EXTRA_COLUMNS",
    "ARTICLE_COLUMNS",
    "VERSION_COLUMNS",
    "RUN_COUNT_COLUMNS",
    "FTS_COLUMNS",
    "FTS_TOKENIZER",
    "MIGRATIONS",
    "ensure_schema",
    "applied_migrations",
]

#: Columns copied one to one from :class:`scraper.models.Article`.
ARTICLE_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Article))

#: Archive bookkeeping kept next to the Article fields.
ARTICLE_EXTRA_COLUMNS: tuple[str, ...] = (
    "version",
    "page_id",
    "first_archived_at",
    "updated_at",
    "feed_date",
    "sitemap_lastmod",
    "cluster_id",
)

ARTICLE_COLUMNS: tuple[str, ...] = ARTICLE_FIELDS + ARTICLE_EXTRA_COLUMNS

#: What a superseded version keeps (enough to diff the text and see its provenance).
VERSION_COLUMNS: tuple[str, ...] = (
    "version",
    "content_hash",
    "headline",
    "lede",
    "body",
    "published",
    "authors",
    "page_id",
    "extractor_version",
    "fetched_at",
)

#: Per-run counters in the ``runs`` table.
RUN_COUNT_COLUMNS: tuple[str, ...] = (
    "fetched",
    "archived",
    "updated",
    "unchanged",
    "not_modified",
    "skipped",
    "failed",
)

FTS_COLUMNS: tuple[str, ...] = ("headline", "lede", "body")

# unicode61 case-folds Cyrillic as well as Latin; remove_diacritics=2 folds
# Latin accents (café = cafe) but leaves Kazakh letters such as қ, ә, ү alone,
# which is right: they are letters of their own, not accented variants.
FTS_TOKENIZER = "unicode61 remove_diacritics 2"

_TYPES: dict[str, type] = {
    "authors": str,
    "related": str,
    "word_count": int,
    "status": int,
    "version": int,
    "page_id": int,
}


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _create_pages(db: sqlite_utils.Database) -> None:
    db.table("pages").create(
        {
            "id": int,
            "url": str,
            "final_url": str,
            "status": int,
            "headers": str,
            "fetched_at": str,
            "content": bytes,
            "codec": str,
            "raw_size": int,
            "sha256": str,
            "run_id": int,
            "request_headers": str,
            "http_version": str,
            "attempts": int,
            "redirects": str,
            "elapsed": float,
        },
        pk="id",
        not_null={"url", "content", "codec", "sha256"},
        if_not_exists=True,
    )
    db.table("pages").create_index(["url"], if_not_exists=True)
    db.table("pages").create_index(["final_url"], if_not_exists=True)


def _create_articles(db: sqlite_utils.Database) -> None:
    columns: dict[str, type] = {name: _TYPES.get(name, str) for name in ARTICLE_COLUMNS}
    db.table("articles").create(
        columns,
        pk="url",
        not_null={"url", "version"},
        defaults={"version": 1},
        foreign_keys=[("page_id", "pages", "id")],
        if_not_exists=True,
    )
    for index in (["site"], ["published"], ["cluster_id"]):
        db.table("articles").create_index(index, if_not_exists=True)


def _create_history(db: sqlite_utils.Database) -> None:
    db.table("article_versions").create(
        {
            "id": int,
            "article_url": str,
            **{name: _TYPES.get(name, str) for name in VERSION_COLUMNS},
            "archived_at": str,
        },
        pk="id",
        not_null={"article_url", "version"},
        foreign_keys=[("article_url", "articles", "url"), ("page_id", "pages", "id")],
        if_not_exists=True,
    )
    db.table("article_versions").create_index(
        ["article_url", "version"], unique=True, if_not_exists=True
    )
    db.table("related_links").create(
        {"article_url": str, "position": int, "url": str, "title": str},
        pk=("article_url", "position"),
        foreign_keys=[("article_url", "articles", "url")],
        if_not_exists=True,
    )
    db.table("related_links").create_index(["url"], if_not_exists=True)


def _create_runs(db: sqlite_utils.Database) -> None:
    db.table("runs").create(
        {
            "id": int,
            "command": str,
            "args": str,
            "started_at": str,
            "ended_at": str,
            **{name: int for name in RUN_COUNT_COLUMNS},
            "exit_code": int,
            "pid": int,
        },
        pk="id",
        if_not_exists=True,
    )
    db.table("failures").create(
        {
            "id": int,
            "run_id": int,
            "url": str,
            "kind": str,
            "error": str,
            "attempts": int,
            "status": int,
            "at": str,
        },
        pk="id",
        foreign_keys=[("run_id", "runs", "id")],
        if_not_exists=True,
    )
    db.table("failures").create_index(["run_id"], if_not_exists=True)
    db.table("failures").create_index(["kind"], if_not_exists=True)


def _initial(db: sqlite_utils.Database) -> None:
    _create_pages(db)
    _create_articles(db)
    _create_history(db)
    _create_runs(db)
    # sqlite-utils' standard name and triggers, so `datasette archive.db` offers search.
    db.table("articles").enable_fts(
        list(FTS_COLUMNS), create_triggers=True, tokenize=FTS_TOKENIZER
    )


def _narrow_fts_update(db: sqlite_utils.Database) -> None:
    """Re-index only when the indexed text changes, not on every update of a row
    (setting a cluster id must not re-index a whole body)."""
    columns = ", ".join(f'"{c}"' for c in FTS_COLUMNS)
    old = ", ".join(f'old."{c}"' for c in FTS_COLUMNS)
    new = ", ".join(f'new."{c}"' for c in FTS_COLUMNS)
    db.execute('DROP TRIGGER IF EXISTS "articles_au"')
    db.execute(
        f'CREATE TRIGGER "articles_au" AFTER UPDATE OF {columns} ON "articles" BEGIN\n'
        f'  INSERT INTO "articles_fts" ("articles_fts", rowid, {columns}) VALUES(\'delete\', old.rowid, {old});\n'
        f'  INSERT INTO "articles_fts" (rowid, {columns}) VALUES (new.rowid, {new});\n'
        "END"
    )


def _run_errors(db: sqlite_utils.Database) -> None:
    """``runs.error``: why a run did not end cleanly (died, killed, interrupted); NULL when it did."""
    if "error" not in db.table("runs").columns_dict:
        db.execute('ALTER TABLE "runs" ADD COLUMN "error" TEXT')


def _coverage_indexes(db: sqlite_utils.Database) -> None:
    """Indexes for the coverage report, so its GROUP BYs walk an index in group order
    (no sort, no article row read) and a million articles take a second, not a minute."""
    for name, columns in (
        ("articles_mix", "site, date_source, page_type, language, published, fetched_at"),
        ("articles_published_day", "site, substr(published, 1, 10)"),
        ("articles_fetched_day", "site, substr(fetched_at, 1, 10)"),
        ("articles_cluster_site", "cluster_id, site"),
    ):
        db.execute(f"CREATE INDEX IF NOT EXISTS {name} ON articles ({columns})")


#: Ordered (name, step) pairs; append only, never edit a released step.
MIGRATIONS: tuple[tuple[str, Callable[[sqlite_utils.Database], None]], ...] = (
    ("store-0001-initial", _initial),
    ("store-0002-fts-update-on-text-only", _narrow_fts_update),
    ("store-0003-runs-error", _run_errors),
    ("store-0004-coverage-indexes", _coverage_indexes),
)


def applied_migrations(db: sqlite_utils.Database) -> list[str]:
    """Names of the migrations already applied to this database."""
    if not db.table("_migrations").exists():
        return []
    return [row[0] for row in db.execute("SELECT name FROM _migrations ORDER BY rowid")]


def ensure_schema(db: sqlite_utils.Database) -> list[str]:
    """Apply the missing migrations (caller holds a write transaction); return their names."""
    db.table("_migrations").create(
        {"name": str, "applied_at": str}, pk="name", if_not_exists=True
    )
    done = set(applied_migrations(db))
    applied: list[str] = []
    for name, step in MIGRATIONS:
        if name in done:
            continue
        step(db)
        db.execute("INSERT INTO _migrations (name, applied_at) VALUES (?, ?)", [name, _now()])
        applied.append(name)
    return applied
