"""The archive store against a real SQLite file in tmp_path."""

from __future__ import annotations

import dataclasses
import difflib
import json
import sqlite3
import sys
import threading
import time
import tracemalloc
import types
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scraper.errors import StoreError, UsageError
from scraper.models import Article, Page
from scraper.store.archive import Archive, compress, decompress
from scraper.store.schema import ARTICLE_COLUMNS, MIGRATIONS, applied_migrations

PARAGRAPHS = [
    "Two ethnic Kazakh citizens of China who unlawfully smuggled their way into Kazakhstan to flee what they say "
    "was systematic repression have been arrested and will likely soon face trial in a remote region of the country.",
    "The men, Kaster Musakhan and Murager Alimuly, were arrested on October 14, following a press conference in "
    "Almaty in which they stated their intent to apply for asylum in Kazakhstan.",
    "“When we turned up, they were closed for lunch,” activist Bekzat Maksutkhan, who accompanied Musakhan and "
    "Alimuly, told Eurasianet.",
    "Maksutkhan said three lawyers have come forward expressing their readiness to represent the two men, but that "
    "only one of them, Bauyrzhan Azanov, has so far been granted access.",
    "Beijing strenuously denies the mounting international claims that it is implementing a systematic policy to "
    "obliterate the beliefs and customs of the ethnic Uyghurs, Kazakhs, Kyrgyz and other minorities.",
    "Officials mostly fumbled the case of Sayragul Sauytbay, an ethnic Kazakh woman who likewise entered Kazakhstan "
    "unlawfully in 2018.",
]

RELATED_TITLES = [
    "Tesla shares slide as deliveries miss forecasts", "Central bank holds rates amid inflation worries",
    "Astana hosts regional summit on water security", "Wheat exports rise for a third straight month",
    "New rail link to shorten freight times to Europe", "Parliament debates changes to the land code",
    "Oil output steady despite pipeline maintenance", "Tech start-ups court investors in Almaty",
    "Heatwave strains power grid in southern regions", "Football federation names new head coach",
]


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    with Archive(tmp_path / "archive.db") as arc:
        yield arc


def make_article(i: int = 0, **changes: Any) -> Article:
    base = Article(
        url=f"https://example.com/story-{i}",
        canonical_url=f"https://example.com/story-{i}",
        site="example.com",
        section="kazakhstan",
        headline=f"Story number {i}",
        lede="A short lede.",
        authors=["Aigerim Seitkali", "Joanna Lillis"],
        published=None,
        body="\n\n".join(PARAGRAPHS[:3]),
        related=[{"title": t, "url": f"https://example.org/{n}"} for n, t in enumerate(RELATED_TITLES[:3])],
        source_credit="Eurasianet",
        language="en",
        word_count=120,
        content_hash=f"hash-{i}",
        fetched_at="2025-02-22T10:00:00Z",
        status=200,
        extractor_version="1.0",
    )
    return base.replace(**changes)


def make_page(url: str = "https://example.com/story-0", content: bytes = b"<html>one</html>", **kw: Any) -> Page:
    return Page(url=url, final_url=url, status=kw.pop("status", 200), headers={"content-type": "text/html"},
                content=content, fetched_at="2025-02-22T10:00:00Z", **kw)


