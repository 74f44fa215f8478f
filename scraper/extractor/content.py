"""The running text of a page: furniture removal and main-text extraction.

trafilatura does the main-text extraction on a pruned tree; a simple
densest-paragraph-container reading backs it up when trafilatura misses most of
the story (old table layouts, unusual markup).
"""

from __future__ import annotations

import re

import trafilatura
from lxml import etree
from lxml import html as lxml_html

from scraper.errors import ExtractionError
from scraper.extractor.text import fold, in_boilerplate, key, node_text

__all__ = ["backup_wins", "chrome_lines", "main_text", "prune_tree"]

_FURNITURE_CLASS = re.compile(
    r"(?:^|[\s_-])(?:newsletter|subscribe|subscription|signup|player|audio-player|modal|popup|cookie|consent|"
    r"share-?bar|sharing|social-share|share-buttons|sharedaddy)(?:$|[\s_-])",
    re.IGNORECASE,
)
# Author boxes (bio, avatar, position): a byline is read before pruning, the bio is never story text.
_AUTHOR_CLASS = re.compile(
    r"(?:^|[\s_-])(?:authors?|authorbox|author-?bio|about-?(?:the-?)?author|autor|autorin|autorenbox)(?:$|[\s_-])",
    re.IGNORECASE,
)
_AUTHOR_LABEL = re.compile(
    r"^(?:about the authors?|the author|author|autor|autorin|autoren|über (?:den autor|die autorin|die autoren)|"
    r"der autor|die autorin|zur person|à propos de l['’]auteur|sobre el autor|sobre la autora|об авторе)\s*:?$",
    re.IGNORECASE,
)
_LABEL_TAGS = ("h2", "h3", "h4", "h5", "h6", "div", "p", "span", "strong", "b", "header")
_CARD_TAGS = frozenset({"div", "li", "article", "section"})
_FURNITURE_TAGS = ("figcaption", "audio", "video", "button", "dialog", "select")
_SMALL = 800  # chars: furniture boxes are small; a big match is a page wrapper with an odd class
_BLOCKS = ("p", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "li")
# Share of the dense container's text trafilatura must have found before we trust it.
_MIN_COVERAGE = 0.3
_SPACE = re.compile(r"[\s\u00ad]+")


# The site's own header and footer (masthead, tagline, render date, brand): never story text.
_CHROME_ROLES = frozenset({"banner", "contentinfo"})
_CHROME_CLASS = re.compile(r"(?:^|[\s_-])(?:site-?header|masthead|top-?bar|site-?branding)(?:$|[\s_-])",
                           re.IGNORECASE)
_CHROME_LINE = 80  # chars: brand, tagline, date and menu entries are short
# A bigger "header" wraps the story or a mega-menu (whose entries can repeat the story's subheads).
_CHROME_BOX = 1500


def chrome_lines(tree: lxml_html.HtmlElement) -> frozenset[str]:
    """Comparison keys of the short texts in the site's header and footer, outside the story.

    Read before pruning. A body line equal to one of them (the masthead's render date
    "Saturday, Feb 22, 2025", the brand, the tagline) is page chrome that a thin page
    let through, not the story.
    """
    found: set[str] = set()
    for box in tree.iter("header", "footer", "div", "section"):
        if not (
            box.tag in ("header", "footer")
            or box.get("role") in _CHROME_ROLES
            or _CHROME_CLASS.search(f"{box.get('class') or ''} {box.get('id') or ''}")
        ) or len(box.text_content()) > _CHROME_BOX or any(a.tag in ("article", "main") for a in box.iterancestors()):
            continue
        for node in box.iter():
            if isinstance(node.tag, str) and len(node.text_content()) <= 3 * _CHROME_LINE:
                text = node_text(node)
                if text and len(text) <= _CHROME_LINE:
                    found.add(key(text))
    return frozenset(found)


def _drop(node: lxml_html.HtmlElement) -> None:
    if node.getparent() is not None:
        node.drop_tree()  # keeps the tail text in place


