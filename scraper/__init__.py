"""news-archiver: fetch, extract and archive KazPost-style news pages."""

from scraper.config import Settings, SiteConfig
from scraper.errors import *  # noqa: F403
from scraper.errors import __all__ as _error_names
from scraper.models import Article, Page, RelatedLink

__version__ = "0.1.0"

__all__ = ["Article", "Page", "RelatedLink", "Settings", "SiteConfig", "__version__", *_error_names]
