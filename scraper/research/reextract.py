"""Re-extraction: run the current extractor over the raw pages already archived.

Nothing is fetched. For each article, its latest stored page goes through
:func:`scraper.extractor.article.extract` again; a different result is saved as a new
version (tagged with the new ``extractor_version``), an identical one leaves
the archive untouched. Pages are streamed one at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from scraper.config import Settings
from scraper.crawler.urls import site_of
from scraper.errors import ExtractionError, UsageError
from scraper.extractor.article import extract

if TYPE_CHECKING:
    from scraper.store.archive import Archive

__all__ = ["reextract", "REEXTRACT_COUNTS"]

REEXTRACT_COUNTS = ("checked", "updated", "unchanged", "failed")


def _stored_type(archive: Archive, key: str) -> str:
    """The page_type on record: ``fetch`` also archives the index pages a user named."""
    stored = archive.get_article(key)
    return str(stored.get("page_type") or "article") if stored else "article"


def _reextract_one(archive: Archive, row: dict[str, Any], settings: Settings) -> str:
    """Extract one stored page again and save the result; return the counter it adds to."""
    key: str = row["article_url"]
    source = row["final_url"] or row["url"]
    try:
        article = extract(row["content"], source, content_type=row["headers"].get("content-type") or None,
                          site=settings.site(site_of(source)), fetched_at=row["fetched_at"], status=row["status"])
    except ExtractionError as exc:
        archive.record_failure(run_id=None, url=key, kind=exc.kind, error=exc.message, attempts=1,
                               status=row["status"])
        return "failed"
    if article.page_type != "article" and _stored_type(archive, key) == "article":
        # Saving it would replace a good article with a listing's text: report it instead.
        archive.record_failure(run_id=None, url=key, kind="not_article", attempts=1, status=row["status"],
                               error=f"re-extraction no longer sees an article ({article.page_type})")
        return "failed"
    # The archive key stays what the crawl chose (canonical or final URL), never the page address.
    article = article.replace(url=key, site=article.site or site_of(key))
    result = archive.save_article(article, page_id=row["id"])
    return "unchanged" if result == "unchanged" else "updated"


def reextract(archive: Archive, urls: Sequence[str] | None = None, *, settings: Settings | None = None) -> dict[str, int]:
    """Re-run the extractor over every archived article's latest page (or only ``urls``).

    ``settings`` supplies per-site configuration (boilerplate XPaths) the crawl
    used; without it extraction runs with none. Articles whose text changed
    are re-clustered afterwards.

    Returns:
        ``{"checked", "updated", "unchanged", "failed"}``: checked is the number
        of pages extracted again; a page the extractor rejects, or no longer
        takes for an article, is failed (and recorded in ``failures``).

    Raises:
        UsageError: one of ``urls`` is not an archived article.
    """
    from scraper.store.clusters import assign_clusters

    settings = settings or Settings()
    unknown = [url for url in urls or () if archive.get_article(url) is None]
    if unknown:
        # Re-extracting a page stored under some other key would create a new article.
        raise UsageError(f"not an archived article: {', '.join(unknown[:5])}", url=unknown[0])
    counts = dict.fromkeys(REEXTRACT_COUNTS, 0)
    for row in archive.iter_pages(urls):
        counts["checked"] += 1
        counts[_reextract_one(archive, row, settings)] += 1
    if counts["updated"]:
        assign_clusters(archive)  # picks up exactly the articles whose content_hash moved
    return counts
