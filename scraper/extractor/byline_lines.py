"""Tests the tree scan of :mod:`scraper.extractor.byline` puts to an element's text.

A "By …" / "Von …" / "Автор: …" line under the headline, an "Autor:" label anywhere in the
story, a bare name, a book's infobox. Capital letters include Cyrillic and Kazakh ones: the
KazPost family signs in Russian and Kazakh. Pure functions over strings.
"""

from __future__ import annotations

import re

__all__ = [
    "CAPITALS", "is_byline_line", "is_infobox", "is_label_word", "looks_like_name", "may_open_label", "opens_byline",
    "opens_label",
]

#: Capital letters a name may open with (a regex character class body): Latin, Cyrillic, Kazakh.
CAPITALS = "A-ZÀ-ÖØ-ÞА-ЯЁӘҒҚҢӨҰҮҺІ"

_TEXT_BYLINE = re.compile(
    r"^(?:[\d.:/,|–—\s-]+(?:uhr\s+)?)?(?:(?:written|posted|text|story)\s+)?(?:by|von|autor(?:in|/in)?|author|"
    r"text|por|par|av|af|door|oleh|(?-i:di)|автор(?:ы)?|текст|подготовил[аи]?|redaktion\s*:)"
    rf"(?:\s*:\s*|\s+)[{CAPITALS}]",
    re.IGNORECASE,
)
# "11.12.2019 - Amelie Loevenich": a dated line naming only a person, just under the headline.
_DATED_NAME = re.compile(
    rf"^\d{{1,4}}[./-]\d{{1,2}}[./-]\d{{2,4}}\s*[-–—|·]\s*[{CAPITALS}][\w'’-]+(?:\s+[{CAPITALS}][\w'’.-]+){{1,2}}$"
)
_OPENING = re.compile(
    r"^[\s\d.:/,|–—-]*(?:by|von|aut|text|por|par|av|af|door|oleh|di|автор|текст|подготовил|redaktion|written|"
    r"posted|story|"
    r"\d|$)",
    re.IGNORECASE,
)
# Labels that open an author line anywhere in the story ("Text: Jane Doe" under the last paragraph).
_LABELS = ("autor:", "autorin:", "autoren:", "author:", "authors:", "text:", "written by ",
           "автор:", "авторы:", "текст:")
_LABEL_INITIALS = frozenset("AaTtWwIiАаТт")  # a cheap first test: most elements open otherwise
_LABEL_WORDS = frozenset({"autor", "autorin", "author", "text", "interview", "автор", "текст"})
# Book and product boxes label their author too ("Autor: … Verlag: … ISBN"): not the story's author.
_INFOBOX = re.compile(r"\b(?:isbn|verlag|publisher|seiten|pages|preis|price|regie|director)\b", re.IGNORECASE)


# Two to four capitalised words ("Jane Q. Doe"): the shape of a bare name.
_NAME_SHAPE = re.compile(rf"^[{CAPITALS}][\w'’.-]*(?:\s[{CAPITALS}][\w'’.-]*){{1,3}}$")


def looks_like_name(text: str) -> bool:
    """Two to four capitalised words, at most 40 characters: a bare name at a glance."""
    return len(text) <= 40 and _NAME_SHAPE.match(text) is not None


def opens_byline(first: str) -> bool:
    """Cheap test on an element's first words before its whole text is gathered."""
    return _OPENING.match(first.lstrip()) is not None


def is_byline_line(text: str, dated: bool = True) -> bool:
    """A "By Jane Doe" / "Von Hans Meier" line (``dated``: or "11.12.2019 - Jane Doe")."""
    return bool(_TEXT_BYLINE.match(text) or (dated and _DATED_NAME.match(text)))


def may_open_label(text: str | None) -> bool:
    """Cheap first test of :func:`opens_label` / :func:`is_label_word`: most elements open otherwise."""
    return text is not None and text.lstrip()[:1] in _LABEL_INITIALS


def opens_label(text: str) -> bool:
    """Text opening with an author label ("Autor: …", "Text: …", "Written by …")."""
    return text[:12].casefold().startswith(_LABELS)


def is_label_word(text: str) -> bool:
    """A bare author label ("Text", "Autor:") whose value sits in the next element."""
    return text.rstrip(":").casefold() in _LABEL_WORDS


def is_infobox(text: str) -> bool:
    """A book or product box ("Autor: … Verlag: … ISBN"): its author is not the story's."""
    return _INFOBOX.search(text) is not None
