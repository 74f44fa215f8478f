"""The crawler: fetcher, extractor and store put to work on a whole site.

``urls`` (canonical forms, scope), ``discover`` (links, feeds, sitemaps), ``frontier``
(every known URL's state), ``engine`` (the async crawl loop), ``workers``/``writer``
(extraction and writes in worker processes), ``recorder`` (WARC output while crawling),
``runs`` (a whole run under the archive's lock). Its face: :func:`crawl` and :func:`fetch`.
"""

from scraper.crawler.engine import Crawler, RunSummary
from scraper.crawler.runs import crawl, fetch, run_archive

__all__ = ["Crawler", "RunSummary", "crawl", "fetch", "run_archive"]
