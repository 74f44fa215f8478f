"""Scored date candidates: every day the page offers, weighed by what speaks for it.

The ordered sources of :mod:`~scraper.extractor.dates.choose` answer most pages.
Where they refuse, the page may still carry its day in weaker forms (htmldate's
guess, script data, a generic ``date`` meta, a ``<time>`` outside the story, the
URL's month, a date in the story's own lines). Each distinct day becomes one
candidate with a feature vector (which sources name it, whether they agree, how
many other days compete, how close it is to the fetch); a logistic model, fitted
on the development sets with site-grouped cross-validation
(``python -m scraper.research.date_model fit``), gives the probability that the
day is the publication day. The best candidate is taken only above a threshold
chosen for precision; otherwise the answer stays ``None``.

The weights live in ``date_weights.json`` beside this module: data, not code,
so a refit changes no rule.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from scraper.extractor.dates.layout import every_line, set_aside_blocks
from scraper.extractor.dates.marks import lists_within, page_furniture
from scraper.extractor.dates.metadata import jsonld_dates, other_meta_dates
from scraper.extractor.dates.sources import split_written, written_dates
from scraper.extractor.dates.text import (
    UPDATE_AFTER_RE,
    Stamp,
    ambiguous_days,
    masthead_like,
    parse_machine,
    url_dates,
    url_month,
)

__all__ = ["FEATURES", "Candidate", "attribute_dates", "candidates", "load_model", "probability", "rescue"]

WEIGHTS_FILE = Path(__file__).with_name("date_weights.json")

#: The features of one candidate day, in the order of the weights.
FEATURES = (
    "rules",          # the ordered sources (choose.py) chose this day
    "machine",        # JSON-LD / publication meta names this day
    "weak_meta",      # a generic ``date`` meta names it
    "other_meta",     # a meta whose name looks like a publication field, on no known list
    "time",           # a <time>/microdata mark near the headline
    "dateline",       # a written date next to the headline
    "story_text",     # written in the story's own lines (not a masthead line)
    "url_day",        # the URL's full date
    "url_month",      # the URL's /YYYY/MM/ folder matches
    "htmldate",       # htmldate's guess
    "script",         # the first publication date of the page's script JSON
    "image_month",    # the lead image is filed under this month
    "page_time",      # some <time datetime>/datePublished anywhere on the page
    "attribute",      # an ISO date in a title/data-* attribute of the page's elements ("3 hours ago")
    "sources",        # how many of the above name it (log)
    "rivals",         # how many other days are candidates (log)
    "near_fetch",     # within two days of the fetch (render stamps live here)
    "years_behind",   # years before the newest candidate day of the page (log); not the fetch
                      # day, which training pages (saved years later) and a live crawl do not share
    "furniture",      # also written in a sidebar, menu or share bar (see refused_days)
)


@dataclass(slots=True)
class Candidate:
    """One day a page offers, the stamp to report for it, and its features."""

    day: date
    stamp: Stamp
    source: str
    signals: dict[str, float] = field(default_factory=dict)

    def vector(self) -> list[float]:
        return [float(self.signals.get(name, 0.0)) for name in FEATURES]


_SIGNALS = FEATURES.index("sources")  # the features before it are the sources naming a day

_PUBLICATION_FIELDS = ("rules", "machine", "time", "dateline", "story_text")
_LINES = 3000  # lines of a page read for refused days

# Which kind of source to report for a rescued day, strongest first.
_REPORTED = (("machine", "meta"), ("time", "time"), ("dateline", "dateline"), ("story_text", "dateline"),
             ("page_time", "time"), ("attribute", "time"), ("weak_meta", "meta"), ("other_meta", "meta"), ("script", "meta"), ("url_day", "url"),
             ("htmldate", "htmldate"))


def _add(pool: dict[date, Candidate], stamp: Stamp | None, signal: str) -> None:
    if stamp is None:
        return
    found = pool.get(stamp.day)
    if found is None:
        pool[stamp.day] = found = Candidate(stamp.day, stamp, signal)
    elif "T" in stamp.iso and "T" not in found.stamp.iso:
        found.stamp = stamp  # the more precise stamp of the same day
    found.signals[signal] = 1.0


def candidates(page: Any, guess: Callable[[], str | None],
               chosen: tuple[str, Stamp] | None = None) -> list[Candidate]:
    """Every plausible day of ``page`` (a ``choose._Page``) with its features."""
    pool: dict[date, Candidate] = {}
    if chosen is not None:
        _add(pool, chosen[1], "rules")
    for source, stamp in page.machine():
        _add(pool, stamp, "machine")
    for source, stamp in page.weak_meta():
        _add(pool, stamp, "weak_meta")
    for stamp in page.plausible(other_meta_dates(page.tree)):
        _add(pool, stamp, "other_meta")
    for source, stamp in page.visible:
        _add(pool, stamp, "time" if source == "time" else "dateline")
    for stamp in page.plausible(Stamp(day, day.isoformat()) for day in page.evidence):
        _add(pool, stamp, "story_text")  # an event announced for after the fetch is no candidate
    for stamp in page.plausible(url_dates(page.urls)):
        _add(pool, stamp, "url_day")
    for stamp in page.plausible(page.script_dates()):
        _add(pool, stamp, "script")
    for stamp in page.plausible(page.moments()):
        _add(pool, stamp, "page_time")
    for stamp in page.plausible([parse_machine(guess())]):
        _add(pool, stamp, "htmldate")
    for stamp in page.plausible(attribute_dates(page.tree)):
        _add(pool, stamp, "attribute")
    refused, furniture = refused_days(page)
    _context(pool, page)
    # A day the ordered sources saw and set aside for cause (a masthead, a related list, comments,
    # an update line, the modified stamp, another work's JSON-LD) is no candidate, however many
    # weak signals (htmldate reads all of those) name it, unless a publication field does.
    # A day also written in page furniture is a candidate with that mark, which the model weighs.
    kept = []
    for candidate in pool.values():
        if not any(candidate.signals.get(name) for name in _PUBLICATION_FIELDS):
            if candidate.day in refused:
                continue
            if candidate.day in furniture:
                candidate.signals["furniture"] = 1.0
        kept.append(candidate)
    if kept:
        newest = max(candidate.day for candidate in kept)
        for candidate in kept:
            candidate.signals["years_behind"] = math.log1p((newest - candidate.day).days / 365.0)
    if any(_guessed_only(candidate) for candidate in kept):
        doubtful = _ambiguous_days(page)
        kept = [c for c in kept if not (_guessed_only(c) and c.day in doubtful)]
    return kept


def _guessed_only(candidate: Candidate) -> bool:
    """Named by htmldate alone, with no URL or image folder for its month."""
    return {name for name in FEATURES[:_SIGNALS] if candidate.signals.get(name)} == {"htmldate"}


def _ambiguous_days(page: Any) -> set[date]:
    """Readings of the page's slashed dates ("03/04/2020") that its language does not back:
    the month-first one on a page in a day-first language, the day-first one in US English,
    both when the page names no language or plain "en"."""
    body = page.tree.find(".//body")
    day_first = _day_first(page.tree)
    days: set[date] = set()
    for line, _ in every_line(body if body is not None else page.tree, _LINES):
        for dm, md in ambiguous_days(line.text):
            days |= {md} if day_first else {dm} if day_first is False else {dm, md}
    return days


_MONTH_FIRST = ("en-us", "en-ph")  # English elsewhere ("en-gb", "en-au", "en-in") writes the day first


def _day_first(tree: Any) -> bool | None:
    """Whether the page's declared language writes dates day first (None: not known)."""
    declared = tree.get("lang") or tree.get("xml:lang") or next(iter(tree.xpath(
        "//head/meta[@http-equiv='content-language' or @property='og:locale']/@content")), "")
    lang = str(declared).strip().lower().replace("_", "-")
    if not lang or lang in ("en", "en-ca"):
        return None
    return not lang.startswith(_MONTH_FIRST)


