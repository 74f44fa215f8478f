"""news-archiver: fetch, extract and archive KazPost-style news pages.

The face a researcher types::

    import scraper
    article = scraper.extract(open("page.html", "rb").read(), url="https://kazpost.com/some-slug")
    with scraper.Archive("archive.db") as archive:
        hits = archive.search("asylum")

Stages live in subpackages: ``fetcher``, ``extractor``, ``store``; ``crawler`` and
``research`` build on them; ``models``, ``errors`` and ``config`` are the ground.
"""

from scraper.config import Settings, SiteConfig, __version__
from scraper.crawler import RunSummary, crawl, fetch
from scraper.errors import *  # noqa: F403
from scraper.errors import __all__ as _error_names
from scraper.extractor import extract
from scraper.models import Article, Page, RelatedLink
from scraper.store import Archive

__all__ = [
    "Archive", "Article", "Page", "RelatedLink", "RunSummary", "Settings", "SiteConfig", "__version__",
    "crawl", "extract", "fetch", *_error_names,
]
