"""Authors: JSON-LD, meta tags, byline elements and plain "By …" lines.

Strings are cleaned to names by :mod:`scraper.extractor.byline_names`. The first source
naming a person wins; sidebar, comment, caption and related-list names are
never taken, and the site's own name or an organisation only when nobody else
is named. Bylines sit by the headline (a "By …" line, a link to the author's
page); as a last resort an "Autor: …" / "Text: …" line anywhere in the story
(often under its last paragraph, or in a credits block) or a bare name under
the headline that an author box on the page confirms. Sources that agree
refine each other: a bare first name or a user name becomes the full name
another signal on the page gives, and JSON-LD naming one of two bylined
authors gives way to the byline. Pure functions over a parsed tree.
"""

from __future__ import annotations

import re
from itertools import islice
from typing import Any

from lxml import etree
from lxml import html as lxml_html

from scraper.extractor.byline_lines import (
    is_byline_line,
    is_infobox,
    is_label_word,
    looks_like_name,
    may_open_label,
    opens_byline,
    opens_label,
)
from scraper.extractor.byline_names import clean_authors, fuller_name, is_house, jsonld_authors, meta_authors
from scraper.extractor.fields import is_site_name
from scraper.extractor.text import fold, in_boilerplate, is_furniture, node_text

__all__ = ["clean_authors", "find_authors"]


# author/Author, autor/Autor (de, es, pl …), byline/Byline: few predicates keep this one pass cheap
_BYLINE_XPATH = etree.XPath(
    ".//*[@class and (contains(@class,'uthor') or contains(@class,'utor') or contains(@class,'yline'))"
    " or @rel='author' or @itemprop='author' or contains(@id,'author')]"
)
# Links to an author's page name the author even beside a Twitter handle or an avatar.
_PROFILE_HREF = re.compile(
    r"/(?:author|authors|autor|autoren|autorin|profile|profil|people|journalist|journalists|staff|writers?|"
    r"contributors?|redakteur|redaktion/[^/]+)(?:/|$|\?)",
    re.IGNORECASE,
)


_NOT_BYLINE_TAGS = frozenset(
    {"meta", "link", "body", "html", "article", "main", "section", "script"}
)


def _in_comments(node: lxml_html.HtmlElement) -> bool:
    # camelCase comment widgets ("mtbnewsCommentAuthorName") escape the word-based furniture test
    return any(
        "comment" in (el.get("class") or "").lower()
        for el in (node, *node.iterancestors())
    )


# not "caption": some headers call the headline block one ("item-caption")
_CAPTION = re.compile(r"credit|copyright|bildunterschrift|bildquelle", re.IGNORECASE)


def _in_caption(node: lxml_html.HtmlElement, inside: bool = False) -> bool:
    """A picture's caption or credit line ("By U.S. Customs" under a video) names no author.

    ``inside``: a credit element within the node counts too (a line wrapping the credit).
    """
    if inside and any(
        _CAPTION.search(el.get("class") or "") for el in node.iter(etree.Element)
    ):
        return True
    for depth, el in enumerate((node, *node.iterancestors())):
        if el.tag in ("figure", "figcaption") or _CAPTION.search(el.get("class") or ""):
            return True
        if depth >= 3:
            return False
    return False


def _byline_nodes(
    tree: lxml_html.HtmlElement,
) -> tuple[list[lxml_html.HtmlElement], list[lxml_html.HtmlElement]]:
    """Author-marked elements of the story (not in sidebars, comments or related lists), and
    every author-marked element outside comments (author boxes often sit in footers)."""
    nodes: list[lxml_html.HtmlElement] = []
    boxes: list[lxml_html.HtmlElement] = []
    for node in _BYLINE_XPATH(tree)[:80]:
        if (
            not isinstance(node.tag, str)
            or node.tag in _NOT_BYLINE_TAGS
            or _in_comments(node)
        ):
            continue
        boxes.append(node)
        if not (in_boilerplate(node, include_self=True) or _in_caption(node)):
            nodes.append(node)
    return nodes, boxes


def _node_names(node: lxml_html.HtmlElement) -> list[str]:
    links = [a for a in node.iter("a") if _PROFILE_HREF.search(a.get("href") or "")]
    if links and len(links) <= 3:
        names: list[str] = []
        for link in links:
            names.extend(n for n in clean_authors(node_text(link)) if n not in names)
        if names:
            return names
    name_el = node.find(".//*[@itemprop='name']")
    text = node_text(name_el if name_el is not None else node)
    return clean_authors(text) if text and len(text) <= 120 else []


