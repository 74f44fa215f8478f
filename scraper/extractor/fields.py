"""Fields found by signals on the untouched tree: site names and the headline (the lede: :mod:`.lede`).

Each finder weighs several signals (``<h1>``, og/JSON-LD/``<title>``, byline
elements, meta tags) and prefers those that agree. Pure functions; nothing here
mutates the tree.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from lxml import html as lxml_html

from scraper.extractor.dates.text import find_text_dates
from scraper.extractor.structured import ARTICLE_TYPES, first_meta, types_of
from scraper.extractor.text import fold, in_boilerplate, inline_text, key, node_text

__all__ = [
    "find_headline",
    "is_site_name",
    "site_names",
    "strip_site_name",
]

# Separators between a headline and the site name in <title>/og:title.
_TITLE_SEP = re.compile(r"\s+[-|–—:·•»«‹›/]{1,2}\s+|\s*[|–—·•»«‹›]\s*|:\s+")


def site_names(
    metas: dict[str, list[str]],
    objects: list[dict[str, Any]],
    url: str | None,
    *,
    declared: bool = True,
) -> set[str]:
    """Comparison keys of every name the site goes by (og:site_name, publisher, host).

    ``declared=False`` leaves out og:site_name and friends: a personal blog's
    site name is its author's name.
    """
    names = (
        {first_meta(metas, "og:site_name", "application-name", "twitter:site") or ""}
        if declared
        else set()
    )
    for obj in objects:
        if types_of(obj) & {"website", "organization", "newsmediaorganization"}:
            names.add(str(obj.get("name") or ""))
        publisher = obj.get("publisher")
        if isinstance(publisher, dict):
            names.add(str(publisher.get("name") or ""))
    try:
        host = (urlsplit(url).hostname or "") if url else ""
    except ValueError:  # malformed URL: no host-derived names
        host = ""
    host = host.removeprefix("www.")
    if host:
        names.add(host)
        labels = host.split(".")
        # the registered name: "kazpost" of kazpost.com, "bbc" of news.bbc.co.uk
        second_level = len(labels) >= 3 and labels[-2] in (
            "co",
            "com",
            "gv",
            "org",
            "ac",
            "net",
            "gov",
            "or",
        )
        names.add(
            labels[-3]
            if second_level
            else labels[-2]
            if len(labels) >= 2
            else labels[0]
        )
    return {key(n).lstrip("@") for n in names if key(n)}


_ARTICLE = re.compile(r"^(?:the|die|der|das|le|la|les|el|il|lo)\s+")


def is_site_name(part: str, sites: set[str], loose: bool = False) -> bool:
    """True when ``part`` is one of the site's names (``loose``: or starts with its host name)."""
    k = key(part)
    squashed = re.sub(r"[\W_]+", "", k)
    bare = re.sub(r"[\W_]+", "", _ARTICLE.sub("", k))  # "The Daily Example" on dailyexample.com
    if any(k == s or re.sub(r"[\W_]+", "", s) in (squashed, bare) for s in sites):
        return True
    if loose and any(
        len(s) >= 5 and "." not in s and " " not in s and squashed.startswith(s)
        for s in sites
    ):
        return (
            len(k.split()) <= 4
        )  # "Bundeskanzleramt Österreich" for bundeskanzleramt.gv.at
    return "." in k and " " not in k and any(k.endswith(s) for s in sites)


def strip_site_name(title: str, sites: set[str]) -> str:
    """``title`` without a leading or trailing site name ("… - KazPost", "KazPost: …", "… | Site - Tagline")."""
    title = fold(title)
    seps = list(_TITLE_SEP.finditer(title))
    if not seps:
        return title
    for index, sep in enumerate(seps):
        end = seps[index + 1].start() if index + 1 < len(seps) else len(title)
        if is_site_name(title[sep.end() : end], sites, loose=True) and sep.start() > 0:
            return title[: sep.start()].strip()
    first = seps[0]
    # strict here: "Welpen kaufen – Tipps …" on welpenkaufen24.de keeps its first words
    if is_site_name(title[: first.start()], sites):
        return _ARCHIVE_LABEL.sub("", title[first.end() :].strip())
    return title