def typical_html() -> bytes:
    """A KazPost-style page: head, navigation, article, a long related pool, footer."""
    nav = "".join(f'<li class="menu-item"><a href="/category/{s}">{s.title()}</a></li>\n'
                  for s in ("kazakhstan", "world", "business", "sport", "culture", "technology", "opinion"))
    body = "".join(f"<p>{p}</p>\n" for p in PARAGRAPHS)
    related = "".join(
        f'<div class="related-post"><a href="https://example.com/{t.lower().replace(" ", "-")}-{n}">'
        f'<img src="/wp-content/uploads/2023/06/img-{n}.jpg" alt="{t}" width="150" height="100"></a>'
        f'<h3 class="entry-title"><a href="https://example.com/{t.lower().replace(" ", "-")}-{n}">{t}</a></h3></div>\n'
        for n, t in enumerate(RELATED_TITLES * 4)
    )
    page = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Story - KazPost</title>'
        '<link rel="stylesheet" href="/wp-content/themes/news/style.css?ver=5.8">'
        '<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments);}</script></head>'
        f'<body class="post-template-default single single-post"><header><div class="site-title">KazPost</div>'
        f'<div class="date">Saturday, Feb 22, 2025</div><nav><ul class="menu">{nav}</ul></nav></header>'
        f'<main><article class="post"><h1 class="entry-title">Kazakhstan: Chinese Kazakhs arrested</h1>'
        f'<div class="entry-content">{body}</div></article>'
        f'<section class="related"><h2>Related Articles</h2>{related}</section></main>'
        f'<footer><ul class="menu">{nav}</ul><p>&copy; 2025 KazPost. All rights reserved.</p></footer></body></html>'
    )
    return page.encode("utf-8")


def row_count(path: Path, table: str) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


# -- schema and opening ----------------------------------------------------------


def test_schema_pragmas_and_migrations(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    with Archive(path, busy_timeout_ms=1234) as arc:
        assert arc.path == path
        assert arc.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert arc.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert arc.db.execute("PRAGMA busy_timeout").fetchone()[0] == 1234
        assert arc.db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
        columns = set(arc.db.table("articles").columns_dict)
        assert {f.name for f in dataclasses.fields(Article)} <= columns
        assert columns == set(ARTICLE_COLUMNS)
        assert arc.db.table("articles_fts").exists()
        assert "frontier" not in arc.db.table_names()
        assert applied_migrations(arc.db) == [name for name, _ in MIGRATIONS]
        arc.save_article(make_article())
    with Archive(path) as again:  # reopening applies nothing twice and keeps the data
        assert applied_migrations(again.db) == [name for name, _ in MIGRATIONS]
        assert again.count_articles() == 1


def test_not_a_database_is_store_error(tmp_path: Path) -> None:
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError):
        Archive(path)
    with pytest.raises(StoreError):
        Archive(tmp_path / "missing-dir" / "a.db")


# -- articles ---------------------------------------------------------------------


def test_round_trip_every_field(archive: Archive) -> None:
    article = make_article(
        7, headline="Қазақстан: жаңалықтар", published="2019-10-20", date_source="dateline",
        modified="2019-10-21T08:00:00+06:00", page_type="article",
    )
    assert archive.save_article(article) == "new"
    row = archive.get_article(article.url)
    assert row is not None
    for name, value in article.to_dict().items():
        assert row[name] == value, name
    assert row["version"] == 1 and row["first_archived_at"] == row["updated_at"]
    assert archive.get_article("https://example.com/none") is None


def test_same_article_twice_writes_nothing(archive: Archive) -> None:
    article = make_article()
    page_id = archive.save_page(make_page())
    assert archive.save_article(article, page_id=page_id) == "new"
    before_changes = archive.db.conn.total_changes
    before_row = archive.get_article(article.url)
    counts = {t: row_count(archive.path, t) for t in ("articles", "article_versions", "related_links", "pages")}
    assert archive.save_article(article, page_id=page_id, extra={"feed_date": "2025-01-01"}) == "unchanged"
    assert archive.db.conn.total_changes == before_changes
    assert archive.get_article(article.url) == before_row
    assert {t: row_count(archive.path, t) for t in counts} == counts


