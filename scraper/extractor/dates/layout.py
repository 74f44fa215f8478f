"""Where on a page a date sits: the headline, and the blocks around it.

The date finder trusts a visible date only when it sits next to the story's
own headline and outside navigation, related/latest-news lists, sidebars,
comments and the site's header and footer. This module answers those "where"
questions; it reads the tree and never changes it. What a block *is*, from its
tag and class words, is :mod:`~scraper.extractor.dates.marks`.

Blocks are excluded in two strengths: *hard* (related lists, sidebars,
comments, navigation: never the story's date) and *soft* (headers and
footers: the site's masthead and footer, but an ``<article>``'s own header or
footer carries its dateline).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree
from lxml import html as lxml_html

from scraper.extractor.dates.marks import (
    HARD_TAGS, HEADLINE_WORDS, LOGO_WORDS, NOT_HEADLINE_WORDS, RELATED_HEADING, STORY_HEADER, block_kind, block_marks,
)
from scraper.extractor.dates.text import time_value

__all__ = [
    "every_line",
    "set_aside_blocks",
    "Line", "ancestors", "block_of", "find_headline", "is_excluded", "lines_around", "page_lines",
    "story_container",
]

_BLOCK_TAGS = frozenset(
    ["address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tbody", "td", "th", "tr", "ul"]
)
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "select", "button"})


@dataclass(frozen=True, slots=True)
class Line:
    """One visual line of text, its block element, and where it stands on the page."""

    text: str
    element: lxml_html.HtmlElement
    excluded: bool  # inside a related/sidebar/nav/comment block, or the site's header/footer
    in_headline: bool
    times: tuple[str, ...] = ()  # datetime attributes of <time> elements on the line


def is_excluded(
    element: lxml_html.HtmlElement, keep: frozenset[lxml_html.HtmlElement] = frozenset()
) -> bool:
    """Whether ``element`` sits in a block whose dates are not the story's.

    Elements in ``keep`` (the headline's ancestors) never count: some sites
    wrap the whole story in a "widget" or a "header".
    """
    soft_pending = False
    node: lxml_html.HtmlElement | None = element
    while node is not None:
        kind = block_kind(node)
        if node in keep and kind != "article":
            kind = ""
        if kind == "hard":
            return True
        if kind == "soft":
            soft_pending = True
        elif kind == "article":
            soft_pending = False  # the header/footer below belongs to a story
        node = node.getparent()
    return soft_pending


# Class tokens naming the page's main column: a "sidebar" block around one is a page layout.
_MAIN_REGION = frozenset({"main", "content", "main-content", "maincontent", "site-content",
                          "content-area", "site-main", "primary", "main-column"})


def _is_main_region(node: lxml_html.HtmlElement) -> bool:
    """A ``<main>`` or a main-column block holding a story's worth of text."""
    named = node.tag == "main" or not _MAIN_REGION.isdisjoint(
        (node.get("class") or "").lower().split())
    return named and len(node.text_content()) >= 800


def _blocks_headline(node: lxml_html.HtmlElement, story: lxml_html.HtmlElement | None,
                     in_main: bool) -> bool:
    tag = node.tag if isinstance(node.tag, str) else ""
    if tag not in HARD_TAGS and not NOT_HEADLINE_WORDS.search(block_marks(node)):
        return False
    if in_main and tag not in HARD_TAGS:
        return False  # "mainwrap sidebar" around the main column: a layout, not a sidebar
    # A wrapper whose bulk is the story ("mainwrap has-sidebar") is layout, not a sidebar;
    # a sidebar holds many small teasers.
    return story is None or len(story.text_content()) < 0.3 * len(node.text_content())


def _headline_ok(element: lxml_html.HtmlElement, strict: bool) -> bool:
    """A non-empty heading outside related/sidebar blocks; if ``strict``, outside the site header."""
    if not " ".join(element.text_content().split()):
        return False
    soft_pending = False
    story: lxml_html.HtmlElement | None = None
    in_main = False
    for node in element.iterancestors():
        if node.tag in ("body", "html"):
            break
        if _blocks_headline(node, story, in_main):
            return False
        in_main = in_main or _is_main_region(node)
        kind = block_kind(node)
        if kind == "soft" or LOGO_WORDS.search(block_marks(node)):
            soft_pending = True  # a site header's <h1> is usually the logo
        elif kind == "article" or node.tag == "main":
            soft_pending = False  # ...but a story's own header holds its headline
            story = story if story is not None else node
    return not (strict and soft_pending)


_FOLD = str.maketrans({"–": "-", "—": "-", "‐": "-", "‑": "-", "’": "'", "‘": "'",
                       "“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "\xa0": " "})


def _fold(text: str) -> str:
    """Comparison form of a title: spaces, case, dashes and quotes folded."""
    return " ".join(text.translate(_FOLD).split()).casefold()


def _title_text(tree: lxml_html.HtmlElement) -> str:
    """The page's og/twitter title and ``<title>``, folded, one per line."""
    titles = [meta.get("content") or "" for meta in tree.iter("meta")
              if (meta.get("property") or meta.get("name") or "").lower()
              in ("og:title", "twitter:title")]
    title = tree.find(".//title")
    titles.append(title.text_content() if title is not None else "")
    return "\n".join(_fold(t) for t in titles)


def _repeats_title(element: lxml_html.HtmlElement, title: str) -> bool:
    """Whether the element's text (12 characters or more) is part of the page's title lines."""
    text = _fold(element.text_content())
    return len(text) >= 12 and text in title


def find_headline(tree: lxml_html.HtmlElement) -> lxml_html.HtmlElement | None:
    """The element holding the story's headline, or None.

    In order: an ``<h1>`` repeating the page title, an ``<h1>`` outside the site header, a
    heading repeating the page title, a heading marked as the entry/post title, any ``<h1>``.
    """
    title = _title_text(tree)
    # A page may hold other <h1>s before the story's (a "Quicklinks" box, a cookie notice, a
    # screen-reader "Welcome to …"): the one the title repeats is the story's.
    for h1 in tree.iter("h1"):
        if _repeats_title(h1, title) and _headline_ok(h1, True):
            return h1
    for h1 in tree.iter("h1"):
        if _headline_ok(h1, True):
            return h1
    for element in tree.iter("h1", "h2", "h3"):
        if _repeats_title(element, title) and _headline_ok(element, True):
            return element
    for element in tree.iter("h1", "h2", "h3", "h4", "div", "span", "header", "a"):
        marked = element.get("itemprop") == "headline" or HEADLINE_WORDS.search(block_marks(element))
        if marked and _headline_ok(element, False):
            return element
    for h1 in tree.iter("h1"):
        if _headline_ok(h1, False):
            return h1
    return None


def ancestors(element: lxml_html.HtmlElement) -> frozenset[lxml_html.HtmlElement]:
    """``element`` and all its ancestors (held, so lxml keeps their proxies stable)."""
    found = set()
    node: lxml_html.HtmlElement | None = element
    while node is not None:
        found.add(node)
        node = node.getparent()
    return frozenset(found)


def story_container(headline: lxml_html.HtmlElement) -> lxml_html.HtmlElement | None:
    """The nearest ``<article>``/``<main>``/post-like block around the headline, if any."""
    for node in headline.iterancestors():
        if node.tag in ("body", "html"):
            return None
        if node.tag == "main" or block_kind(node) == "article":
            return node
    return None


def block_of(element: lxml_html.HtmlElement) -> lxml_html.HtmlElement | None:
    """The nearest block-level element holding ``element`` (itself if it is one)."""
    node: lxml_html.HtmlElement | None = element
    while node is not None and node.tag not in _BLOCK_TAGS:
        node = node.getparent()
    return node


def _opens_own_header(kind: str, element: lxml_html.HtmlElement,
                      holds_headline: frozenset[lxml_html.HtmlElement]) -> bool:
    """A header-classed ("soft") block around the headline: the story's own header, whose soft-classed
    parts ("page-header__subtitle") are its lines, not the site's."""
    return kind == "soft" and element in holds_headline


@dataclass(slots=True)
class _State:
    block: lxml_html.HtmlElement
    hard: bool = False
    soft: bool = False
    in_article: bool = False
    in_head: bool = False
    in_own_header: bool = False  # inside the story's own header: a header-classed block holding the headline


def _enter(state: _State, el: lxml_html.HtmlElement, keep: frozenset[lxml_html.HtmlElement],
           beside: frozenset[lxml_html.HtmlElement], headline: lxml_html.HtmlElement) -> _State:
    kind = block_kind(el, beside_headline=el in beside)
    own_header = state.in_own_header or _opens_own_header(kind, el, keep)
    if el in keep and kind != "article":
        kind = ""  # the blocks around the headline are the story's, whatever their class
    return _State(
        block=el if el.tag in _BLOCK_TAGS else state.block,
        hard=state.hard or kind == "hard",
        # A "page-header__subtitle" inside the story's own header is that header's part, not the site's.
        soft=state.soft or (kind == "soft" and not state.in_article and not state.in_own_header),
        in_article=state.in_article or kind == "article" or el is headline,
        in_head=state.in_head or el is headline,
        in_own_header=own_header,
    )


def _iter_lines(root: lxml_html.HtmlElement, headline: lxml_html.HtmlElement) -> Iterator[Line]:
    """Visual lines of the document in reading order (iterative: pages nest deeply)."""
    keep = ancestors(headline)
    parent = headline.getparent()
    beside = frozenset(parent) if parent is not None else frozenset()  # the headline's siblings
    stack: list[_State] = []
    state = _State(block=root)
    parts: list[str] = []
    times: list[str] = []
    skip_depth = 0

    def flush() -> Line | None:
        text = " ".join("".join(parts).split())
        line = Line(text, state.block, state.hard or state.soft, state.in_head, tuple(times))
        parts.clear()
        times.clear()
        return line if text or line.times else None

    walker = etree.iterwalk(root, events=("start", "end"))
    for event, el in walker:
        tag = el.tag if isinstance(el.tag, str) else ""
        if event == "start":
            if skip_depth or tag in _SKIP_TAGS or not tag:
                skip_depth += 1
                continue
            if tag in _BLOCK_TAGS and (line := flush()):
                yield line
            stack.append(state)
            state = _enter(state, el, keep, beside, headline)
            if state.hard or state.soft:
                walker.skip_subtree()  # nothing in there may date the story: save the walk
                continue
            if tag == "time" and el.get("datetime"):
                times.append(time_value(str(el.get("datetime")), el.text_content()))
            parts.append(el.text or "")
            continue
        if skip_depth:
            skip_depth -= 1
            if skip_depth:
                continue  # a tail inside a skipped element
        else:
            if tag in _BLOCK_TAGS and (line := flush()):
                yield line
            state = stack.pop()
        parts.append(el.tail or "")
    if line := flush():
        yield line


def _in_story_header(element: lxml_html.HtmlElement) -> bool:
    """Inside the story's own header block: a "More from <author>" link of the byline's
    author card there does not open a list of other stories."""
    return any(STORY_HEADER.search(block_marks(node)) for node in element.iterancestors())


def lines_around(
    root: lxml_html.HtmlElement, headline: lxml_html.HtmlElement, before: int, after: int
) -> tuple[list[Line], list[Line]]:
    """Up to ``before`` lines preceding the headline and ``after`` lines following it.

    Following lines stop at a heading that opens a list of other stories.
    """
    prior: list[Line] = []
    following: list[Line] = []
    seen_headline = False
    for line in _iter_lines(root, headline):
        if line.in_headline:
            seen_headline = True
        elif not seen_headline:
            prior.append(line)
            del prior[: -before or None]
        elif len(line.text) < 40 and RELATED_HEADING.match(line.text) \
                and not _in_story_header(line.element):
            break
        else:
            following.append(line)
            if len(following) >= after:
                break
    return prior, following


def set_aside_blocks(root: lxml_html.HtmlElement,
                     headline: lxml_html.HtmlElement | None = None) -> Iterator[lxml_html.HtmlElement]:
    """The outermost blocks whose dates are not the story's (related, comments, teasers, sidebars).

    A block holding ``headline`` is the story's own header, whatever its class says ("page-header",
    a teaser-classed news header): it is looked into, never set aside whole.
    """
    holds_headline = ancestors(headline) if headline is not None else frozenset()
    stack: list[tuple[lxml_html.HtmlElement, bool]] = [(root, False)]
    while stack:
        node, in_own_header = stack.pop()
        if not isinstance(node.tag, str):
            continue
        kind = block_kind(node)
        # Inside the story's own header ("page-header" around the headline), a "page-header__meta"
        # part is that header's, not the site's: only hard blocks (share bars) are set aside there.
        if node is not root and node not in holds_headline and kind in (("hard",) if in_own_header
                                                                         else ("hard", "soft")):
            yield node
            continue
        inside = in_own_header or _opens_own_header(kind, node, holds_headline)
        stack.extend((child, inside) for child in reversed(node))




def every_line(root: lxml_html.HtmlElement, limit: int) -> Iterator[tuple[Line, bool]]:
    """Up to ``limit`` lines of the whole page, each with whether a related-stories heading came before."""
    after_related = False
    for count, line in enumerate(_iter_lines(root, root)):
        if count >= limit:
            return
        if len(line.text) < 60 and RELATED_HEADING.match(line.text):
            after_related = True
        yield line, after_related


def page_lines(root: lxml_html.HtmlElement, limit: int) -> list[Line]:
    """Up to ``limit`` lines of the whole page outside excluded blocks (no headline known)."""
    lines: list[Line] = []
    for line in _iter_lines(root, root):
        if len(line.text) < 60 and RELATED_HEADING.match(line.text):
            break
        lines.append(line)
        if len(lines) >= limit:
            break
    return lines