def prune_tree(
    tree: lxml_html.HtmlElement,
    drop: list[lxml_html.HtmlElement],
    headline: str | None,
    xpaths: tuple[str, ...],
) -> None:
    """Remove furniture trafilatura would keep: related blocks, captions, players, author boxes,
    duplicate headlines."""
    drop = list(drop)
    for xpath in xpaths:
        try:
            found = tree.xpath(xpath)
        except etree.XPathError as exc:
            raise ExtractionError(f"bad boilerplate xpath {xpath!r}: {exc}") from exc
        drop.extend(n for n in found if isinstance(n, lxml_html.HtmlElement))
    drop.extend(tree.iter(*_FURNITURE_TAGS))
    drop.extend(_furniture_boxes(tree))
    drop.extend(_labelled_author_boxes(tree))
    drop.extend(_headline_copies(tree, headline))
    drop.extend(_teaser_cards(tree))
    for node in drop:
        _drop(node)
    _join_split_bodies(tree)


def _join_split_bodies(tree: lxml_html.HtmlElement) -> None:
    """Move a story body cut into several ``itemprop=articleBody`` blocks of one class (ads
    or players between them) into the first block: trafilatura reads only the first match.
    Blocks without paragraphs (a listing's excerpts) stay where they are."""
    bodies = tree.xpath("//div[@itemprop='articleBody'] | //section[@itemprop='articleBody']")
    if len(bodies) < 2:
        return
    first = bodies[0]
    inside = set(first.iterdescendants())  # held: lxml proxies are stable only while referenced
    for other in bodies[1:]:
        if other in inside or other.get("class") != first.get("class") or other.find("p") is None:
            continue
        first.extend(list(other))
        _drop(other)


def _furniture_boxes(tree: lxml_html.HtmlElement) -> list[lxml_html.HtmlElement]:
    """Small boxes whose class/id names them furniture (newsletter, player, author box …)."""
    found = []
    for node in tree.iter("div", "section", "aside", "form", "p", "span", "ul"):
        names = f"{node.get('class') or ''} {node.get('id') or ''}"
        if not names.strip() or not (
            _FURNITURE_CLASS.search(names) or _AUTHOR_CLASS.search(names)
        ):
            continue
        if len(node_text(node)) < _SMALL and node.find(".//h1") is None:
            found.append(node)
    return found


def _labelled_author_boxes(tree: lxml_html.HtmlElement) -> list[lxml_html.HtmlElement]:
    """Small boxes headed "About the author" / "Zur Person": a bio, not the story's text."""
    found = []
    for node in tree.iter(*_LABEL_TAGS):
        if len(node) > 2 or len(node.text_content()) > 40:  # cheap C-level bounds first
            continue
        label = node_text(node)
        if not _AUTHOR_LABEL.match(label):
            continue
        box = node.getparent()
        # climb out of wrappers that hold only the label ("<div class=title><h4>Autor</h4></div>")
        while box is not None and len(node_text(box)) <= len(label) + 5:
            box = box.getparent()
        if (
            box is not None
            and box.tag not in ("body", "html", "main", "article")
            and len(node_text(box)) < _SMALL
        ):
            found.append(box)
    return found


def _teaser_cards(tree: lxml_html.HtmlElement) -> list[lxml_html.HtmlElement]:
    """Runs of teaser cards (a linked headline, a picture, an excerpt each): other stories.

    Three or more sibling boxes, each a small element whose heading is one link
    of at least three words. A story's own linked subheads sit side by side in
    the text container, not one per box.
    """
    cards: dict[lxml_html.HtmlElement, list[lxml_html.HtmlElement]] = {}
    for heading in tree.iter("h2", "h3", "h4"):
        anchor = heading.find(".//a")
        card = heading.getparent()
        if anchor is None or card is None or card.tag not in _CARD_TAGS:
            continue
        text = node_text(heading)
        if len(text.split()) < 3 or node_text(anchor) != text:
            continue
        container = card.getparent()
        if container is not None and len(card.text_content()) < _SMALL:
            cards.setdefault(container, []).append(card)
    found = []
    for group in cards.values():
        unique = list(dict.fromkeys(group))
        if len(unique) >= 3:
            found.extend(unique)
    return found


