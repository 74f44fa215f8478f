"""Where publication dates are read from: one function per kind of source.

Each returns candidate :class:`~scraper.extractor.dates.text.Stamp` values (``None`` for
unreadable ones) in order of trust; :mod:`scraper.extractor.dates.choose` decides among them.
Pure functions over an lxml tree; none changes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from lxml import html as lxml_html

from scraper.extractor.dates.layout import (
    Line,
    ancestors,
    block_of,
    is_excluded,
    story_container,
)
from scraper.extractor.dates.text import (
    ANY_WEEKDAY_RE,
    UPDATE_AFTER_RE,
    WEEKDAY_RE,
    Stamp,
    find_text_dates,
    in_range,
    make_stamp,
    month_number,
    parse_machine,
    time_value,
)
from scraper.extractor.dates.text import (
    UPDATE_WORDS_RE as _UPDATE_WORDS,
)

__all__ = [
    "datelines",
    "marked_times",
    "plain_times",
    "split_date",
    "split_written",
    "updated_after",
    "written_dates",
]

_COPYRIGHT = re.compile(r"©|\(c\)|copyright|all rights reserved", re.IGNORECASE)
_LABEL = re.compile(
    r"(?:published|posted|publish date|date|dated|veröffentlicht|erschienen|publiziert|datum|erstellt|"
    r"stand|publié|publicado|pubblicato|gepubliceerd|opublikowano|опубликовано|дата|"
    r"жарияланды)\W{0,3}(?:\w+\W{1,3}){0,2}$",
    re.IGNORECASE,
)
# Class, itemprop and property words that mark the published date; RDFa's Dublin Core terms
# count too (``property="dc:date dc:created"``, as CMSs such as Drupal write).
_PUBLISHED_MARK = re.compile(r"published|pubdate|datepublished|entry-date|post-date|datecreated|"
                             r"\bdc(?:terms)?:(?:date|created|issued)\b", re.IGNORECASE)
_MODIFIED_MARK = re.compile(r"modified|updated|datemodified", re.IGNORECASE)
_MARKABLE = ("time", "abbr", "span", "div", "p", "em", "small", "meta", "article", "header")
# Data attributes that scripts read the story's dates from (data-published, data-date...).
_DATA_PUBLISHED = re.compile(r"data-(?:[\w-]*publish[\w-]*|pub-?date|date|datetime|date-?created)$",
                             re.IGNORECASE)
_DATA_MODIFIED = re.compile(r"data-[\w-]*(?:modified|updated)[\w-]*$", re.IGNORECASE)


def _data_value(element: lxml_html.HtmlElement, modified: bool) -> Stamp | None:
    """A date in a data attribute naming the published (or modified) date."""
    pattern = _DATA_MODIFIED if modified else _DATA_PUBLISHED
    for name, value in element.attrib.items():
        if name.startswith("data-") and pattern.match(name):
            stamp = parse_machine(value)
            if stamp is not None:
                return stamp
    return None


def _time_value(element: lxml_html.HtmlElement, modified: bool = False) -> Stamp | None:
    if element.tag == "time" and element.get("datetime"):
        shown = parse_machine(time_value(str(element.get("datetime")), element.text_content()))
        if shown is not None:
            return shown
    for attr in ("datetime", "content", "title"):
        stamp = parse_machine(element.get(attr))
        if stamp is not None:
            return stamp
    stamp = _data_value(element, modified) if element.attrib else None
    if stamp is not None:
        return stamp
    return parse_machine(" ".join(element.text_content().split())[:80])


# Elements with a data attribute that may hold a date, found in one C-level pass.
_DATA_XPATH = (
    "descendant-or-self::*[@*[starts-with(name(), 'data-') and (contains(name(), 'date')"
    " or contains(name(), 'publish') or contains(name(), 'modified')"
    " or contains(name(), 'updated'))]]"
)


def _data_marked(scope: lxml_html.HtmlElement) -> frozenset[lxml_html.HtmlElement]:
    return frozenset(scope.xpath(_DATA_XPATH))


def _mark(element: lxml_html.HtmlElement, modified: bool, has_data: bool) -> str | None:
    """How ``element`` is marked as the published (or modified) date: 'class', 'data' or None."""
    marks = f"{element.get('itemprop') or ''} {element.get('class') or ''} " \
        f"{element.get('property') or ''}"
    if element.get("pubdate") is not None:
        marks += " pubdate"
    if _MODIFIED_MARK.search(marks):
        return "class" if modified else None
    if not modified and _PUBLISHED_MARK.search(marks):
        return "class"
    return "data" if has_data and _data_value(element, modified) is not None else None


def _masthead_risk(text: str, mark: str, stamp: Stamp | None, render_day: date | None) -> bool:
    """Above the headline and outside any story block: a weekday line, a bare data
    attribute or the render day are a masthead's "today"."""
    if mark == "data" or ANY_WEEKDAY_RE.search(text):
        return True
    return stamp is not None and render_day is not None and abs((stamp.day - render_day).days) <= 1


