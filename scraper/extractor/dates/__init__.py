"""Publication dates: every candidate on a page, and the one an honest reader would pick.

``metadata`` reads what the page states (JSON-LD, metas), ``sources`` what it writes
(``<time>``, datelines), ``signals`` the weak page-wide guesses (htmldate, scripts, the
lead image's folders); ``layout`` places them relative to the headline, ``text`` parses
written dates, ``score`` weighs the candidates the ordered sources leave; :func:`find_dates`
(in ``choose``) picks one or refuses (``published = None``).
"""

from scraper.extractor.dates.choose import DateFinding, find_dates

__all__ = ["DateFinding", "find_dates"]
