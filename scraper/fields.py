"""Fields found by signals on the untouched tree: headline, authors, lede.

Each finder weighs several signals (``<h1>``, og/JSON-LD/``<title>``, byline
elements, meta tags) and prefers those that agree. Pure functions; nothing here
mutates the tree.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from lxml import html as lxml_html

from scraper.structured import ARTICLE_TYPES, first_meta, types_of
from scraper.text import fold, in_boilerplate, key, node_text

__all__ = [
    "clean_authors",
    "find_authors",
    "find_headline",
    "find_lede",
    "site_names",
    "strip_site_name",
]

# Separators between a headline and the site name in <title>/og:title.
_TITLE_SEP = re.compile(r"\s+[-|–—:·•»«/]{1,2}\s+|\s*[|–—·•»«]\s*|:\s+")


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


def _is_site_name(part: str, sites: set[str], loose: bool = False) -> bool:
    k = key(part)
    squashed = re.sub(r"[\W_]+", "", k)
    if any(k == s or squashed == re.sub(r"[\W_]+", "", s) for s in sites):
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
        if _is_site_name(title[sep.end() : end], sites, loose=True) and sep.start() > 0:
            return title[: sep.start()].strip()
    first = seps[0]
    # strict here: "Welpen kaufen – Tipps …" on welpenkaufen24.de keeps its first words
    if _is_site_name(title[: first.start()], sites):
        return title[first.end() :].strip()
    return title


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
_NOT_HEADLINE = re.compile(
    r"site-title|site-name|logo|brand|screen-reader|sr-only|visually-hidden",
    re.IGNORECASE,
)


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


def _h1_text(h1: lxml_html.HtmlElement) -> str:
    """The ``<h1>`` text without a kicker/overline span ("Corona-Pandemie" above the title)."""
    kept = [h1.text or ""]
    for child in h1:
        names = (
            f"{child.get('class') or ''} {child.get('id') or ''}"
            if isinstance(child.tag, str)
            else ""
        )
        if not names.strip() or not _KICKER.search(names):
            kept.append(node_text(child) if isinstance(child.tag, str) else "")
        kept.append(child.tail or "")
    text = fold(" ".join(kept))
    return text if len(text) >= 3 else node_text(h1)


def _h1_texts(tree: lxml_html.HtmlElement, sites: set[str]) -> list[str]:
    texts = []
    for h1 in tree.iter("h1"):
        names = f"{h1.get('class') or ''} {h1.get('id') or ''}"
        if _NOT_HEADLINE.search(names) or _home_link(h1):
            continue
        text = strip_site_name(_h1_text(h1), sites)
        if 3 <= len(text) <= 400 and not _is_site_name(text, sites):
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
    signals = [
        _jsonld_headline(objects),
        first_meta(metas, "og:title", "twitter:title"),
        node_text(title_el) if title_el is not None else None,
    ]
    cleaned = [strip_site_name(s, sites) for s in signals if s and fold(s)]
    cleaned = [c for c in cleaned if c and not _is_site_name(c, sites)]
    h1s = _h1_texts(tree, sites)
    scored = [
        (max((_agreement(h, c) for c in cleaned), default=0), -i, h)
        for i, h in enumerate(h1s)
    ]
    best = max(scored, default=None)
    if best is not None and best[0] > 0:
        return best[2]
    for h1 in h1s:
        for signal in cleaned:
            rest = h1[len(signal) :] if key(h1).startswith(key(signal)) else ""
            if len(key(signal)) >= 12 and rest.strip() and not _TITLE_SEP.match(rest):
                return h1  # the <title> was cut short
            if len(key(signal)) >= 12 and key(signal) in key(h1):
                return signal  # a date or label glued to the <h1> ("Headline: …")
    if len(h1s) == 1:
        return h1s[0]
    return _longest_agreeing(cleaned) or (h1s[0] if h1s else None)


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
        people = [n for n in names if not _is_site_name(n, sites)]
        if people:
            return people
    return next((names for names in sources if names), [])


_LEDE_CLASS = re.compile(
    r"(?:^|[\s_-])(?:lede|lead|leadin|lead-in|standfirst|subtitle|sub-title|subheadline|subhead|summary|intro|"
    r"excerpt|deck|dek|teaser-text|article-description|abstract|kicker-text|anons|annotation|announce|vrez|lid|"
    r"chapo|chapeau|sapo|bajada|entradilla)(?:$|[\s_-])",
    re.IGNORECASE,
)
_NOT_LEDE = re.compile(
    r"date|time|byline|author|meta|share|social|tag|categor|breadcrumb|caption|credit|photo|image|figure|info",
    re.IGNORECASE,
)
_LEDE_TAGS = frozenset(
    {"p", "div", "h2", "h3", "span", "strong", "em", "b", "section", "header"}
)
_LEDE_WINDOW = 80


def _lede_text(node: lxml_html.HtmlElement) -> str | None:
    if node.tag != "p" and node.find(".//p") is not None:
        return None  # a container, not a standfirst
    text = node_text(node)
    return text if 25 <= len(text) <= 600 else None


def _lede_candidates(tree: lxml_html.HtmlElement) -> list[lxml_html.HtmlElement]:
    h1 = tree.find(".//body//h1")
    if h1 is not None:
        return list(h1.xpath(f"following::*[position() <= {_LEDE_WINDOW}]"))
    return [
        n
        for n in tree.iter(*_LEDE_TAGS)
        if _LEDE_CLASS.search(f"{n.get('class') or ''} {n.get('id') or ''}")
    ][:5]


def _standalone_summary(
    node: lxml_html.HtmlElement, text: str, description: str | None
) -> bool:
    """A lone ``<p>`` between headline and body that repeats the page description, or is all bold/italic."""
    if any(sib.tag == "p" for sib in node.itersiblings()):
        return False  # it opens the body container: a first paragraph, not a standfirst
    desc = key(description)
    if desc and (
        key(text) == desc
        or (len(desc) >= 40 and key(text).startswith(desc.rstrip(".… ")))
    ):
        return True
    styled = [c for c in node if c.tag in ("b", "strong", "em", "i")]
    return (
        len(node) == 1
        and bool(styled)
        and not fold(node.text)
        and node_text(styled[0]) == text
    )


def find_lede(
    tree: lxml_html.HtmlElement, headline: str | None, description: str | None = None
) -> tuple[str | None, lxml_html.HtmlElement | None]:
    """The standfirst under the headline and its element, or (None, None).

    Taken from a lede/standfirst/subtitle-classed element, an ``itemprop``
    description, an ``<h2>`` directly under the headline, or a lone paragraph
    outside the body container that repeats the page description -- always
    before the first body paragraph. A body's own first paragraph is never a lede.
    """
    head_key = key(headline)
    for node in _lede_candidates(tree):
        if (
            not isinstance(node.tag, str)
            or node.tag not in _LEDE_TAGS
            or in_boilerplate(node)
        ):
            continue
        names = f"{node.get('class') or ''} {node.get('id') or ''} {node.get('itemprop') or ''}"
        if any(a.tag in ("figure", "figcaption") for a in node.iterancestors()):
            continue
        text = _lede_text(node)
        if (
            text is None
            or key(text) == head_key
            or (names.strip() and _NOT_LEDE.search(names))
        ):
            if node.tag == "p" and len(node_text(node).split()) >= 25:
                return None, None  # the body has started
            continue
        if _LEDE_CLASS.search(names) or node.get("itemprop") in (
            "description",
            "alternativeHeadline",
        ):
            return text, node
        if node.tag in ("h2", "h3") and len(text) <= 400:
            return text, node
        if node.tag == "p":
            return (
                (text, node)
                if _standalone_summary(node, text, description)
                else (None, None)
            )
    return None, None
