"""Related / more-stories links: which blocks hold them, and the links themselves.

Blocks are found three ways: a heading such as "Related Articles" or
"Читайте также", a class/id such as ``related`` or ``more-stories``, and long
lists of headline links outside the article (the KazPost overlay panel).
Inline lines between paragraphs ("Also, see: <a>…</a>", "Related Article: …")
count too. The caller removes the returned elements before body extraction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urljoin, urlsplit

from lxml import html as lxml_html

from scraper.extractor.text import NO_TEXT_TAGS, fold, node_text
from scraper.models import RelatedLink

__all__ = ["INLINE_RELATED", "RELATED_HEADING", "RelatedBlocks", "find_related"]

RELATED_HEADING = re.compile(
    r"^(?:(?:related|relevant|similar|other|recent) (?:articles?|stories|news|posts|reads|reading|coverage|content|"
    r"links|headlines)|related|more (?:stories|news|articles|"
    r"from [\w\s]{1,30}|on this(?: topic| story)?)|read (?:more|also|next)|also read|see also|you (?:may|might) "
    r"also (?:like|enjoy)|recommended(?: for you| stories| articles)?|latest(?: news| stories| articles)?|"
    r"most (?:read|popular|viewed)|top stories|what to read next|further reading|"
    r"weitere (?:artikel|beiträge|meldungen|nachrichten)|mehr zum thema|ähnliche (?:artikel|beiträge)|"
    r"das (?:thema )?könnte (?:sie|dich) auch interessieren|(?:auch|mehr) (?:auf|bei) [\w-]+(?:\.[\w-]+)+|"
    r"lesen sie auch|auch interessant|empfohlene (?:beiträge|artikel)|"
    r"weitere aktuelle themen|(?:à )?lire aussi|voir aussi|contenido relacionado|(?:le|te) puede interesar|"
    r"leia também|leggi anche|czytaj (?:też|także)|"
    r"читайте (?:также|еще|ещё)|похожие(?: новости| статьи| материалы)?|другие (?:новости|материалы|статьи)|"
    r"последние новости|по теме|смотрите также|новости по теме|материалы по теме)"
    r"(?:\s+(?:раздела|рубрики|по теме|(?:from|on|in|auf|aus|bei|von|vom|im) [\w .-]{1,30}))?\s*[:.!]?$",
    re.IGNORECASE,
)
#: An inline related line between paragraphs: "Also, see: …", "Related Article: …".
INLINE_RELATED = re.compile(
    r"^\s*(?:also,? (?:see|read)|related(?: articles?| stor(?:y|ies)| news| reading| coverage| content)?|"
    r"read (?:more|also)|see also|more on this(?: story| topic)?|more:|lesen sie (?:auch|mehr)|"
    r"mehr (?:dazu|zum thema)|(?:à )?lire aussi|voir aussi|(?:también )?(?:le|te) puede interesar|lee también|"
    r"contenido relacionado|leia também|leggi anche|czytaj (?:też|także)|zobacz (?:też|także)|"
    r"читайте (?:также|еще|ещё)|смотрите также|по теме)\s*(?:[:：\-–—>»]|$)",
    re.IGNORECASE,
)
_RELATED_CLASS = re.compile(
    r"related|more-?stories|more_stories|recommend|also-?read|you-may-like|similar-|other-news|"
    r"latest-news|more-news|more-articles|popular-posts|yarpp|crp_related|read-next|readnext",
    re.IGNORECASE,
)
_MENU = re.compile(
    r"(?:^|[\s_-])(?:nav|navbar|menu|breadcrumbs?|tags?|tag-list|pagination|pager)(?:$|[\s_-])",
    re.IGNORECASE,
)
_BLOCK_TAGS = frozenset(
    {"div", "section", "aside", "ul", "ol", "nav", "footer", "table", "dl"}
)
_MIN_LIST_LINKS = 5
_TAXONOMY_PATH = re.compile(r"/(?:tags?|category|author)/")  # tag and author pages are no stories
# The story's own text container: a link list holding one with real running text is a page wrapper.
_STORY_BODY = (
    ".//*[@itemprop='articleBody' or contains(@class,'entry-content') or contains(@class,'post-body')"
    " or contains(@class,'article-body') or contains(@class,'post-content') or contains(@class,'article-content')]"
)


@dataclass(slots=True)
class RelatedBlocks:
    """Related links in page order, and the elements that held them."""

    links: list[RelatedLink] = field(default_factory=list)
    elements: list[lxml_html.HtmlElement] = field(default_factory=list)


def _names(node: lxml_html.HtmlElement) -> str:
    return f"{node.get('class') or ''} {node.get('id') or ''}"


def _in_menu(node: lxml_html.HtmlElement) -> bool:
    for anc in node.iterancestors():
        if anc.tag in ("nav", "header") or _MENU.search(_names(anc)):
            return True
    return False


class _Measure:
    """Text and link-text lengths of every element, computed in one bottom-up pass.

    Per-node ``node_text`` calls would be quadratic on deeply nested pages.
    """

    def __init__(self, tree: lxml_html.HtmlElement) -> None:
        self.text: dict[lxml_html.HtmlElement, int] = {}
        self.link: dict[lxml_html.HtmlElement, int] = {}
        self.story: dict[lxml_html.HtmlElement, int] = {}
        text, link_of, story_of = self.text, self.link, self.story
        for node in reversed(list(tree.iter())):
            tag = node.tag
            skip = not isinstance(tag, str) or tag in NO_TEXT_TAGS
            total = 0 if skip else len((node.text or "").strip())
            link = story = 0
            for child in node:
                total += text.get(child, 0) + len((child.tail or "").strip())
                link += link_of.get(child, 0)
                story += story_of.get(child, 0)
            if tag == "a":
                link = total
                story = int(len(node.text_content().split()) >= 3)
            text[node], link_of[node], story_of[node] = total, link, story

    def link_share(self, node: lxml_html.HtmlElement) -> float:
        """Share of the node's text that sits inside links."""
        total = self.text.get(node, 0)
        return self.link.get(node, 0) / total if total else 0.0