def marked_times(
    tree: lxml_html.HtmlElement, headline: lxml_html.HtmlElement | None,
    prior: list[Line], following: list[Line], modified: bool, render_day: date | None = None,
) -> list[Stamp | None]:
    """Elements marked as the published (or modified) date, in the story's region.

    With a headline: next to it first, then anywhere in its article container.
    Without one: anywhere outside excluded blocks (class marks only). Above a
    headline that has no container, weekday lines and bare data attributes
    are a masthead's.
    """
    near: list[Stamp | None] = []
    inside: list[Stamp | None] = []
    above = {line.element: line.text for line in prior if not line.excluded}
    below = {line.element for line in following if not line.excluded}
    container = story_container(headline) if headline is not None else None
    scope = container if container is not None else tree
    keep = ancestors(headline) if headline is not None else frozenset()
    with_data = _data_marked(scope)
    # A headline outside any story block: marked dates further down the page still count
    # when they all name one day (a CMS field after the body); several days are a listing.
    loose: list[Stamp | None] = []
    passed = headline is None or container is not None
    tags = _MARKABLE if passed or headline is None else (*_MARKABLE, str(headline.tag))
    for element in scope.iter(*tags):
        if element is headline:
            passed = True
            continue
        mark = _mark(element, modified, element in with_data)
        if mark is None or is_excluded(element, keep):
            continue
        if element.tag == "meta" and element.getparent() is not None \
                and element.getparent().tag == "head":
            continue  # head metas are the 'meta' source
        block = block_of(element)
        if block in below:
            near.append(_time_value(element, modified))
        elif block in above:
            stamp = _time_value(element, modified)
            if container is not None or not _masthead_risk(above[block], mark, stamp, render_day):
                near.append(stamp)
        elif container is not None or (headline is None and mark == "class"):
            inside.append(_time_value(element, modified))
        elif passed and mark == "class":
            loose.append(_time_value(element, modified))
    if len({stamp.day for stamp in loose if stamp is not None}) == 1:
        inside += loose
    return near + inside


def plain_times(prior: list[Line], following: list[Line]) -> list[Stamp | None]:
    """``<time datetime>`` values on the lines next to the headline, nearest first."""
    found: list[Stamp | None] = []
    for line in following:
        if not line.excluded:
            found.extend(parse_machine(value) for value in line.times)
    for line in reversed(prior):
        if not line.excluded and not ANY_WEEKDAY_RE.search(line.text):
            found.extend(parse_machine(value) for value in line.times)
    return found


_PART = re.compile(r"(?:^|[\s_-])(day|month|year)$", re.IGNORECASE)


