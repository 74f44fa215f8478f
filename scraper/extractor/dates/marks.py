"""Class words and tags that say what a page block is: the site's furniture, its header and footer,
a list of other stories, or a story. Read by :mod:`~scraper.extractor.dates.layout`."""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import html as lxml_html

__all__ = [
    "HARD_TAGS", "HEADLINE_WORDS", "LOGO_WORDS", "NOT_HEADLINE_WORDS", "RELATED_HEADING", "STORY_HEADER",
    "block_kind", "block_marks", "lists_within", "page_furniture",
]
HARD_TAGS = frozenset({"nav", "menu"})
# An <aside> inside a story is its fact box or meta line; outside, a sidebar.
_SOFT_TAGS = frozenset({"header", "footer", "aside"})
_SPECIAL_TAGS = HARD_TAGS | _SOFT_TAGS | {"article"}
_START = r"(?:^|[\s_-])"
# Prefixes, so "relatedPosts", "comment-list" and "navbar" match too.
_HARD_WORDS = re.compile(
    _START + r"(?:related|relevant|latest|recent|popular|trending|most[-_]?(?:read|viewed|popular)"
    r"|more[-_]?(?:news|stories|articles|from)|also[-_]|sidebar|side[-_]bar|comment(?!ary|ed)|reply|replies"
    r"|respond|forum|aside(?:$|[\s_-])|nav|menu|breadcrumb|teaser|recommend|newsletter|ticker|tagcloud|archive|calendar"
    r"|promo(?:$|[\s_-]|tion)|advert|ads(?:$|[\s_-])|share|sharing|social|cookie|disqus"
    r"|rail(?:$|[\s_-])|carousel"
    r"|slider|widget-area|read-?more|similar|suggest|next-?post)",
    re.IGNORECASE,
)
# The stronger subset that disqualifies a heading as the story's headline: other
# words ("breadcrumb", "social") also name modifiers of a story's own intro block.
NOT_HEADLINE_WORDS = re.compile(
    _START + r"(?:related|relevant|latest|recent|popular|trending|more[-_]?(?:news|stories)"
    r"|sidebar|comment(?!ary|ed)|teaser|recommend|aside(?:$|[\s_-])|similar|carousel|slider)",
    re.IGNORECASE,
)
_SOFT_WORDS = re.compile(
    _START + r"(?:header|footer|masthead|top-?bar|clock|today|current-?date|weather|site-?head"
    r"|date-?today|page-?top)", re.IGNORECASE,
)
# "article-header", "entry-header": the story's own header, not the site's.
STORY_HEADER = re.compile(r"(?:article|entry|post|story)[-_]*header", re.IGNORECASE)
_ARTICLE_WORDS = re.compile(
    _START + r"(?:post|entry|article|story|hentry|blogpost|news-?item)(?:$|[\s_-])", re.IGNORECASE
)
HEADLINE_WORDS = re.compile(
    _START + r"(?:entry|post|article|story|news|page|content)[-_]?(?:title|headline|heading)"
    r"(?:$|[\s_-])", re.IGNORECASE,
)
LOGO_WORDS = re.compile(r"logo|brand|site[-_]?(?:title|name)|masthead|blog-?title", re.IGNORECASE)
# A heading that opens a list of other stories ("Related Articles", "Похожие новости").
RELATED_HEADING = re.compile(
    r"^(?:related|more (?:news|stories|articles|from|on)|latest|recent|relevant"
    r"|other (?:news|stories|articles)|also read|read (?:also|more)|see also|top stories"
    r"|ähnliche|weitere|mehr (?:zum|zu|aus)|das könnte|auch interessant|lesen sie auch|neueste"
    r"|похожие|другие|читайте также|также читайте|последние|ещё|еще|актуальное|свежие"
    r"|articles? (?:similaires|liés)|à lire aussi|noticias relacionadas|leggi anche)",
    re.IGNORECASE,
)


# A post's own classes in the common CMS convention ("post-1113 type-post status-publish hentry
# category-popular tag-weather"): its category and tag classes name the author's topics, not the
# block's role, so "category-popular" does not make the story a list of popular stories.
_POST_CLASS = re.compile(r"(?:^|\s)(?:hentry|type-post|status-publish|post-\d+)(?:$|\s)", re.IGNORECASE)
_TAXONOMY_CLASS = re.compile(r"(?:^|\s)(?:category|tag)-\S*", re.IGNORECASE)


def block_marks(element: lxml_html.HtmlElement) -> str:
    """The class and id of an element, the words a site names its blocks with."""
    classes = element.get("class") or ""
    if _POST_CLASS.search(classes):
        classes = _TAXONOMY_CLASS.sub(" ", classes)
    return f"{classes} {element.get('id') or ''}"


# Next to the headline, "teaser" names the story's own intro ("teaser-meta" date line), and a
# share bar often holds the story's byline and date ("social-share": date, author, buttons).
_TEASER = re.compile(r"teaser|social|sharing|share", re.IGNORECASE)


def block_kind(element: lxml_html.HtmlElement, beside_headline: bool = False) -> str:
    """'hard', 'soft', 'article' or '' for one element on its own."""
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag in ("body", "html"):
        return ""  # their classes describe the page type ("single-post"), not a block
    marks = block_marks(element)
    if beside_headline:
        marks = _TEASER.sub("", marks)
    if marks == " " and tag not in _SPECIAL_TAGS:
        return ""
    if tag in HARD_TAGS or _HARD_WORDS.search(marks):
        return "hard"
    if tag in _SOFT_TAGS or _SOFT_WORDS.search(marks):
        if STORY_HEADER.search(marks) and not _SOFT_WORDS.search(STORY_HEADER.sub("", marks)):
            return ""  # the story's own header: neither the site's header nor a story container
        return "soft"
    if tag == "article" or _ARTICLE_WORDS.search(marks):
        return "article"
    return ""


# Class words of a list of other stories, a teaser list or a comment thread: its days are
# other stories' or readers', never the story's.
_STORY_LIST_WORDS = re.compile(
    _START + r"(?:related|relevant|latest|recent|popular|trending|most[-_]?(?:read|viewed|popular)"
    r"|more[-_]?(?:news|stories|articles|from)|similar|also[-_]"
    r"|comment(?!ary|ed)|reply|replies|respond|forum|disqus|teaser)", re.IGNORECASE,
)


def page_furniture(block: lxml_html.HtmlElement) -> bool:
    """Whether a set-aside block is page furniture: a sidebar, a menu, a share bar; not the site's
    header or footer (its masthead), not a list of other stories, teasers or comments. A day written
    there often repeats the story's own (a "posted on" widget), so it is weighed, not refused."""
    return block_kind(block) == "hard" and not _STORY_LIST_WORDS.search(block_marks(block))


def lists_within(block: lxml_html.HtmlElement) -> Iterator[lxml_html.HtmlElement]:
    """The outermost lists of other stories and comment threads inside a block (a sidebar's
    "latest" widget); a list nested in one of them is in its text already."""
    stack = list(reversed(block))
    while stack:
        node = stack.pop()
        if not isinstance(node.tag, str):
            continue
        if _STORY_LIST_WORDS.search(block_marks(node)):
            yield node
            continue
        stack.extend(reversed(node))
