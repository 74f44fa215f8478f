"""URL handling: canonical form, scope, and article-vs-index guesses.

Pure functions. Canonicalisation is courlan's (scheme/host case, default
ports, tracking parameters, sorted query) plus dropping the fragment, so one
article is one row whatever link led to it.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import socket
from urllib.parse import urljoin, urlsplit, urlunsplit

from courlan import normalize_url

from scraper.config import SiteConfig
from scraper.errors import UsageError

__all__ = [
    "canonicalize",
    "host_of",
    "site_of",
    "is_http_url",
    "is_private_host",
    "looks_like_article",
    "is_asset",
    "archive_key",
    "validate_url",
    "url_problem",
    "absolute",
    "host_shard",
]

# Strong signs of a listing, not a story. Only strong ones: a wrong "index"
# verdict would keep a real article out of the archive; the page's shape
# settles the unsure cases after fetching.
_LISTING_PREFIX = re.compile(r"^/(tag|tags|author|authors|search|page)(/|$)|/page/\d+/?$|[?&](page|p)=\d+", re.IGNORECASE)
_LISTING_LAST = frozenset(
    "news latest archive archives section sections category categories topic topics feed rss amp login register "
    "about contact privacy terms index.html index.htm index.php".split()
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # a newline or tab inside a URL: a paste accident, never sent
_NUMERIC_HOST = re.compile(r"[0-9a-fx.]+")
_DATE_IN_PATH = re.compile(r"/(19|20)\d{2}/(0?[1-9]|1[0-2])/|/(19|20)\d{2}(0[1-9]|1[0-2])[0-3]\d/|-(19|20)\d{2}-\d{2}-\d{2}")
_FILE_EXT = re.compile(r"\.(jpe?g|png|gif|webp|svg|pdf|zip|gz|mp3|mp4|avi|mov|css|js|json|xml|rss|atom|ico|woff2?|ttf|docx?|xlsx?)$", re.IGNORECASE)


def canonicalize(url: str) -> str:
    """The canonical form of an absolute http(s) URL (no fragment, no tracking)."""
    try:
        normal = normalize_url(url)
    except (ValueError, TypeError):
        normal = url
    parts = urlsplit(normal)
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))


def absolute(base: str, href: str) -> str | None:
    """``href`` resolved against ``base``; None for non-http(s) links."""
    href = href.strip()
    if not href or href.startswith(("javascript:", "mailto:", "tel:", "data:", "#")):
        return None
    try:
        joined = urljoin(base, href)
    except ValueError:
        return None
    return joined if is_http_url(joined) else None


def is_http_url(url: str) -> bool:
    """True for an absolute http(s) URL with a host."""
    try:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        return False


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be fetched (control characters, bad port, no host), or None when it can."""
    if _CONTROL.search(url):
        return "control character in URL"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port outside 0-65535 or not a number
    except ValueError as exc:
        return f"malformed URL ({exc})"
    if parts.scheme not in ("http", "https"):
        return "not an http(s) URL"
    if not parts.hostname:
        return "no host in URL"
    return None


def validate_url(url: str) -> str:
    """The URL if usable as a seed, else UsageError naming it."""
    problem = url_problem(url)
    if problem is not None:
        raise UsageError(problem, url=url.encode("unicode_escape").decode("ascii"))
    return url


def host_of(url: str) -> str:
    """``host[:port]`` in lower case: the unit of politeness and scope."""
    return urlsplit(url).netloc.lower()


def host_shard(url: str, count: int) -> int:
    """The shard (1..count) of the URL's host: a stable hash (sha1), the same on every machine and run.

    ``www.`` is dropped first, so a site's bare and www hosts land in one shard.
    """
    host = host_of(url).removeprefix("www.")
    return int.from_bytes(hashlib.sha1(host.encode("utf-8")).digest()[:8], "big") % count + 1


def site_of(url: str) -> str:
    """The host without ``www.`` and port: what ``Article.site`` holds."""
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def is_private_host(url: str) -> bool:
    """True when the URL's host is loopback, private, link-local or 'localhost'."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(host)
    except ValueError:
        if not _NUMERIC_HOST.fullmatch(host):
            return False
        try:  # 127.1, 2130706433, 0x7f000001, 0177.0.0.1: spellings the resolver accepts
            address = ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return False
    return not address.is_global


def archive_key(final_url: str, canonical_url: str | None) -> str:
    """The key an article is archived under: ``rel=canonical`` when it stays on the
    same host (syndicated copies point elsewhere), else the final URL; canonicalised."""
    final = canonicalize(final_url)
    if canonical_url and is_http_url(canonical_url) and host_of(canonical_url).removeprefix("www.") == host_of(final).removeprefix("www."):
        return canonicalize(canonical_url)
    return final


def is_asset(url: str) -> bool:
    """True for links to images, scripts, documents and other non-pages."""
    return bool(_FILE_EXT.search(urlsplit(url).path))


def looks_like_article(url: str, site: SiteConfig | None = None) -> bool | None:
    """A guess from the URL alone: True article, False listing/asset, None unsure.

    A per-site ``article_pattern`` decides when given. KazPost-style article
    URLs are a bare slug (``/some-headline-words``), so a multi-word slug
    counts as an article; the page's shape settles the rest after fetching.
    """
    parts = urlsplit(url)
    path = parts.path or "/"
    if _FILE_EXT.search(path):
        return False
    if site is not None:
        verdict = site.is_article_url(path + (f"?{parts.query}" if parts.query else ""))
        if verdict is not None:
            return verdict
    query = f"?{parts.query}" if parts.query else ""
    last = path.rstrip("/").rsplit("/", 1)[-1].lower()
    if path == "/" or _LISTING_PREFIX.search(path + query) or last in _LISTING_LAST:
        return False
    if _DATE_IN_PATH.search(path):
        return True
    if last.count("-") >= 2 or re.search(r"\d{5,}", last):
        return True
    return None
