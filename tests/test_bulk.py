"""Bulk writes (``scraper.store.bulk``) and the batched Parquet loader, against real SQLite files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from scraper.errors import StoreError, UsageError
from scraper.store.archive import Archive
from scraper.store.bulk import save_articles, save_pages
from scraper.store.compression import compress
from scraper.store.clusters import save_signature, save_signatures, signature
from tests.test_store import make_article, make_page

WRITE_TIMES = {"first_archived_at", "updated_at", "archived_at"}


def dump(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """What the archive holds, write times left out, in a stable order."""
    out = {}
    with sqlite3.connect(path) as conn:
        for table in ("articles", "article_versions", "related_links", "minhashes", "minhash_bands",
                      "cluster_pending"):
            cursor = conn.execute(f"SELECT * FROM {table}")
            keep = [i for i, col in enumerate(cursor.description) if col[0] not in WRITE_TIMES]
            out[table] = sorted(tuple(row[i] for i in keep) for row in cursor.fetchall())
        out["fts"] = sorted(conn.execute("SELECT rowid, headline FROM articles_fts").fetchall())
    return out


def batch() -> list:
    """New, archived-unchanged, archived-changed, and the same new url twice (second one changed)."""
    changed = make_article(1).replace(content_hash="hash-1-b", body="A corrected body.", related=[])
    twice = make_article(7).replace(content_hash="hash-7-b", headline="Story 7, updated in the same batch")
    return [make_article(5), make_article(0), changed, make_article(7), make_article(6), twice, make_article(8)]


def test_bulk_save_is_the_same_as_saving_one_by_one(tmp_path: Path) -> None:
    verdicts = {}
    for mode in ("one-by-one", "bulk"):
        with Archive(tmp_path / f"{mode}.db") as archive:
            for i in (0, 1):  # archived before the batch
                archive.save_article(make_article(i))
            items = batch()
            if mode == "bulk":
                verdicts[mode] = save_articles(archive, [(article, None) for article in items])
                save_signatures(archive, [(a.url, a.content_hash, signature(a.body)) for a in items])
            else:
                verdicts[mode] = [archive.save_article(article) for article in items]
                for article in items:
                    save_signature(archive, article.url, article.content_hash, signature(article.body))
    assert verdicts["bulk"] == verdicts["one-by-one"] == ["new", "unchanged", "updated", "new", "new", "updated",
                                                          "new"]
    bulk, single = dump(tmp_path / "bulk.db"), dump(tmp_path / "one-by-one.db")
    assert bulk == single
    assert len(bulk["articles"]) == 6 and len(bulk["article_versions"]) == 2
    # make_article(1)'s related links were replaced by none, the others kept theirs.
    assert {row[0] for row in bulk["related_links"]} == {make_article(i).url for i in (0, 5, 6, 7, 8)}


def test_bulk_page_save_gives_the_ids_and_rows_of_saving_one_by_one(tmp_path: Path) -> None:
    """New pages, a URL stored before (same bytes: its row; new bytes: a new row), and one URL twice in the batch."""
    base = "https://kazpost.example/"
    before = [make_page(base + "a", b"<p>a</p>"), make_page(base + "b", b"<p>b</p>")]
    items = [make_page(base + "c", b"<p>c</p>"), make_page(base + "a", b"<p>a</p>"), make_page(base + "b", b"<p>b, new</p>"),
             make_page(base + "d", b"<p>d</p>"), make_page(base + "d", b"<p>d</p>"), make_page(base + "e", b"<p>e</p>")]
    ids, rows = {}, {}
    for mode in ("one-by-one", "bulk"):
        with Archive(tmp_path / f"{mode}.db") as archive:
            for page in before:
                archive.save_page(page, run_id=1)
            if mode == "bulk":
                ids[mode] = save_pages(archive, [(page, compress(page.content)) for page in items], run_id=2)
            else:
                ids[mode] = [archive.save_page(page, run_id=2) for page in items]
            rows[mode] = archive.db.execute("SELECT * FROM pages ORDER BY id").fetchall()
    assert ids["bulk"] == ids["one-by-one"] == [3, 1, 4, 5, 5, 6]
    assert rows["bulk"] == rows["one-by-one"]


def test_bulk_page_save_refuses_an_unknown_codec_before_writing(tmp_path: Path) -> None:
    with Archive(tmp_path / "a.db") as archive:
        with pytest.raises(UsageError, match="unknown codec 'lzma'"):
            save_pages(archive, [(make_page("https://kazpost.example/a", b"x"), (b"x", "lzma"))])
        assert archive.db.execute("SELECT count(*) FROM pages").fetchone()[0] == 0


def test_bulk_save_is_one_transaction(tmp_path: Path) -> None:
    items = [(make_article(i), None) for i in range(3)]
    items.append((make_article(3).replace(related=[{"title": "boom", "url": "https://example.org/x"}]), None))
    with Archive(tmp_path / "a.db") as archive:
        archive.db.execute("CREATE TRIGGER refuse BEFORE INSERT ON related_links WHEN NEW.title = 'boom'"
                           " BEGIN SELECT RAISE(ABORT, 'refused'); END")
        with pytest.raises(StoreError, match="cannot save articles: refused"):
            save_articles(archive, items)
        assert archive.count_articles() == 0
        assert archive.db.execute("SELECT count(*) FROM related_links").fetchone()[0] == 0