def _guarded(node: lxml_html.HtmlElement) -> bool:
    """True for nodes that must never be taken as a related block (they hold the story)."""
    return (
        node.tag in ("body", "html", "main", "article")
        or node.find(".//h1") is not None
    )


def _class_blocks(
    tree: lxml_html.HtmlElement, m: _Measure
) -> list[lxml_html.HtmlElement]:
    found = []
    for node in tree.iter(*_BLOCK_TAGS):
        if not _RELATED_CLASS.search(_names(node)) or _guarded(node):
            continue
        if node.find(".//a") is not None and m.link_share(node) >= 0.4:
            found.append(node)
    return found


def _heading_blocks(
    tree: lxml_html.HtmlElement, m: _Measure
) -> list[lxml_html.HtmlElement]:
    found = []
    for node in tree.iter(
        "h2", "h3", "h4", "h5", "h6", "div", "span", "p", "strong", "b", "header"
    ):
        if (
            len(node) > 2
            or m.text.get(node, 0) > 60
            or not RELATED_HEADING.match(node_text(node))
        ):
            continue
        found.append(node)
        parent = node.getparent()
        if parent is not None and not _guarded(parent) and m.link_share(parent) >= 0.5:
            found.append(parent)
            continue
        sibling = node.getnext()
        for _ in range(3):  # the list usually follows the heading directly
            if (
                sibling is None
                or sibling.tag in ("h1", "h2", "h3")
                or _guarded(sibling)
            ):
                break
            if sibling.find(".//a") is not None or sibling.tag == "a":
                if not _running_text(sibling, m):
                    found.append(sibling)
                break
            sibling = sibling.getnext()
    return found


def _running_text(node: lxml_html.HtmlElement, m: _Measure) -> bool:
    """Pages of text with a few links in it: behind a "Read More" expander the rest of the
    story follows, not a list of other stories (whose teasers are a tenth or more links)."""
    return m.text.get(node, 0) >= 2000 and m.link_share(node) < 0.1


def _list_blocks(
    tree: lxml_html.HtmlElement, m: _Measure
) -> list[lxml_html.HtmlElement]:
    """Long lists of headline links (overlay panels, "latest" columns) outside menus."""
    found = []
    opening: frozenset[lxml_html.HtmlElement] | None = None
    for node in tree.iter("ul", "ol", "div", "section", "aside"):
        if m.story.get(node, 0) < _MIN_LIST_LINKS or m.link_share(node) < 0.75:
            continue
        if _guarded(node) or _in_menu(node) or _holds_story(node, m):
            continue
        if opening is None:
            opening = _story_opening(tree, m)
        if node not in opening:
            found.append(node)
    return found


def _story_opening(tree: lxml_html.HtmlElement, m: _Measure) -> frozenset[lxml_html.HtmlElement]:
    """The ancestors of the story's first paragraph of running text after the ``<h1>``.

    A list block around it is the story itself (a deals or links roundup whose items
    are mostly links), not a pool of other stories.
    """
    seen_h1 = False
    for node in tree.iter("h1", "p"):
        if node.tag == "h1":
            seen_h1 = True
        elif seen_h1 and m.text.get(node, 0) >= 120 and m.link_share(node) < 0.1:
            return frozenset(node.iterancestors())
    return frozenset()


