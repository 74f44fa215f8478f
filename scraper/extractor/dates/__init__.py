"""Publication dates: every candidate on a page, and the one an honest reader would pick.

``sources`` gathers candidates (JSON-LD, metas, ``<time>``, datelines, the URL),
``layout`` places them relative to the headline, ``text`` parses written dates;
:func:`find_dates` (in ``choose``) picks one or refuses (``published = None``).
"""

from scraper.extractor.dates.choose import DateFinding, find_dates

__all__ = ["DateFinding", "find_dates"]
