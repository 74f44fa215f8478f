"""Text helpers shared by the extraction modules.

Whitespace folding and comparison keys, element text, page-furniture
detection, the last clean-up of body paragraphs, and a small script/stop-word
language guess for pages that do not declare one. Pure functions.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import overload

from lxml import html as lxml_html

__all__ = [
    "BOILERPLATE_WORDS",
    "clean_paragraphs",
    "fold",
    "guess_language",
    "in_boilerplate",
    "inline_text",
    "is_furniture",
    "key",
    "node_text",
    "visible",
    "word_count",
]

_WORD = re.compile(r"\w+", re.UNICODE)

#: class/id words of page furniture that never holds the article's byline or text.
BOILERPLATE_WORDS = re.compile(
    r"(?:^|[\s_-])(?:comment|comments|sidebar|widget|related|footer|nav|navbar|menu|"
    r"breadcrumbs?|share|social|newsletter|recommended|more-stories|popular|"
    r"trending|advert|ad-slot|cookie|consent|modal|overlay)(?:$|[\s_-])",
    re.IGNORECASE,
)
_FURNITURE_TAGS = frozenset({"aside", "footer", "nav", "header", "form"})


def fold(text: str | None) -> str:
    """Whitespace-folded text (runs of whitespace → one space, stripped)."""
    # str.split() splits on the same whitespace \s matches, several times faster than re.sub
    return " ".join((text or "").split())


# Soft hyphens, zero-width spaces, word joiners and byte-order marks: invisible, yet they split a word
# for search ("Genesenen\u00ad\u00adnachweise"). Zero-width (non-)joiners shape Persian, Indic and emoji: kept.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u2060\ufeff"))


@overload
def visible(text: str) -> str: ...
@overload
def visible(text: None) -> None: ...
def visible(text: str | None) -> str | None:
    """``text`` without invisible characters (None stays None)."""
    return text.translate(_INVISIBLE) if text else text


def key(text: str | None) -> str:
    """A comparison key: NFKC, case-folded, whitespace-folded, invisible characters and outer punctuation off."""
    return fold(unicodedata.normalize("NFKC", text or "").casefold().translate(_INVISIBLE)).strip(
        " .:;,!?\"'«»“”„"
    )


def word_count(text: str) -> int:
    """Number of words (Unicode word runs)."""
    return len(_WORD.findall(text))


NO_TEXT_TAGS = frozenset({"script", "style", "noscript", "template"})  # never readable text


def node_text(node: lxml_html.HtmlElement) -> str:
    """The element's whole text, whitespace-folded; scripts, styles and comments skipped.

    Pieces are joined with spaces so that words in adjacent blocks never glue.
    """
    if next(node.iter(*NO_TEXT_TAGS), None) is None:
        return fold(" ".join(node.itertext()))  # the common case, at C speed
    parts: list[str] = []
    _collect(node, parts, frozenset(), None)  # every element parts words
    return fold("".join(parts))


# Inline elements run on in the text ("<i>Fantastic Beasts</i>: A Nice Place"); all others
# (blocks, line breaks, unknown tags) part words.
_INLINE_TAGS = frozenset({"a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em",
                          "font", "i", "kbd", "mark", "q", "s", "samp", "small", "span", "strong",
                          "sub", "sup", "time", "u", "var"})


def inline_text(
    node: lxml_html.HtmlElement,
    skip: Callable[[lxml_html.HtmlElement], bool] | None = None,
) -> str:
    """Like :func:`node_text`, but inline elements join their neighbours without a space:
    the text as a reader sees it in a heading. Children for which ``skip`` is true are
    left out (a space stands in their place)."""
    parts: list[str] = []
    _collect(node, parts, _INLINE_TAGS, skip)
    return fold("".join(parts))


def _collect(node: lxml_html.HtmlElement, parts: list[str], inline: frozenset[str],
             skip: Callable[[lxml_html.HtmlElement], bool] | None) -> None:
    """The text pieces of ``node``; elements not in ``inline`` are set off by spaces."""
    # depth is bounded: libxml2 caps documents at 256 levels
    if not isinstance(node.tag, str) or node.tag in NO_TEXT_TAGS:
        return
    space = "" if node.tag in inline else " "
    parts.append(space)
    parts.append(node.text or "")
    for child in node:
        if skip is not None and isinstance(child.tag, str) and skip(child):
            parts.append(" ")
        else:
            _collect(child, parts, inline, skip)
        parts.append(child.tail or "")
    parts.append(space)


def is_furniture(node: lxml_html.HtmlElement) -> bool:
    names = f"{node.get('class') or ''} {node.get('id') or ''}"
    if node.tag in _FURNITURE_TAGS:
        # a post's own <header>/<footer> (entry-header, article footer) holds its byline
        own = re.search(r"entry|post|article", names) or any(
            a.tag == "article" for a in node.iterancestors()
        )
        return not (node.tag in ("header", "footer") and own)
    names = _OWN_PART.sub(" ", names)  # the same as a <div> ("post-footer", "entry-meta"), its other names count
    return bool(names.strip()) and BOILERPLATE_WORDS.search(names) is not None


# A post's own header, footer or meta line, whatever its tag: where its byline and date sit.
_OWN_PART = re.compile(
    r"(?:^|[\s_-])(?:entry|post|article|asset|story)[-_](?:header|footer|meta|info)(?:$|[\s_-])", re.IGNORECASE)
# The microformat classes of one post ("hentry" on Blogger and WordPress themes): like <article>.
_ENTRY = re.compile(r"(?:^|\s)(?:hentry|h-entry)(?:$|\s)")


def in_boilerplate(node: lxml_html.HtmlElement, include_self: bool = False) -> bool:
    """True when the node sits inside page furniture (aside, nav, comments, related …)."""
    if include_self and is_furniture(node):
        return True
    for anc in node.iterancestors():
        if anc.tag in ("article", "main", "body", "html") or _ENTRY.search(anc.get("class") or ""):
            return False  # wrappers above the story carry page-wide class soup
        if is_furniture(anc) and not _page_layout(anc):
            return True
    return False


def _page_layout(node: lxml_html.HtmlElement) -> bool:
    """A wrapper named for the page's layout ("panel-display zen-one-sidebar-second") around the
    story's own ``<h1>`` as well: the page, not a sidebar in it."""
    return node.tag not in _FURNITURE_TAGS and node.find(".//h1") is not None


