"""Byline strings to names: the cleaning half of :mod:`scraper.byline`.

Prefixes ("By", "Von", "Autor/in:", "Redaktion:"), roles ("Staff Writer",
"FOCUS-Online-Experte"), parentheses, trailing dates and separators ("and",
"und", ",", "&", ";", "im Gespräch mit") are removed; agency codes beside a
person ("/ dpa") are dropped. Photo credits, profile URLs, initials, phrases
("Bundesministerium für Wirtschaft"), label rows and CMS accounts are not
names. Pure string functions.
"""

from __future__ import annotations

import re
import unicodedata

from scraper.text import fold

__all__ = ["clean_authors", "fuller_name", "is_organisation", "is_url", "squash"]

_INVISIBLE = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff]")
_LEAD = re.compile(r"^[\s\d.:/,|·•*–—-]+")  # a date or bullet before the byline
_BY_PREFIX = re.compile(
    r"^(?:(?:post\s+)?author\s+|(?:written|posted|published|text|story|reporting|words|article|recipe|column|"
    r"review|report|artikel|beitrag|pressemitteilung|eine kolumne|ein kommentar|ein bericht|ein interview|ein gastbeitrag|text (?:und|and|&) "
    r"fotos?)\s+)?(?:by|von|autor(?:in|innen|/in|\*in|:in|\(in\))?|authors?|verfasst von|geschrieben von|"
    r"veröffentlicht von|erstellt von|publié par|escrito por|vom|(?-i:[Pp]or|[Pp]ar|di|door|av)|przez|автор|"
    r"текст|interview|text|redaktion(?=\s*:))(?:\s*:\s*|\s+|$)",
    re.IGNORECASE,
)
# Photo, picture and copyright credits name the photographer, not the author.
_CREDIT = re.compile(
    r"^(?:©|\(c\)\s|(?:fotos?|photos?|photograph(?:y|s|er)?|bild(?:er)?|images?|pictures?|illustrations?|"
    r"grafik|kamera|camera|video|credits?|copyright|bildrechte|quelle|source|фото)\b)",
    re.IGNORECASE,
)
_DAYS = (
    r"mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun|mo|di|mi|do|fr|sa|so|monday|tuesday|wednesday|thursday|"
    r"friday|saturday|sunday|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag"
)
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
_PARENS = re.compile(r"\s*\([^()]*(?:\)|$)")
_NAME_SPLIT = re.compile(
    r"\s*(?:,|;|&|\||/|\band\b|\bund\b|\bи\b|\bet\b|\by\b|\bim gespräch mit\b|\bin conversation with\b)\s*"
    r"|\s+[-–—]\s+",
    re.IGNORECASE,
)
_ROLE = re.compile(
    r"^(?:staff|senior|chief|contributing|special|political|foreign|freelance|freie[rn]?|leitende[rn]?)?\s*"
    r"(?:writer|reporter|correspondent|editor|columnist|journalist|contributor|redakteur(?:in)?|autor(?:in)?|"
    r"photographer|staff|korrespondent(?:in)?|kolumnist(?:in)?|journalist(?:in)?)s?\b|"
    r"^(?:ph\.?\s?d|m\.?\s?d|msc|mba|rn|rd|dr)\.?$",
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
_ORG = re.compile(
    r"(?:\bredacción|\brédaction|\bredazione|\bredakcja|\be\.\s?v\.?|\bgmbh|\bag|\binc\.?|\bltd\.?|\bllc|"
    r"\bverlag|verband|ministerium|redaktion|redaktionsteam|\bnewsroom|\bnews desk|\bteam|\bagentur|\bagency|\bagencies)$",
    re.IGNORECASE,
)
_STOP_WORD = re.compile(
    r"(?:"
    r"posted|on|published|updated|veröffentlicht|am|alle|beiträge|all|posts|view|more|share|"
    r"comments|kommentare|read|minutes|min|lesezeit|uhr|datum|date|fecha|kategorie|category|tags|"
    r"schlagworte|bio|publicado|publié|pubblicato|opublikowano"
    r")",
    re.IGNORECASE,
)
_NOT_NAME = re.compile(
    r"\d|@|https?:|www\.|\.(?:com|org|net|de)\b|admin|webmaster", re.IGNORECASE
)
_URLISH = re.compile(r"^(?:https?:|www\.|/|\S+@\S+$)", re.IGNORECASE)
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
    if words[0] in ("by", "von", "par", "por", "di", "of"):
        return False
    if len(words) == 1 and len(part) < 3:
        return False  # editor's initials ("PP"), not a name
    return not (_ROLE.match(part) or _NOT_NAME.search(part))


def _parts(text: str) -> list[str] | None:
    """The name candidates of a prefix-free byline; None when it reads as prose or a label row."""
    parts: list[str] = []
    for part in _NAME_SPLIT.split(text):
        part = _BY_PREFIX.sub("", part.strip(" :-–—()[]~·•*")).strip(" :-–—()[]~·•*")
        if not part or _CREDIT.match(part) or _ROLE.match(part):
            continue  # a photo credit or a role beside the name
        part = _ROLE_PREFIX.sub("", part)
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


def clean_authors(raw: str) -> list[str]:
    """Names from a byline string: prefixes, roles, dates, credits and separators removed."""
    text = fold(_INVISIBLE.sub("", raw))
    if _URLISH.match(text) or _CREDIT.match(text):
        return []  # a profile URL, an e-mail address or a photo credit
    text = _LEAD.sub("", text)
    text = _BY_PREFIX.sub("", text, count=1)
    text = _DATE_TAIL.sub("", _PARENS.sub("", text))
    parts = _parts(text)
    names: list[str] = []
    for part in parts or []:
        if _name_ok(part) and part not in names:
            names.append(part)
    people = [n for n in names if not _AGENCY.fullmatch(n)]
    return people or names


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