# WordPress's long-time default theme titles a post "Site » Blog Archive » Post" (German "Blog Archiv").
_ARCHIVE_LABEL = re.compile(r"^blog[- ]?archiv(?:e)?\s*[»|:–—-]+\s*", re.IGNORECASE)


def _jsonld_headline(objects: list[dict[str, Any]]) -> str | None:
    for obj in objects:
        if types_of(obj) & (ARTICLE_TYPES - {"webpage"}):
            value = obj.get("headline") or obj.get("name")
            if isinstance(value, str) and fold(value):
                return fold(value)
    return None


_KICKER = re.compile(
    r"kicker|overline|dachzeile|topline|roofline|eyebrow|visually-hidden|sr-only|screen-reader|subtitle|"
    r"category|rubric|element-invisible|hidden",
    re.IGNORECASE,
)
_SITE_TITLE = re.compile(r"site-title|site-name|logo|brand", re.IGNORECASE)  # the site's logo heading
_NOT_HEADLINE = re.compile(_SITE_TITLE.pattern + r"|screen-reader|sr-only|visually-hidden", re.IGNORECASE)


def _microdata_headline(tree: lxml_html.HtmlElement) -> str | None:
    """A schema.org ``itemprop="headline"`` (an element's text, or a ``<meta>``'s content)."""
    for node in tree.iterfind(".//*[@itemprop='headline']"):
        text = node.get("content") if node.tag == "meta" else inline_text(node, skip=_is_glued)
        if text and fold(text):
            return fold(text)
    return None


def _home_link(h1: lxml_html.HtmlElement) -> bool:
    """True for an ``<h1>`` that is the site's logo: a link to the home page."""
    for anchor in h1.iter("a"):
        href = (anchor.get("href") or "").strip()
        if (
            anchor.get("rel") == "home"
            or href in ("/", "./")
            or urlsplit(href).path in ("", "/")
        ):
            return True
    return False


# What joins a kicker or a date to the headline ("Overline<span>: </span>Headline", "Headline • 02.02.2022").
_JOINERS = " :|-–—·•/"


def _h1_text(h1: lxml_html.HtmlElement) -> str:
    """The ``<h1>`` text without a kicker/overline span ("Corona-Pandemie" above the title)
    and without the colon or bullet that joined it."""
    text = inline_text(h1, skip=_is_glued).strip(_JOINERS)
    return text if len(text) >= 3 else inline_text(h1)


def _is_glued(child: lxml_html.HtmlElement) -> bool:
    """A kicker, or a date set inside the heading ("Headline <small>March 4, 2020</small>",
    "<small>02.02.2022 • <span class='category'>Verband</span></small>")."""
    if _is_kicker(child) or child.tag == "time":
        return True
    text = inline_text(child, skip=_is_kicker).strip(_JOINERS)
    return bool(text) and sum(stamp.end - stamp.start for stamp in find_text_dates(text)) >= 0.8 * len(text)


def _is_kicker(child: lxml_html.HtmlElement) -> bool:
    names = f"{child.get('class') or ''} {child.get('id') or ''}"
    return bool(names.strip()) and _KICKER.search(names) is not None


def _logo_names(tree: lxml_html.HtmlElement) -> set[str]:
    """The site's name as its logo heading writes it: an ``<h1>`` linking to the home page or
    classed as the site title ("<h1><a href='https://blog.example'>Notes from the Garden</a></h1>"),
    which ``<title>`` repeats beside the headline."""
    names = set()
    for h1 in tree.iter("h1"):
        names_attr = f"{h1.get('class') or ''} {h1.get('id') or ''}"
        if _home_link(h1) or _SITE_TITLE.search(names_attr):
            text = key(node_text(h1))
            if 3 <= len(text) <= 60:
                names.add(text)
    return names



def _h1_texts(tree: lxml_html.HtmlElement, sites: set[str]) -> list[str]:
    texts = []
    for h1 in tree.iter("h1"):
        names = f"{h1.get('class') or ''} {h1.get('id') or ''}"
        if _NOT_HEADLINE.search(names) or _home_link(h1):
            continue
        text = strip_site_name(_h1_text(h1), sites)
        if 3 <= len(text) <= 400 and not is_site_name(text, sites):
            texts.append(text)
        if len(texts) >= 6:
            break
    return texts


