"""String helpers and the text fields found by signals: headline and authors.

Pure functions over strings and a parsed lxml tree; nothing here mutates the
tree.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any
from urllib.parse import urlsplit

from lxml import html as lxml_html

from scraper.structured import ARTICLE_TYPES, first_meta, types_of

__all__ = [
    "fold",
    "key",
    "word_count",
    "node_text",
    "site_names",
    "strip_site_name",
    "find_headline",
    "find_authors",
    "clean_authors",
    "in_boilerplate",
]

_WS = re.compile(r"\s+")
_WORD = re.compile(r"\w+", re.UNICODE)
# Separators between a headline and the site name in <title>/og:title.
_TITLE_SEP = re.compile(r"\s+[-|–—:·•»«/]{1,2}\s+|\s*[|–—·•»«]\s*|:\s+")

#: class/id words of page furniture that never holds the article's byline or text.
BOILERPLATE_WORDS = re.compile(
    r"(?:^|[\s_-])(?:comment|comments|sidebar|widget|related|footer|nav|navbar|menu|"
    r"breadcrumbs?|share|social|newsletter|teaser|recommended|more-stories|popular|"
    r"trending|promo|advert|ad-slot|cookie|consent|modal|overlay)(?:$|[\s_-])",
    re.IGNORECASE,
)
_FURNITURE_TAGS = frozenset({"aside", "footer", "nav", "header", "form"})


def fold(text: str | None) -> str:
    """Whitespace-folded text (runs of whitespace → one space, stripped)."""
    return _WS.sub(" ", text or "").strip()


def key(text: str | None) -> str:
    """A comparison key: NFKC, case-folded, whitespace-folded, outer punctuation off."""
    return fold(unicodedata.normalize("NFKC", text or "").casefold()).strip(" .:;,!?\"'«»“”„")


def word_count(text: str) -> int:
    """Number of words (Unicode word runs)."""
    return len(_WORD.findall(text))


def node_text(node: lxml_html.HtmlElement) -> str:
    """The element's whole text, whitespace-folded; scripts and styles skipped."""
    parts = []
    for piece in node.iter():
        if piece.tag in ("script", "style", "noscript", "template") or not isinstance(piece.tag, str):
            if piece is not node:
                parts.append(piece.tail or "")
            continue
        parts.append(piece.text or "")
        if piece is not node:
            parts.append(piece.tail or "")
    return fold(" ".join(parts))


def in_boilerplate(node: lxml_html.HtmlElement) -> bool:
    """True when the node sits inside page furniture (aside, nav, comments, related …)."""
    for anc in node.iterancestors():
        if anc.tag in _FURNITURE_TAGS:
            return True
        names = f"{anc.get('class') or ''} {anc.get('id') or ''}"
        if names.strip() and BOILERPLATE_WORDS.search(names):
            return True
    return False


def site_names(metas: dict[str, list[str]], objects: list[dict[str, Any]], url: str | None) -> set[str]:
    """Comparison keys of every name the site goes by (og:site_name, publisher, host)."""
    names = {first_meta(metas, "og:site_name", "application-name", "twitter:site") or ""}
    for obj in objects:
        if types_of(obj) & {"website", "organization", "newsmediaorganization"}:
            names.add(str(obj.get("name") or ""))
        publisher = obj.get("publisher")
        if isinstance(publisher, dict):
            names.add(str(publisher.get("name") or ""))
    host = (urlsplit(url).hostname or "") if url else ""
    host = host.removeprefix("www.")
    if host:
        names.add(host)
        names.add(host.split(".")[0])
    return {key(n).lstrip("@") for n in names if key(n)}


def _is_site_name(part: str, sites: set[str]) -> bool:
    k = key(part)
    squashed = re.sub(r"[\W_]+", "", k)
    return any(k == s or squashed == re.sub(r"[\W_]+", "", s) for s in sites) or (
        "." in k and " " not in k and any(k.endswith(s) for s in sites)
    )


def strip_site_name(title: str, sites: set[str]) -> str:
    """``title`` without a leading or trailing site name ("… - KazPost", "KazPost: …")."""
    title = fold(title)
    seps = list(_TITLE_SEP.finditer(title))
    if not seps:
        return title
    last, first = seps[-1], seps[0]
    if _is_site_name(title[last.end():], sites):
        return title[: last.start()].strip()
    if _is_site_name(title[: first.start()], sites):
        return title[first.end():].strip()
    return title


