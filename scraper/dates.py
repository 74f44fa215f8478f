"""Publication and modification dates of an article page.

:func:`find_dates` tries the sources in order of trust and keeps the first
plausible date:

1. ``jsonld``: ``datePublished``/``dateCreated`` of an article-type JSON-LD object;
2. ``meta``: ``article:published_time`` and its many cousins;
3. ``time``: ``<time datetime>`` / ``itemprop=datePublished`` in the story's region;
4. ``dateline``: a date written next to the headline ("October 15, 2019", "15.10.2019, 14:30");
5. ``url``: a full date in the URL path (``/2021/01/22/``, ``/20210122/``, ``-2021-01-22``).

What is never used: the masthead "today" line (a weekday and date above the
headline, printed when the page was rendered), dates in related / latest-news /
sidebar / comment / footer blocks, copyright years. Dates after the fetch (plus
a day of clock skew) or before 1995 are rejected. When nothing is trustworthy
the answer is ``published=None``: a wrong date misleads a researcher, a missing
one does not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from datetime import date, datetime, timedelta, timezone
from typing import Any

from htmldate import find_date
from lxml import html as lxml_html

from scraper.dates_layout import (
    Line, ancestors, block_of, find_headline, is_excluded, lines_around, page_lines, story_container,
)
from scraper.dates_text import WEEKDAY_RE, Stamp, find_text_dates, make_stamp, parse_machine
from scraper.structured import ARTICLE_TYPES, jsonld_objects, types_of

__all__ = ["DateFinding", "find_dates"]

_OLDEST = date(1995, 1, 1)


@dataclass(frozen=True, slots=True)
class DateFinding:
    """The dates found on a page; any of them may be None."""

    published: str | None  # ISO 8601 day, or datetime (with offset when the page states one)
    date_source: str | None  # 'jsonld' | 'meta' | 'time' | 'dateline' | 'url' | None
    modified: str | None  # dateModified / article:modified_time, kept apart from published


_EMPTY = DateFinding(None, None, None)

_PUBLISHED_META = (
    "article:published_time", "og:article:published_time", "og:published_time",
    "article:published", "published_time", "datepublished", "pubdate", "publishdate",
    "publish-date", "publish_date", "published-date", "published_date", "article.published",
    "article_date_original", "original-publish-date", "dc.date.issued", "dcterms.issued",
    "dc.date.created", "dcterms.created", "dc.date", "dcterms.date", "dc:date",
    "citation_publication_date", "citation_date", "sailthru.date", "parsely-pub-date",
    "cxenseparse:recs:publishtime", "rnews:datepublished", "datecreated", "date",
)
_MODIFIED_META = (
    "article:modified_time", "og:article:modified_time", "og:updated_time", "datemodified",
    "dcterms.modified", "dc.date.modified", "last-modified", "lastmod",
)
_UPDATE_WORDS = re.compile(
    r"(?:updated?|modified|edited|revised|aktualisiert|geändert|zuletzt|bearbeitet|mis à jour|"
    r"actualizado|aggiornato|bijgewerkt|zaktualizowano|обновлено|обновлен|изменено|оновлено)"
    r"\W{0,3}(?:\w+\W{1,3}){0,2}$",
    re.IGNORECASE,
)
_COPYRIGHT = re.compile(r"©|\(c\)|copyright|all rights reserved", re.IGNORECASE)
_LABEL = re.compile(
    r"(?:published|posted|publish date|date|dated|veröffentlicht|erschienen|publiziert|datum|"
    r"stand|publié|publicado|pubblicato|gepubliceerd|opublikowano|опубликовано|дата|"
    r"жарияланды)\W{0,3}(?:\w+\W{1,3}){0,2}$",
    re.IGNORECASE,
)
_URL_DATES = (
    re.compile(r"/((?:19|20)\d{2})/([01]?\d)/([0-3]?\d)(?:/|$|[-_.])"),
    re.compile(r"/((?:19|20)\d{2})-([01]\d)-([0-3]\d)(?:/|$|[-_.])"),
    re.compile(r"[-_/]((?:19|20)\d{2})([01]\d)([0-3]\d)(?:/|$|[-_.])"),
    re.compile(r"[-_]((?:19|20)\d{2})[-_]([01]\d)[-_]([0-3]\d)(?:/|$|[-_.])"),
)


def _latest_allowed(fetched_at: str | None) -> date:
    """The last plausible publication day: the fetch day (or today) plus a day of skew."""
    when = parse_machine(fetched_at) if fetched_at else None
    day = when.day if when else datetime.now(timezone.utc).date()
    return day + timedelta(days=1)


def _jsonld(objects: list[dict[str, Any]], keys: tuple[str, ...]) -> list[Stamp | None]:
    """Dates under ``keys`` of article-type objects, real articles before plain web pages."""
    ranked: list[tuple[int, Stamp | None]] = []
    for obj in objects:
        kinds = types_of(obj)
        if not kinds & ARTICLE_TYPES:
            continue
        rank = 1 if kinds <= {"webpage"} else 0
        for key in keys:
            value = obj.get(key)
            if isinstance(value, list) and value:
                value = value[0]
            ranked.append((rank, parse_machine(value)))
    return [stamp for _, stamp in sorted(ranked, key=lambda pair: pair[0])]


def _metas(tree: lxml_html.HtmlElement, names: tuple[str, ...]) -> list[Stamp | None]:
    """``<meta>`` dates under ``names`` in that order; body metas only outside excluded blocks."""
    found: dict[str, list[str]] = {}
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        content = meta.get("content")
        if key in names and content and not is_excluded(meta):
            found.setdefault(key.strip(), []).append(content)
    return [parse_machine(value) for name in names for value in found.get(name, ())]


_PUBLISHED_MARK = re.compile(r"published|pubdate|datepublished|entry-date|post-date|datecreated",
                             re.IGNORECASE)
_MODIFIED_MARK = re.compile(r"modified|updated|datemodified", re.IGNORECASE)
_MARKABLE = ("time", "abbr", "span", "div", "p", "em", "small", "meta")


def _time_value(element: lxml_html.HtmlElement) -> Stamp | None:
    for attr in ("datetime", "content", "title"):
        stamp = parse_machine(element.get(attr))
        if stamp is not None:
            return stamp
    return parse_machine(" ".join(element.text_content().split())[:80])


def _is_marked(element: lxml_html.HtmlElement, modified: bool) -> bool:
    marks = f"{element.get('itemprop') or ''} {element.get('class') or ''} " \
        f"{element.get('property') or ''}"
    if element.get("pubdate") is not None:
        marks += " pubdate"
    if _MODIFIED_MARK.search(marks):
        return modified
    return not modified and bool(_PUBLISHED_MARK.search(marks))


def _marked_times(
    tree: lxml_html.HtmlElement, headline: lxml_html.HtmlElement | None,
    window: list[Line], modified: bool,
) -> list[Stamp | None]:
    """Elements marked as the published (or modified) date, in the story's region.

    With a headline: next to it first, then anywhere in its article container.
    Without one: anywhere outside excluded blocks.
    """
    near: list[Stamp | None] = []
    inside: list[Stamp | None] = []
    blocks = {line.element for line in window if not line.excluded}
    container = story_container(headline) if headline is not None else None
    scope = container if container is not None else tree
    keep = ancestors(headline) if headline is not None else frozenset()
    for element in scope.iter(*_MARKABLE):
        if not _is_marked(element, modified) or is_excluded(element, keep):
            continue
        if element.tag == "meta" and element.getparent() is not None \
                and element.getparent().tag == "head":
            continue  # head metas are the 'meta' source
        if block_of(element) in blocks:
            near.append(_time_value(element))
        elif headline is None or container is not None:
            inside.append(_time_value(element))
    return near + inside


def _plain_times(prior: list[Line], following: list[Line]) -> list[Stamp | None]:
    """``<time datetime>`` values on the lines next to the headline, nearest first."""
    found: list[Stamp | None] = []
    for line in following:
        if not line.excluded:
            found.extend(parse_machine(value) for value in line.times)
    for line in reversed(prior):
        if not line.excluded and not WEEKDAY_RE.match(line.text):
            found.extend(parse_machine(value) for value in line.times)
    return found


_LEADING_DATELINE = re.compile(r"^\s*(?:[-–—|:,]|\(|\s[-–—]\s)")


def _dateline_stamps(line: Line, before: _Before | None = None) -> list[Stamp]:
    """Publication dates written on one line, labels for updates and mastheads respected."""
    if line.excluded or _COPYRIGHT.search(line.text):
        return []
    found = []
    for stamp in find_text_dates(line.text):
        prefix = line.text[:stamp.start]
        if _UPDATE_WORDS.search(prefix):
            continue
        labelled = bool(_LABEL.search(prefix))
        # A long line is running text, unless it opens with the date ("27.1.2022 - Bei ...").
        leading = stamp.start <= 1 or (
            len(prefix) <= 40 and bool(_LEADING_DATELINE.match(line.text[stamp.end:])))
        if len(line.text) > 160 and not (labelled or leading):
            continue
        if before is not None and not before.accepts(line, stamp, labelled):
            continue
        found.append(stamp)
    return found


@dataclass(frozen=True, slots=True)
class _Before:
    """Judges a date written above the headline, where mastheads and site clocks live."""

    story: lxml_html.HtmlElement | None  # the article block around the headline
    render_day: date  # the fetch day: a masthead shows it
    adjacent: bool  # the line directly above the headline (a kicker/date line)

    def accepts(self, line: Line, stamp: Stamp, labelled: bool) -> bool:
        if WEEKDAY_RE.match(line.text[:stamp.start] or line.text):
            return False  # "Saturday, Feb 22, 2025": the masthead "today" line
        if labelled:
            return True
        if abs((stamp.day - self.render_day).days) <= 1:
            return False  # unlabelled and on the render day: a site clock
        in_story = self.story is not None and any(
            node is self.story for node in line.element.iterancestors())
        return len(line.text) <= (80 if in_story else 40 if self.adjacent else 0)


def _dateline(prior: list[Line], following: list[Line],
              story: lxml_html.HtmlElement | None, render_day: date) -> list[Stamp]:
    stamps: list[Stamp] = []
    for line in following:
        stamps.extend(_dateline_stamps(line))
    for index, line in enumerate(reversed(prior)):
        stamps.extend(_dateline_stamps(line, _Before(story, render_day, adjacent=index == 0)))
    return stamps


def _canonical(tree: lxml_html.HtmlElement) -> str | None:
    for link in tree.iter("link"):
        if (link.get("rel") or "").lower() == "canonical" and link.get("href"):
            return str(link.get("href"))
    return None


def _title(tree: lxml_html.HtmlElement) -> str:
    title = tree.find(".//title")
    return " ".join(title.text_content().split()) if title is not None else ""


_URL_MONTH = re.compile(r"/((?:19|20)\d{2})/([01]?\d)/")


def _url_month(url: str | None) -> tuple[int, int] | None:
    match = _URL_MONTH.search(url or "")
    return (int(match.group(1)), int(match.group(2))) if match else None


def _htmldate_guess(tree: lxml_html.HtmlElement, url: str | None) -> str | None:
    """htmldate's reading of the page (it copies the tree before pruning it)."""
    try:
        return find_date(tree, url=url, original_date=True, extensive_search=False)
    except Exception:  # noqa: BLE001 - a third-party heuristic; its failure means "no guess"
        return None