def refused_days(page: Any) -> tuple[set[date], set[date]]:
    """Days the page writes only where a publication date is not (refused), and days it also
    writes in page furniture (weighed): see :func:`candidates`."""
    render_day = page.latest - timedelta(days=1)
    refused = {stamp.day for stamp in page.machine_modified} | {render_day, page.latest}
    furniture: set[date] = set()
    body = page.tree.find(".//body")
    root = body if body is not None else page.tree
    for block in set_aside_blocks(root, page.headline):
        if page_furniture(block):
            _written_days(furniture, block)
            for inner in lists_within(block):
                _written_days(refused, inner)
        else:
            _written_days(refused, block)
    for line, after_related in every_line(root, _LINES):
        set_aside = after_related or line.excluded or bool(UPDATE_AFTER_RE.match(line.text))
        written, updates = split_written(line.text)
        for stamp in written:
            if set_aside or masthead_like(line.text, stamp, render_day):
                refused.add(stamp.day)
        refused.update(stamp.day for stamp in updates)
        if set_aside:
            refused.update(s.day for s in map(parse_machine, line.times) if s is not None)
    own = {s.day for s in jsonld_dates(page.objects, ("datePublished", "dateCreated"), page.urls) if s}
    refused.update(s.day for s in _jsonld_days(page.objects) if s.day not in own)
    if not page.evidence:
        refused.update(s.day for s in page.script_dates())  # script data needs the page's word
    return refused, furniture - refused