_JUNK_LINE = re.compile(
    r"^(?:\d{1,2}:\d{2}(?:\s*/\s*\d{1,2}:\d{2})?|close|schließen|закрыть|[×✕✖x]|newsletter|advertisement|"
    r"anzeige|реклама|share|share this(?: article)?|tweet|print|e-?mail|related articles|related|"
    r"skip to (?:main )?content|cookies?|"
    # a table of contents' label left once its links are gone
    r"inhaltsverzeichnis|table of contents|contents|содержание|sommaire|índice|indice|spis treści)$",
    re.IGNORECASE,
)
# A photo credit left alone on a line once its caption and image are gone.
_CREDIT_LINE = re.compile(
    r"^(?:(?:photo|foto|bild|image|picture)s?(?:\s+credit)?\s*[:©]\s*.{1,60}|©\s*.{1,60}|getty images"
    r"|(?-i:(?:[A-Z]{2,6}\s*/\s*)+[A-Z][A-Z .'-]{2,40}))$",
    re.IGNORECASE,
)
# A caption that ends in its picture's credit ("Marco Odermatt, Ski-Star. © AFP / MARCO BERTORELLO").
_CAPTION_CREDIT = re.compile(r"^.{1,160}?(?:[.!?:|]\s*|\s)©\s*[^©.!?]{1,60}$")
# A rights notice ("© 2022 Example News. All rights reserved. This material may not be published …"):
# the mark opens the line or carries a year; "copyright (all rights reserved)" in a sentence is story.
_RIGHTS = re.compile(
    r"^\W{0,3}(?:©|ⓒ|\(c\)|copyright)|(?:©|ⓒ|\(c\)|\bcopyright)\s*(?:©|ⓒ|\(c\))?\s*(?:19|20)\d\d",
    re.IGNORECASE,
)
_RIGHTS_NOTICE = re.compile(
    r"all rights reserved|alle rechte vorbehalten|tous droits réservés|todos los derechos reservados|"
    r"все права защищены|copyrighted property|may not be (?:published|reproduced|republished|redistributed)",
    re.IGNORECASE,
)
# Promotion lines that close many stories ("Subscribe now …", "Follow us on …"): only near the end.
_PROMO_LINE = re.compile(
    r"^(?:subscribe(?: now)?|sign up|follow us|never miss|download (?:the|our) .{0,40}app|síguenos|siguenos|"
    r"folgen sie uns|abonnieren sie|jetzt abonnieren|подписывайтесь|подпишитесь)\b",
    re.IGNORECASE,
)
# Newsletter, app and social boxes set inline, anywhere in the story: unmistakable only in full.
_PROMO_ANYWHERE = re.compile(
    r"^(?:never miss\b.{0,80}\b(?:newsletter|sign(?:ing)? up)|(?:sign up|subscribe)\b.{0,40}\bnewsletter"
    r"|síguenos en|siguenos en|follow us on\b|for the latest\b.{0,80}\bdownload\b.{0,40}\bapps?\b"
    r"|.{0,80}\bsign up here[.!]?$)",
    re.IGNORECASE,
)
# Appeals set inside the story: newsletter and messenger-channel sign-ups, paywall and
# support prompts ("Pour lire la suite", "Cancela cuando quieras", "keine Bezahlschranke").
_APPEAL = re.compile(
    r"\bnewsletter\b.{0,60}\b(?:anmelden|abonnieren|sign up|subscribe|inscri\w*|suscr\w*)\b"
    r"|\bnewsletter\b.{0,40}\ban[.!]*$"
    r"|\b(?:canal|channel|kanal)\s+(?:de|on|auf|in)\s+(?:telegram|whatsapp)\b.{0,80}"
    r"\b(?:únete|unete|join|folge|abonniere|suscríbete|síguenos|follow)\b"
    r"|^pour (?:lire la suite|accéder en illimité)|\balready a subscriber\b"
    r"|^to continue reading\b|\b(?:subscribe|log ?in|sign in|register)\b.{0,30}\bto continue reading\b"
    r"|\bcancela cuando quieras\b|(?:^|[.!?]\s+)cancel (?:at )?any ?time[.!]|\bkeine bezahlschranke\b"
    r"|\bsupport (?:our|independent|quality) journalism\b|\bunterstützen sie (?:unseren|unabhängigen) journalismus\b",
    re.IGNORECASE,
)
# Affiliate and advertiser disclosures ("This article contains affiliate links", "We may receive
# compensation if you visit partners we recommend").
_DISCLOSURE = re.compile(
    r"\b(?:this (?:article|post|page)(?: and [\w ]{1,30})? (?:contains|may contain)|dieser (?:artikel|beitrag) enthält|"
    r"bei den (?:verlinkungen|links) handelt es sich um)\b.{0,40}\b(?:affiliate|werb|provision|sponsored)"
    r"|\bwe may (?:receive|earn) (?:a )?(?:compensation|commission)\b|\badvertiser disclosure\b",
    re.IGNORECASE,
)
_SOURCE_LINE = re.compile(
    r"^(?:source|sources|quelle|quellen|источник|źródło|fuente|fonte)\s*:\s*(.{2,300})$",
    re.IGNORECASE,
)