def split_date(element: lxml_html.HtmlElement) -> Stamp | None:
    """A date printed in parts, one element each: ``<span class="month">Apr</span>
    <span class="day">04</span><span class="year">2013</span>`` (calendar-leaf dates).
    """
    parts: dict[str, str] = {}
    for count, node in enumerate(element.iterdescendants()):
        if count > 12:
            return None  # a larger block than a date
        for token in (node.get("class") or "").split():
            match = _PART.search(token)
            if match:
                parts.setdefault(match.group(1).lower(), " ".join(node.text_content().split()))
    if len(parts) < 3 or not parts["day"].isdigit() or not parts["year"].isdigit():
        return None
    month = month_number(parts["month"])
    year = int(parts["year"])
    return make_stamp(year, month, int(parts["day"])) if month and year > 1900 else None


# A wire-style dateline opening a paragraph: "BERLIN, 15. Oktober 2019 – ...",
# "Karlsruhe, (12.11.2021). ...": an optional place, the date, then punctuation.
_PLACE_BEFORE = re.compile(
    r"^\s*(?:[A-ZÄÖÜÉА-ЯЁ][\w.-]*(?:\s+[A-ZÄÖÜÉА-ЯЁ][\w.-]*){0,2}\s*(?:\(\w+\)\s*)?[,(]\s*\(?)?$")
_PUNCT_AFTER = re.compile(r"^\s*[-–—|:,;.)\]]")


def written_dates(text: str) -> list[Stamp]:
    """Dates written in ``text`` that may be a publication date (not updates, not copyright)."""
    return split_written(text)[0]


def split_written(text: str) -> tuple[list[Stamp], list[Stamp]]:
    """The dates of ``text`` read once: those that may be a publication date (not copyright),
    and those written after an update label ("Updated: 04.03.2020", the day of an edit)."""
    written: list[Stamp] = []
    updates: list[Stamp] = []
    for stamp in _single_days(text):
        (updates if _UPDATE_WORDS.search(text[:stamp.start]) else written).append(stamp)
    return ([] if written and _COPYRIGHT.search(text) else written), updates


def _single_days(text: str) -> list[Stamp]:
    """Dates written in ``text``, less the ends of periods ("bis 2. Oktober 2017")."""
    found = find_text_dates(text)
    return [s for s, nxt in zip(found, [*found[1:], None]) if not in_range(text, s, nxt)]


def _dateline_stamps(line: Line, before: _Before | None = None) -> list[Stamp]:
    """Publication dates written on one line, labels for updates and mastheads respected."""
    if line.excluded or _COPYRIGHT.search(line.text):
        return []
    found = []
    for stamp in _single_days(line.text):
        prefix = line.text[:stamp.start]
        if _UPDATE_WORDS.search(prefix):
            continue
        labelled = bool(_LABEL.search(prefix))
        # A long line is running text, unless it opens with the date ("27.1.2022 - Bei ...").
        leading = stamp.start <= 1 or (
            bool(_PLACE_BEFORE.match(prefix)) and not ANY_WEEKDAY_RE.search(prefix)
            and bool(_PUNCT_AFTER.match(line.text[stamp.end:])))
        if len(line.text) > 160 and not (labelled or leading or _own_element(line, stamp)):
            continue
        if before is not None and not before.accepts(line, stamp, labelled):
            continue
        found.append(stamp)
    if not found and len(line.text) <= 40:
        split = split_date(line.element)
        if split is not None and (before is None or before.accepts(line, split, False)):
            found.append(split)
    return found


def _own_element(line: Line, stamp: Stamp) -> bool:
    """The date is the whole text of an element inside the line's block: a date span
    closing a long dek ("... its recovery?<span class=date>Monday, 6 January 2020</span>"),
    not a date in running text."""
    for node in line.element.iterdescendants():
        if not isinstance(node.tag, str) or node.tag in ("a", "p", "div", "li"):
            continue
        text = " ".join(node.text_content().split())
        if not 0 < len(text) <= 40:
            continue
        inner = find_text_dates(text)
        # the date and at most a few words beside it ("Monday, ", "Published ")
        if len(inner) == 1 and inner[0].day == stamp.day \
                and len(text) - (inner[0].end - inner[0].start) <= 15:
            return True
    return False