def _url_stamps(urls: Iterable[str | None]) -> list[Stamp | None]:
    stamps: list[Stamp | None] = []
    for url in urls:
        if not url:
            continue
        path = re.sub(r"^[a-z]+://[^/]+", "", url.split("?")[0].split("#")[0], flags=re.I)
        for pattern in _URL_DATES:
            match = pattern.search(path)
            if match:
                stamps.append(make_stamp(*(int(g) for g in match.groups())))
                break
    return stamps


class _Page:
    """Views of one page computed on demand, so that cheap sources can answer first."""

    def __init__(self, tree: lxml_html.HtmlElement, url: str | None, latest: date) -> None:
        self.tree, self.url, self.latest = tree, url, latest
        self.objects = jsonld_objects(tree)

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

    def plausible(self, stamps: Iterable[Stamp | None]) -> list[Stamp]:
        return [s for s in stamps if s is not None and _OLDEST <= s.day <= self.latest]

    def machine(self) -> list[tuple[str, Stamp]]:
        """JSON-LD then meta candidates, in order of trust."""
        jsonld = self.plausible(_jsonld(self.objects, ("datePublished", "dateCreated")))
        meta = self.plausible(_metas(self.tree, _PUBLISHED_META))
        return [("jsonld", s) for s in jsonld] + [("meta", s) for s in meta]

    def visible(self) -> list[tuple[str, Stamp]]:
        """``<time>``/microdata candidates, then datelines, nearest the headline first."""
        prior, following = self.window
        times = _marked_times(self.tree, self.headline, [*prior, *following], modified=False)
        times += _plain_times(prior, following)
        return [("time", s) for s in self.plausible(times)] + \
            [("dateline", s) for s in self.plausible(_dateline(prior, following, self.story,
                                                                self.latest - timedelta(days=1)))]

    def corroborated_htmldate(self) -> list[tuple[str, Stamp]]:
        """htmldate's guess, kept only when the story itself shows that day too.

        htmldate alone reads mastheads and related lists as readily as datelines;
        its guess counts when the same day is written in the story's own lines
        (after the headline, outside excluded blocks) or in the title, or when
        the URL names its year and month. Pages with no such evidence never pay
        for htmldate.
        """
        evidence = self._evidence()
        url_months = {_url_month(u) for u in (self.url, _canonical(self.tree))} - {None}
        if not evidence and not url_months:
            return []
        guess = parse_machine(_htmldate_guess(self.tree, self.url))
        if guess is None or not self.plausible([guess]):
            return []
        if guess.day in evidence:
            return [(evidence[guess.day], guess)]
        if (guess.day.year, guess.day.month) in url_months:
            return [("url", guess)]
        return []

    def _evidence(self) -> dict[date, str]:
        """Days written in the story's own lines and title, with the kind of source."""
        if self.headline is not None:
            lines = lines_around(self.tree, self.headline, before=0, after=300)[1]
        else:
            body = self.tree.find(".//body")
            lines = page_lines(body if body is not None else self.tree, 300)
        days: dict[date, str] = {}
        for line in lines:
            if line.excluded:
                continue
            for value in line.times:
                stamp = parse_machine(value)
                if stamp is not None:
                    days.setdefault(stamp.day, "time")
            for stamp in find_text_dates(line.text):
                days.setdefault(stamp.day, "dateline")
        for stamp in find_text_dates(_title(self.tree)):
            days.setdefault(stamp.day, "dateline")
        return days

    def modified(self) -> Stamp | None:
        machine = [*_jsonld(self.objects, ("dateModified",)), *_metas(self.tree, _MODIFIED_META)]
        found = self.plausible(machine)
        if not found:
            prior, following = self.window
            found = self.plausible(
                _marked_times(self.tree, self.headline, [*prior, *following], modified=True))
        return found[0] if found else None