def _byline_authors(nodes: list[lxml_html.HtmlElement]) -> list[str]:
    for node in nodes:
        names = _node_names(node)
        if (
            names and len(names) <= 3
        ):  # more is a category or tag row with an "author" class
            return names
    return []


# Elements scanned after and before the headline: a byline sits in the story's header.
_BYLINE_AFTER = 120
_BYLINE_BEFORE = 15
# Author-page links and bare names count only this close to the headline (the story's header).
_LINK_WINDOW = 25
_CONFIRM_BOXES = 40
_BYLINE_TAGS = frozenset(
    {"p", "div", "span", "strong", "em", "b", "small", "address", "li", "h5", "h6", "a"}
)


_TEMPLATE = re.compile(r"\{\{?[\w.\s]*\}\}?")  # "{text}": an unfilled client-side template


def _headline_h1(
    tree: lxml_html.HtmlElement, sites: set[str]
) -> lxml_html.HtmlElement | None:
    """The story's ``<h1>`` (not an empty one, not the site's logo), else the first ``<h2>``."""
    for h1 in tree.iterfind(".//body//h1"):
        text = node_text(h1)
        if len(text) >= 3 and not is_site_name(text, sites) and not _TEMPLATE.fullmatch(text):
            return h1
    return tree.find(".//body//h2")


def _window(
    tree: lxml_html.HtmlElement, sites: set[str]
) -> list[tuple[int, lxml_html.HtmlElement]]:
    """(distance, element) pairs after and just before the headline: where a byline sits."""
    h1 = _headline_h1(tree, sites)
    if h1 is None:
        return []
    after = h1.xpath(f"following::*[position() <= {_BYLINE_AFTER}]")
    before = h1.xpath(f"preceding::*[position() <= {_BYLINE_BEFORE}]")
    return [*enumerate(after), *enumerate(reversed(before))]


def _profile_link_names(node: lxml_html.HtmlElement) -> list[str]:
    """Full names a link to an author's page gives (its ``itemprop=name``, title or text)."""
    parent = node.getparent()
    if parent is None or len(node_text(parent)) > 120 or _in_caption(node):
        return []
    name_el = node.find(".//*[@itemprop='name']")
    text = node_text(name_el) if name_el is not None else node.get("title") or node_text(node)
    names = clean_authors(text)
    return names if names and all(" " in n and n[0].isupper() for n in names) else []


