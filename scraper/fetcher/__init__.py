"""The fetcher: polite HTTP with httpx.

One :class:`Fetcher` per run: bounded bodies (``payload``), robots.txt with
``Crawl-delay`` (``robots``), per-host spacing and ``Retry-After`` (``throttle``).
It turns a URL into a :class:`~scraper.models.Page`; it knows nothing of HTML or SQLite.
"""

from scraper.fetcher.client import Accept, Fetcher

__all__ = ["Accept", "Fetcher"]
