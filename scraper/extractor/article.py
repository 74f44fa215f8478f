"""HTML → :class:`Article`: the extraction stage.

One parse per page. Signals that need the untouched tree (dates, headline,
authors, lede, related links) are read first; then page furniture (related
blocks, captions, players, duplicate headlines, site boilerplate) is removed
and trafilatura extracts the running text, which is cleaned once more
(inline related lines, "Source:" trailers, player leftovers). Pure: no I/O.
"""

from __future__ import annotations

import hashlib
import re
import threading
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml import html as lxml_html

from scraper.config import SiteConfig
from scraper.errors import ExtractionError
from scraper.extractor.byline import find_authors
from scraper.extractor.content import chrome_lines, main_text, prune_tree
from scraper.extractor.dates.choose import find_dates
from scraper.extractor.encoding import decode_html
from scraper.extractor.fields import find_headline, site_names
from scraper.extractor.lede import find_lede
from scraper.extractor.pagetype import page_signals, page_type_of
from scraper.extractor.related import INLINE_RELATED, find_related
from scraper.extractor.structured import (
    first_meta,
    jsonld_objects,
    meta_values,
    types_of,
)
from scraper.extractor.text import (
    clean_paragraphs,
    fold,
    guess_language,
    node_text,
    visible,
    word_count,
)
from scraper.models import Article

__all__ = ["EXTRACTOR_VERSION", "content_hash", "extract", "extract_tree", "parse_html"]

EXTRACTOR_VERSION: str = "1.0"

_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_BINARY_WINDOW = 1024


