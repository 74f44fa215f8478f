"""Authors: JSON-LD, meta tags, byline elements and plain "By …" lines, cleaned to names.

Prefixes ("By", "Von", "Autor:"), roles ("Staff Writer"), trailing dates and
separators ("and", "und", ",", "&", ";") are removed; profile URLs, initials,
sidebar and comment names are not names. Pure functions over a parsed tree.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import html as lxml_html

from scraper.fields import is_site_name
from scraper.structured import ARTICLE_TYPES, first_meta, types_of
from scraper.text import fold, in_boilerplate, node_text

__all__ = ["clean_authors", "find_authors"]


_BY_PREFIX = re.compile(
    r"^(?:(?:post\s+)?author\s+|(?:written|posted|published|text|story|reporting|words|photos?)\s+)?"
    r"(?:by|von|autor(?:in)?|author|verfasst von|geschrieben von|veröffentlicht von|erstellt von|publié par|"
    r"escrito por|vom|(?-i:[Pp]or|[Pp]ar|di|door|av)|przez|автор|текст|interview|text)(?:\s*:\s*|\s+)",
    re.IGNORECASE,
)
_DATE_TAIL = re.compile(
    r"\s+(?:am|on|at|um|le|el|il|vom|den|\||,|-|–|—)?\s*\d.*$|\s+(?:at|am|on|um)$"
)
_NAME_SPLIT = re.compile(
    r"\s*(?:,|;|&|\||/|\band\b|\bund\b|\bи\b|\bet\b|\by\b)\s*|\s+[-–—]\s+",
    re.IGNORECASE,
)
_ROLE = re.compile(
    r"^(?:staff|senior|chief|contributing|special|political|foreign|freelance)?\s*(?:writer|reporter|"
    r"correspondent|editor|columnist|journalist|contributor|redakteur(?:in)?|autor(?:in)?|"
    r"photographer|staff)s?$|^(?:ph\.?\s?d|m\.?\s?d|msc|mba|rn|rd|dr)\.?$",
    re.IGNORECASE,
)
_STOP_WORDS = frozenset(
    [
        "posted",
        "on",
        "published",
        "updated",
        "veröffentlicht",
        "am",
        "alle",
        "beiträge",
        "all",
        "posts",
        "view",
        "more",
        "share",
        "comments",
        "kommentare",
        "read",
        "minutes",
        "min",
        "lesezeit",
        "uhr",
    ]
)
_NOT_NAME = re.compile(r"\d|@|https?:|www\.|\.(?:com|org|net|de)\b", re.IGNORECASE)
_URLISH = re.compile(r"^(?:https?:|www\.|/|\S+@\S+$)", re.IGNORECASE)


def _name_ok(part: str) -> bool:
    words = part.lower().split()
    if (
        not words
        or len(part) > 60
        or len(words) > 5
        or any(w in _STOP_WORDS for w in words)
    ):
        return False
    if words[0] in ("by", "von", "par", "por", "di", "of"):
        return False
    if len(words) == 1 and len(part) < 3:
        return False  # editor's initials ("PP"), not a name
    if (
        len(words) > 1
        and words[0].isalpha()
        and part[0].islower()
        and words[0] not in _PARTICLES
    ):
        return False  # a phrase ("deinen Hochzeitsbloggern"), not a name
    return not (_ROLE.match(part) or _NOT_NAME.search(part))


_PARTICLES = frozenset(
    {
        "van",
        "von",
        "de",
        "da",
        "di",
        "der",
        "den",
        "du",
        "la",
        "le",
        "al",
        "el",
        "bin",
        "ibn",
        "ten",
        "ter",
    }
)


def clean_authors(raw: str) -> list[str]:
    """Names from a byline string: prefixes, roles, dates and separators removed."""
    if _URLISH.match(fold(raw)):
        return []  # a profile URL or e-mail address, not a byline
    text = _DATE_TAIL.sub("", _BY_PREFIX.sub("", fold(raw), count=1))
    names: list[str] = []
    for part in _NAME_SPLIT.split(text):
        part = _BY_PREFIX.sub("", part).strip(" :-–—()[]~·•*")
        if part.endswith(".") and len(part.split()[-1]) > 4:
            part = part[:-1]
        if _name_ok(part) and part not in names:
            names.append(part)
    return names


def _jsonld_authors(objects: list[dict[str, Any]]) -> list[str]:
    # Yoast-style graphs give the author as {"@id": …} and the Person elsewhere
    by_id = {str(o["@id"]): o for o in objects if o.get("@id") and o.get("name")}
    for obj in objects:
        if not types_of(obj) & ARTICLE_TYPES:
            continue
        raw = obj.get("author") or obj.get("creator")
        items = raw if isinstance(raw, list) else [raw]
        names: list[str] = []
        for item in items:
            if (
                isinstance(item, dict)
                and not item.get("name")
                and str(item.get("@id")) in by_id
            ):
                item = by_id[str(item.get("@id"))]
            value = item.get("name") if isinstance(item, dict) else item
            if isinstance(value, str):
                names.extend(n for n in clean_authors(value) if n not in names)
        if names:
            return names
    return []


_BYLINE_XPATH = (
    ".//*[@rel='author' or @itemprop='author' or contains(@class,'author') or contains(@class,'byline')"
    " or contains(@id,'author') or contains(@class,'Author') or contains(@class,'Byline')]"
)


def _byline_authors(tree: lxml_html.HtmlElement) -> list[str]:
    for node in tree.xpath(_BYLINE_XPATH)[:40]:
        if node.tag in ("meta", "link", "body", "html", "article", "main", "section"):
            continue
        if in_boilerplate(node, include_self=True):
            continue
        name_el = node.find(".//*[@itemprop='name']")
        text = node_text(name_el if name_el is not None else node)
        if not text or len(text) > 120:
            continue
        names = clean_authors(text)
        if (
            names and len(names) <= 3
        ):  # more is a category or tag row with an "author" class
            return names
    return []


_TEXT_BYLINE = re.compile(
    r"^(?:(?:written|posted|text|story)\s+)?(?:by|von|autor(?:in)?|author|text|por|par|av|door|автор)"
    r"(?:\s*:\s*|\s+)[A-ZÀ-ÖØ-ÞА-ЯЁ]",
    re.IGNORECASE,
)
_BYLINE_WINDOW = 40


def _text_byline_authors(tree: lxml_html.HtmlElement) -> list[str]:
    """A plain "By Jane Doe" / "Von Hans Meier" line just under the headline."""
    h1 = tree.find(".//body//h1")
    if h1 is None:
        return []
    for node in h1.xpath(f"following::*[position() <= {_BYLINE_WINDOW}]"):
        if not isinstance(node.tag, str) or node.tag not in _BYLINE_TAGS:
            continue
        text = node_text(node)
        if len(text) > 100 or not _TEXT_BYLINE.match(text) or in_boilerplate(node):
            continue
        names = [n for n in clean_authors(text) if n[0].isupper()]
        if names and len(names) <= 3:
            return names
    return []


_BYLINE_TAGS = frozenset(
    {"p", "div", "span", "strong", "em", "b", "small", "address", "li"}
)


def find_authors(
    tree: lxml_html.HtmlElement,
    metas: dict[str, list[str]],
    objects: list[dict[str, Any]],
    sites: set[str],
) -> list[str]:
    """Author names: JSON-LD, meta tags (names, not URLs), byline elements, a "By …" line.

    The first source naming a person wins; the site's own name counts only
    when no source names anyone else (some publishers sign as the house).
    """
    sources = [_jsonld_authors(objects)]
    for meta in (
        "author",
        "article:author",
        "dc.creator",
        "parsely-author",
        "sailthru.author",
    ):
        value = first_meta(metas, meta)
        if value and not value.lower().startswith(("http:", "https:", "/")):
            sources.append(clean_authors(value))
            break
    sources.append(_byline_authors(tree))
    sources.append(_text_byline_authors(tree))
    for names in sources:
        people = [n for n in names if not is_site_name(n, sites)]
        if people:
            return people
    return next((names for names in sources if names), [])
