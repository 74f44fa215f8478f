"""Settings: one frozen dataclass each, defaults documented here.

Layering is explicit: defaults here < a sites file < command-line flags. The
library never reads globals or the environment on its own; callers pass a
:class:`Settings` down (as Scrapy's components receive ``settings``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

__all__ = ["Settings", "SiteConfig", "DEFAULT_USER_AGENT", "load_site_configs", "__version__"]

__version__ = "0.1.0"  # the package's version: named in the User-Agent, WARC records and runs

DEFAULT_USER_AGENT = "news-archiver/{version} (+research archive; contact: {contact})"


@dataclass(frozen=True, slots=True)
class SiteConfig:
    """What is known of one site: overrides for discovery and extraction.

    ``article_pattern`` is a regex matched against the URL path (plus query);
    when set it decides which URLs are articles. ``index_pattern`` marks
    listing pages. ``boilerplate_xpaths`` are removed before extraction.
    """

    host: str = ""
    article_pattern: str | None = None
    index_pattern: str | None = None
    allowed_hosts: tuple[str, ...] = ()
    boilerplate_xpaths: tuple[str, ...] = ()
    site_name: str | None = None

    def is_article_url(self, path: str) -> bool | None:
        """True/False when the patterns decide, None when they don't."""
        if self.article_pattern and re.search(self.article_pattern, path):
            return True
        if self.index_pattern and re.search(self.index_pattern, path):
            return False
        if self.article_pattern:
            return False
        return None


@dataclass(frozen=True, slots=True)
class Settings:
    """Every knob of a run, with its default."""

    # politeness
    user_agent: str = ""  # empty: DEFAULT_USER_AGENT filled with version/contact
    contact: str = "see README"
    respect_robots: bool = True
    concurrency: int = 1  # requests at once, per host
    delay: float = 1.0  # seconds between request starts, per host
    # limits
    timeout: float = 20.0  # seconds per request
    max_attempts: int = 3
    max_bytes: int = 10 * 1024 * 1024  # raw and decompressed body cap
    max_redirects: int = 10
    retry_after_cap: float = 120.0  # longest Retry-After we are willing to wait
    backoff_base: float = 1.0  # first retry waits about this long, then doubles
    # crawl scope and budget
    allowed_hosts: tuple[str, ...] = ()  # besides the seed hosts
    max_pages: int | None = None
    max_time: float | None = None  # seconds
    refresh: bool = False  # refetch every known article
    refresh_after_days: float | None = None
    follow_links: bool = True
    articles_only: bool = False  # fetch: refuse pages that are no article (crawl always does)
    max_failure_share: float = 0.1  # exit 1 when more of a run's fetches fail (see README, "Exit codes")
    shard: tuple[int, int] | None = None  # (K, N): crawl only the hosts in shard K of N
    # machinery
    workers: int | None = None  # extraction processes; None = cores
    warc_dir: str | None = None
    warc_max_bytes: int = 1024**3
    sites: tuple[SiteConfig, ...] = ()

    def with_(self, **changes: Any) -> Settings:
        """A copy with some settings changed; ``None`` values are ignored."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def site(self, host: str) -> SiteConfig:
        """The SiteConfig for a host (``www.`` ignored), or an empty one."""
        bare = host.lower().removeprefix("www.")
        for site in self.sites:
            if site.host.lower().removeprefix("www.") == bare:
                return site
        return SiteConfig(host=bare)

    def agent(self, version: str) -> str:
        """The User-Agent header sent with every request."""
        return self.user_agent or DEFAULT_USER_AGENT.format(version=version, contact=self.contact)


def load_site_configs(data: dict[str, Any]) -> tuple[SiteConfig, ...]:
    """SiteConfigs from a parsed TOML/JSON mapping ``{"sites": {host: {...}}}``."""
    sites = []
    for host, raw in (data.get("sites") or {}).items():
        sites.append(
            SiteConfig(
                host=host,
                article_pattern=raw.get("article_pattern"),
                index_pattern=raw.get("index_pattern"),
                allowed_hosts=tuple(raw.get("allowed_hosts", ())),
                boilerplate_xpaths=tuple(raw.get("boilerplate_xpaths", ())),
                site_name=raw.get("site_name"),
            )
        )
    return tuple(sites)