def _agreement(a: str, b: str) -> int:
    ka, kb = key(a), key(b)
    if not (ka and kb):
        return 0
    if ka == kb:
        return 3
    if len(ka) >= 8 and ka in kb:
        return 2
    return (
        1 if len(ka) >= 4 and (kb.startswith(ka + " ") or kb.endswith(" " + ka)) else 0
    )


def find_headline(
    tree: lxml_html.HtmlElement,
    metas: dict[str, list[str]],
    objects: list[dict[str, Any]],
    sites: set[str],
) -> str | None:
    """The article's own title: the ``<h1>`` other signals agree with best, else the best signal."""
    title_el = tree.find(".//title")
    sites = sites | _logo_names(tree)
    signals = [
        _jsonld_headline(objects),
        _microdata_headline(tree),
        first_meta(metas, "og:title", "twitter:title"),
        node_text(title_el) if title_el is not None else None,
    ]
    cleaned = [strip_site_name(s, sites) for s in signals if s and fold(s)]
    cleaned = [c for c in cleaned if c and not is_site_name(c, sites)]
    h1s = _h1_texts(tree, sites)
    scored = [
        (max((_agreement(h, c) for c in cleaned), default=0), -i, h)
        for i, h in enumerate(h1s)
    ]
    best = max(scored, default=None)
    if best is not None and best[0] < 3 and _names_a_section(tree, best[2]):
        heading = _heading_agreeing(tree, cleaned)
        if heading:
            return heading  # "<h1>Literatur</h1>", a section's name, above the story's "<h2>"
    if best is not None and best[0] > 0:
        # an <h1> in capitals (set so in the HTML, not by CSS) that a signal spells in mixed case
        return next((c for c in cleaned if best[2].isupper() and key(c) == key(best[2]) and not c.isupper()), best[2])
    for h1 in h1s:
        for signal in cleaned:
            rest = h1[len(signal) :] if key(h1).startswith(key(signal)) else ""
            if len(key(signal)) >= 12 and rest.strip() and not _TITLE_SEP.match(rest):
                return h1  # the <title> was cut short
            if len(key(signal)) >= 12 and key(signal) in key(h1):
                return signal  # a date or label glued to the <h1> ("Headline: …")
    if len(h1s) == 1:
        return h1s[0]
    if not h1s and title_el is not None:
        segment = _title_segment_as_heading(tree, node_text(title_el))
        if segment:
            return segment
    return _longest_agreeing(cleaned) or (h1s[0] if h1s else None)


def _names_a_section(tree: lxml_html.HtmlElement, text: str) -> bool:
    """Whether a link elsewhere on the page reads ``text``: a section's or the site's name."""
    wanted = key(text)
    if len(wanted.split()) > 4:
        return False
    return any(key(node_text(a)) == wanted for a in tree.iter("a") if a.getparent() is not None
               and a.getparent().tag != "h1")


def _heading_agreeing(tree: lxml_html.HtmlElement, signals: list[str]) -> str | None:
    """The first ``<h2>``/``<h3>`` of the story that a title signal agrees with."""
    for heading in tree.iter("h2", "h3"):
        text = node_text(heading)
        if 12 <= len(text) <= 300 and not in_boilerplate(heading) \
                and any(_agreement(text, signal) >= 2 for signal in signals):
            return text
    return None


def _title_segment_as_heading(tree: lxml_html.HtmlElement, title: str) -> str | None:
    """With no ``<h1>``: the opening part of ``<title>`` when a heading on the page repeats
    it ("X | Genossenschaftsverband Bayern (GVB)" and ``<h2>X</h2>``); the parts after it
    name the site or section."""
    segments = [fold(part) for part in _TITLE_SEP.split(fold(title))]
    if len(segments) < 2 or len(segments[0]) < 12:
        return None
    wanted = key(segments[0])
    for heading in tree.iter("h2", "h3"):
        if key(node_text(heading)) == wanted and not in_boilerplate(heading):
            return segments[0]
    return None


def _longest_agreeing(signals: list[str]) -> str | None:
    """The first signal, or a longer one it is a cut-off start of (og:title broken at a quote)."""
    if not signals:
        return None
    first = signals[0]
    for other in signals[1:]:
        rest = other[len(first) :] if key(other).startswith(key(first)) else ""
        if rest.strip() and not _TITLE_SEP.search(rest):
            return other
    return first