def test_changed_hash_keeps_history(archive: Archive) -> None:
    first = make_article()
    second = first.replace(content_hash="hash-0-b", body=first.body + "\n\nA correction was appended.",
                           headline="Story number 0 (updated)")
    p1 = archive.save_page(make_page(content=b"<html>v1</html>"))
    p2 = archive.save_page(make_page(content=b"<html>v2</html>"))
    archive.save_article(first, page_id=p1)
    created = archive.get_article(first.url)
    assert archive.save_article(second, page_id=p2) == "updated"
    row = archive.get_article(first.url)
    assert row is not None and created is not None
    assert (row["version"], row["body"], row["page_id"]) == (2, second.body, p2)
    assert row["first_archived_at"] == created["first_archived_at"]
    versions = archive.history(first.url)
    assert [v["version"] for v in versions] == [1, 2]
    assert [v["content_hash"] for v in versions] == [first.content_hash, second.content_hash]
    assert versions[0]["page_id"] == p1 and versions[0]["archived_at"] is not None
    assert versions[-1]["archived_at"] is None and versions[0]["authors"] == first.authors
    diff = list(difflib.unified_diff(versions[0]["body"].split("\n"), versions[1]["body"].split("\n"), lineterm=""))
    assert "+A correction was appended." in diff
    assert archive.save_article(second.replace(content_hash="hash-0-c", body="third")) == "updated"
    assert [v["version"] for v in archive.history(first.url)] == [1, 2, 3]
    assert archive.history("https://example.com/unknown") == []


def test_related_links_replaced(archive: Archive) -> None:
    first = make_article()
    archive.save_article(first)
    links = archive.db.execute("SELECT position, url, title FROM related_links ORDER BY position").fetchall()
    assert links == [(n, r["url"], r["title"]) for n, r in enumerate(first.related)]
    new_related = [{"title": "Only one now", "url": "https://example.net/one"}]
    archive.save_article(first.replace(content_hash="other", related=new_related))
    links = archive.db.execute("SELECT position, url, title FROM related_links").fetchall()
    assert links == [(0, "https://example.net/one", "Only one now")]
    assert archive.get_article(first.url)["related"] == new_related  # type: ignore[index]


def test_extra_dates_never_become_published(archive: Archive) -> None:
    article = make_article(published=None)
    archive.save_article(article, extra={"feed_date": "2025-02-20T09:00:00Z", "sitemap_lastmod": "2025-02-21"})
    row = archive.get_article(article.url)
    assert row is not None
    assert (row["published"], row["feed_date"], row["sitemap_lastmod"]) == (None, "2025-02-20T09:00:00Z", "2025-02-21")
    archive.save_article(article.replace(content_hash="x"), extra={"feed_date": None, "sitemap_lastmod": "2025-03-01"})
    row = archive.get_article(article.url)
    assert row is not None and (row["feed_date"], row["sitemap_lastmod"]) == ("2025-02-20T09:00:00Z", "2025-03-01")
    with pytest.raises(UsageError):
        archive.save_article(make_article(2), extra={"published": "2025-01-01"})
    assert archive.get_article(make_article(2).url) is None


def test_empty_content_hash_still_detects_changes(archive: Archive) -> None:
    article = make_article(content_hash="")
    assert archive.save_article(article) == "new"
    assert archive.save_article(article) == "unchanged"
    assert archive.save_article(article.replace(body="different text")) == "updated"


def test_sqlite_errors_become_store_errors(archive: Archive) -> None:
    with pytest.raises(StoreError) as info:
        archive.save_article(make_article(), page_id=999)  # no such page: foreign key
    assert isinstance(info.value.__cause__, sqlite3.Error)
    assert archive.get_article(make_article().url) is None
    with pytest.raises(StoreError):
        archive.set_cluster("https://example.com/none", "c1")


# -- full-text search -----------------------------------------------------------------


def test_fts_follows_updates(archive: Archive) -> None:
    article = make_article(body="The zebrafish escaped from the aquarium.")
    archive.save_article(article)
    assert [h["url"] for h in archive.search("zebrafish")] == [article.url]
    archive.save_article(article.replace(content_hash="v2", body="The axolotl stayed in the aquarium."))
    assert archive.search("zebrafish") == []
    assert [h["url"] for h in archive.search("axolotl")] == [article.url]


