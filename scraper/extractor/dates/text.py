"""Reading dates out of strings: machine values, human datelines, URL paths.

Entry points, all pure and exception-free:

* :func:`parse_machine` for values meant for machines (JSON-LD, ``<meta>``,
  ``<time datetime>``): ISO 8601 in its many spellings, RFC 2822, compact
  ``YYYYMMDD``;
* :func:`find_text_dates` for text a reader sees ("October 15, 2019",
  "15.10.2019, 14:30", "15 октября 2019 г.", "Veröffentlicht am 3. März 2020");
* :func:`json_dates` for publication keys in script JSON;
* :func:`url_dates`, :func:`url_month` and :func:`folder_date` for dates in URL paths.

A found date is a :class:`Stamp`: the calendar day plus, when the source
states a time, the ISO datetime string (with its offset when one is given).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.utils import parsedate_to_datetime

from scraper.extractor.dates.names import ARABIC_MONTHS, MONTHS, WEEKDAY_NAMES

__all__ = [
    "ANY_WEEKDAY_RE", "UPDATE_AFTER_RE", "UPDATE_WORDS_RE", "WEEKDAY_RE", "Stamp",
    "ambiguous_days", "find_text_dates", "folder_date", "in_range", "json_dates", "local_twin", "make_stamp",
    "masthead_like", "month_number", "parse_machine", "time_value", "url_dates", "url_month",
]


@dataclass(frozen=True, slots=True)
class Stamp:
    """A date as found: ``day`` for comparisons, ``iso`` for output."""

    day: date
    iso: str
    start: int = 0  # offset of the match in the searched text (text dates only)
    end: int = 0


def _trie(words: Iterable[str]) -> str:
    """One regex for ``words`` shaped as a trie, longest match first ("sept" before "sep"): with
    hundreds of month names in many languages, the engine tests each letter once, not each word."""
    root: dict[str, dict] = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def pattern(node: dict[str, dict]) -> str:
        branches = [re.escape(char) + pattern(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return pattern(root)


_MONTH_OF = {name: num for months in (MONTHS, ARABIC_MONTHS) for num, names in months.items() for name in names}
_M = rf"(?P<mon>{_trie(_MONTH_OF)})\.?"
_WEEKDAY_ALT = _trie(name for names in WEEKDAY_NAMES.values() for name in names)

#: A weekday name at the start of a string (the masthead "today" line).
WEEKDAY_RE = re.compile(rf"^\W*(?:{_WEEKDAY_ALT})\b", re.IGNORECASE)
#: A weekday name anywhere.
ANY_WEEKDAY_RE = re.compile(rf"\b(?:{_WEEKDAY_ALT})\b", re.IGNORECASE)

_Y = r"(?P<year>(?:19|20)\d{2})"
_D = r"(?P<day>[0-3]?\d)"
_TIME_OF_DAY = (
    r"(?:\s*(?:,|\||-|–|—|/|um|at|à|a las|alle|в|o)?\s*"
    r"(?P<kampm>오전|오후)?\s*(?P<hour>[0-2]?\d)[:.h](?P<minute>[0-5]\d)(?::[0-5]\d)?\s*(?P<ampm>[ap]\.?m\.?)?(?![\d.:]))"
)
_TIME = _TIME_OF_DAY + "?"
_TEXT_PATTERNS = (
    # 15 October 2019 / 15. Oktober 2019 / 15 de octubre del 2019 / 15 d'octubre de 2019 / 15 октября 2019 г.
    re.compile(rf"(?<![\w.]){_D}(?:st|nd|rd|th|er|º)?\.?\s*(?:of\s+|de\s+|d['’]\s*)?{_M},?\s*(?:del?\s+)?{_Y}"
               rf"(?!\d)(?:\s*(?:г\.|года|р\.|року|ж\.))?{_TIME}", re.IGNORECASE),
    # October 15, 2019 / Oct. 15th 2019
    re.compile(rf"(?<!\w){_M}\s+{_D}(?:st|nd|rd|th)?,?\s+{_Y}(?!\d){_TIME}", re.IGNORECASE),
    # 2019 жылғы 15 қазан (Kazakh: the year first, then day and month)
    re.compile(rf"(?<!\d){_Y}\s*(?:жылғы|жылы|ж\.)\s*{_D}\s*{_M}(?!\w){_TIME}", re.IGNORECASE),
    # 2019. október 15. / 2019 m. spalio 15 d. (Hungarian, Lithuanian: the year, the month's name, the day)
    re.compile(rf"(?<![\d.]){_Y}\.?\s*(?:m\.\s*)?{_M}\s*{_D}\.?(?:\s*d\.)?(?!\d){_TIME}", re.IGNORECASE),
    # 2019. 10. 15. (Korean: spaced, with a dot after each part; "오후 4:52" is 4:52 pm)
    re.compile(rf"(?<![\d.]){_Y}\.\s+(?P<month>[01]?\d)\.\s+{_D}\.?(?!\d){_TIME}"),
    # 2019年10月15日 / 2019년 10월 15일 (Chinese, Japanese, Korean)
    re.compile(rf"(?<!\d){_Y}\s*[年년]\s*(?P<month>[01]?\d)\s*[月월]\s*{_D}\s*[日일]{_TIME}"),
    # 15.10.2019 / 15. 10. 2019 (day first: the dotted form is never month-first)
    re.compile(rf"(?<![\d.]){_D}\.\s?(?P<month>[01]?\d)\.\s?{_Y}(?!\d){_TIME}"),
    # 15.10.19 (two-digit year, dotted only: German/Russian bylines)
    re.compile(rf"(?<![\w.])(?P<day>[0-3]\d)\.(?P<month>[01]\d)\.(?P<year2>[0-3]\d)(?![\d.]){_TIME}"),
    # 2019-10-15 / 2019/10/15 / 2019.10.15
    re.compile(rf"(?<![\d/.-]){_Y}(?P<sep>[-/.])(?P<month>[01]?\d)(?P=sep){_D}(?![\d/]){_TIME}"),
    # 15/10/2019 or 10/15/2019: only when one side cannot be a month
    re.compile(rf"(?<![\d/]){_D}/(?P<month>[0-3]?\d)/{_Y}(?!\d){_TIME}"),
    # 12/20/16 08:00 AM: a two-digit year slashed only with a time of day (a bare "3/4/16"
    # may be anything), and again only when one side cannot be a month
    re.compile(rf"(?<![\d/]){_D}/(?P<month>[0-3]?\d)/(?P<year2>[0-3]\d)(?![\d/]){_TIME_OF_DAY}"),
)


def month_number(text: str) -> int | None:
    """The month named or numbered by ``text`` ("Apr", "April", "04", "апреля"), or None."""
    word = text.strip().rstrip(".").lower()
    if word.isdigit():
        return int(word) if 1 <= int(word) <= 12 else None
    return _MONTH_OF.get(word)


_ANY_YEAR = re.compile(r"(?:19|20)\d\d|\d\d\.[0-3]\d(?![\d.])|\d/[0-3]\d(?![\d/])")


def make_stamp(
    year: int, month: int, day: int, hour: int | None = None, minute: int = 0
) -> Stamp | None:
    """A :class:`Stamp` for a calendar day (and optional local time), or None if invalid."""
    try:
        d = date(year, month, day)
        if hour is None:
            return Stamp(d, d.isoformat())
        return Stamp(d, datetime(year, month, day, hour, minute).isoformat())
    except ValueError:
        return None


def _stamp_from_datetime(dt: datetime, has_time: bool) -> Stamp:
    if not has_time:
        return Stamp(dt.date(), dt.date().isoformat())
    return Stamp(dt.date(), dt.replace(microsecond=0).isoformat())


_ISO_DAY = re.compile(r"^\s*((?:19|20)\d{2})-?([01]\d)-?([0-3]\d)(?=$|[T\s])")
_ISO_OFFSET = re.compile(r"([+-]\d{2})(\d{2})$")


def parse_machine(value: object) -> Stamp | None:
    """A date from a machine-readable value, or None when it is not one."""
    if not isinstance(value, str):
        return None
    text = value.strip()[:80]
    if not text:
        return None
    day_match = _ISO_DAY.match(text)
    if day_match:
        rest = text[day_match.end():].strip()
        if not rest or re.fullmatch(r"T?00:00(:00(\.0+)?)?(Z|[+-]00:?00)?", rest):
            # A bare day, or midnight that CMSs write when no time is known.
            return make_stamp(*(int(g) for g in day_match.groups()))
        candidate = _ISO_OFFSET.sub(r"\1:\2", text.replace(" ", "T", 1).replace("z", "Z"))
        try:
            return _stamp_from_datetime(datetime.fromisoformat(candidate), True)
        except ValueError:
            return make_stamp(*(int(g) for g in day_match.groups()))
    try:
        return _stamp_from_datetime(parsedate_to_datetime(text), True)
    except (TypeError, ValueError, IndexError):
        pass
    found = find_text_dates(text)
    return found[0] if found else None


def _hour24(match: re.Match[str]) -> int | None:
    if match.group("hour") is None:
        return None
    hour = int(match.group("hour"))
    ampm = (match.group("ampm") or "").lower().replace(".", "") or {"오전": "am", "오후": "pm"}.get(
        match.group("kampm") or "", "")
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    return hour if hour < 24 else None


def _month_day(match: re.Match[str], text: str = "") -> tuple[int, int] | None:
    groups = match.groupdict()
    day = int(groups["day"])
    if groups.get("mon"):
        return _MONTH_OF[groups["mon"].lower()], day
    month = int(groups["month"])
    year_end = match.end("year2" if groups.get("year2") else "year") - match.start()
    if groups.get("sep") is None and "/" in match.group(0)[:year_end]:
        # D/M/Y against M/D/Y: decide only when one reading is impossible, when both
        # readings are the same day ("08/08/2017"), or when the weekday written before
        # the date fits one reading only ("Wed, 03/04/2020" is March 4).
        if month == day:
            return month, day
        if month > 12 and day <= 12:
            return day, month
        if day > 12 and month <= 12:
            return month, day
        return _by_weekday(_year(match), month, day, _weekday_before(text, match.start()))
    return month, day


_WEEKDAY_OF = {name: number for number, names in WEEKDAY_NAMES.items() for name in names}
_WEEKDAY_BEFORE = re.compile(rf"\b({_WEEKDAY_ALT})\.?,?\s*$", re.IGNORECASE)


def _weekday_before(text: str, start: int) -> int | None:
    """The weekday named right before a date ("Wed, " in "Wed, 03/04/2020"), if any."""
    found = _WEEKDAY_BEFORE.search(text[max(0, start - 16):start])
    return _WEEKDAY_OF.get(found.group(1).lower()) if found else None


def _by_weekday(year: int, first: int, second: int, weekday: int | None) -> tuple[int, int] | None:
    """(month, day) of the one reading of "first/second" that falls on ``weekday``."""
    if weekday is None:
        return None
    fits = []
    for month, day in ((second, first), (first, second)):
        stamp = make_stamp(year, month, day)
        if stamp is not None and stamp.day.weekday() == weekday:
            fits.append((month, day))
    return fits[0] if len(fits) == 1 else None


def _year(match: re.Match[str]) -> int:
    short = match.groupdict().get("year2")
    return 2000 + int(short) if short else int(match.group("year"))


# Arabic-Indic, Eastern Arabic (Persian, Urdu), Devanagari and Bengali digits read as ASCII ones, one for one, so
# offsets stay; a Hijri or Solar Hijri year (1441, 1398) is then no year of ours.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹०१२३४५६७८९০১২৩৪৫৬৭৮৯", "0123456789" * 4)


def find_text_dates(text: str) -> list[Stamp]:
    """Every date written in ``text``, in order of appearance, without overlaps."""
    found: list[Stamp] = []
    text = text.translate(_DIGITS)
    if not _ANY_YEAR.search(text):
        return found  # cheap test first: most lines hold no date at all
    taken: list[tuple[int, int]] = []
    for pattern in _TEXT_PATTERNS:
        for match in pattern.finditer(text):
            span = match.span()
            if any(span[0] < b and a < span[1] for a, b in taken):
                continue
            month_day = _month_day(match, text)
            if month_day is None:
                continue
            hour = _hour24(match)
            minute = int(match.group("minute")) if hour is not None else 0
            stamp = make_stamp(_year(match), month_day[0], month_day[1], hour, minute)
            if stamp is not None:
                taken.append(span)
                found.append(Stamp(stamp.day, stamp.iso, span[0], span[1]))
    return sorted(found, key=lambda s: s.start)


# Slashed dates with a four- or a two-digit year ("03/04/2020", "3/4/20").
_SLASHED = re.compile(rf"(?<![\d/])(?P<day>[01]?\d)/(?P<month>[01]?\d)/(?:{_Y}|(?P<year2>[0-3]\d))(?![\d/])")


def ambiguous_days(text: str) -> set[tuple[date, date]]:
    """(day-first, month-first) readings of each slashed date in ``text`` that may be either.

    "03/04/2020" is 3 April or March 4: :func:`find_text_dates` takes neither (unless a
    weekday settles it), and a guess that read one of them is evidence only where the
    page's language says which (see :mod:`.score`).
    """
    days: set[tuple[date, date]] = set()
    if "/" not in text:
        return days
    for match in _SLASHED.finditer(text):
        first, second = int(match.group("day")), int(match.group("month"))
        if first == second or not (0 < first <= 12 and 0 < second <= 12):
            continue
        if _by_weekday(_year(match), first, second, _weekday_before(text, match.start())) is not None:
            continue
        day_first = make_stamp(_year(match), second, first)
        month_first = make_stamp(_year(match), first, second)
        if day_first is not None and month_first is not None:
            days.add((day_first.day, month_first.day))
    return days


_UPDATE_LABEL = (
    r"(?:updated?|modified|edited|revised|aktualisiert|geändert|zuletzt|bearbeitet|mis à jour|"
    r"actualizado|aggiornato|bijgewerkt|zaktualizowano|обновлено|обновлен|изменено|оновлено|"
    r"atualizado|actualizat|güncellendi|güncelleme|ενημερώθηκε|ενημέρωση|frissítve|aktualizováno|"
    r"aktualizované|ažurirano|uppdaterad|opdateret|oppdatert|päivitetty|diperbarui|cập nhật|"
    r"अपडेटेड|अपडेट|更新)"
)
#: An update label just before a date ("Updated on 3 May 2020", "Aktualisiert: 03.05.2020").
UPDATE_WORDS_RE = re.compile(_UPDATE_LABEL + r"\W{0,3}(?:\w+\W{1,3}){0,2}$", re.IGNORECASE)
#: An update label right after a date ("May 3, 2020 / Updated 8 hours ago").
UPDATE_AFTER_RE = re.compile(r"^\W{0,5}" + _UPDATE_LABEL + r"\b", re.IGNORECASE)

# Words and dashes joining the two ends of a period ("vom 24. April bis 2. Oktober 2017",
# "12-15 March 2019", "du 3 au 5 mai 2019"): such dates are events, not publications.
_RANGE_WORDS = r"bis(?:\s+zum)?|until|till|through|thru|to|au|jusqu'au|al|hasta|tot|до|по"
_RANGE_BEFORE = re.compile(rf"(?:\b(?:{_RANGE_WORDS})|[\d.]\s*[-–—])\s*$", re.IGNORECASE)
_RANGE_BETWEEN = re.compile(rf"^\s*(?:{_RANGE_WORDS}|[-–—])\s*$", re.IGNORECASE)


def in_range(text: str, stamp: Stamp, following: Stamp | None = None) -> bool:
    """Whether ``stamp`` in ``text`` is an end of a period, not a day on its own.

    ``following`` is the next date found in ``text``, if any: "2. Januar 2017 – 5. Februar
    2017" starts a period as surely as "bis 5. Februar 2017" ends one.
    """
    if _RANGE_BEFORE.search(text[max(0, stamp.start - 24):stamp.start]):
        return True
    return following is not None and following.start - stamp.end <= 12 and bool(
        _RANGE_BETWEEN.match(text[stamp.end:following.start]))


def time_value(attribute: str, text: str) -> str:
    """The value a ``<time datetime>`` element stands for.

    Its ``datetime``, unless the element's own text writes one full date of
    another day (``<time datetime="2019-07-03">Publié le 29 juin 2019</time>``):
    some CMSs fill the attribute with the day of the last edit, while the text
    is what readers were shown. An update label in the text keeps the attribute.
    """
    if not _ANY_YEAR.search(text):
        return attribute
    written = find_text_dates(" ".join(text.split())[:120])
    machine = parse_machine(attribute)
    if len(written) != 1 or machine is None or written[0].day == machine.day:
        return attribute
    if UPDATE_WORDS_RE.search(" ".join(text.split())[:written[0].start]):
        return attribute
    return written[0].iso


def masthead_like(text: str, stamp: Stamp, render_day: date | None) -> bool:
    """A weekday-led date line, or an unlabelled date on the render day: a "today" stamp.

    ``render_day`` None: the weekday test alone (lines under the headline, where site
    clocks do not sit).
    """
    if ANY_WEEKDAY_RE.search(text[:stamp.start]) or WEEKDAY_RE.match(text):
        return True
    return render_day is not None and abs((stamp.day - render_day).days) <= 1


def _instant(stamp: Stamp) -> datetime | None:
    """The moment a stamp names, when it states a time and an offset."""
    if "T" not in stamp.iso:
        return None
    moment = datetime.fromisoformat(stamp.iso)
    return moment if moment.tzinfo is not None else None


def local_twin(
    chosen: tuple[str, Stamp], others: Callable[[], list[tuple[str, Stamp]]]
) -> tuple[str, Stamp]:
    """The same moment written in the page's own offset, when the chosen one is in UTC.

    "2023-11-09T02:11:03+00:00" in JSON-LD and "2023-11-08T21:11:03-05:00" in the
    ``<time>`` element are one moment; the day readers saw is the local one.
    """
    moment = _instant(chosen[1])
    if moment is None or moment.utcoffset() != timedelta(0):
        return chosen
    for source, stamp in others():
        other = _instant(stamp)
        if other is not None and other.utcoffset() and other == moment:
            return source, stamp
    return chosen


# Publication keys of the JSON that sites embed for their scripts (Next.js ``__NEXT_DATA__``,
# app state): the story's own record, but also every teaser's, so callers confirm it.
_JSON_DATE = re.compile(
    r'"(?:datePublished|date_published|publishedDate|published_date|publishDate|publish_date'
    r'|publishedAt|published_at|firstPublished|first_published_at|pubDate)"\s*:\s*"([^"]{8,40})"')


def json_dates(text: str) -> list[Stamp]:
    """Publication dates under well-known keys of a JSON text, in order of appearance."""
    found = (parse_machine(m.group(1)) for m in _JSON_DATE.finditer(text))
    return [stamp for stamp in found if stamp is not None]


# A full date in a URL path: /2021/01/22/, /2021-01-22/, /20210122/, -2021_01_22.
_URL_DATES = (
    re.compile(r"/((?:19|20)\d{2})/([01]?\d)/([0-3]?\d)(?:/|$|[-_.])"),
    re.compile(r"/((?:19|20)\d{2})-([01]\d)-([0-3]\d)(?:/|$|[-_.])"),
    re.compile(r"[-_/]((?:19|20)\d{2})([01]\d)([0-3]\d)(?:/|$|[-_.])"),
    re.compile(r"[-_]((?:19|20)\d{2})[-_]([01]\d)[-_]([0-3]\d)(?:/|$|[-_.])"),
)


# The year last: /29-10-2021, _22.04.2020_, /01-23-2020/ (press releases, European and US slugs).
_URL_YEAR_LAST = re.compile(r"[-_/~]([0-3]?\d)[-_.]([0-3]?\d)[-_.]((?:19|20)\d{2})(?:/|$|[-_.])")


def _year_last(path: str) -> Stamp | None:
    """A day-month-year (or month-day-year) date in a path, when only one reading is a date:
    "02-01-2022" could be either, and a wrong day is worse than none."""
    match = _URL_YEAR_LAST.search(path)
    if not match:
        return None
    first, second, year = (int(g) for g in match.groups())
    readings = {make_stamp(year, second, first), make_stamp(year, first, second)} - {None}
    return readings.pop() if len(readings) == 1 else None


def url_dates(urls: Iterable[str | None]) -> list[Stamp | None]:
    """The full date in each URL's path, if any (host, query and fragment ignored)."""
    stamps: list[Stamp | None] = []
    for url in urls:
        if not url:
            continue
        path = re.sub(r"^[a-z]+://[^/]+", "", url.split("?")[0].split("#")[0], flags=re.IGNORECASE)
        for pattern in _URL_DATES:
            match = pattern.search(path)
            if match:
                stamps.append(make_stamp(*(int(g) for g in match.groups())))
                break
        else:
            if (stamp := _year_last(path)) is not None:
                stamps.append(stamp)
    return stamps


_URL_MONTH = re.compile(r"/((?:19|20)\d{2})/([01]?\d)/")


def url_month(url: str | None) -> tuple[int, int] | None:
    """(year, month) of a ``/YYYY/MM/`` folder in a URL."""
    match = _URL_MONTH.search(url or "")
    return (int(match.group(1)), int(match.group(2))) if match else None


_FOLDER_DATE = re.compile(r"/((?:19|20)\d{2})/([01]\d)/(?:([0-3]\d)/)?")


def folder_date(path: str) -> tuple[int, int, int] | None:
    """(year, month, day or 0) of the date folders in a path (``/uploads/2016/05/``)."""
    match = _FOLDER_DATE.search(path)
    if not match:
        return None
    return int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)
