"""cli.py merge: shard archives merge into the full crawl; newest version wins; a rerun adds nothing."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from scraper.config import Settings
from scraper.crawler.runs import run_archive
from scraper.models import Article, Page
from scraper.research.demo_site import StaticSite
from scraper.store.archive import Archive
from scraper.store.merge import merge_archives

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "fixtures" / "site"
# Differ between two crawls of the same pages: when and in which order they were fetched and written.
CRAWL_TIMES = {"first_archived_at", "updated_at", "fetched_at", "page_id"}
TABLES = ("articles", "article_versions", "pages", "related_links", "runs", "failures", "frontier")


def articles(db: Path) -> dict[str, dict[str, object]]:
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        return {row["url"]: {k: row[k] for k in row.keys() if k not in CRAWL_TIMES}
                for row in conn.execute("SELECT * FROM articles")}


def counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        present = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return {name: conn.execute(f"SELECT count(*) FROM {name}").fetchone()[0] for name in TABLES if name in present}


def merge_cli(db: Path, *sources: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "cli.py"), "merge", *map(str, sources), "--db", str(db)],
                          capture_output=True, text=True, timeout=120)


def crawl_shards(seeds: list[str], tmp: Path) -> list[Path]:
    paths = []
    for k in (1, 2):
        paths.append(tmp / f"shard-{k}.db")
        run_archive(paths[-1], seeds, Settings(delay=0, workers=0, shard=(k, 2)))
    return paths


def test_two_hosts_in_two_shards_merge_into_the_full_crawl(tmp_path: Path, two_shard_seeds: list[str]) -> None:
    run_archive(tmp_path / "full.db", two_shard_seeds, Settings(delay=0, workers=0))
    shards = crawl_shards(two_shard_seeds, tmp_path)
    assert [len(articles(p)) for p in shards] == [10, 10]
    assert not set(articles(shards[0])) & set(articles(shards[1]))
    proc = merge_cli(tmp_path / "all.db", *shards)
    assert proc.returncode == 0, proc.stderr
    assert articles(tmp_path / "all.db") == articles(tmp_path / "full.db")
    merged = counts(tmp_path / "all.db")
    assert merged["pages"] == counts(tmp_path / "full.db")["pages"]
    assert merged["frontier"] == counts(shards[0])["frontier"] + counts(shards[1])["frontier"]
    assert merged["runs"] == 2
    with sqlite3.connect(tmp_path / "all.db") as conn:
        assert conn.execute("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'Almaty'").fetchone()[0] > 0
    # A rerun adds nothing.
    again = merge_cli(tmp_path / "all.db", *shards)
    assert again.returncode == 0 and counts(tmp_path / "all.db") == merged
    assert again.stdout.strip() == "articles_new 0, articles_updated 0, versions_added 0, pages 0, runs 0, failures 0, frontier 0"


def test_one_host_shards_one_empty_merge_into_the_full_crawl(tmp_path: Path) -> None:
    with StaticSite(SITE) as site:
        run_archive(tmp_path / "full.db", [site.url("/")], Settings(delay=0, workers=0))
        shards = crawl_shards([site.url("/")], tmp_path)
    assert sorted(len(articles(p)) for p in shards) == [0, 10]
    with Archive(tmp_path / "all.db") as archive:
        merge_archives(archive, shards)
    assert articles(tmp_path / "all.db") == articles(tmp_path / "full.db")


def _save(db: Path, url: str, body: str, fetched_at: str) -> None:
    page = Page(url=url, final_url=url, status=200, headers={}, content=body.encode(), fetched_at=fetched_at)
    with Archive(db) as archive:
        page_id = archive.save_page(page)
        archive.save_article(Article(url=url, headline="H", body=body, fetched_at=fetched_at,
                                     related=[{"title": body, "url": url + "/r"}]), page_id=page_id)


def _history(db: Path, url: str) -> list[tuple[object, ...]]:
    with Archive(db) as archive:
        return [(v["version"], v["body"], v["fetched_at"]) for v in archive.history(url)]


def test_newest_version_wins_earlier_ones_are_kept_once(tmp_path: Path) -> None:
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    url = "https://news.kz/2024/05/story"
    _save(a, url, "first text", "2024-05-01T10:00:00Z")
    _save(b, url, "first text", "2024-05-01T11:00:00Z")  # the same text fetched again: no new version
    _save(b, url, "second text", "2024-05-02T10:00:00Z")
    _save(a, url, "third text", "2024-05-03T10:00:00Z")
    _save(b, "https://news.kz/2024/05/other", "only in b", "2024-05-02T12:00:00Z")
    expected = [(1, "first text", "2024-05-01T10:00:00Z"), (2, "second text", "2024-05-02T10:00:00Z"),
                (3, "third text", "2024-05-03T10:00:00Z")]
    for order in ((a, b), (b, a)):
        target = tmp_path / f"merged-{order[0].stem}.db"
        with Archive(target) as archive:
            merge_archives(archive, order)
        history = _history(target, url)
        assert [(v, body, at) for v, body, at in history] == expected, order
        with Archive(target) as archive:
            assert archive.get_article(url)["related"] == [{"title": "third text", "url": url + "/r"}]
            assert archive.get_article("https://news.kz/2024/05/other")["body"] == "only in b"
        before = counts(target)
        with Archive(target) as archive:
            assert not any(merge_archives(archive, order).values())
        assert counts(target) == before and _history(target, url) == history
