"""Re-extraction over stored raw pages, on an archive filled by a real crawl of 127.0.0.1."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from minisite import HEADLINES, write_site

import scraper.research.reextract
from scraper.config import Settings
from scraper.crawler.runs import run_archive
from scraper.errors import ExtractionError
from scraper.extractor.article import EXTRACTOR_VERSION, content_hash, extract
from scraper.models import Article
from scraper.research.demo_site import StaticSite
from scraper.research.reextract import reextract
from scraper.store.archive import Archive


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    """An archive holding the three stories, crawled from a local server."""
    root = write_site(tmp_path / "site")
    path = tmp_path / "archive.db"
    with StaticSite(root) as site:
        summary = run_archive(path, [site.url("/")], Settings(delay=0, workers=0))
    assert summary.archived == len(HEADLINES)
    return path


def _snapshot(archive: Archive) -> list[tuple[Any, ...]]:
    return archive.db.execute("SELECT * FROM articles ORDER BY url").fetchall()


def _patch(monkeypatch: pytest.MonkeyPatch, change: Any) -> None:
    """Replace the extractor reextract calls with one whose output ``change`` alters."""

    def patched(*args: Any, **kwargs: Any) -> Article:
        return change(extract(*args, **kwargs))

    monkeypatch.setattr(scraper.research.reextract, "extract", patched)


def test_unchanged_extractor_changes_nothing(db: Path) -> None:
    with Archive(db) as archive:
        before, changes = _snapshot(archive), archive.db.conn.total_changes
        counts = reextract(archive)
        assert counts == {"checked": 3, "updated": 0, "unchanged": 3, "failed": 0}
        assert archive.db.conn.total_changes == changes
        assert _snapshot(archive) == before
        assert archive.db.execute("SELECT count(*) FROM article_versions").fetchone()[0] == 0


def test_new_extractor_output_becomes_a_new_version(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def better(article: Article) -> Article:
        body = article.body + "\n\nA paragraph the new extractor recovers."
        return article.replace(body=body, content_hash=content_hash(article.headline, body),
                               extractor_version="2.0-test")

    _patch(monkeypatch, better)
    with Archive(db) as archive:
        urls = [row[0] for row in archive.db.execute("SELECT url FROM articles ORDER BY url")]
        counts = reextract(archive)
        assert counts == {"checked": 3, "updated": 3, "unchanged": 0, "failed": 0}
        assert [row[0] for row in archive.db.execute("SELECT url FROM articles ORDER BY url")] == urls
        for url in urls:
            history = archive.history(url)
            assert [h["version"] for h in history] == [1, 2]
            assert [h["extractor_version"] for h in history] == [EXTRACTOR_VERSION, "2.0-test"]
            assert history[-1]["body"].endswith("the new extractor recovers.")
        # a second pass with the same extractor finds nothing new
        assert reextract(archive)["unchanged"] == 3


def test_only_the_given_urls(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _patch(monkeypatch, lambda a: a.replace(body=a.body + " x", content_hash=content_hash(a.headline, a.body + " x")))
    with Archive(db) as archive:
        target = archive.db.execute("SELECT url FROM articles ORDER BY url LIMIT 1").fetchone()[0]
        assert reextract(archive, [target]) == {"checked": 1, "updated": 1, "unchanged": 0, "failed": 0}
        versions = archive.db.execute("SELECT url, version FROM articles ORDER BY url").fetchall()
    assert {url: v for url, v in versions if v == 2} == {target: 2}


def test_unknown_urls_are_refused_before_any_work(db: Path) -> None:
    from scraper.errors import UsageError

    with Archive(db) as archive:
        home = archive.db.execute("SELECT url FROM pages ORDER BY id LIMIT 1").fetchone()[0]  # the index page
        with pytest.raises(UsageError, match="not an archived article"):
            reextract(archive, [home])
        assert archive.count_articles() == 3


def test_failures_are_counted_and_recorded(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Archive(db) as archive:
        broken, listing, _ = [row[0] for row in archive.db.execute("SELECT url FROM articles ORDER BY url")]

    def flaky(article: Article) -> Article:
        if article.url.endswith(broken.rsplit("/", 1)[1]):
            raise ExtractionError("parser broke", url=article.url)
        if article.url.endswith(listing.rsplit("/", 1)[1]):
            return article.replace(page_type="index", body="", content_hash=content_hash(article.headline, ""))
        return article

    _patch(monkeypatch, flaky)
    with Archive(db) as archive:
        before = _snapshot(archive)
        assert reextract(archive) == {"checked": 3, "updated": 0, "unchanged": 1, "failed": 2}
        assert _snapshot(archive) == before  # a rejected page never overwrites the article
        kinds = dict(archive.db.execute("SELECT url, kind FROM failures").fetchall())
    assert kinds == {broken: "extraction", listing: "not_article"}


def test_a_newly_found_date_is_kept(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _patch(monkeypatch, lambda a: a.replace(published="2019-10-15", date_source="dateline",
                                            extractor_version="2.0-test"))
    with Archive(db) as archive:
        counts = reextract(archive)
        published = {row[0] for row in archive.db.execute("SELECT published FROM articles")}
    assert counts["updated"] == 3 and published == {"2019-10-15"}
