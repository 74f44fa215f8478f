"""The records that flow through the pipeline.

fetch produces a :class:`Page`; extract turns bytes into an :class:`Article`;
the store persists both. Nothing else crosses a stage boundary.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, TypedDict

__all__ = ["Article", "Page", "RelatedLink", "PAGE_TYPES", "DATE_SOURCES"]

#: What a page is, as far as the extractor can tell.
PAGE_TYPES = ("article", "index", "other")

#: Where ``Article.published`` came from, strongest first. "htmldate" is a day only htmldate's
#: heuristics found, taken because the fitted date model rates it above its threshold.
DATE_SOURCES = ("jsonld", "meta", "time", "dateline", "url", "htmldate")


class RelatedLink(TypedDict):
    """A link to another story, found in a related / more-stories block."""

    title: str
    url: str


@dataclass(frozen=True, slots=True)
class Article:
    """One news article as archived.

    ``url`` is the archive key: the canonical form of the page's address
    (``rel=canonical`` when it is trustworthy, else the final URL, normalised).
    ``published`` is an ISO 8601 date or datetime, or ``None`` when the page
    carries no trustworthy date -- never the masthead "today" line.
    """

    url: str
    canonical_url: str | None = None
    site: str | None = None
    section: str | None = None
    headline: str | None = None
    lede: str | None = None
    authors: list[str] = field(default_factory=list)
    published: str | None = None
    date_source: str | None = None
    modified: str | None = None
    body: str = ""
    related: list[RelatedLink] = field(default_factory=list)
    source_credit: str | None = None
    language: str | None = None
    word_count: int = 0
    content_hash: str = ""
    page_type: str = "article"
    fetched_at: str | None = None
    status: int | None = None
    extractor_version: str = ""

    @property
    def paragraphs(self) -> list[str]:
        """The body split back into its paragraphs."""
        return [p for p in self.body.split("\n\n") if p.strip()]

    def to_dict(self) -> dict[str, Any]:
        """A plain dict of the fields (JSON-ready)."""
        return dataclasses.asdict(self)

    def replace(self, **changes: Any) -> Article:
        """A copy with some fields changed (the record itself is frozen)."""
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True, slots=True)
class Page:
    """One HTTP response as fetched, before any extraction.

    ``content`` holds the decoded-transfer (gunzipped) body bytes exactly as
    the server sent them otherwise. A 304 answer has ``status == 304`` and
    empty content.
    """

    url: str
    final_url: str
    status: int
    headers: dict[str, str]
    content: bytes
    fetched_at: str
    attempts: int = 1
    redirects: tuple[str, ...] = ()
    request_headers: dict[str, str] = field(default_factory=dict)
    http_version: str = "HTTP/1.1"
    elapsed: float = 0.0

    @property
    def content_type(self) -> str:
        """The Content-Type header, or an empty string."""
        return self.headers.get("content-type", "")

    @property
    def not_modified(self) -> bool:
        """True for a 304 answer to a conditional GET."""
        return self.status == 304
