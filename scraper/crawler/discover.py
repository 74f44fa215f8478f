"""Discovery: links from pages, feeds and sitemaps. Pure functions over bytes.

Feed and sitemap dates are returned as *labelled* dates (``feed_date``,
``sitemap_lastmod``); they describe the listing, not the story, and never
become ``Article.published``.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import datetime, timezone
from time import struct_time
from typing import Literal

import feedparser
from lxml import html as lxml_html
from usp.objects.sitemap import IndexXMLSitemap
from usp.tree import sitemap_from_str

from scraper.crawler.urls import absolute

__all__ = ["Link", "page_links", "feed_links", "sitemap_links", "sniff_listing", "ListingKind"]

ListingKind = Literal["feed", "sitemap"]


@dataclass(frozen=True, slots=True)
class Link:
    """A discovered URL, with what the listing said about it."""

    url: str
    kind: str = "unknown"  # unknown | article | index | feed | sitemap
    feed_date: str | None = None
    sitemap_lastmod: str | None = None


def page_links(tree: lxml_html.HtmlElement, base_url: str) -> list[str]:
    """Absolute http(s) URLs of every ``<a href>`` on a parsed page, in order, once each."""
    base = base_url
    for node in tree.iter("base"):
        if node.get("href"):
            base = absolute(base_url, node.get("href", "")) or base_url
            break
    seen: dict[str, None] = {}
    for anchor in tree.iter("a"):
        href = anchor.get("href")
        if href and (rel := (anchor.get("rel") or "").lower()) != "nofollow" and "nofollow" not in rel.split():
            url = absolute(base, href)
            if url is not None:
                seen.setdefault(url.split("#", 1)[0], None)
    return list(seen)


def _iso(value: struct_time | datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, struct_time):
        value = datetime(*value[:6], tzinfo=timezone.utc)
    if value.tzinfo is None:
        return value.isoformat()
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def feed_links(data: bytes, base_url: str) -> list[Link]:
    """Item links of an RSS/Atom feed with their ``pubDate`` as ``feed_date``."""
    parsed = feedparser.parse(data)
    links = []
    for entry in parsed.entries:
        url = absolute(base_url, entry.get("link") or "")
        if url:
            when = entry.get("published_parsed") or entry.get("updated_parsed")
            links.append(Link(url, "unknown", feed_date=_iso(when)))
    return links


def _maybe_gunzip(data: bytes, limit: int) -> bytes:
    if data[:2] != b"\x1f\x8b":
        return data
    try:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data, limit)
    except zlib.error:
        return b""


def sitemap_links(data: bytes, base_url: str, *, limit: int = 50 * 1024 * 1024) -> list[Link]:
    """Pages (with ``lastmod``) and child sitemaps listed in a sitemap or sitemap index.

    Gzipped sitemaps are inflated with a size cap (bomb-safe).
    """
    text = _maybe_gunzip(data, limit).decode("utf-8", "replace")
    sitemap = sitemap_from_str(text)
    links: list[Link] = []
    if isinstance(sitemap, IndexXMLSitemap):
        for child in sitemap.sub_sitemaps:
            # usp leaves children un-fetched (InvalidSitemap): we fetch them ourselves, politely.
            url = absolute(base_url, child.url)
            if url:
                links.append(Link(url, "sitemap"))
        return links
    for page in sitemap.all_pages():
        url = absolute(base_url, page.url)
        if url:
            links.append(Link(url, "unknown", sitemap_lastmod=_iso(page.last_modified)))
    return links


def sniff_listing(data: bytes, content_type: str, url: str) -> ListingKind | None:
    """'feed' or 'sitemap' when the body is one, else None (an HTML page)."""
    ctype = content_type.lower()
    head = _maybe_gunzip(data[:65536], 4096)[:2048].lstrip().lower()
    if b"<urlset" in head or b"<sitemapindex" in head:
        return "sitemap"
    if b"<rss" in head or b"<feed" in head or b"<rdf:rdf" in head or "rss" in ctype or "atom" in ctype:
        return "feed"
    if url.endswith((".xml", ".xml.gz")) and ("xml" in ctype or "gzip" in ctype):
        return "sitemap"
    return None


