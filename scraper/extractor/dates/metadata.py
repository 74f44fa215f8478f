"""Publication dates the page's metadata states: JSON-LD and ``<meta>`` tags.

The most trusted sources (:mod:`.choose` reads them first); a JSON-LD date counts only for the
page's own work, never for another work the page describes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from lxml import html as lxml_html

from scraper.extractor.dates.layout import is_excluded
from scraper.extractor.dates.text import Stamp, parse_machine
from scraper.extractor.structured import ARTICLE_TYPES, types_of

__all__ = ["MODIFIED_META", "PUBLISHED_META", "WEAK_META", "jsonld_dates", "meta_dates", "other_meta_dates"]

PUBLISHED_META = (
    "article:published_time", "og:article:published_time", "og:published_time",
    "article:published", "published_time", "datepublished", "pubdate", "publishdate",
    "publish-date", "publish_date", "published-date", "published_date", "article.published",
    "article_date_original", "original-publish-date", "dc.date.issued", "dcterms.issued",
    "dc.date.created", "dcterms.created",
    "citation_publication_date", "citation_date", "sailthru.date", "parsely-pub-date",
    "cxenseparse:recs:publishtime", "rnews:datepublished", "datecreated",
)
#: Generic names some CMSs fill with the day the page was rendered.
WEAK_META = ("date", "dc.date", "dcterms.date", "dc:date")
MODIFIED_META = (
    "article:modified_time", "og:article:modified_time", "og:updated_time", "datemodified",
    "dcterms.modified", "dc.date.modified", "last-modified", "lastmod",
)
_MAIN_ENTITY_TYPES = frozenset({
    "howto", "recipe", "videoobject", "review", "creativework", "question", "qapage",
    "podcastepisode", "photograph", "audioobject", "techarticle",
})


def _url_key(url: object) -> str | None:
    """A URL reduced for comparison: no scheme, "www.", query, fragment or final slash."""
    if isinstance(url, dict):
        url = url.get("@id") or url.get("url")
    if not isinstance(url, str) or "/" not in url:
        return None
    bare = re.sub(r"^[a-z]+://(?:www\.)?", "", url.split("#")[0].split("?")[0], flags=re.IGNORECASE)
    return bare.rstrip("/").lower() or None


def _is_main_entity(obj: dict[str, Any], page_keys: set[str]) -> bool:
    """A work object that names this page as its own (``mainEntityOfPage``/``url``)."""
    if not types_of(obj) & _MAIN_ENTITY_TYPES:
        return False
    return any(_url_key(obj.get(k)) in page_keys for k in ("mainEntityOfPage", "url", "@id"))


def jsonld_dates(objects: list[dict[str, Any]], keys: tuple[str, ...],
                 page_urls: Iterable[str | None] = ()) -> list[Stamp | None]:
    """Dates under ``keys`` of article-type objects, real articles before plain web pages.

    Objects of other work types (a how-to, a recipe) count last, and only when
    they name one of ``page_urls`` as their page.
    """
    page_keys = {key for key in map(_url_key, page_urls) if key}
    ranked: list[tuple[int, Stamp | None]] = []
    for obj in objects:
        kinds = types_of(obj)
        if kinds & ARTICLE_TYPES:
            rank = 1 if kinds <= {"webpage"} else 0
        elif page_keys and _is_main_entity(obj, page_keys):
            rank = 2
        else:
            continue
        for key in keys:
            value = obj.get(key)
            if isinstance(value, list) and value:
                value = value[0]
            ranked.append((rank, parse_machine(value)))
    return [stamp for _, stamp in sorted(ranked, key=lambda pair: pair[0])]


def meta_dates(tree: lxml_html.HtmlElement, names: tuple[str, ...]) -> list[Stamp | None]:
    """``<meta>`` dates under ``names`` in that order; body metas only outside excluded blocks."""
    found: dict[str, list[str]] = {}
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        content = meta.get("content")
        if key in names and content and not is_excluded(meta):
            found.setdefault(key.strip(), []).append(content)
    return [parse_machine(value) for name in names for value in found.get(name, ())]


# Site-specific meta names for the publication day ("nb-publish-date", "cXenseParse:pubtime",
# "bt:pubDate"): not trusted on their own, they are candidates of the date model.
_OTHER_PUBLISHED = re.compile(r"publi|pub_?date|pubtime|issued|creat|release|firstpub|date", re.IGNORECASE)
_OTHER_NOT = re.compile(r"modif|updat|expir|revis|valid|end|start|last|crawl|index|review|birth|event",
                        re.IGNORECASE)


def other_meta_dates(tree: lxml_html.HtmlElement) -> list[Stamp | None]:
    """Dates of ``<meta>`` names that look like a publication field but are on no known list."""
    known = set(PUBLISHED_META) | set(WEAK_META) | set(MODIFIED_META)
    found = []
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower().strip()
        content = meta.get("content")
        if (content and key not in known and _OTHER_PUBLISHED.search(key) and not _OTHER_NOT.search(key)
                and not is_excluded(meta)):
            found.append(parse_machine(content))
    return found[:10]
