"""Publication and modification dates of an article page.

:func:`find_dates` tries the sources in order of trust and keeps the first
plausible date:

1. ``jsonld``: ``datePublished``/``dateCreated`` of an article-type JSON-LD object;
2. ``meta``: ``article:published_time`` and its many cousins;
3. ``time``: ``<time datetime>`` / ``itemprop=datePublished`` in the story's region;
4. ``dateline``: a date written next to the headline ("October 15, 2019", "15.10.2019, 14:30");
5. ``url``: a full date in the URL path (``/2021/01/22/``, ``/20210122/``, ``-2021-01-22``).

Cross-checks, all in the direction of the page's own evidence:

* when JSON-LD and meta disagree on the day (a republished or re-dated story),
  the candidate matching the dateline printed for readers wins;
* when the chosen timestamp is one day off a date in the URL, the URL's day wins
  (a UTC timestamp of an evening story falls on the next day); when it is *later*
  than a full date in the URL by more than a month, the URL's day wins too (the URL
  is fixed when the story is created; a stamp that much later is a republication or
  a CMS migration);
* a "published" equal to the machine "modified" instant (rewritten on each edit)
  yields to an earlier date the headline block prints before an update label;
* a ``<time>`` whose own text writes another full day stands for that day;
* a generic ``date`` meta (often an update or render stamp) yields to the
  date printed next to the headline;
* a UTC timestamp yields to the same moment written in the page's own offset
  (``<time datetime>``, ``itemprop=datePublished``): the local day is the one
  readers saw;
* below a headline that has no story block around it, date fields marked as the
  publication date ("field-published-date") count when they all name one day;
* when no source answers, the first date of the page's script JSON
  (``__NEXT_DATA__``) or htmldate's guess is taken only if the same day is
  written in the story's own lines or title, or the URL gives its year and
  month (script JSON also: the lead image is filed under that month); the
  source then names that evidence (a line labelled "Updated" is none). Neither
  is ever the final word.

What is never used: the masthead "today" line (a weekday and date above the
headline, printed when the page was rendered), dates in related / latest-news /
sidebar / comment / footer blocks, copyright years, ends of periods ("bis 2. Oktober"). Dates after the fetch (plus
a day of clock skew) or before 1995 are rejected. When nothing is trustworthy
the answer is ``published=None``: a wrong date misleads a researcher, a missing
one does not.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import cached_property

from lxml import html as lxml_html

from scraper.extractor.dates.layout import (
    Line,
    find_headline,
    lines_around,
    page_lines,
    story_container,
)
from scraper.extractor.dates.metadata import MODIFIED_META, PUBLISHED_META, WEAK_META, jsonld_dates, meta_dates
from scraper.extractor.dates.score import Candidate, candidates, rescue
from scraper.extractor.dates.signals import (
    canonical_url,
    htmldate_guess,
    lead_image_days,
    page_moments,
    page_title,
    script_dates,
)
from scraper.extractor.dates.sources import (
    datelines,
    marked_times,
    plain_times,
    updated_after,
    written_dates,
)
from scraper.extractor.dates.text import (
    UPDATE_AFTER_RE,
    Stamp,
    local_twin,
    masthead_like,
    parse_machine,
    url_dates,
    url_month,
)
from scraper.extractor.structured import jsonld_objects

__all__ = ["DateFinding", "date_candidates", "find_dates"]

_OLDEST = date(1995, 1, 1)
_REDATED = 30  # days after a full URL date from which a page's date is a re-dating
_HEADER_SIZE = 600  # characters: a headline with its kicker, dateline and byline


@dataclass(frozen=True, slots=True)
class DateFinding:
    """The dates found on a page; any of them may be None."""

    #: ISO 8601 day, or datetime (with its offset when the page states one).
    published: str | None
    #: 'jsonld' | 'meta' | 'time' | 'dateline' | 'url' | None
    date_source: str | None
    #: dateModified / article:modified_time, kept apart from published.
    modified: str | None


_EMPTY = DateFinding(None, None, None)


def _latest_allowed(fetched_at: str | None) -> date:
    """The last plausible publication day: the fetch day (or today) plus a day of skew."""
    when = parse_machine(fetched_at) if fetched_at else None
    day = when.day if when else datetime.now(timezone.utc).date()
    return day + timedelta(days=1)


class _Page:
    """Views of one page computed on demand, so that cheap sources can answer first."""

    def __init__(
        self, tree: lxml_html.HtmlElement, url: str | None, latest: date
    ) -> None:
        self.tree, self.url, self.latest = tree, url, latest
        self.objects = jsonld_objects(tree)

    @cached_property
    def urls(self) -> tuple[str | None, str | None]:
        """The page's URL and its canonical URL."""
        return self.url, canonical_url(self.tree)

    @cached_property
    def headline(self) -> lxml_html.HtmlElement | None:
        return find_headline(self.tree)

    @cached_property
    def story(self) -> lxml_html.HtmlElement | None:
        """The article block around the headline (not a page-wide ``<main>``)."""
        found = story_container(self.headline) if self.headline is not None else None
        return found if found is not None and found.tag != "main" else None

    @cached_property
    def window(self) -> tuple[list[Line], list[Line]]:
        if self.headline is None:
            return [], []
        return lines_around(self.tree, self.headline, before=3, after=20)

    @cached_property
    def header_text(self) -> str:
        """The text of the smallest-but-whole block around the headline (its kicker,
        dateline and byline), up to a story header's size."""
        node, text = self.headline, ""
        while node is not None and node.tag not in ("body", "html"):
            content = " ".join(node.itertext())  # spaced: blocks often touch ("NewsJanuary")
            if len(content) > _HEADER_SIZE:
                break
            text, node = content, node.getparent()
        return " ".join(text.split())

    def plausible(self, stamps: Iterable[Stamp | None]) -> list[Stamp]:
        return [s for s in stamps if s is not None and _OLDEST <= s.day <= self.latest]

    def machine(self) -> list[tuple[str, Stamp]]:
        """JSON-LD then meta candidates, in order of trust."""
        jsonld = self.plausible(
            jsonld_dates(self.objects, ("datePublished", "dateCreated"), self.urls)
        )
        meta = self.plausible(meta_dates(self.tree, PUBLISHED_META))
        return [("jsonld", s) for s in jsonld] + [("meta", s) for s in meta]

    def weak_meta(self, near_fetch: bool = False) -> list[tuple[str, Stamp]]:
        """Generic ``date`` metas, unless on the fetch day (a render stamp); ``near_fetch``:
        only those on the fetch day."""
        render_day = self.latest - timedelta(days=1)
        return [
            ("meta", s)
            for s in self.plausible(meta_dates(self.tree, WEAK_META))
            if (abs((s.day - render_day).days) > 1) != near_fetch
        ]

    def shown_day(self) -> date | None:
        """The day of the first dateline printed by the headline, if any."""
        return next((s.day for src, s in self.visible if src == "dateline"), None)

    @cached_property
    def visible(self) -> list[tuple[str, Stamp]]:
        """``<time>``/microdata candidates, then datelines, nearest the headline first."""
        prior, following = self.window
        times = marked_times(self.tree, self.headline, prior, following, modified=False,
                             render_day=self.latest - timedelta(days=1))
        times += plain_times(prior, following)
        return [("time", s) for s in self.plausible(times)] + [
            ("dateline", s)
            for s in self.plausible(
                datelines(prior, following, self.story, self.latest - timedelta(days=1), self.headline)
            )
        ]

    def corroborated(self) -> list[tuple[str, Stamp]]:
        """Weak guesses kept only when the page confirms them.

        The first publication date of the page's script JSON (``__NEXT_DATA__``,
        app state) counts when the same day is written in the story or title,
        when the URL names its year and month, or when the lead image is filed
        under its month (source ``meta``: page data, not JSON-LD). htmldate's
        guess counts on the first two only: it reads mastheads, related lists
        and image paths as readily as datelines. Pages with no such evidence
        never pay for htmldate.
        """
        evidence = self.evidence
        url_months = {url_month(u) for u in self.urls} - {None}
        images = self.image_days
        for stamp in self.plausible(script_dates(self.tree)):
            day = stamp.day
            if day in evidence or (day.year, day.month) in url_months:
                return [(evidence.get(day, "url"), stamp)]
            if {(day.year, day.month, day.day), (day.year, day.month, 0)} & images:
                return [("meta", stamp)]
        if not evidence and not url_months:
            return []
        guess = parse_machine(htmldate_guess(self.tree, self.url))
        if guess is None or not self.plausible([guess]):
            return []
        if guess.day in evidence:
            return [(evidence[guess.day], guess)]
        if (guess.day.year, guess.day.month) in url_months:
            return [("url", guess)]
        return []

    def script_dates(self) -> list[Stamp]:
        return script_dates(self.tree)

    def moments(self) -> list[Stamp]:
        return page_moments(self.tree)

    @cached_property
    def image_days(self) -> set[tuple[int, int, int]]:
        return lead_image_days(self.tree, self.story)

    @cached_property
    def evidence(self) -> dict[date, str]:
        return self._evidence()

    def _evidence(self) -> dict[date, str]:
        """Days written in the story's own lines and title, with the kind of source."""
        if self.headline is not None:
            lines = lines_around(self.tree, self.headline, before=0, after=300)[1]
        else:
            body = self.tree.find(".//body")
            lines = page_lines(body if body is not None else self.tree, 300)
        # Under a headline, a date on the render day is the story's (site clocks sit above it).
        clock_day = None if self.headline is not None else self.latest - timedelta(days=1)
        days: dict[date, str] = {}
        for line in lines:
            if line.excluded:
                continue
            if UPDATE_AFTER_RE.match(line.text):
                continue  # "Updated <time>December 12, 2016</time>": not the first publication
            for value in line.times:
                stamp = parse_machine(value)
                if stamp is not None:
                    days.setdefault(stamp.day, "time")
            for stamp in written_dates(line.text):
                if not masthead_like(line.text, stamp, clock_day):
                    days.setdefault(stamp.day, "dateline")
        for stamp in written_dates(page_title(self.tree)):
            days.setdefault(stamp.day, "dateline")
        return days

    @cached_property
    def machine_modified(self) -> list[Stamp]:
        """``dateModified`` and modified-time metas."""
        return self.plausible([
            *jsonld_dates(self.objects, ("dateModified",), self.urls),
            *meta_dates(self.tree, MODIFIED_META),
        ])

    def modified(self) -> Stamp | None:
        found = self.machine_modified
        if not found:
            prior, following = self.window
            found = self.plausible(
                marked_times(self.tree, self.headline, prior, following, modified=True)
            )
        return found[0] if found else None