def _text_byline_authors(
    window: list[tuple[int, lxml_html.HtmlElement]],
) -> list[str]:
    """A plain "By Jane Doe" / "Von Hans Meier" line or an author-page link by the headline."""
    for distance, node in window:
        if not isinstance(node.tag, str) or node.tag not in _BYLINE_TAGS:
            continue
        if (
            node.tag == "a"
            and distance <= _LINK_WINDOW
            and _PROFILE_HREF.search(node.get("href") or "")
            and (not in_boilerplate(node) or (distance <= _LINK_WINDOW // 2 and _in_layout(node)))
        ):
            names = _profile_link_names(node)
            if names and len(names) <= 3:
                return names
        # a cheap test on the first words before the node's whole text is gathered
        if not opens_byline(next((t for t in node.itertext() if t.strip()), "")):
            # "<h3>Standfirst</h3> by Duncan Bell / January 19, 2017": the byline is the
            # block's own text beside a heading
            own = fold(" ".join([node.text or "", *(child.tail or "" for child in node)])) \
                if len(node) else ""
            if opens_byline(own) and len(own) <= 100 and is_byline_line(own) \
                    and not in_boilerplate(node, include_self=True):
                names = [n for n in clean_authors(own) if n[0].isupper()]
                if names and len(names) <= 3:
                    return names
            continue
        text = node_text(node)
        if len(text) > 100 or not is_byline_line(text) or _among_infobox_lines(node):
            continue
        if _in_caption(node, inside=True) or (
            in_boilerplate(node, include_self=True) and not _linked_byline(node, distance)
        ):
            continue
        names = [n for n in clean_authors(text) if n[0].isupper()]
        if names and len(names) <= 3:
            return names
    return []


def _among_infobox_lines(node: lxml_html.HtmlElement) -> bool:
    """One line of a book or product box set as sibling lines ("Seiten: 400", "Autorin: …",
    "Verlag: …"): its author is the book's."""
    around = [*islice(node.itersiblings(etree.Element, preceding=True), 2),
              *islice(node.itersiblings(etree.Element), 2)]
    return is_infobox(" ".join(node_text(el)[:100] for el in around))


_SHARE = re.compile(r"share|social", re.IGNORECASE)


def _in_layout(node: lxml_html.HtmlElement) -> bool:
    """The furniture around ``node`` is only a share bar (right by the headline one often
    holds the byline: "author-share-box") or a page wrapper around the headline too
    ("page-wrapper right-sidebar"): a layout, not a sidebar."""
    return all(
        _SHARE.search(f"{a.get('class') or ''} {a.get('id') or ''}") or a.find(".//h1") is not None
        for a in node.iterancestors() if is_furniture(a))


def _linked_byline(node: lxml_html.HtmlElement, distance: int) -> bool:
    """A "von <author link>" line right by the headline, even in a header nav bar."""
    return distance <= _LINK_WINDOW // 2 and any(
        _PROFILE_HREF.search(a.get("href") or "") for a in node.iter("a")
    )


def _heading_byline(tree: lxml_html.HtmlElement) -> list[str]:
    """On pages without ``<h1>``/``<h2>``, a byline set as a small heading ("<h5>Von …</h5>")."""
    for heading in tree.iter("h3", "h4", "h5", "h6"):
        text = node_text(heading)
        if len(text) <= 100 and is_byline_line(text, dated=False) and not in_boilerplate(heading):
            names = [n for n in clean_authors(text) if n[0].isupper()]
            if names and len(names) <= 3:
                return names
    return []


def _confirmed_name(
    window: list[tuple[int, lxml_html.HtmlElement]], boxes: list[lxml_html.HtmlElement]
) -> list[str]:
    """A bare full name just under the headline that an author box elsewhere on the page names."""
    marked = set(boxes)
    for distance, node in window if boxes else ():
        if distance > _LINK_WINDOW or not isinstance(node.tag, str) or len(node):
            continue
        text = node_text(node)
        if not (looks_like_name(text) and clean_authors(text) == [text]):
            continue
        # no furniture test: page builders call every block a "widget"; the box's agreement is the test
        if node in marked or any(a in marked for a in node.iterancestors()) or _in_comments(node):
            continue
        if any(
            text in node_text(box) and text in _node_names(box)
            for box in boxes[:_CONFIRM_BOXES]
        ):
            return [text]
    return []


_LABEL_TAGS = ("p", "strong", "b", "em", "span", "dd", "dt", "div", "li", "small", "th", "td")
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_BLOCK_TAGS = _HEADINGS | {
    "br", "p", "div", "li", "ul", "ol", "table", "tr", "td", "dd", "dt", "hr", "section",
    "article", "footer", "header", "blockquote", "figure",
}


def _first_line(el: lxml_html.HtmlElement) -> str:
    """The element's text up to its first line break; an inline label runs on into its tail."""
    parts = [el.text or ""]
    for child in el:
        if child.tag in _BLOCK_TAGS:
            return fold(" ".join(parts))
        parts += [node_text(child) if isinstance(child.tag, str) else "", child.tail or ""]
    if el.tag not in _BLOCK_TAGS:
        parts.append(el.tail or "")
        for sib in el.itersiblings():
            if sib.tag in _BLOCK_TAGS:
                break
            parts += [node_text(sib) if isinstance(sib.tag, str) else "", sib.tail or ""]
    return fold(" ".join(parts))


def _label_line(el: lxml_html.HtmlElement) -> str | None:
    """The author line an element opens: "Autor: Jane Doe …", or a "Text" label and the value beside it."""
    text = (el.text or "").strip()
    value = el.getnext()
    if len(el) == 0 and is_label_word(text) and not (el.tail or "").strip() and value is not None:
        # <dt>Text</dt><dd>Jane Doe</dd>; a heading beside a "kicker" label is the next story's title
        return None if value.tag in _HEADINGS else f"{text.rstrip(':')}: {node_text(value)}"
    return _first_line(el) if opens_label(text) else None


def _labelled_authors(tree: lxml_html.HtmlElement) -> list[str]:
    """An "Autor: Jane Doe" / "Text: Jane Doe" line in the story, often under its last paragraph.

    Credit blocks count ("Text: … Fotos: …" names the writer); pictures' captions do not.
    """
    body = tree.find("body")
    for el in body.iter(*_LABEL_TAGS) if body is not None else ():
        if not may_open_label(el.text):
            continue
        line = _label_line(el)
        if not line or len(line) > 100:
            continue
        if (
            in_boilerplate(el, include_self=True)
            or _in_comments(el)
            or any(a.tag in ("figure", "figcaption") for a in el.iterancestors())
        ):
            continue
        block = el if el.tag in _BLOCK_TAGS else el.getparent()
        block = block if block is not None else el
        if is_infobox(node_text(block)[:400]) or _among_infobox_lines(block):
            continue
        names = [n for n in clean_authors(line) if n[0].isupper()]
        if names and len(names) <= 3:
            return names
    return []


def find_authors(
    tree: lxml_html.HtmlElement,
    metas: dict[str, list[str]],
    objects: list[dict[str, Any]],
    sites: set[str],
) -> list[str]:
    """Author names: JSON-LD, meta tags (names, not URLs), byline elements, a "By …" line.

    The first source naming a person wins; the site's own name or an
    organisation counts only when no source names anyone else (some
    publishers sign as the house). Labelled lines ("Autor: …") anywhere in
    the story and bare names an author box confirms are the last resort.
    """
    nodes, boxes = _byline_nodes(tree)
    window = _window(tree, sites)
    marked = _byline_authors(nodes)
    beside = _text_byline_authors(window) if window else _heading_byline(tree)
    # one <meta name="author"> per author in the head (cited works' authors live in the body);
    # a web agency signs its templates with its address ("Studio d.o.o. - www.studio.example")
    head = set(tree.xpath("//head/meta[@name='author']/@content"))
    several = len(head) > 1 and not any(re.search(r"www\.|https?:|@", value) for value in head)
    sources = [jsonld_authors(objects), meta_authors(metas, sites, several=several), marked, beside]
    if beside and not set(marked) & set(beside) and _feed_bylines(nodes):
        sources[2:] = [beside, marked]
    handles: list[str] = []
    for index, names in enumerate(sources):
        people = [n for n in names if not is_house(n, sites)]
        if people:
            refined = _refined(people, sources[index + 1 :], boxes, sites)
            if not all(_HANDLE.fullmatch(n) for n in refined):
                return refined
            # "sarah-indra": a CMS account no other source spells out; a later source may
            # name the author, else the account is all there is
            handles = handles or refined
    for fallback in (
        lambda: _labelled_authors(tree),
        lambda: _confirmed_name(window, boxes),
    ):
        people = [n for n in fallback() if not is_house(n, sites)]
        if people:
            return people
    if handles:
        return handles
    # only houses named: the one the reader sees in the byline beats the CMS's structured data
    return next((names for names in (sources[2], sources[0], sources[1], sources[3]) if names), [])


_HANDLE = re.compile(r"[a-z0-9]+(?:[._-][a-z0-9]+)+")  # "robert.stitz", "sarah-indra"


def _feed_bylines(nodes: list[lxml_html.HtmlElement]) -> bool:
    """Author-marked elements naming three or more people: maybe the bylines of a feed
    (latest news, related teasers); if the first disagrees with the byline by the headline,
    it is the feed's, not the story's."""
    named: set[str] = set()
    for node in nodes:
        named.update(_node_names(node))
        if len(named) >= 3:
            return True
    return False


def _refined(
    people: list[str],
    later: list[list[str]],
    boxes: list[lxml_html.HtmlElement],
    sites: set[str],
) -> list[str]:
    """The names one source gives, made fuller by the sources after it."""
    for fuller in later:  # JSON-LD naming one of two bylined authors
        if set(people) < set(fuller) and not any(is_house(n, sites) for n in fuller):
            return fuller
    others = [n for source in later for n in source]
    bios = (
        [node_text(box)[:120] for box in boxes]
        if any(" " not in n for n in people)
        else []
    )
    return list(dict.fromkeys(fuller_name(n, others, bios) for n in people))
