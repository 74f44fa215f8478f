"""Byline strings to names: the cleaning half of :mod:`scraper.extractor.byline`.

Prefixes ("By", "Von", "Autor/in:", "Redaktion:"), roles ("Staff Writer",
"FOCUS-Online-Experte"), parentheses, trailing dates and separators ("and",
"und", ",", "&", ";", "im Gespräch mit") are removed; agency and outlet codes
beside a person ("/ dpa", ", XYZ"), social handles and e-mail addresses are
dropped. Photo credits, profile URLs, initials, phrases ("Bundesministerium für
Wirtschaft"), label rows and CMS accounts are not names. Also the names JSON-LD
and author meta tags give (the tests the tree scan puts to an element's text are
in :mod:`scraper.extractor.byline_lines`). Pure functions over strings and
structured data.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from scraper.extractor.byline_lines import CAPITALS
from scraper.extractor.dates.names import WEEKDAYS
from scraper.extractor.fields import is_site_name
from scraper.extractor.structured import ARTICLE_TYPES, types_of
from scraper.extractor.text import fold

__all__ = [
    "clean_authors", "fuller_name", "is_house", "is_organisation", "is_url", "jsonld_authors", "meta_authors",
    "squash",
]

_INVISIBLE = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff]")
_LEAD = re.compile(r"^[\s\d.:/,|·•*–—-]+")  # a date or bullet before the byline
_BY_PREFIX = re.compile(
    r"^(?:(?:post\s+)?author\s+|(?:view\s+)?(?:all\s+)?(?:posts|articles|stories)\s+|"
    r"(?:written|posted|published|eingestellt|gepostet|publicado|text|story|reporting|words|article|recipe|column|"
    r"review|report|artikel|beitrag|pressemitteilung|eine kolumne|ein kommentar|ein bericht|ein interview|ein gastbeitrag|text (?:und|and|&) "
    r"fotos?)\s+)?(?:by|von|autor(?:in|innen|/in|\*in|:in|\(in\))?|authors?|verfasst von|geschrieben von|"
    r"veröffentlicht von|erstellt von|publié par|escrito por|vom|(?-i:[Pp]or|[Pp]ar|di|[Dd]oor|[Aa][vf])|oleh|przez|автор(?:ы)?|подготовил[аи]?|"
    r"текст|interview|text|redaktion(?=\s*:)|记者|作者)(?:\s*[:：]\s*|\s+|$)",  # 记者/作者: Chinese reporter, author
    re.IGNORECASE,
)
# Photo, picture and copyright credits name the photographer, not the author.
_CREDIT = re.compile(
    r"^(?:©|\(c\)\s|(?:fotos?|photos?|photograph(?:y|s|er|ed)?|bild(?:er)?|images?|pictures?|illustrations?|"
    r"illustrated|pictured|fotografiert|"
    r"grafik|kamera|camera|video|credits?|copyright|bildrechte|quelle|source|фото)\b)",
    re.IGNORECASE,
)
_DAYS = rf"{WEEKDAYS}|mo|di|mi|do|fr|sa|so"  # and German two-letter days ("Di., 3. März")
_MONTHS = (
    r"jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april|june|july|august|"
    r"september|october|november|december|januar|februar|märz|mär|mai|juni|juli|okt|oktober|dez|dezember"
)
_DATE_TAIL = re.compile(
    rf"(?:\s+|\s*[|,–—-]\s*)(?:(?:am|on|at|um|le|el|il|vom|den|published|(?:last\s+)?updated|modified|"
    rf"veröffentlicht|(?:zuletzt\s+)?aktualisiert)\s+)?(?:(?:{_DAYS})\.?,?\s+)?(?:(?:{_MONTHS})\.?\s+)?\d.*$|\s+(?:at|am|on|um)$",
    re.IGNORECASE,
)
# Whole month and day names only: "Jan" and "May" may be names.
_CALENDAR = re.compile(
    r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|montag|dienstag|mittwoch|donnerstag|"
    r"freitag|samstag|sonntag|january|february|march|april|june|july|august|september|october|november|"
    r"december|januar|februar|märz|juni|juli|oktober|dezember)",
    re.IGNORECASE,
)
_HAN_HANGUL = re.compile("[\u4e00-\u9fff\uac00-\ud7af]")
_PARENS = re.compile(r"\s*\([^()]*(?:\)|$)")
_NAME_SPLIT = re.compile(
    r"\s*(?:,|;|&|\||/|\band\b|\bund\b|\bи\b|\bet\b|\by\b|\bim gespräch mit\b|\bin conversation with\b)\s*"
    r"|\s+[-–—]\s+"
    # "Story by Jane Doe. Photos by John Roe": the credit after the full stop is a part of its own
    r"|(?<=\w{2})\.\s+(?=(?:fotos?|photos?|photography|pictures?|images?|video|illustrations?|graphics?|"
    r"grafik|bilder?)\b)",
    re.IGNORECASE,
)
_ROLE = re.compile(
    r"^(?:staff|senior|chief|contributing|special|political|foreign|freelance|freie[rn]?|leitende[rn]?)?\s*"
    r"(?:writer|reporter|correspondent|editor|columnist|journalist|contributor|redakteur(?:in)?|autor(?:in)?|"
    r"photographer|staff|korrespondent(?:in)?|kolumnist(?:in)?|journalist(?:in)?)s?\b|"
    r"^(?:ph\.?\s?d|m\.?\s?d|msc|mba|rn|rd|dr)\.?$",
    re.IGNORECASE,
)
_ROLE_TAIL = re.compile(
    r"(?<=\w)\s+(?:(?:staff|senior|chief|contributing|special|political|foreign|freelance)\s+)?"
    r"(?:writer|reporter|correspondent|editor|columnist|journalist|contributor|photographer)s?$"
    r"|(?<=\w)\s*(?:선임|수석|객원)?(?:기자|특파원)$",  # Korean: "홍길동 기자" (reporter), "특파원" (correspondent)
    re.IGNORECASE,
)
# "FOCUS-Online-Experte Robin Tschöpe", "SPIEGEL-Korrespondent Max Muster": the role goes, the name stays.
_ROLE_PREFIX = re.compile(
    r"^\S*(?:experte|expertin|autor|autorin|redakteur|redakteurin|korrespondent|korrespondentin|kolumnist|"
    r"kolumnistin|reporter|reporterin|gastautor|gastautorin)\s+(?=(?-i:[A-ZÀ-ÖØ-Þ]))",
    re.IGNORECASE,
)
# News agencies: credited beside a person ("Jane Doe / dpa"), the person is the author.
_AGENCY = re.compile(
    r"(?:"
    r"dpa|afp|ap|apa|reuters|kna|epd|sid|dts|ddp|efe|ansa|tass|xinhua|upi|ani|pti|ians|afx|kyodo|"
    r"yonhap|rtr|ots|belga|anp|sda|ats|keystone-sda"
    r")",
    re.IGNORECASE,
)
# One capitalised token of 2-5 letters (", XYZ") beside a person is the outlet, not a co-author.
_OUTLET_CODE = re.compile(r"[A-Z]{2,5}")
_ORG = re.compile(
    r"(?:\bredacción|\brédaction|\bredazione|\bredakcja|\be\.\s?v\.?|\bgmbh|\bag|\binc\.?|\bltd\.?|\bllc|"
    r"\bverlag|verband|ministerium|redaktion|redaktionsteam|\bnewsroom|\bnews desk|\bteam|\bagentur|\bagency|\bagencies|"
    r"\bpress|\bnews)$",
    re.IGNORECASE,
)
_STOP_WORD = re.compile(
    r"(?:"
    r"posted|on|published|updated|veröffentlicht|am|alle|beiträge|all|posts|view|more|share|"
    r"comments|kommentare|read|minutes|min|lesezeit|uhr|datum|date|fecha|kategorie|category|tags|"
    r"schlagworte|bio|publicado|publié|pubblicato|opublikowano|"
    # a CMS placeholder, the German "published", button labels and a URL's scheme left beside a byline
    r"publisher|publiziert|author|autor|autorin|auteur|autore|follow|folgen|copy|copier|kopieren|print|drucken|"
    r"imprimer|http|https"
    r")",
    re.IGNORECASE,
)
_NOT_NAME = re.compile(
    r"\d|@|https?:|www\.|\.(?:com|org|net|de)\b|admin|webmaster", re.IGNORECASE
)
_URLISH = re.compile(r"^(?:https?:|www\.|/|\S+@\S+$)", re.IGNORECASE)
# A social handle or an e-mail address beside the name ("By Jane Doe @janedoe", "Jane Doe jane@example.org").
_CONTACT = re.compile(r"\s*(?:\S+@\S+\.\w+|(?<!\S)@\w{2,})")
_PARTICLE = re.compile(
    r"(?:"
    r"van|von|vom|zu|de|da|das|dos|del|della|di|der|den|du|la|le|al|el|bin|ibn|ten|ter|y|e"
    r")",
    re.IGNORECASE,
)


def _is_phrase(part: str) -> bool:
    """Several words, one of them lower-case ("Weine in Berlin", "deinen Hochzeitsbloggern"): not a name."""
    words = [w for w in part.split() if w[:1].isalpha()]
    return len(words) > 1 and any(
        w.isalpha() and w[0].islower() and not _PARTICLE.fullmatch(w) for w in words
    )


def _name_ok(part: str) -> bool:
    words = [w.strip(".,") for w in part.lower().split()]
    if (
        not words
        or len(part) > 60
        or len(words) > 5
        or any(_STOP_WORD.fullmatch(w) for w in words)
    ):
        return False
    if len(words) == 1 and _CALENDAR.fullmatch(words[0]):
        return False  # "April" left over from "17 April 2012"
    if words[0] in ("by", "von", "par", "por", "di", "of", "door", "av", "af", "oleh"):
        return False
    if len(words) == 1 and len(part) < 3 and not _HAN_HANGUL.search(part):
        return False  # editor's initials ("PP"), not a name; "张三" is a whole Chinese name
    return not (_ROLE.match(part) or _NOT_NAME.search(part))


# "Jane Doe for The Daily Example", "By Jane Doe in Springfield": the outlet or the place after the name.
_NAME_THEN_WHERE = re.compile(
    rf"^(?P<name>[{CAPITALS}][\w'.-]*(?:\s+[{CAPITALS}][\w'.-]*){{1,3}})\s+"
    rf"(?P<word>for|in|at|from|aus|für|en|à|em|w|в)\s+[{CAPITALS}].*$"
)


def _parts(text: str, signed: bool = False) -> list[str] | None:
    """The name candidates of a prefix-free byline; None when it reads as prose or a label row.

    ``signed``: the line opened with "By", "Von", "Par"…, so a place after the name ("in Springfield") is
    cut off; without it only an outlet after "for" is (capitalised nouns make "Weine in Berlin" look
    like a name and a place).
    """
    parts: list[str] = []
    for part in _NAME_SPLIT.split(text):
        part = _BY_PREFIX.sub("", part.strip(" :-–—()[]~·•*")).strip(" :-–—()[]~·•*")
        if not part or _CREDIT.match(part) or _ROLE.match(part):
            continue  # a photo credit or a role beside the name
        part = _ROLE_TAIL.sub("", _ROLE_PREFIX.sub("", part))
        where = _NAME_THEN_WHERE.match(part)
        if where and (signed or where.group("word") == "for"):
            part = where.group("name")
        if ":" in part or _is_phrase(part):
            # "Kategorie: Diakonie", "Bundesministerium für Wirtschaft": a label row or prose; after
            # a name, a description ("Jane Doe, a reporter at …") that ends the byline
            if not parts:
                return None
            break
        if part.endswith(".") and len(part.split()[-1]) > 4:
            part = part[:-1]
        parts.append(part)
    return parts


# "By Jane Doe and John Roe | WASHINGTON": a capitalised place after a pipe is the dateline.
_PLACE_TAIL = re.compile(r"\s*\|\s*(?-i:[A-Z][A-Z.'/ -]+)$", re.IGNORECASE)
# "Gillman, Steve": Dublin Core and citation metas write the family name first.
_FAMILY_FIRST = re.compile(r"^(?-i:([A-ZÀ-Þ][\w'-]+)),\s*(?-i:([A-ZÀ-Þ][\w'-]+(?:\s[A-Z]\.)?))$")
_FAMILY_FIRST_METAS = frozenset({"citation_author", "dc.creator", "dcterms.creator"})


def clean_authors(raw: str) -> list[str]:
    """Names from a byline string: prefixes, roles, dates, credits and separators removed."""
    text = fold(_INVISIBLE.sub("", raw))
    if _URLISH.match(text) or _CREDIT.match(text):
        return []  # a profile URL, an e-mail address or a photo credit
    text = _LEAD.sub("", _CONTACT.sub("", text))
    text, signed = _BY_PREFIX.subn("", text, count=1)
    text = _PLACE_TAIL.sub("", text)
    text = _DATE_TAIL.sub("", _PARENS.sub("", text))
    parts = _parts(text, signed=bool(signed))
    names: list[str] = []
    for part in parts or []:
        if _name_ok(part) and part not in names:
            names.append(part)
    people = [n for n in names if not (_AGENCY.fullmatch(n) or _OUTLET_CODE.fullmatch(n) or _fragment(n))]
    return people or names


def _fragment(part: str) -> bool:
    """A piece of the sentence around a byline, not a co-author: one lower-case word ("Jan Doe,
    deutscher Journalist" leaves "deutscher") or words ending in a particle ("Autorenseite von")."""
    words = part.split()
    return (len(words) == 1 and part[0].islower()) or (len(words) > 1 and _PARTICLE.fullmatch(words[-1]) is not None)


def squash(name: str) -> str:
    """Letters only, accents off: "Gàbor Muniér" and "gabor_munier" agree."""
    letters = unicodedata.normalize("NFKD", name.casefold())
    return re.sub(
        r"[\W_]+", "", "".join(c for c in letters if not unicodedata.combining(c))
    )


def is_organisation(name: str) -> bool:
    """An organisation's or a desk's name ("… e.V.", "… GmbH", "Redaktion", "Agencies")."""
    return _ORG.search(name) is not None


def is_url(text: str) -> bool:
    """A profile URL, a path or an e-mail address rather than a name."""
    return _URLISH.match(text) is not None


def fuller_name(name: str, others: list[str], bios: list[str]) -> str:
    """The full form of a user name or bare first name that another signal on the page spells out.

    ``others``: names other sources give; ``bios``: the openings of author boxes.
    """
    if " " in name:
        return name
    for other in others:
        if " " in other and squash(other) == squash(name):
            return other  # "arianschlichenmayer" is "Arian Schlichenmayer"
    if not name[:1].isupper():
        return name
    for other in others:
        if other.split()[0] == name and len(other.split()) in (2, 3):
            return other
    # an author box opening "Nils Pickert ist freier Autor …" / "Jane Doe is a …" / "Stefanus Stahl - …"
    bio = re.compile(
        rf"^{re.escape(name)}\s+((?-i:[A-ZÀ-ÖØ-Þ])[\w'’-]+)\s+(?:(?-i:[a-zß-ÿ])\w*\s|[-–—]\s)"
    )
    for text in bios:
        found = bio.match(text)
        if found:
            return f"{name} {found.group(1)}"
    return name


# -- structured data: JSON-LD and meta tags ------------------------------------------------------


def jsonld_authors(objects: list[dict[str, Any]]) -> list[str]:
    """Names the first authored JSON-LD object (a story, a post, a recipe …) gives."""
    # Yoast-style graphs give the author as {"@id": …} and the Person elsewhere
    by_id = {str(o["@id"]): o for o in objects if o.get("@id") and o.get("name")}
    for obj in objects:
        if not types_of(obj) & _AUTHORED_TYPES:
            continue
        raw = obj.get("author") or obj.get("creator")
        items = raw if isinstance(raw, list) else [raw]
        names: list[str] = []
        for item in items:
            if (
                isinstance(item, dict)
                and not item.get("name")
                and str(item.get("@id")) in by_id
            ):
                item = by_id[str(item.get("@id"))]
            value = item.get("name") if isinstance(item, dict) else item
            if isinstance(value, str):
                names.extend(n for n in clean_authors(value) if n not in names)
        if names:
            return names
    return []


# Story types plus the other authored posts whose author is the page's author.
_AUTHORED_TYPES = ARTICLE_TYPES | {
    "discussionforumposting",
    "howto",
    "recipe",
    "podcastepisode",
}
# "author" may repeat inside cited references; these tags repeat once per author.
_META_AUTHORS = (
    "author",
    "article:author",
    "citation_author",
    "dc.creator",
    "dcterms.creator",
    "parsely-author",
    "sailthru.author",
    "cxenseparse:author",
    "byl",
)
_HOUSE_SEP = re.compile(r"\s+[-–—|:]\s+|\s*[|–—]\s*")


def meta_authors(metas: dict[str, list[str]], sites: set[str], *, several: bool = False) -> list[str]:
    """Names from the first author meta tag that names a person, else the first house name.

    "Site – Tagline" is the site's name. ``several``: the page's head has one "author" meta per
    author, so several of them are co-authors rather than cited works' authors.
    """
    house: list[str] = []
    for meta in _META_AUTHORS:
        values = [v for v in dict.fromkeys(metas.get(meta, [])) if not is_url(v)]
        if not values or (meta == "author" and len(values) > 1 and not several):
            continue  # several different "author" metas are references' authors (body microdata)
        names: list[str] = []
        for value in values:
            reversed_name = _FAMILY_FIRST.match(fold(value)) if meta in _FAMILY_FIRST_METAS else None
            if reversed_name:
                value = f"{reversed_name.group(2)} {reversed_name.group(1)}"
            segments = _HOUSE_SEP.split(fold(value))
            head, _, address = fold(value).partition(",")
            if address and is_site_name(head, sites):
                names.append(head)  # "Site, City, Country": the house and its address
                continue
            if len(segments) > 1 and is_site_name(segments[0], sites):
                # "Site – Tagline" is the house; "Site - Jane Doe" names a person after it
                value = " - ".join(segments[1:])
                names.append(fold(segments[0]))
            names.extend(n for n in clean_authors(value) if n not in names)
        if any(not is_house(n, sites) for n in names):
            return names
        house = house or names
    return house


def is_house(name: str, sites: set[str]) -> bool:
    """The site's own name or an organisation's ("… e.V.", "… GmbH", "Redaktion")."""
    return is_site_name(name, sites) or _ORG.search(name) is not None
