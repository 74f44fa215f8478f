"""Bytes → text for HTML pages.

Order of evidence: a byte-order mark (it cannot be wrong about the bytes that
follow it), the HTTP ``Content-Type`` charset, a ``<meta>`` charset in the first
few KB, strict UTF-8, then statistical detection (charset-normalizer). Regional
sites often serve windows-1251 or KOI8-R with the charset only in a ``<meta>``
tag, or not at all. A declared encoding with some invalid bytes is decoded with
replacement characters; decoding never fails on bad bytes.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

__all__ = ["decode_html", "normalise_charset"]

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: it starts with the same bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,400}?charset\s*=\s*["']?\s*([a-zA-Z0-9_.:\-]{2,40})""",
    re.IGNORECASE,
)
_HEADER_CHARSET = re.compile(
    r"""charset\s*=\s*["']?\s*([a-zA-Z0-9_.:\-]{2,40})""", re.IGNORECASE
)

# Misspellings seen in the wild, and labels whose browser meaning differs from
# Python's codec of the same name (WHATWG: latin-1 and ascii mean windows-1252).
_ALIASES = {
    "win-1251": "cp1251",
    "cp-1251": "cp1251",
    "win1251": "cp1251",
    "windows1251": "cp1251",
    "x-cp1251": "cp1251",
    "win-1252": "cp1252",
    "cp-1252": "cp1252",
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin-1": "cp1252",
    "latin1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "koi8r": "koi8-r",
    "koi8u": "koi8-u",
    "x-sjis": "shift_jis",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "utf-16": "utf-8",  # a page that *says* utf-16 but has no BOM is ASCII-compatible
    "utf-16le": "utf-8",
    "utf-16be": "utf-8",
}

_META_WINDOW = 4096
_DETECT_WINDOW = 64 * 1024
# Share of replacement characters above which a declared charset is taken to be wrong.
_BAD_SHARE = 0.02


def normalise_charset(label: str | None) -> str | None:
    """A Python codec name for a charset label, or None when unknown."""
    if not label:
        return None
    name = label.strip().strip("\"'").lower()
    name = _ALIASES.get(name, name)
    for candidate in (name, name.removeprefix("x-"), name.replace("_", "-")):
        try:
            return codecs.lookup(candidate).name
        except LookupError:
            continue
    return None


def _declared(data: bytes, content_type: str | None) -> str | None:
    if content_type:
        match = _HEADER_CHARSET.search(content_type)
        found = normalise_charset(match.group(1)) if match else None
        if found:
            return found
    meta = _META_CHARSET.search(data[:_META_WINDOW])
    if meta:
        return normalise_charset(meta.group(1).decode("ascii", "replace"))
    return None


def _detect(data: bytes) -> str | None:
    best = from_bytes(data[:_DETECT_WINDOW]).best()
    return normalise_charset(best.encoding) if best is not None else None


def _decode_lenient(data: bytes, encoding: str) -> tuple[str, int]:
    """Text and the number of replacement characters the decoding introduced."""
    text = data.decode(encoding, errors="replace")
    return text, text.count("\ufffd") - data.count("\ufffd".encode())


def decode_html(data: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode page bytes; return ``(text, encoding used)``.

    Never raises on bad bytes: a declared encoding that mostly fits is applied
    with replacement characters; one that plainly does not fit is replaced by
    detection.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace"), encoding
    declared = _declared(data, content_type)
    if declared:
        try:
            return data.decode(declared), declared
        except UnicodeDecodeError:
            text, bad = _decode_lenient(data, declared)
            if bad <= max(8, _BAD_SHARE * len(text)):
                return text, declared
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    detected = _detect(data) or declared or "cp1252"
    return _decode_lenient(data, detected)[0], detected