# Words of a time of day ("13:10 Uhr", "4:52 pm", "EST"): a clock line may carry them.
_TIME_WORDS = re.compile(r"\b(?:uhr|h|am|pm|a\.m\.|p\.m\.|utc|gmt|msk|(?-i:[A-Z]{1,3}T))\b", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]{3,}")


@dataclass(frozen=True, slots=True)
class _Before:
    """Judges a date written above the headline, where mastheads and site clocks live."""

    story: lxml_html.HtmlElement | None  # the article block around the headline
    render_day: date  # the fetch day: a masthead shows it
    adjacent: bool  # the line directly above the headline (a kicker/date line)
    header: lxml_html.HtmlElement | None = None  # the headline's own parent block

    def accepts(self, line: Line, stamp: Stamp, labelled: bool) -> bool:
        if ANY_WEEKDAY_RE.search(line.text[:stamp.start]) or WEEKDAY_RE.match(line.text):
            return False  # "[Brand] Saturday, Feb 22, 2025": the masthead "today" line
        if labelled:
            return True
        in_story = self.story is not None and any(
            node is self.story for node in line.element.iterancestors())
        if abs((stamp.day - self.render_day).days) <= 1 and not (
                in_story or self._beside_headline(line) or self._meta_line(line, stamp)):
            return False  # unlabelled, away from the story and on the render day: a site clock
        if in_story:
            # Inside the story's block: a short line, or a meta line opening with the date.
            return len(line.text) <= 80 or stamp.start <= 1
        # Right above the headline, a line opening with the date ("02.02.2022 10:16 Uhr -
        # Bundesliga"); a brand before it ("Степные вести 22 февраля 2025") is a masthead.
        return self.adjacent and stamp.start <= 1 and len(line.text) <= 80

    def _meta_line(self, line: Line, stamp: Stamp) -> bool:
        """Right above the headline, the date opening a line that names more than a time
        ("04.02.2022 | 13:10 Uhr | Uta Helkenberg"): a story's meta line, not a bare clock."""
        rest = _TIME_WORDS.sub(" ", line.text[stamp.end:])
        return self.adjacent and stamp.start <= 1 and len(line.text) <= 80 and _WORD.search(rest) is not None

    def _beside_headline(self, line: Line) -> bool:
        """The line sits in the headline's own block (its date line, not the page's)."""
        header = self.header
        if header is None or header.tag in ("body", "html", "main"):
            return False
        return any(node is header for node in line.element.iterancestors())


_BODY_DEPTH = 3  # body paragraphs after which a dateline is no longer looked for


def datelines(prior: list[Line], following: list[Line], story: lxml_html.HtmlElement | None,
              render_day: date, headline: lxml_html.HtmlElement | None = None) -> list[Stamp]:
    stamps: list[Stamp] = []
    paragraphs = 0
    for line in following:
        found = _dateline_stamps(line)
        if paragraphs >= _BODY_DEPTH:
            # Deep in the body, short dated lines are mostly lists of other stories;
            # only a labelled one ("Veröffentlicht am ...") still dates the story.
            found = [s for s in found if _LABEL.search(line.text[:s.start])]
        stamps.extend(found)
        paragraphs += len(line.text) > 160
    for index, line in enumerate(reversed(prior)):
        header = headline.getparent() if headline is not None else None
        stamps.extend(_dateline_stamps(line, _Before(story, render_day, adjacent=index == 0, header=header)))
    return stamps



def updated_after(text: str) -> list[Stamp]:
    """Dates in ``text`` followed by an update label.

    "January 19, 2020 / 12:25 PM / Updated 8 hours ago": the page shows the
    first publication and, apart from it, the last update.
    """
    return [stamp for stamp in find_text_dates(text) if UPDATE_AFTER_RE.match(text[stamp.end:])]
