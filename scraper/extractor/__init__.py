"""The extractor: a pure function from HTML bytes to an :class:`~scraper.models.Article`.

:func:`extract` decodes (``encoding``), parses once, reads structured data, headline,
authors (``byline``), the publication date with its source (``dates``), the body
(``content``) and the related-article links kept apart (``related``). No I/O here.
"""

from scraper.extractor.article import EXTRACTOR_VERSION, extract

__all__ = ["EXTRACTOR_VERSION", "extract"]