def _holds_story(node: lxml_html.HtmlElement, m: _Measure) -> bool:
    """True when a story-body element with running text (not a teaser) sits inside ``node``."""
    return any(
        m.text.get(body, 0) >= 400 and m.link_share(body) < 0.25
        for body in node.xpath(_STORY_BODY)
    )


def _inline_lines(
    tree: lxml_html.HtmlElement, m: _Measure
) -> list[lxml_html.HtmlElement]:
    found = []
    for node in tree.iter("p", "div", "li", "h4", "h5", "h6", "strong"):
        if m.text.get(node, 0) > 300 or len(node) > 6:
            continue
        # text_content() is a cheap C-level look before the exact text
        if not INLINE_RELATED.match(fold(node.text_content()[:80])):
            continue
        if not INLINE_RELATED.match(node_text(node)):
            continue
        if node.find(".//p") is not None:
            continue
        found.append(node)
        following = node.getnext()
        # "Also, see:" alone on its line, the link in the next block
        if (
            node.find(".//a") is not None
            or following is None
            or following.tag not in ("p", "ul", "div")
        ):
            continue
        if following.find(".//a") is not None and m.link_share(following) >= 0.6:
            found.append(following)
    return found


def _outermost(nodes: list[lxml_html.HtmlElement]) -> list[lxml_html.HtmlElement]:
    chosen = set(nodes)
    return [n for n in nodes if not any(a in chosen for a in n.iterancestors())]


def _absolute(href: str, base: str, origin: str) -> str | None:
    """``href`` resolved against ``base``, without its fragment; None when malformed.

    Without an http(s) ``base`` (``origin`` empty) a relative link is kept as written.

    The two common shapes of a related link, absolute and root-relative, skip
    urljoin (a tenth of the related-link cost); its answer would be the same.
    """
    try:
        plain = href.partition("#")[0]
        # urljoin rewrites an empty query, dot segments and params: leave those to it.
        simple = not (plain.endswith("?") or "/." in plain or ";" in plain)
        if simple and plain.startswith(("http://", "https://")):
            absolute = plain
        elif simple and origin and plain.startswith("/") and not plain.startswith("//"):
            absolute = origin + plain
        else:
            absolute = urldefrag(urljoin(base, href))[0] if base else urldefrag(href)[0]
        scheme = urlsplit(absolute).scheme
        if scheme in ("http", "https"):
            return absolute
        # no address to resolve against (a saved page naming none): the link as written, not lost
        return absolute if absolute and not scheme and not origin else None
    except ValueError:  # malformed, e.g. "http://[bad"
        return None


def _link_of(
    anchor: lxml_html.HtmlElement, base: str, own: set[str], origin: str = ""
) -> RelatedLink | None:
    href = (anchor.get("href") or "").strip()
    if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
        return None
    absolute = _absolute(href, base, origin)
    if absolute is None or absolute.rstrip("/") in own:
        return None
    if "tag" in (anchor.get("rel") or "").split() or _TAXONOMY_PATH.search(absolute):
        return None
    title = (
        node_text(anchor)
        or fold(anchor.get("title"))
        or fold(anchor.findtext(".//img[@alt]"))
    )
    if not title:
        img = anchor.find(".//img")
        title = fold(img.get("alt")) if img is not None else ""
    return RelatedLink(title=title, url=absolute) if title else None


def _origin(base: str) -> str:
    """``scheme://host[:port]`` of an http(s) base URL, or "" when it has none."""
    try:
        parts = urlsplit(base)
    except ValueError:
        return ""
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else ""


def find_related(
    tree: lxml_html.HtmlElement, base: str, own_urls: tuple[str, ...] = ()
) -> RelatedBlocks:
    """Related links (deduplicated, page order) and their containing elements.

    ``base`` resolves relative links (the page's address joined with ``<base href>``);
    when it is "" (a saved page that names no address) they are kept as written.
    ``own_urls`` (the page's own addresses) are never returned.
    """
    m = _Measure(tree)
    blocks = (
        _class_blocks(tree, m)
        + _heading_blocks(tree, m)
        + _list_blocks(tree, m)
        + _inline_lines(tree, m)
    )
    blocks = _outermost(blocks)
    block_set = set(blocks)
    anchors: set[lxml_html.HtmlElement] = set()
    for block in blocks:
        anchors.update(block.iter("a") if block.tag != "a" else [block])
    own = {u.rstrip("/") for u in own_urls if u}
    origin = _origin(base)
    result = RelatedBlocks(elements=[n for n in tree.iter() if n in block_set])
    seen: set[str] = set()
    for anchor in tree.iter("a"):
        if anchor not in anchors:
            continue
        link = _link_of(anchor, base, own, origin)
        if link is not None and link["url"] not in seen:
            seen.add(link["url"])
            result.links.append(link)
    return result