def test_search_ranking_and_filters(archive: Archive) -> None:
    filler = " ".join(PARAGRAPHS)
    both = make_article(1, headline="Asylum seekers detained", body="They asked for asylum. " + filler,
                        published="2019-10-20")
    body_only = make_article(2, headline="Court news", body=filler + " They asked for asylum.",
                             published="2019-11-02", site="example.org")
    neither = make_article(3, headline="Weather", body="Sunny all week.", published="2019-12-01")
    for article in (neither, body_only, both):
        archive.save_article(article)
    hits = archive.search("asylum")
    assert [h["url"] for h in hits] == [both.url, body_only.url]
    assert hits[0]["rank"] <= hits[1]["rank"]
    assert "[asylum]" in hits[0]["snippet"].lower() or "[Asylum]" in hits[0]["snippet"]
    assert set(hits[0]) >= {"url", "headline", "published", "site", "snippet", "rank"}
    assert [h["url"] for h in archive.search("asylum", site="example.org")] == [body_only.url]
    assert [h["url"] for h in archive.search("asylum", since="2019-11-01")] == [body_only.url]
    assert [h["url"] for h in archive.search("asylum", until="2019-10-20")] == [both.url]
    assert len(archive.search("asylum", limit=1)) == 1
    with pytest.raises(UsageError):
        archive.search("asylum", since="last tuesday")


@pytest.mark.parametrize("query", ['"camps', "nine:camps", "Kazakh-born", "AND", "(camps", "*camps", "camps OR", 'a"b'])
def test_search_syntax_errors_do_not_crash(archive: Archive, query: str) -> None:
    archive.save_article(make_article(body="Durbilzhin has nine camps. A Kazakh-born activist spoke."))
    hits = archive.search(query)
    assert isinstance(hits, list)
    if query == "camps OR":  # words by default (issue 15): "or" is a word this body lacks
        assert hits == []
    elif "camps" in query:
        assert [h["url"] for h in hits] == [make_article().url]


def test_search_empty_query_is_usage_error(archive: Archive) -> None:
    with pytest.raises(UsageError):
        archive.search("   ")


def test_search_cyrillic_and_kazakh(archive: Archive) -> None:
    archive.save_article(make_article(1, headline="Новости Казахстана", body="Парламент принял закон."))
    archive.save_article(make_article(2, headline="Жаңалықтар", body="Қазақстан үкіметі шешім қабылдады."))
    assert [h["url"] for h in archive.search("КАЗАХСТАНА")] == [make_article(1).url]
    assert [h["url"] for h in archive.search("қазақстан")] == [make_article(2).url]


# -- pages and compression -------------------------------------------------------------


def test_page_dedupe_by_sha256(archive: Archive) -> None:
    html = typical_html()
    first = archive.save_page(make_page(content=html), run_id=None)
    assert archive.save_page(make_page(content=html)) == first
    assert row_count(archive.path, "pages") == 1
    changed = archive.save_page(make_page(content=html + b"<!-- 2 -->"))
    assert changed != first and row_count(archive.path, "pages") == 2
    # Going back to the first bytes is a new fetch of different content than the newest row.
    assert archive.save_page(make_page(content=html)) not in (first, changed)
    newest = row_count(archive.path, "pages")
    assert archive.save_page(make_page(content=b"", status=304)) == newest  # 304: nothing new to keep


def test_get_page_restores_bytes_exactly(archive: Archive) -> None:
    raw = typical_html().replace(b"KazPost", "Қазпост".encode("cp1251", "replace")) + bytes(range(256))
    page = make_page(content=raw, redirects=("https://example.com/old",), request_headers={"user-agent": "t"})
    page_id = archive.save_page(page)
    row = archive.get_page(page_id)
    assert row is not None
    assert row["content"] == raw and row["raw_size"] == len(raw)
    assert row["headers"] == page.headers and row["request_headers"] == {"user-agent": "t"}
    assert row["redirects"] == ["https://example.com/old"] and row["codec"] in ("zstd", "zlib")
    assert len(row) > 10 and archive.get_page(page_id + 100) is None