def _jsonld_headline(objects: list[dict[str, Any]]) -> str | None:
    for obj in objects:
        if types_of(obj) & (ARTICLE_TYPES - {"webpage"}):
            value = obj.get("headline") or obj.get("name")
            if isinstance(value, str) and fold(value):
                return fold(value)
    return None


def _h1_texts(tree: lxml_html.HtmlElement) -> list[str]:
    texts = []
    for h1 in tree.iter("h1"):
        text = node_text(h1)
        if 3 <= len(text) <= 400:
            texts.append(text)
        if len(texts) >= 6:
            break
    return texts


def _agrees(a: str, b: str) -> bool:
    ka, kb = key(a), key(b)
    return bool(ka and kb) and (ka == kb or (len(ka) >= 12 and ka in kb))


def find_headline(
    tree: lxml_html.HtmlElement, metas: dict[str, list[str]], objects: list[dict[str, Any]], sites: set[str]
) -> str | None:
    """The article's own title: an ``<h1>`` that other signals agree with, else the best signal."""
    title_el = tree.find(".//title")
    signals = [
        _jsonld_headline(objects),
        first_meta(metas, "og:title", "twitter:title"),
        node_text(title_el) if title_el is not None else None,
    ]
    cleaned = [strip_site_name(s, sites) for s in signals if s and fold(s)]
    cleaned = [c for c in cleaned if c and not _is_site_name(c, sites)]
    h1s = [h for h in _h1_texts(tree) if not _is_site_name(h, sites)]
    for h1 in h1s:
        if any(_agrees(h1, c) for c in cleaned):
            return h1
    if cleaned:
        return cleaned[0]
    return h1s[0] if h1s else None


_BY_PREFIX = re.compile(
    r"^\s*(?:(?:written|posted|text|story|reporting|words|photos?)\s+)?(?:by|von|autor(?:in)?|author|"
    r"verfasst von|geschrieben von|par|di|door|av|przez|автор|текст)\b\s*[:.]?\s*",
    re.IGNORECASE,
)
_NAME_SPLIT = re.compile(r"\s*(?:,|;|&|\||\band\b|\bund\b|\bи\b|\bet\b|\bund\b)\s*", re.IGNORECASE)
_ROLE = re.compile(
    r"^(?:staff|senior|chief|contributing|special|political|foreign|freelance)?\s*(?:writer|reporter|"
    r"correspondent|editor|columnist|journalist|contributor|redakteur(?:in)?|redaktion|autor(?:in)?|"
    r"photographer|staff)s?$|^(?:the )?associated press$|^reuters$|^afp$|^dpa$",
    re.IGNORECASE,
)
_NOT_NAME = re.compile(r"\d|@|https?:|www\.|\.(?:com|org|net|de)\b", re.IGNORECASE)


def clean_authors(raw: str) -> list[str]:
    """Names from a byline string: prefixes, roles and separators removed."""
    text = _BY_PREFIX.sub("", fold(raw))
    names: list[str] = []
    for part in _NAME_SPLIT.split(text):
        part = _BY_PREFIX.sub("", part).strip(" .:-–—()[]")
        if not part or _ROLE.match(part) or _NOT_NAME.search(part):
            continue
        if len(part) > 60 or len(part.split()) > 5:
            continue
        if part not in names:
            names.append(part)
    return names


def _jsonld_authors(objects: list[dict[str, Any]]) -> list[str]:
    for obj in objects:
        if not types_of(obj) & ARTICLE_TYPES:
            continue
        raw = obj.get("author") or obj.get("creator")
        items = raw if isinstance(raw, list) else [raw]
        names: list[str] = []
        for item in items:
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
        if node.tag in ("meta", "link", "body", "html", "article", "main", "section") or in_boilerplate(node):
            continue
        name_el = node.find(".//*[@itemprop='name']")
        text = node_text(name_el if name_el is not None else node)
        if not text or len(text) > 120:
            continue
        names = clean_authors(text)
        if names:
            return names
    return []


