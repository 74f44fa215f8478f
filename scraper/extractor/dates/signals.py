"""Page-wide date signals: the page's own URL and title, and weak guesses that need confirming.

htmldate's reading, the first date in script data, the lead image's upload folders and every
``<time datetime>`` of the page: none of them dates a page alone (:mod:`.choose` asks the page
to confirm them, :mod:`.score` weighs them).
"""

from __future__ import annotations

from htmldate import find_date
from lxml import html as lxml_html

from scraper.extractor.dates.text import Stamp, folder_date, json_dates, parse_machine

__all__ = ["canonical_url", "page_title", "htmldate_guess", "script_dates", "lead_image_days", "page_moments"]


def canonical_url(tree: lxml_html.HtmlElement) -> str | None:
    for link in tree.iter("link"):
        if (link.get("rel") or "").lower() == "canonical" and link.get("href"):
            return str(link.get("href"))
    return None


def page_title(tree: lxml_html.HtmlElement) -> str:
    title = tree.find(".//title")
    return " ".join(title.text_content().split()) if title is not None else ""


def htmldate_guess(tree: lxml_html.HtmlElement, url: str | None) -> str | None:
    """htmldate's reading of the page (it copies the tree before pruning it)."""
    try:
        return find_date(tree, url=url, original_date=True, extensive_search=False)
    except Exception:  # noqa: BLE001 - a third-party heuristic; its failure means "no guess"
        return None


def script_dates(tree: lxml_html.HtmlElement) -> list[Stamp]:
    """The first publication date in the page's non-LD script JSON, if any.

    Only the first: later ones are mostly teasers of other stories.
    """
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() == "application/ld+json" or not script.text:
            continue
        found = json_dates(script.text[:2_000_000])
        if found:
            return found[:1]
    return []


def lead_image_days(tree: lxml_html.HtmlElement,
                    story: lxml_html.HtmlElement | None) -> set[tuple[int, int, int]]:
    """(year, month, day or 0) from the date folders of the lead image's path.

    The lead image is the ``og:image``/``twitter:image`` or the story's first
    ``<img>``; CMSs file uploads by date (``/uploads/2016/05/``), which confirms
    a date but never gives one.
    """
    paths = [meta.get("content") or "" for meta in tree.iter("meta")
             if (meta.get("property") or meta.get("name") or "").lower()
             in ("og:image", "twitter:image")]
    first = next(story.iter("img"), None) if story is not None else None
    if first is not None:
        paths.append(first.get("src") or "")
    return {day for day in map(folder_date, paths) if day is not None}


_MOMENTS_XPATH = "//time/@datetime | //*[@itemprop='datePublished']/@content"


def page_moments(tree: lxml_html.HtmlElement) -> list[Stamp]:
    """Every ``<time datetime>`` and ``itemprop=datePublished`` value of the page."""
    found = (parse_machine(str(value)) for value in tree.xpath(_MOMENTS_XPATH)[:200])
    return [stamp for stamp in found if stamp is not None]
