"""Generators for the nasty inputs too big (or too binary) to check in.

``generated(scale)`` returns ``name -> bytes``. ``scale=1.0`` gives the full
sizes the hostile-input tests ask for (100,000 nested divs, a 10 MB
paragraph, 50,000 links); a smaller scale gives the same shapes, smaller, for
the CLI run over the whole corpus. ``checked_in()`` reads the small files
that live next to this module. Everything is deterministic.
"""

from __future__ import annotations

import random
from pathlib import Path

__all__ = ["HERE", "checked_in", "generated", "corpus"]

HERE = Path(__file__).resolve().parent

_UTF16_PAGE = (
    "<html><head><title>Жаңалықтар</title></head><body><h1>Алматы метрополитені</h1>"
    "<p>Мәтін абзацы, бірінші. Second sentence in English.</p><p>Екінші абзац.</p></body></html>"
)


def _n(count: int, scale: float) -> int:
    return max(1, int(count * scale))


def _random_bytes(size: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(size)


def _nested(tag: str, depth: int, inner: bytes) -> bytes:
    return b"<html><body>" + f"<{tag}>".encode() * depth + inner + f"</{tag}>".encode() * depth + b"</body></html>"


def _nested_tables(depth: int) -> bytes:
    return (b"<html><body><h1>Tables</h1>" + b"<table><tr><td>" * depth + b"cell"
            + b"</td></tr></table>" * depth + b"</body></html>")


def _big_paragraph(size: int) -> bytes:
    words = b"lorem ipsum dolor sit amet, consectetur adipiscing elit. "
    return (b"<html><head><title>One paragraph</title></head><body><h1>One paragraph</h1><p>"
            + words * (size // len(words)) + b"</p></body></html>")


def _many_links(count: int) -> bytes:
    items = b"".join(b'<li><a href="/story-number-%d-of-many">Story number %d of many links</a></li>' % (i, i)
                     for i in range(count))
    return b"<html><head><title>Links</title></head><body><h1>All the links</h1><ul>" + items + b"</ul></body></html>"


def generated(scale: float = 1.0) -> dict[str, bytes]:
    """The big and binary cases, ``scale`` times their full size."""
    return {
        "random_bytes": _random_bytes(_n(200_000, scale), seed=7),
        "random_bytes_html_prefix": b"<html><body><p>" + _random_bytes(_n(50_000, scale), seed=8),
        "nested_divs": _nested("div", _n(100_000, scale), b"<p>deep down</p>"),
        "nested_unclosed_spans": b"<html><body>" + b"<span><b><i>" * _n(30_000, scale) + b"text",
        "nested_tables": _nested_tables(_n(5_000, scale)),
        "big_paragraph_10mb": _big_paragraph(_n(10 * 1024 * 1024, scale)),
        "many_links_50k": _many_links(_n(50_000, scale)),
        "utf16le_bom": b"\xff\xfe" + _UTF16_PAGE.encode("utf-16-le"),
        "utf16be_bom": b"\xfe\xff" + _UTF16_PAGE.encode("utf-16-be"),
        "utf16le_no_bom": _UTF16_PAGE.encode("utf-16-le"),
        "utf16be_no_bom": _UTF16_PAGE.encode("utf-16-be"),
        "utf32_bom": _UTF16_PAGE.encode("utf-32"),
        "nul_flood": b"<html><body><p>" + b"\x00" * _n(100_000, scale) + b"</p></body></html>",
        "nul_after_window": b"<html><body><h1>Late NUL</h1>" + b"<p>ok text here</p>" * 200 + b"\x00\x00tail</body></html>",
        "many_attributes": b"<html><body><div " + b" ".join(b'a%d="v"' % i for i in range(_n(20_000, scale)))
        + b"><h1>Attrs</h1></div></body></html>",
        "long_title": b"<html><head><title>" + b"T" * _n(1_000_000, scale) + b"</title></head><body><h1>"
        + b"H " * _n(100_000, scale) + b"</h1></body></html>",
        "control_chars": b"<html><body><h1>Ctl\x01\x02\x1b</h1><p>" + bytes(range(1, 32)) * 50 + b"</p></body></html>",
    }


def checked_in() -> dict[str, bytes]:
    """The small nasty files stored next to this module."""
    return {path.stem: path.read_bytes() for path in sorted(HERE.glob("*.html"))}


def corpus(scale: float = 1.0) -> dict[str, bytes]:
    """Every nasty case: checked-in files and generated ones."""
    return {**checked_in(), **generated(scale)}
