"""The project's exceptions.

Every error the library raises on purpose is a :class:`ScraperError` and
carries the ``url`` (or input) it is about::

    ScraperError
    ├── FetchError                 kind
    │   ├── FetchTimeout           timeout
    │   ├── ConnectionFailed       connection
    │   ├── HTTPStatusError        http_status   (.status)
    │   ├── TooLarge               too_large
    │   ├── NotHTML                not_html
    │   ├── BinaryContent          decode
    │   ├── RedirectError          redirect_loop
    │   ├── UnsupportedScheme      scheme
    │   ├── InvalidURL             invalid_url   (bad port, control characters)
    │   ├── RobotsDisallowed       robots
    │   └── OutOfScope             scope
    ├── ExtractionError            extraction
    ├── StoreError                 store
    ├── ArchiveLocked              locked
    └── UsageError                 usage         (bad option or input)

httpx errors are translated at the fetch boundary (``raise ... from exc``);
nothing above it ever sees an httpx exception.
"""

from __future__ import annotations

__all__ = [
    "ScraperError",
    "FetchError",
    "FetchTimeout",
    "ConnectionFailed",
    "HTTPStatusError",
    "TooLarge",
    "NotHTML",
    "BinaryContent",
    "RedirectError",
    "UnsupportedScheme",
    "InvalidURL",
    "RobotsDisallowed",
    "OutOfScope",
    "ExtractionError",
    "StoreError",
    "ArchiveLocked",
    "UsageError",
]


class ScraperError(Exception):
    """Base of every error this project raises on purpose."""

    kind = "error"

    def __init__(self, message: str, *, url: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.url = url

    def __str__(self) -> str:
        return f"{self.url}: {self.message}" if self.url else self.message


class FetchError(ScraperError):
    """A page could not be fetched (after any retries)."""

    kind = "fetch"

    def __init__(self, message: str, *, url: str | None = None, attempts: int = 1) -> None:
        super().__init__(message, url=url)
        self.attempts = attempts


class FetchTimeout(FetchError):
    """The server did not answer in time."""

    kind = "timeout"


class ConnectionFailed(FetchError):
    """DNS failure, refused or reset connection, broken transfer."""

    kind = "connection"


class HTTPStatusError(FetchError):
    """The server answered with an error status."""

    kind = "http_status"

    def __init__(self, message: str, *, url: str | None = None, attempts: int = 1, status: int = 0) -> None:
        super().__init__(message, url=url, attempts=attempts)
        self.status = status


class TooLarge(FetchError):
    """The body (raw or decompressed) passed the size cap."""

    kind = "too_large"


class NotHTML(FetchError):
    """The response is not an HTML page (by its Content-Type)."""

    kind = "not_html"


class BinaryContent(FetchError):
    """The body claims to be HTML but is binary (NUL bytes, undecodable)."""

    kind = "decode"


class RedirectError(FetchError):
    """Too many redirects, or a redirect loop."""

    kind = "redirect_loop"


class UnsupportedScheme(FetchError):
    """Only http and https are fetched."""

    kind = "scheme"


class InvalidURL(FetchError):
    """A URL no request can be sent to: a port outside 0-65535, control characters."""

    kind = "invalid_url"


class RobotsDisallowed(FetchError):
    """robots.txt forbids this URL for our User-Agent."""

    kind = "robots"


class OutOfScope(FetchError):
    """The URL is outside the allowed hosts, or points at a private address."""

    kind = "scope"


class ExtractionError(ScraperError):
    """The bytes could not be turned into an Article."""

    kind = "extraction"


class StoreError(ScraperError):
    """The archive could not be read or written."""

    kind = "store"


class ArchiveLocked(ScraperError):
    """Another run holds the archive's lock."""

    kind = "locked"


class UsageError(ScraperError):
    """A bad option, file or URL given by the user."""

    kind = "usage"