def _machine_choice(page: _Page) -> list[tuple[str, Stamp]]:
    """JSON-LD and meta candidates, cross-checked against the date printed for readers."""
    candidates = page.machine()
    if not candidates:
        return []
    candidates += page.weak_meta()
    held = page.weak_meta(near_fetch=True)
    if held:  # a date meta on the fetch day counts when the dateline shows the same day
        candidates += [c for c in held if c[1].day == page.shown_day()]
    if len({stamp.day for _, stamp in candidates}) > 1:
        # Machine sources disagree (a republished or re-dated story): the one that
        # matches the date printed for readers wins.
        shown = page.shown_day()
        agreeing = [c for c in candidates if c[1].day == shown]
        return agreeing + candidates
    first = candidates[0][1]
    if "T" in first.iso and first.iso in {s.iso for s in page.machine_modified}:
        # "Published" is the very instant of the last update: the CMS rewrites it on every
        # edit. A headline block printing "January 19, 2020 / Updated 8 hours ago" shows
        # the original.
        shown = [s for s in updated_after(page.header_text) if s.day < first.day]
        if shown:
            return [("dateline", shown[0]), *candidates]
    return candidates


def _choose(page: _Page) -> tuple[str, Stamp] | None:
    """The best publication date with its source, cross-checked where sources disagree."""
    candidates = _machine_choice(page)
    if not candidates:
        weak = page.weak_meta()
        printed = page.visible
        # A generic "date" meta often carries the day of an update or of the rendering:
        # against the date printed next to the headline, the printed one wins.
        disagree = weak and printed and printed[0][1].day != weak[0][1].day
        candidates = printed if disagree else weak + printed
    if not candidates:
        candidates = page.corroborated()
    urls = page.plausible(url_dates(page.urls))
    gap = (candidates[0][1].day - urls[0].day).days if urls and candidates else 0
    if abs(gap) == 1 or gap > _REDATED:
        # A timestamp in UTC can fall on the next day; the URL keeps the local one. And a
        # full date in the URL is fixed when the story is created: a date in the page weeks
        # later is a re-dated copy (a republication, a CMS migration). A few days later is
        # an ordinary wait between draft and publication: the page's date stands.
        same_day = [c for c in candidates if c[1].day == urls[0].day]
        return same_day[0] if same_day else ("url", urls[0])
    if candidates:
        return local_twin(
            candidates[0], lambda: [*candidates, *(("time", s) for s in page_moments(page.tree))]
        )
    return ("url", urls[0]) if urls else None


def _find(tree: lxml_html.HtmlElement, url: str | None, latest: date) -> DateFinding:
    page = _Page(tree, url, latest)
    chosen = _choose(page) or rescue(page, lambda: htmldate_guess(page.tree, page.url))
    modified = page.modified()
    return DateFinding(
        chosen[1].iso if chosen else None,
        chosen[0] if chosen else None,
        modified.iso if modified else None,
    )


def date_candidates(
    tree: lxml_html.HtmlElement, url: str | None, *, fetched_at: str | None = None
) -> list[Candidate]:
    """Every candidate day of the page with its features (for fitting the date model)."""
    page = _Page(tree, url, _latest_allowed(fetched_at))
    return candidates(page, lambda: htmldate_guess(page.tree, page.url), _choose(page))


def find_dates(
    tree: lxml_html.HtmlElement, url: str | None, *, fetched_at: str | None = None
) -> DateFinding:
    """Publication date (with its source) and modification date of the page in ``tree``.

    Pure and total: reads the tree without changing it and never raises; on
    any trouble the answer is an empty finding.
    """
    try:
        return _find(tree, url, _latest_allowed(fetched_at))
    except Exception:  # noqa: BLE001 - a date is optional; a hostile page must not stop extraction
        return _EMPTY
