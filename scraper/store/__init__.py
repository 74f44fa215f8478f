"""The store: the SQLite archive through sqlite-utils.

:class:`Archive` keeps articles and their versions, raw pages (``compression``),
runs, failures, the frontier's table and the full-text index (``schema``, ``query``);
``lock`` holds one run per archive; ``clusters`` groups syndicated copies, updated
as articles are written. It knows records, not HTTP or HTML.
"""

from scraper.store.archive import Archive

__all__ = ["Archive"]