def test_precompressed_page_is_stored_as_given(archive: Archive) -> None:
    raw = typical_html()
    blob, codec = compress(raw)
    page_id = archive.save_page(make_page(content=raw), compressed=(blob, codec))
    stored = archive.db.execute("SELECT content, codec FROM pages WHERE id = ?", [page_id]).fetchone()
    assert (bytes(stored[0]), stored[1]) == (blob, codec)
    with pytest.raises(UsageError):
        archive.save_page(make_page(content=b"x"), compressed=(b"x", "rar"))


def test_compress_ratio_on_typical_html() -> None:
    raw = typical_html()
    blob, codec = compress(raw)
    assert len(raw) > 10_000
    assert len(blob) / len(raw) <= 0.30
    assert decompress(blob, codec) == raw


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=4096))
def test_compress_round_trip(data: bytes) -> None:
    blob, codec = compress(data)
    assert decompress(blob, codec) == data


def test_decompress_codecs_and_errors() -> None:
    import zlib

    assert decompress(zlib.compress(b"abc", 2), "zlib") == b"abc"
    assert decompress(b"abc", "identity") == b"abc"
    with pytest.raises(StoreError):
        decompress(b"abc", "brotli")
    with pytest.raises(StoreError):
        decompress(b"not zstd at all", "zstd")
    with pytest.raises(StoreError):
        decompress(b"not zlib", "zlib")


def test_compress_falls_back_to_zlib(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "zstandard", None)
    blob, codec = compress(typical_html())
    assert codec == "zlib" and decompress(blob, codec) == typical_html()


# -- transactions and concurrency -----------------------------------------------------


def test_rollback_leaves_nothing_half_written(archive: Archive) -> None:
    with pytest.raises(RuntimeError), archive.transaction():
        page_id = archive.save_page(make_page())
        archive.save_article(make_article(), page_id=page_id)
        archive.record_failure(run_id=None, url="https://example.com/x", kind="timeout", error="t", attempts=3)
        raise RuntimeError("crash after the writes")
    for table in ("pages", "articles", "related_links", "failures"):
        assert row_count(archive.path, table) == 0, table
    assert archive.search("Kazakhstan") == []


def test_nested_transaction_failure_rolls_back_only_inner(archive: Archive) -> None:
    with archive.transaction():
        archive.save_article(make_article(1))
        with pytest.raises(StoreError):
            archive.save_article(make_article(2), page_id=12345)  # fails inside the outer transaction
        archive.save_article(make_article(3))
    assert {r["url"] for r in archive.iter_articles()} == {make_article(1).url, make_article(3).url}


def test_reader_during_write_does_not_error(archive: Archive) -> None:
    archive.save_article(make_article(1))
    reader = sqlite3.connect(archive.path, timeout=5)
    try:
        reader.execute("BEGIN")
        assert reader.execute("SELECT count(*) FROM articles").fetchone()[0] == 1  # snapshot taken
        with archive.transaction():
            for i in range(2, 40):
                archive.save_article(make_article(i))
        assert reader.execute("SELECT count(*) FROM articles").fetchone()[0] == 1  # still its snapshot
        reader.execute("COMMIT")
        assert reader.execute("SELECT count(*) FROM articles").fetchone()[0] == 39
    finally:
        reader.close()