def content_hash(headline: str | None, body: str) -> str:
    """sha256 hex of the NFKC, whitespace-folded headline + "\\n" + body."""
    text = (
        fold(unicodedata.normalize("NFKC", headline or ""))
        + "\n"
        + fold(unicodedata.normalize("NFKC", body))
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _to_text(html: bytes | str, content_type: str | None) -> str:
    if isinstance(html, str):
        text = html
    else:
        if not html.strip():
            raise ExtractionError("empty document")
        if b"\x00" in html[:_BINARY_WINDOW] and not html.startswith(
            (b"\xff\xfe", b"\xfe\xff")
        ):
            raise ExtractionError("binary content (NUL bytes), not an HTML page")
        text = decode_html(html, content_type)[0]
    if "\x00" in text[:_BINARY_WINDOW]:
        raise ExtractionError("binary content (NUL characters), not an HTML page")
    # lxml refuses str input that carries an encoding declaration
    return _XML_DECL.sub("", text.replace("\x00", ""), count=1)


_PARSERS = threading.local()  # lxml parsers must not be shared between threads


def _parser() -> lxml_html.HTMLParser:
    """lxml.html's parser with a C-level element-class lookup, one per thread.

    The stock lookup calls a Python method for every element proxy lxml
    creates, about a twentieth of all extraction time; every element is an
    HtmlElement either way (only form-field subclasses are not used here).
    """
    parser: lxml_html.HTMLParser | None = getattr(_PARSERS, "parser", None)
    if parser is not None:
        return parser
    parser = _PARSERS.parser = lxml_html.HTMLParser()
    parser.set_element_class_lookup(
        etree.ElementDefaultClassLookup(
            element=lxml_html.HtmlElement,
            comment=lxml_html.HtmlComment,
            pi=lxml_html.HtmlProcessingInstruction,
            entity=lxml_html.HtmlEntity,
        )
    )
    return parser


def parse_html(
    html: bytes | str, content_type: str | None = None
) -> lxml_html.HtmlElement:
    """Decode (bytes) and parse a page once; raises ExtractionError when it is not HTML at all."""
    text = _to_text(html, content_type)
    if not text.strip():
        raise ExtractionError("empty document")
    try:
        # libxml2's default limits stay on (depth 256, 10 MB text nodes): pathological pages come out
        # truncated instead of costing minutes of CPU further down
        tree = lxml_html.document_fromstring(text, parser=_parser())
    except (etree.ParserError, ValueError, RecursionError) as exc:
        raise ExtractionError(f"unparseable HTML: {exc}") from exc
    if tree is None or not isinstance(tree.tag, str):
        raise ExtractionError("no HTML element in document")
    return tree


@dataclass(frozen=True, slots=True)
class _Meta:
    """What is read from the untouched tree before anything is removed."""

    headline: str | None
    authors: list[str]
    canonical: str | None
    site: str | None
    section: str | None
    language: str | None
    is_article_typed: bool
    description: str | None


def _absolute(base: str, href: str | None) -> str | None:
    if not href or not href.strip():
        return None
    try:
        joined = urljoin(base, href.strip()) if base else href.strip()
        return joined if urlsplit(joined).scheme in ("http", "https") else None
    except ValueError:  # malformed, e.g. "http://[bad"
        return None


def _host(url: str | None) -> str | None:
    try:
        return urlsplit(url or "").hostname
    except ValueError:  # malformed, e.g. "http://[bad"
        return None


def _base_url(tree: lxml_html.HtmlElement, address: str | None) -> str:
    """What relative links resolve against: ``<base href>`` (itself resolved against the
    page's ``address``), else the address; "" when the page has neither."""
    base = tree.find(".//base[@href]")
    if base is not None:
        return _absolute(address or "", str(base.get("href", ""))) or address or ""
    return address or ""


def _section(
    tree: lxml_html.HtmlElement,
    metas: dict[str, list[str]],
    objects: list[dict[str, Any]],
) -> str | None:
    found = first_meta(metas, "article:section", "section")
    if found:
        return fold(found)
    for obj in objects:
        value = obj.get("articleSection")
        value = value[0] if isinstance(value, list) and value else value
        if isinstance(value, str) and fold(value):
            return fold(value)
    for crumbs in tree.xpath(
        ".//*[contains(@class,'breadcrumb') or contains(@id,'breadcrumb')]"
    )[:1]:
        items = [
            fold(a.text_content())
            for a in crumbs.iter("a", "li", "span")
            if len(a) == 0 and fold(a.text_content())
        ]
        if len(items) >= 2:
            return items[-2] if len(items) >= 3 else items[-1]
    return None


def _language(tree: lxml_html.HtmlElement, metas: dict[str, list[str]]) -> str | None:
    raw = (
        tree.get("lang")
        or tree.get("xml:lang")
        or first_meta(metas, "content-language", "og:locale", "language")
    )
    if not raw or not fold(raw):
        return None
    parts = fold(raw).split(",")[0].replace("_", "-").split("-")
    if not parts[0].isalpha() or len(parts[0]) > 3:
        return None
    return "-".join(
        [parts[0].lower()] + [p.upper() if len(p) == 2 else p for p in parts[1:]]
    )


def _read_meta(tree: lxml_html.HtmlElement, url: str | None, base: str) -> _Meta:
    metas = meta_values(tree)
    objects = jsonld_objects(tree)
    link = tree.find(".//link[@rel='canonical']")
    canonical = _absolute(base, link.get("href") if link is not None else None)
    canonical = canonical or _absolute(base, first_meta(metas, "og:url"))
    host = _host(url) or _host(canonical)
    sites = site_names(metas, objects, url or canonical)
    typed = any(
        types_of(o) & {"article", "newsarticle", "blogposting", "reportagenewsarticle"}
        for o in objects
    )
    return _Meta(
        headline=find_headline(tree, metas, objects, sites),
        authors=find_authors(
            tree,
            metas,
            objects,
            site_names(metas, objects, url or canonical, declared=False),
        ),
        canonical=canonical,
        site=host.lower().removeprefix("www.") if host else None,
        section=_section(tree, metas, objects),
        language=_language(tree, metas),
        is_article_typed=typed
        or (first_meta(metas, "og:type") or "").lower() == "article",
        description=first_meta(
            metas, "og:description", "description", "twitter:description"
        ),
    )


def extract(
    html: bytes | str,
    url: str | None = None,
    *,
    content_type: str | None = None,
    site: SiteConfig | None = None,
    fetched_at: str | None = None,
    status: int | None = None,
) -> Article:
    """Turn one page into an :class:`Article`.

    Raises:
        ExtractionError: the input is not a page at all (empty, binary,
            unparseable), or the parser/extractor broke on it.
    """
    with _as_extraction_error(url):
        tree = parse_html(html, content_type)
    return extract_tree(tree, url, site=site, fetched_at=fetched_at, status=status)


def extract_tree(
    tree: lxml_html.HtmlElement,
    url: str | None = None,
    *,
    site: SiteConfig | None = None,
    fetched_at: str | None = None,
    status: int | None = None,
) -> Article:
    """:func:`extract` for a tree already parsed with :func:`parse_html`.

    For callers that read the same tree for other things first (the crawler
    collects links); the tree is pruned in place, so read it before.
    """
    with _as_extraction_error(url):
        return _extract(tree, url, site, fetched_at, status)


@contextmanager
def _as_extraction_error(url: str | None) -> Iterator[None]:
    """Everything that breaks on a hostile page becomes an ExtractionError naming it."""
    try:
        yield
    except ExtractionError as exc:
        exc.url = exc.url or url
        raise
    except (RecursionError, ValueError, TypeError, AttributeError, etree.LxmlError, MemoryError) as exc:
        raise ExtractionError(f"extraction failed: {type(exc).__name__}: {exc}", url=url) from exc


def _extract(
    tree: lxml_html.HtmlElement,
    url: str | None,
    site: SiteConfig | None,
    fetched_at: str | None,
    status: int | None,
) -> Article:
    # dates first: everything after may read the tree, prune_tree changes it
    dates = find_dates(tree, url, fetched_at=fetched_at)
    meta = _read_meta(tree, url, _base_url(tree, url))
    # a saved page read without its URL still names its address (rel=canonical, else og:url)
    base = _base_url(tree, url or meta.canonical)
    related = find_related(tree, base, tuple(u for u in (url, meta.canonical) if u))
    lede, lede_node = find_lede(tree, meta.headline, meta.description)
    signals = page_signals(tree, related.elements)
    heads = " ".join(
        node_text(n)
        for n in (tree.find(".//title"), tree.find(".//body//h1"))
        if n is not None
    )
    chrome = chrome_lines(tree)
    if lede and not clean_paragraphs([lede], meta.headline, None, INLINE_RELATED)[0]:
        lede = None  # a disclosure, an appeal or a credit set where a standfirst goes is none
    drop = related.elements + ([lede_node] if lede_node is not None else [])
    prune_tree(tree, drop, meta.headline, site.boilerplate_xpaths if site else ())
    body_parts, source_credit = clean_paragraphs(
        main_text(tree, url, listing=signals.teaser_run), meta.headline, lede, INLINE_RELATED, chrome
    )
    headline, lede, body = visible(meta.headline), visible(lede), visible("\n\n".join(body_parts))
    words = word_count((lede or "") + " " + body)
    page_type = page_type_of(
        heads,
        body_parts,
        words,
        headline=bool(meta.headline),
        typed=meta.is_article_typed,
        signals=signals,
        status=status,
        path=urlsplit(url or "").path if _host(url) else "",
        lede=lede,
    )
    return Article(
        url=url or "",
        canonical_url=meta.canonical,
        site=meta.site,
        section=meta.section,
        headline=headline,
        lede=lede,
        authors=meta.authors,
        published=dates.published,
        date_source=dates.date_source,
        modified=dates.modified,
        body=body,
        related=related.links,
        source_credit=source_credit,
        language=meta.language or guess_language(body),
        word_count=words,
        content_hash=content_hash(headline, body),
        page_type=page_type,
        fetched_at=fetched_at,
        status=status,
        extractor_version=EXTRACTOR_VERSION,
    )