def _written_days(days: set[date], block: Any) -> None:
    days.update(s.day for s in written_dates(" ".join(block.itertext())[:20_000]))
    days.update(s.day for s in map(parse_machine, block.xpath(".//time/@datetime")[:50]) if s)


def _jsonld_days(objects: list[dict[str, Any]]) -> list[Stamp]:
    values = (obj.get(key) for obj in objects for key in ("datePublished", "dateCreated", "dateModified"))
    return [s for s in map(parse_machine, (v[0] if isinstance(v, list) and v else v for v in values)) if s]


_ISO_DAY = re.compile(r"^\s*(?:19|20)\d{2}-[01]\d-[0-3]\d")
_ATTRIBUTE_XPATH = ("//body//*[not(self::meta) and not(self::time)]"
                    "/@*[name()='title' or starts-with(name(), 'data-') or name()='content' or name()='datetime']")


def attribute_dates(tree: Any) -> list[Stamp]:
    """ISO dates held in element attributes: a "2 hours ago" label's ``title``, RDF ``content``, ``data-*``."""
    found = []
    for value in tree.xpath(_ATTRIBUTE_XPATH)[:2000]:
        if _ISO_DAY.match(value):
            stamp = parse_machine(str(value).strip())
            if stamp is not None:
                found.append(stamp)
                if len(found) >= 20:
                    break
    return found


def _context(pool: dict[date, Candidate], page: Any) -> None:
    """Features that need the whole pool or the page: agreement, rivals, months, fetch distance."""
    months = {url_month(u) for u in page.urls} - {None}
    images = {(y, m) for y, m, _ in page.image_days}
    fetch_day = page.latest - timedelta(days=1)
    for candidate in pool.values():
        day, signals = candidate.day, candidate.signals
        named = sum(1 for name in FEATURES[1:_SIGNALS] if signals.get(name))
        if (day.year, day.month) in months:
            signals["url_month"] = 1.0
        if (day.year, day.month) in images:
            signals["image_month"] = 1.0
        signals["sources"] = math.log1p(named)
        signals["rivals"] = math.log1p(len(pool) - 1)
        signals["near_fetch"] = 1.0 if abs((fetch_day - day).days) <= 2 else 0.0
        candidate.source = next((kind for name, kind in _REPORTED if signals.get(name)), "htmldate")


@lru_cache(maxsize=4)
def load_model(path: Path = WEIGHTS_FILE) -> dict[str, Any]:
    """The fitted weights: ``{"features": [...], "weights": [...], "bias": b, "threshold": t}``."""
    model = json.loads(path.read_text(encoding="utf-8"))
    if tuple(model["features"]) != FEATURES:
        raise ValueError(f"{path.name} was fitted for other features; refit it")
    return model


def probability(candidate: Candidate, model: dict[str, Any]) -> float:
    """P(this day is the publication day), from the logistic model."""
    z = model["bias"] + sum(w * x for w, x in zip(model["weights"], candidate.vector()))
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


def rescue(page: Any, guess: Callable[[], str | None],
           model: dict[str, Any] | None = None) -> tuple[str, Stamp] | None:
    """When the ordered sources refused: the best-scored day, if it clears the threshold.

    The model was fitted on every page (the ordered sources' choice is one feature), so
    the other weights say what a signal is worth *beyond* what the rules already read.
    """
    model = model or load_model()
    pool = candidates(page, guess)
    if not pool:
        return None
    best = max(pool, key=lambda c: probability(c, model))
    if probability(best, model) < model["threshold"]:
        return None
    return best.source, best.stamp