def test_second_writer_waits_for_busy_lock(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    with Archive(path) as first, Archive(path, busy_timeout_ms=10_000) as second:
        holding = threading.Event()

        def hold() -> None:
            with first.transaction():
                first.save_article(make_article(1))
                holding.set()
                time.sleep(0.4)

        thread = threading.Thread(target=hold)
        thread.start()
        assert holding.wait(5)
        started = time.monotonic()
        assert second.save_article(make_article(2)) == "new"
        waited = time.monotonic() - started
        thread.join()
        assert waited > 0.1
        assert second.count_articles() == 2


def test_lock_timeout_is_store_error(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    with Archive(path) as first, Archive(path, busy_timeout_ms=50) as second, first.transaction():
        first.save_article(make_article(1))
        with pytest.raises(StoreError, match="locked"):
            second.save_article(make_article(2))
    with Archive(path) as check:
        assert check.count_articles() == 1


def test_transaction_joins_a_foreign_transaction(archive: Archive) -> None:
    with archive.db.atomic():  # a transaction opened by someone else on the same connection
        archive.save_article(make_article(1))
        assert archive.db.conn.in_transaction
    assert row_count(archive.path, "articles") == 1


# -- streams ----------------------------------------------------------------------------


def _bulk_insert(archive: Archive, n: int) -> None:
    """Many small rows quickly (save_article one by one costs ~0.25 ms each)."""
    with archive.transaction():
        archive.db.conn.executemany(
            "INSERT INTO articles (url, site, headline, body, authors, related, content_hash, version)"
            " VALUES (?, 'example.com', ?, ?, '[]', '[]', ?, 1)",
            ((f"https://example.com/s{i:06d}", f"h{i}", f"body {i}", f"c{i}") for i in range(n)),
        )


def test_iter_articles_streams_in_bounded_memory(archive: Archive) -> None:
    n = 20_000
    _bulk_insert(archive, n)
    stream = archive.iter_articles(batch=500)
    assert isinstance(stream, types.GeneratorType)
    tracemalloc.start()
    try:
        seen, last, sample = 0, "", {}
        for row in stream:
            assert row["url"] > last
            last, sample = row["url"], row
            seen += 1
        _, streamed_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert seen == n
    # What a materialised list of all rows would hold, at least: the dicts and their values.
    one_row = sys.getsizeof(sample) + sum(sys.getsizeof(v) for v in sample.values())
    assert streamed_peak * 10 < one_row * n


def test_iter_articles_filters_and_clusters(archive: Archive) -> None:
    dates = [None, "2024-12-31", "2025-01-01", "2025-01-02T08:00:00+06:00", None, "2025-03-01"]
    for i, date in enumerate(dates):
        archive.save_article(make_article(i, published=date, site="a.example" if i % 2 else "b.example"))
    rows = list(archive.iter_articles(since="2025-01-01", batch=2))
    assert sorted(r["url"] for r in rows) == sorted(
        make_article(i).url for i, d in enumerate(dates) if d is not None and d >= "2025-01-01"
    )
    assert {r["url"] for r in archive.iter_articles(site="a.example")} == {make_article(i).url for i in (1, 3, 5)}
    for i in (1, 2, 4):
        archive.set_cluster(make_article(i).url, "cluster-x")
    kept = [r["url"] for r in archive.iter_articles(one_per_cluster=True, batch=1)]
    assert len(kept) == len(dates) - 2
    assert make_article(1).url in kept  # earliest published member represents the cluster
    kept_b = [r["url"] for r in archive.iter_articles(one_per_cluster=True, site="b.example")]
    assert make_article(2).url in kept_b and make_article(4).url not in kept_b
    with pytest.raises(UsageError):
        archive.iter_articles(since="yesterday")


def test_iter_pages_latest_page_per_article(archive: Archive) -> None:
    url_a, url_b = make_article(1).url, make_article(2).url
    old_a = archive.save_page(make_page(url_a, b"<html>a v1</html>"))
    archive.save_article(make_article(1), page_id=old_a)
    page_b = archive.save_page(make_page(url_b, b"<html>b</html>"))
    archive.save_article(make_article(2), page_id=page_b)
    # A newer fetch of a whose text did not change: the article row keeps its old page_id.
    new_a = archive.save_page(make_page(url_a, b"<html>a v2, new render date</html>"))
    assert archive.save_article(make_article(1), page_id=new_a) == "unchanged"
    pages = {p["article_url"]: p for p in archive.iter_pages()}
    assert pages[url_a]["id"] == new_a and pages[url_a]["content"] == b"<html>a v2, new render date</html>"
    assert pages[url_b]["content"] == b"<html>b</html>"
    only = list(archive.iter_pages([url_b, "https://example.com/never-fetched"]))
    assert [p["id"] for p in only] == [page_b]


# -- runs, failures, stats --------------------------------------------------------------------


def test_runs_and_failures(archive: Archive) -> None:
    run = archive.start_run("crawl", {"seeds": ["https://example.com/"], "max_pages": 5})
    archive.record_failure(run_id=run, url="https://example.com/x", kind="timeout", error="read timeout",
                           attempts=3)
    archive.finish_run(run, exit_code=0, counts={"fetched": 4, "archived": 3, "failed": 1})
    row = archive.db.execute("SELECT * FROM runs WHERE id = ?", [run]).fetchone()
    names = [c[0] for c in archive.db.execute("SELECT * FROM runs LIMIT 0").description]
    record = dict(zip(names, row))
    assert (record["fetched"], record["archived"], record["failed"], record["updated"]) == (4, 3, 1, 0)
    assert json.loads(record["args"])["max_pages"] == 5 and record["ended_at"] and record["pid"] > 0
    with pytest.raises(UsageError):
        archive.finish_run(run, exit_code=0, counts={"bogus": 1})
    with pytest.raises(StoreError):
        archive.finish_run(run + 50, exit_code=1, counts={})


def test_stats_figures(archive: Archive) -> None:
    specs = [
        ("a.example", "politics", "2025-01-01"), ("a.example", "politics", None),
        ("a.example", "sport", "2025-01-02T09:00:00Z"), ("b.example", "politics", None),
        ("b.example", None, "2025-01-01T22:00:00+06:00"),
    ]
    for i, (site, section, published) in enumerate(specs):
        archive.save_article(make_article(i, site=site, section=section, published=published,
                                          fetched_at=f"2025-02-{20 + i % 2}T10:00:00Z"))
    old_run = archive.start_run("crawl", {})
    archive.record_failure(run_id=old_run, url="u1", kind="timeout", error="e", attempts=3)
    run = archive.start_run("crawl", {})
    for kind in ("http_status", "http_status", "robots"):
        archive.record_failure(run_id=run, url="u", kind=kind, error="e", attempts=1, status=404)
    archive.finish_run(run, exit_code=1, counts={"failed": 3})
    archive.set_cluster(make_article(0).url, "c1")
    archive.set_cluster(make_article(3).url, "c1")
    archive.set_cluster(make_article(4).url, "c2")

    figures = archive.stats()
    assert figures["articles"] == len(specs)
    assert figures["per_site"] == dict(Counter(s for s, _, _ in specs))
    assert figures["per_section"] == dict(Counter(sec for _, sec, _ in specs))
    assert figures["per_published_day"] == dict(Counter(p[:10] for _, _, p in specs if p))
    assert figures["per_fetched_day"] == dict(Counter(f"2025-02-{20 + i % 2}" for i in range(len(specs))))
    assert figures["dated_share"] == pytest.approx(sum(1 for *_, p in specs if p) / len(specs))
    assert figures["last_run"]["id"] == run and figures["last_run"]["exit_code"] == 1
    assert figures["failures_by_kind"] == {"http_status": 2, "robots": 1, "timeout": 1}
    assert figures["failures_last_run"] == {"http_status": 2, "robots": 1}
    assert figures["multi_member_clusters"] == 1


def test_stats_on_empty_archive(archive: Archive) -> None:
    figures = archive.stats()
    assert figures["articles"] == 0 and figures["dated_share"] == 0.0 and figures["last_run"] is None
