"""Machine-readable metadata on a parsed page: JSON-LD and <meta> tags.

Shared by the headline/author and date finders so each page's JSON-LD is
parsed once. Pure functions over an lxml tree.
"""

from __future__ import annotations

import json
from typing import Any

from lxml import html as lxml_html

__all__ = ["jsonld_objects", "meta_values", "first_meta", "ARTICLE_TYPES"]

#: schema.org types that describe the page's own story.
ARTICLE_TYPES = frozenset(
    {
        "article",
        "newsarticle",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "backgroundnewsarticle",
        "blogposting",
        "socialmediaposting",
        "liveblogposting",
        "report",
        "webpage",
        "scholarlyarticle",
    }
)


def _walk(node: Any, out: list[dict[str, Any]], depth: int = 0) -> None:
    # Flatten lists and @graph containers; bounded depth against hostile input.
    if depth > 8:
        return
    if isinstance(node, list):
        for item in node[:200]:
            _walk(item, out, depth + 1)
    elif isinstance(node, dict):
        out.append(node)
        if "@graph" in node:
            _walk(node["@graph"], out, depth + 1)


def jsonld_objects(tree: lxml_html.HtmlElement) -> list[dict[str, Any]]:
    """Every JSON-LD object on the page, ``@graph`` containers flattened.

    Broken JSON is skipped, never raised: pages ship all sorts of it.
    """
    objects: list[dict[str, Any]] = []
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        text = (script.text or "").strip()
        if not text or len(text) > 2_000_000:
            continue
        try:
            data = json.loads(text, strict=False)
        except (ValueError, RecursionError):
            continue
        _walk(data, objects)
    return objects


def types_of(obj: dict[str, Any]) -> set[str]:
    """The lower-cased ``@type`` names of a JSON-LD object."""
    raw = obj.get("@type")
    names = raw if isinstance(raw, list) else [raw]
    return {str(n).lower() for n in names if n}


def meta_values(tree: lxml_html.HtmlElement) -> dict[str, list[str]]:
    """``<meta>`` contents keyed by lower-cased name/property/itemprop."""
    values: dict[str, list[str]] = {}
    for meta in tree.iter("meta"):
        key = meta.get("property") or meta.get("name") or meta.get("itemprop")
        content = meta.get("content")
        if key and content and content.strip():
            values.setdefault(key.strip().lower(), []).append(content.strip())
    return values


def first_meta(metas: dict[str, list[str]], *names: str) -> str | None:
    """The first non-empty value among ``names``, in the order given."""
    for name in names:
        found = metas.get(name.lower())
        if found:
            return found[0]
    return None