def find_authors(tree: lxml_html.HtmlElement, metas: dict[str, list[str]], objects: list[dict[str, Any]]) -> list[str]:
    """Author names: JSON-LD, then meta tags (names, not URLs), then byline elements."""
    names = _jsonld_authors(objects)
    if names:
        return names
    for meta in ("author", "article:author", "dc.creator", "parsely-author", "sailthru.author"):
        value = first_meta(metas, meta)
        if value and not value.lower().startswith(("http:", "https:", "/")):
            names = clean_authors(value)
            if names:
                return names
    return _byline_authors(tree)


_LEDE_CLASS = re.compile(
    r"(?:^|[\s_-])(?:lede|lead|leadin|lead-in|standfirst|subtitle|sub-title|subheadline|subhead|summary|intro|"
    r"excerpt|deck|dek|teaser-text|article-description|abstract|kicker-text)(?:$|[\s_-])",
    re.IGNORECASE,
)
_NOT_LEDE = re.compile(
    r"date|time|byline|author|meta|share|social|tag|categor|breadcrumb|caption|credit|photo|image|figure|info",
    re.IGNORECASE,
)
_LEDE_TAGS = frozenset({"p", "div", "h2", "h3", "span", "strong", "em", "b", "section", "header"})
_LEDE_WINDOW = 80


def _lede_text(node: lxml_html.HtmlElement) -> str | None:
    text = node_text(node)
    if not 25 <= len(text) <= 600 or node.find(".//p") is not None and node.tag != "p":
        return None
    return text


def _lede_candidates(tree: lxml_html.HtmlElement) -> list[lxml_html.HtmlElement]:
    h1 = tree.find(".//body//h1")
    if h1 is not None:
        return list(h1.xpath(f"following::*[position() <= {_LEDE_WINDOW}]"))
    return [n for n in tree.iter(*_LEDE_TAGS) if _LEDE_CLASS.search(f"{n.get('class') or ''} {n.get('id') or ''}")][:5]


def find_lede(tree: lxml_html.HtmlElement, headline: str | None) -> tuple[str | None, lxml_html.HtmlElement | None]:
    """The standfirst under the headline and its element, or (None, None).

    Taken from a lede/standfirst/subtitle-classed element, an ``itemprop``
    description, or an ``<h2>`` directly under the headline -- before the
    first body paragraph. A plain first paragraph is never a lede.
    """
    head_key = key(headline)
    for node in _lede_candidates(tree):
        if not isinstance(node.tag, str) or node.tag not in _LEDE_TAGS or in_boilerplate(node):
            continue
        names = f"{node.get('class') or ''} {node.get('id') or ''} {node.get('itemprop') or ''}"
        if any(a.tag in ("figure", "figcaption") for a in node.iterancestors()):
            continue
        text = _lede_text(node)
        if text is None or key(text) == head_key or (names.strip() and _NOT_LEDE.search(names)):
            if node.tag == "p" and len(node_text(node).split()) >= 25:
                return None, None  # the body has started
            continue
        if _LEDE_CLASS.search(names) or node.get("itemprop") in ("description", "alternativeHeadline"):
            return text, node
        if node.tag in ("h2", "h3") and len(text) <= 400:
            return text, node
        if node.tag == "p":
            return None, None
    return None, None


_JUNK_LINE = re.compile(
    r"^(?:\d{1,2}:\d{2}(?:\s*/\s*\d{1,2}:\d{2})?|close|schließen|закрыть|[×✕✖x]|newsletter|advertisement|"
    r"anzeige|реклама|share|share this(?: article)?|tweet|print|e-?mail|related articles|related|"
    r"skip to (?:main )?content|cookies?)$",
    re.IGNORECASE,
)
_SOURCE_LINE = re.compile(r"^(?:source|sources|quelle|quellen|источник|źródło|fuente|fonte)\s*:\s*(.{2,300})$", re.I)


def clean_paragraphs(
    paragraphs: list[str], headline: str | None, lede: str | None, inline_related: re.Pattern[str]
) -> tuple[list[str], str | None]:
    """Body paragraphs without furniture leftovers, and a "Source:" trailer if any."""
    drop = {key(headline), key(lede)} - {""}
    kept = [
        p
        for p in paragraphs
        if key(p) not in drop and not _JUNK_LINE.match(p) and not (len(p) < 250 and inline_related.match(p))
    ]
    credit = None
    for index in range(len(kept) - 1, max(-1, len(kept) - 4), -1):
        match = _SOURCE_LINE.match(kept[index])
        if match:
            credit = match.group(1).strip()
            del kept[index]
            break
    return kept, credit
