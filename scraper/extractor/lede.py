"""The lede (standfirst) under the headline, found on the untouched tree.

A lede-classed element, an ``itemprop`` description, an ``<h2>`` right under the headline, or a
lone paragraph repeating the page description -- always before the body begins. Pure functions;
nothing here mutates the tree.
"""

from __future__ import annotations

import re

from lxml import etree
from lxml import html as lxml_html

from scraper.extractor.text import fold, in_boilerplate, inline_text, key, node_text

__all__ = ["find_lede"]


_LEDE_CLASS = re.compile(
    r"(?:^|[\s_-])(?:lede|lead|leadin|lead-in|standfirst|subtitle|sub-title|subheadline|subhead|summary|intro|"
    r"excerpt|deck|dek|teaser-text|article-description|abstract|kicker-text|anons|annotation|announce|vrez|lid|"
    r"chapo|chapeau|sapo|bajada|entradilla)(?:$|[\s_-])",
    re.IGNORECASE,
)
_NOT_LEDE = re.compile(
    r"date|time|byline|author|meta|share|social|tag|categor|breadcrumb|caption|credit|photo|image|figure|info",
    re.IGNORECASE,
)
_LEDE_TAGS = frozenset(
    {"p", "div", "h2", "h3", "span", "strong", "em", "b", "section", "header"}
)
_LEDE_WINDOW = 80


def _is_meta(node: lxml_html.HtmlElement) -> bool:
    return node.tag == "time" or _NOT_LEDE.search(node.get("class") or "") is not None


def _holds_meta(node: lxml_html.HtmlElement) -> bool:
    """A box that also holds the byline, the date line or a caption ("entry-subhead" around them)."""
    return any(isinstance(inner.tag, str) and _is_meta(inner) for inner in node.iterdescendants())


def _text_without_meta(node: lxml_html.HtmlElement) -> str | None:
    """The box's own words without its byline, date and caption parts, if a standfirst is left."""
    text = inline_text(node, skip=_is_meta)
    return text if 25 <= len(text) <= 600 else None


def _lede_text(node: lxml_html.HtmlElement) -> str | None:
    if node.tag != "p" and node.find(".//p") is not None:
        return None  # a container, not a standfirst
    text = node_text(node)
    return text if 25 <= len(text) <= 600 else None


def _lede_candidates(tree: lxml_html.HtmlElement) -> list[lxml_html.HtmlElement]:
    h1 = tree.find(".//body//h1")
    if h1 is not None:
        return list(h1.xpath(f"following::*[position() <= {_LEDE_WINDOW}]"))
    return [
        n
        for n in tree.iter(*_LEDE_TAGS)
        if _LEDE_CLASS.search(f"{n.get('class') or ''} {n.get('id') or ''}")
    ][:5]


def _standalone_summary(
    node: lxml_html.HtmlElement, text: str, description: str | None
) -> bool:
    """A lone ``<p>`` between headline and body that repeats the page description, or is all bold/italic."""
    if any(sib.tag == "p" for sib in node.itersiblings()):
        return False  # it opens the body container: a first paragraph, not a standfirst
    desc = key(description)
    if desc and (
        key(text) == desc
        or (len(desc) >= 40 and key(text).startswith(desc.rstrip(".… ")))
    ):
        return True
    styled = [c for c in node if c.tag in ("b", "strong", "em", "i")]
    return (
        len(node) == 1
        and bool(styled)
        and not fold(node.text)
        and node_text(styled[0]) == text
    )


def _after_running_text(node: lxml_html.HtmlElement) -> bool:
    """Whether 25 or more words of text (not headings) stand between the headline and ``node``
    in its own block: the body has begun."""
    words = 0
    for sibling in node.itersiblings(etree.Element, preceding=True):
        if sibling.tag == "h1":
            return False
        if sibling.tag in ("h2", "h3", "h4", "h5", "h6", "figure", "figcaption"):
            continue
        words += len(node_text(sibling).split())
        if words >= 25:
            return True
    return False


def find_lede(
    tree: lxml_html.HtmlElement, headline: str | None, description: str | None = None
) -> tuple[str | None, lxml_html.HtmlElement | None]:
    """The standfirst under the headline and its element, or (None, None).

    Taken from a lede/standfirst/subtitle-classed element, an ``itemprop``
    description, an ``<h2>`` directly under the headline, or a lone paragraph
    outside the body container that repeats the page description -- always
    before the first body paragraph. A body's own first paragraph is never a lede.
    """
    head_key = key(headline)
    for node in _lede_candidates(tree):
        if (
            not isinstance(node.tag, str)
            or node.tag not in _LEDE_TAGS
            or in_boilerplate(node)
        ):
            continue
        names = f"{node.get('class') or ''} {node.get('id') or ''} {node.get('itemprop') or ''}"
        if any(a.tag in ("figure", "figcaption") for a in node.iterancestors()):
            continue
        text = _lede_text(node)
        if text is not None and _holds_meta(node):
            text = _text_without_meta(node)  # "by Jane Doe · 4 March 2020 · The standfirst …"
        if (
            text is None
            or key(text) == head_key
            or (names.strip() and _NOT_LEDE.search(names))
        ):
            if node.tag == "p" and len(node_text(node).split()) >= 25:
                return None, None  # the body has started
            continue
        if _LEDE_CLASS.search(names) or node.get("itemprop") in (
            "description",
            "alternativeHeadline",
        ):
            return text, node
        if node.tag in ("h2", "h3") and len(text) <= 400:
            if _after_running_text(node):
                return None, None  # a subheading of a body set in <div>s, not <p>s
            return text, node
        if node.tag == "p":
            return (
                (text, node)
                if _standalone_summary(node, text, description)
                else (None, None)
            )
    return None, None