def _headline_copies(
    tree: lxml_html.HtmlElement, headline: str | None
) -> list[lxml_html.HtmlElement]:
    """Elements repeating the headline (hero captions, duplicated titles), not the first <h1>."""
    head_key = key(headline)
    if not head_key:
        return []
    found = []
    first_h1 = tree.find(".//body//h1")
    limit = 2 * len(head_key) + 20
    for node in tree.iter("h1", "h2", "h3", "p", "div", "span"):
        if node is first_h1 or len(node) > 3:
            continue
        blocks = node.iterdescendants("p", "div", "table", "ul")
        if node.tag == "div" and next(blocks, None) is not None:
            continue  # a wrapper: never just a repeated headline
        if len(node.text_content()) > limit:  # a cheap C-level bound first
            continue
        if key(node_text(node)) == head_key:
            found.append(node)
    return found


def _trafilatura_lines(tree: lxml_html.HtmlElement, url: str | None, *, fast: bool = False) -> list[str]:
    doc = trafilatura.bare_extraction(
        tree,
        url=url,
        include_comments=False,
        include_tables=True,
        with_metadata=False,
        fast=fast,
    )
    text = getattr(doc, "text", None) if doc is not None else None
    return [fold(line) for line in (text or "").split("\n") if fold(line)]


def _dense_container(tree: lxml_html.HtmlElement) -> lxml_html.HtmlElement | None:
    """The element whose direct paragraph children hold the most text."""
    best, best_score = None, 0
    for node in tree.iter("div", "td", "article", "section", "main", "body"):
        score = sum(len(node_text(c)) for c in node if c.tag in ("p", "blockquote"))
        if score > best_score and not in_boilerplate(node, include_self=True):
            best, best_score = node, score
    return best


def _container_lines(container: lxml_html.HtmlElement) -> list[str]:
    lines: list[str] = []
    for child in container:
        if child.tag in ("ul", "ol"):
            lines.extend(node_text(li) for li in child.iter("li"))
        elif child.tag in _BLOCKS:
            lines.append(node_text(child))
    return [line for line in lines if line]


def main_text(tree: lxml_html.HtmlElement, url: str | None, *, listing: bool = False) -> list[str]:
    """The page's running text as lines, from a pruned tree (which it does not modify).

    ``listing`` (the page is a run of teasers) skips trafilatura's rescue
    extractors: once the teasers are pruned little text is left, and the
    rescue would only cost time and memory (justext loads every language's
    stoplist, about 25 MB) to find text a listing page does not archive.
    """
    container = _dense_container(tree)
    backup = _container_lines(container) if container is not None else []
    lines = _trafilatura_lines(tree, url, fast=listing)
    return backup if backup_wins(lines, backup) else lines


def backup_wins(lines: list[str], backup: list[str]) -> bool:
    """True when trafilatura's ``lines`` missed the dense container's ``backup`` text and found
    little running text of its own."""
    # compared without whitespace or soft hyphens: element text joins inline pieces differently
    starts = [_SPACE.sub("", b)[:60] for b in backup if len(b) >= 40]
    if len(starts) < 3:
        return False
    # a flattened layout table comes out as one long "… | … |" row: that is not running text
    running = [ln for ln in lines if not (len(ln) > 300 and ln.count("|") >= 2)]
    found = "".join(_SPACE.sub("", ln) for ln in running)
    missed = sum(start in found for start in starts) < _MIN_COVERAGE * len(starts)
    # on a page holding several full stories (a feed of articles) the densest block may be
    # another story than the one trafilatura took, and then trafilatura's is the page's own
    return missed and 2 * sum(map(len, running)) < sum(map(len, backup))