def clean_paragraphs(
    paragraphs: list[str],
    headline: str | None,
    lede: str | None,
    inline_related: re.Pattern[str],
    chrome: frozenset[str] = frozenset(),
) -> tuple[list[str], str | None]:
    """Body paragraphs without furniture leftovers, and a "Source:" trailer if any.

    ``chrome`` holds the keys of the site header's and footer's short lines (masthead,
    brand, render date): a body line equal to one is dropped.
    """
    drop = {key(headline), key(lede)} - {""}
    kept = [
        p
        for p in paragraphs
        if key(p) not in drop
        and not (len(p) <= 80 and key(p) in chrome)
        and not _JUNK_LINE.match(p)
        and not (len(p) < 80 and _CREDIT_LINE.match(p))
        and not (len(p) < 220 and _CAPTION_CREDIT.match(p))
        and not (len(p) < 400 and _RIGHTS.search(p) and _RIGHTS_NOTICE.search(p))
        and not (len(p) < 250 and inline_related.match(p))
        and not (len(p) < 160 and _PROMO_ANYWHERE.match(p))
        and not (len(p) < 300 and _APPEAL.search(p))
        and not (len(p) < 400 and _DISCLOSURE.search(p))
    ]
    tail = max(0, len(kept) - 3)
    kept = kept[:tail] + [
        p for p in kept[tail:] if not (len(p) < 250 and _PROMO_LINE.match(p))
    ]
    credit = None
    for index in range(len(kept) - 1, max(-1, len(kept) - 4), -1):
        match = _SOURCE_LINE.match(kept[index])
        if match:
            credit = match.group(1).strip()
            del kept[index]
            break
    return kept, credit


_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[a-zA-Z\u00c0-\u024f]")
_KAZAKH = re.compile(r"[әғқңөұүһӘҒҚҢӨҰҮҺ]")
_UKRAINIAN = re.compile(r"[їєґЇЄҐ]")
# A handful of very frequent function words per language; enough to tell them apart on a page.
_STOPWORDS = {
    "en": "the and of to in is that for with was on are as it by",
    "de": "der die und das ist nicht mit den von zu sich auf für ein eine",
    "fr": "le la les et des est une pour dans que qui sur pas avec",
    "es": "el la los las y que del por con una para es en se",
    "it": "il la che di e per una sono non con gli della del è",
    "pt": "o a os as e que do da em para com não uma um é",
    "nl": "de het een en van is dat op te zijn met voor niet",
    "pl": "i w na się nie z do to że jest jak po od",
}
_STOPWORD_SETS = {lang: frozenset(words.split()) for lang, words in _STOPWORDS.items()}


def guess_language(text: str) -> str | None:
    """A best guess at the language of ``text`` (ISO 639-1), or None when unsure.

    Only used when the page declares nothing: Cyrillic script is told apart by
    its letters (kk, uk, else ru), Latin by stop-word counts.
    """
    sample = text[:20_000]
    cyrillic, latin = len(_CYRILLIC.findall(sample)), len(_LATIN.findall(sample))
    if cyrillic + latin < 100:
        return None
    if cyrillic > latin:
        if len(_KAZAKH.findall(sample)) > cyrillic * 0.005:
            return "kk"
        return "uk" if len(_UKRAINIAN.findall(sample)) > cyrillic * 0.003 else "ru"
    words = sample.lower().split()
    counts = {
        lang: sum(w in stop for w in words) for lang, stop in _STOPWORD_SETS.items()
    }
    best = max(counts, key=lambda lang: counts[lang])
    return best if counts[best] >= max(5, len(words) * 0.05) else None