def _choose(page: _Page) -> tuple[str, Stamp] | None:
    """The best publication date with its source, cross-checked where sources disagree."""
    candidates = page.machine()
    if candidates and len({stamp.day for _, stamp in candidates}) > 1:
        # Machine sources disagree (a republished or re-dated story): the one that
        # matches the date printed for readers wins.
        shown = [s for src, s in page.visible() if src == "dateline"]
        agreeing = [c for c in candidates if shown and c[1].day == shown[0].day]
        candidates = agreeing + candidates
    if not candidates:
        candidates = page.visible()
    if not candidates:
        candidates = page.corroborated_htmldate()
    urls = page.plausible(_url_stamps((page.url, _canonical(page.tree))))
    if urls and candidates and 0 < abs((candidates[0][1].day - urls[0].day).days) <= 1:
        # A timestamp in UTC can fall on the next day; the URL keeps the local one.
        same_day = [c for c in candidates if c[1].day == urls[0].day]
        return same_day[0] if same_day else ("url", urls[0])
    if candidates:
        return candidates[0]
    return ("url", urls[0]) if urls else None


def _find(tree: lxml_html.HtmlElement, url: str | None, latest: date) -> DateFinding:
    page = _Page(tree, url, latest)
    chosen = _choose(page)
    modified = page.modified()
    return DateFinding(
        chosen[1].iso if chosen else None,
        chosen[0] if chosen else None,
        modified.iso if modified else None,
    )


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
