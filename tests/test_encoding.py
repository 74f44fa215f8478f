"""decode_html: header, <meta>, BOM, detection, replacement on bad bytes."""

from __future__ import annotations

import codecs

import pytest

from scraper.extractor.encoding import decode_html, normalise_charset

RU = (
    "<html><head><title>Новости</title></head><body><p>В Алматы прошла пресс-конференция, на которой "
    "двое этнических казахов заявили о намерении просить убежища. Пятница, 22 ноября 2024.</p></body></html>"
)


@pytest.mark.parametrize("codec", ["cp1251", "koi8-r"])
def test_meta_charset_only(codec: str) -> None:
    page = RU.replace("<head>", f'<head><meta charset="{codec}">')
    text, used = decode_html(page.encode(codec))
    assert used == codecs.lookup(codec).name
    assert "пресс-конференция" in text


def test_meta_http_equiv() -> None:
    page = RU.replace(
        "<head>",
        '<head><meta http-equiv="Content-Type" content="text/html; charset=windows-1251">',
    )
    text, used = decode_html(page.encode("cp1251"))
    assert used == "cp1251"
    assert "Новости" in text


@pytest.mark.parametrize("codec", ["cp1251", "koi8-r"])
def test_undeclared_cyrillic_is_detected(codec: str) -> None:
    text, _ = decode_html((RU * 3).encode(codec))
    assert "убежища" in text


def test_header_beats_meta() -> None:
    page = RU.replace("<head>", '<head><meta charset="koi8-r">')
    text, used = decode_html(page.encode("cp1251"), "text/html; charset=windows-1251")
    assert used == "cp1251"
    assert "Новости" in text


def test_bom_beats_a_wrong_header() -> None:
    data = codecs.BOM_UTF8 + RU.encode("utf-8")
    text, used = decode_html(data, "text/html; charset=iso-8859-1")
    assert used == "utf-8-sig"
    assert text.startswith("<html>")


def test_utf16_with_bom() -> None:
    text, _ = decode_html(RU.encode("utf-16"))
    assert "Новости" in text


def test_invalid_bytes_in_declared_encoding_are_replaced() -> None:
    data = RU.encode("utf-8").replace("убежища".encode(), b"\xff\xfe")
    text, used = decode_html(data, "text/html; charset=utf-8")
    assert used == "utf-8"
    assert "\ufffd" in text and "пресс-конференция" in text


def test_plainly_wrong_declaration_falls_back_to_detection() -> None:
    # declared UTF-8, actually windows-1251 throughout: almost every letter is invalid
    text, used = decode_html((RU * 3).encode("cp1251"), "text/html; charset=utf-8")
    assert used != "utf-8"
    assert "убежища" in text


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("win-1251", "cp1251"),
        ("cp-1251", "cp1251"),
        ("Windows-1251", "cp1251"),
        ("utf8", "utf-8"),
        ("UTF-8", "utf-8"),
        ("koi8r", "koi8-r"),
        ("iso-8859-1", "cp1252"),  # browsers read latin-1 labels as windows-1252
        ("x-mac-cyrillic", "mac-cyrillic"),
        ("no-such-charset", None),
        ("", None),
    ],
)
def test_normalise_charset(label: str, expected: str | None) -> None:
    assert normalise_charset(label) == expected


def test_unknown_declared_charset_falls_back() -> None:
    page = RU.replace("<head>", '<head><meta charset="bogus-9">')
    text, _ = decode_html(page.encode("utf-8"))
    assert "Новости" in text


def test_ascii_page() -> None:
    assert decode_html(b"<p>plain</p>") == ("<p>plain</p>", "utf-8")
