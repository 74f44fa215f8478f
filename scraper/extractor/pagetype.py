"""What a page is: an article, an index (section, tag, pagination, home page) or other.

The decision is general, not per site: an article has *running text*, that is
paragraphs of sentences that are not link text; an index is a page whose
paragraphs, once link lists and boilerplate lines are set aside, hold none,
however few links it has. A short brief (a headline and one paragraph) is a
story; a section page with a handful of links, a one-line blurb and the
masthead is not.
"""

from __future__ import annotations

import re

from lxml import html as lxml_html

from scraper.extractor.text import in_boilerplate, key, node_text

__all__ = ["MIN_TEASERS", "PageSignals", "page_signals", "page_type_of", "running_paragraphs"]

_ERROR_PAGE = re.compile(
    r"\b(?:404|page not found|not found|can[’']t be found|seite nicht gefunden|nicht gefunden|"
    r"страница не найдена|page introuvable|error 40\d|access denied)\b",
    re.IGNORECASE,
)
_CONSENT = re.compile(r"\b(?:cookies?|consent|datenschutz|privacy)\b", re.IGNORECASE)
_INDEX_PATH = re.compile(
    r"^/?$|/(?:page|tag|tags|category|categories|section|topics?|archive|rubric)/",
    re.IGNORECASE,
)

MIN_TEASERS = 3  # teaser headings (<h2><a>…</a></h2>) that make a run of them
#: Word-equivalents a paragraph needs to be running text: a sentence, not a label, date or button.
MIN_RUNNING = 10
#: Running text a page with a headline needs to be a story: one short brief paragraph is enough.
MIN_STORY = 30
#: Fewer headline links than this leave a page with one short paragraph a story (a short post).
_FEW_LINKS = 5
#: Scripts written without spaces between words: about this many characters make a word.
_CHARS_PER_WORD = 6


class PageSignals:
    """Counts read from the untouched tree that tell listings from stories."""

    __slots__ = ("link_texts", "links", "story_links", "teasers")

    def __init__(self, story_links: int, teasers: int, links: int = 0,
                 link_texts: frozenset[str] = frozenset()) -> None:
        self.story_links = story_links  # headline links outside furniture and related blocks
        self.teasers = teasers
        self.links = links  # headline links anywhere outside furniture, related blocks included
        self.link_texts = link_texts  # comparison keys of every link's text

    @property
    def teaser_run(self) -> bool:
        """Enough teaser headings for the page to read as a listing."""
        return self.teasers >= MIN_TEASERS


def page_signals(
    tree: lxml_html.HtmlElement, skip: list[lxml_html.HtmlElement]
) -> PageSignals:
    """Headline links and teaser headings (``<h2><a>…</a></h2>``) outside furniture and ``skip``,
    and the text of every link (to tell link lines from running text later)."""
    skipped = set(skip)
    links = teasers = anywhere = 0
    texts: set[str] = set()
    for anchor in tree.iter("a"):
        text = anchor.text_content()
        words = len(text.split())
        if words:
            texts.add(key(text))
        if words < 3 or in_boilerplate(anchor):
            continue
        anywhere += 1
        if any(a in skipped for a in anchor.iterancestors()):
            continue
        links += 1
        parent = anchor.getparent()
        if (
            parent is not None
            and parent.tag in ("h2", "h3", "h4")
            and len(node_text(parent).split()) <= words + 2
        ):
            teasers += 1
    return PageSignals(links, teasers, anywhere, frozenset(texts))


def _size(text: str) -> int:
    """Length in words, or in word-equivalents for scripts written without spaces."""
    return max(len(text.split()), len(text) // _CHARS_PER_WORD)


def running_paragraphs(paragraphs: list[str], link_texts: frozenset[str]) -> list[str]:
    """The paragraphs that are running text: long enough for a sentence, and not a link's text."""
    return [p for p in paragraphs if _size(p) >= MIN_RUNNING and key(p) not in link_texts]


def page_type_of(
    heads: str,
    body: list[str],
    words: int,
    *,
    headline: bool,
    typed: bool,
    signals: PageSignals,
    status: int | None = None,
    path: str = "",
    lede: str | None = None,
) -> str:
    """'article', 'index' or 'other' (error pages, consent walls, empty pages).

    ``heads`` is the page's <title> and <h1> text; ``typed`` says the page
    declares itself an article (JSON-LD, og:type). A story needs running text
    (see :func:`running_paragraphs`): :data:`MIN_STORY` words of it, or one
    paragraph on a page that declares itself an article or holds few headline
    links. A page without it is an index when it holds headline links, whatever
    its size, else other.
    """
    longest = max((len(p.split()) for p in body), default=0)
    running = sum(_size(p) for p in running_paragraphs([lede or "", *body], signals.link_texts))
    if (status is not None and status >= 400) or (
        _ERROR_PAGE.search(heads) and words < 150
    ):
        return "other"
    if _CONSENT.search(heads) and words < 150:
        return "other"
    if typed and headline and words >= 80 and running:
        return "article"
    if signals.teaser_run and (longest < 60 or words < signals.teasers * 40):
        return "index"
    if signals.story_links >= 5 and _INDEX_PATH.search(path) and longest < 60:
        return "index"
    if signals.story_links >= 10 and (
        words < 150 or (longest < 40 and signals.story_links * 12 > words)
    ):
        return "index"
    if headline and (running >= MIN_STORY or (running and (typed or signals.links < _FEW_LINKS))):
        return "article"
    if signals.story_links >= 5 or signals.teaser_run or signals.links:
        return "index"
    return "other"
