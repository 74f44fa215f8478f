"""Response bodies: bounded decompression and content-type checks.

Compressed bodies are decoded here, chunk by chunk, with every decoder's
output bounded, so a gzip, deflate or brotli bomb is stopped after about
``cap`` bytes instead of being inflated in memory. The checks decide whether
an answer is the kind of document the caller asked for.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import Any, Literal, Protocol

from scraper import errors

try:  # brotli is optional: without it we simply do not ask for "br"
    import brotli as _brotli_module
except ImportError:  # pragma: no cover - depends on the environment
    _brotli_module = None
brotli: Any = _brotli_module

__all__ = ["ACCEPT_ENCODING", "ACCEPT_HEADER", "Accept", "BodyReader", "check_body", "media_type", "precheck"]

Accept = Literal["html", "xml", "any"]

#: How many leading bytes are sniffed for markup or binary data.
SNIFF_BYTES = 1024


def _brotli_bounded() -> bool:
    """True when the installed brotli can bound its output (brotli >= 1.2)."""
    if brotli is None:
        return False
    doc = getattr(brotli.Decompressor.process, "__doc__", None) or ""
    return "output_buffer_limit" in doc


BROTLI_BOUNDED = _brotli_bounded()
ACCEPT_ENCODING = "gzip, deflate, br" if BROTLI_BOUNDED else "gzip, deflate"
ACCEPT_HEADER: dict[str, str] = {
    "html": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
    "xml": "application/xml,text/xml,application/rss+xml,application/atom+xml;q=0.9,*/*;q=0.1",
    "any": "*/*",
}

_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_HTML_SNIFF_TYPES = frozenset({"", "text/plain", "application/octet-stream"})
_XML_SNIFF_TYPES = frozenset({"", "text/html", "application/gzip", "application/x-gzip", "application/octet-stream"})
_GZIP_MAGIC = b"\x1f\x8b"
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


#: Most bytes any decoder hands on at once: memory stays near the cap.
_STEP = 256 * 1024


class _Decoder(Protocol):
    def feed(self, data: bytes) -> Iterator[bytes]: ...


class _ZlibDecoder:
    """gzip (with concatenated members) or deflate (zlib-wrapped or raw)."""

    def __init__(self, kind: str) -> None:
        self._kind = kind
        self._wbits = 16 + zlib.MAX_WBITS if kind == "gzip" else zlib.MAX_WBITS
        self._obj = zlib.decompressobj(self._wbits)
        self._started = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        """Decoded pieces of at most _STEP bytes: a bomb is never inflated whole."""
        while True:
            try:
                piece = self._obj.decompress(data, _STEP)
            except zlib.error:
                if self._kind == "deflate" and not self._started:
                    # Many servers send raw deflate without the zlib header.
                    self._started = True
                    self._obj = zlib.decompressobj(-zlib.MAX_WBITS)
                    continue
                raise
            self._started = True
            if piece:
                yield piece
            data = self._obj.unconsumed_tail
            if self._obj.eof:
                data = self._obj.unused_data
                if not (data and self._kind == "gzip"):
                    return  # trailing bytes after a deflate stream are ignored
                self._obj = zlib.decompressobj(self._wbits)
            elif not data and len(piece) < _STEP:
                return  # input used up and no output pending


class _BrotliDecoder:
    """brotli with bounded output (needs brotli >= 1.2)."""

    def __init__(self) -> None:
        self._obj = brotli.Decompressor()

    def feed(self, data: bytes) -> Iterator[bytes]:
        """Decoded pieces of about _STEP bytes at most (brotli rounds up a little)."""
        piece = self._obj.process(data, output_buffer_limit=_STEP)
        while True:
            if piece:
                yield piece
            if self._obj.can_accept_more_data() or self._obj.is_finished():
                return
            piece = self._obj.process(b"", output_buffer_limit=_STEP)
            if not piece:
                return


def _decoder(encoding: str, url: str) -> _Decoder:
    if encoding in ("gzip", "x-gzip", "deflate"):
        return _ZlibDecoder("deflate" if encoding == "deflate" else "gzip")
    if encoding == "br" and BROTLI_BOUNDED:
        return _BrotliDecoder()
    raise errors.BinaryContent(f"unsupported Content-Encoding {encoding!r}", url=url)


class BodyReader:
    """Collects a streamed body, raw and decoded sizes both capped at ``cap``."""

    def __init__(self, content_encoding: str, cap: int, url: str) -> None:
        codings = [c.strip().lower() for c in content_encoding.split(",")]
        # Codings are listed in the order applied: undo them last first.
        self._decoders = [_decoder(c, url) for c in reversed(codings) if c and c != "identity"]
        self._cap = cap
        self._url = url
        self._raw = 0
        self._out = bytearray()

    def feed(self, chunk: bytes) -> None:
        """Add one raw chunk; raise TooLarge or BinaryContent as soon as due."""
        self._raw += len(chunk)
        if self._raw > self._cap:
            raise errors.TooLarge(f"body passed {self._cap} bytes", url=self._url)
        try:
            for piece in self._decode(chunk, 0):
                self._out += piece
                if len(self._out) > self._cap:
                    what = "decompressed body" if self._decoders else "body"
                    raise errors.TooLarge(f"{what} passed {self._cap} bytes", url=self._url)
        except (zlib.error, _brotli_error()) as exc:
            raise errors.BinaryContent(f"corrupt compressed body: {exc}", url=self._url) from exc

    def _decode(self, data: bytes, depth: int) -> Iterator[bytes]:
        """``data`` through decoders ``depth``..., one small piece at a time."""
        if depth == len(self._decoders):
            yield data
            return
        for piece in self._decoders[depth].feed(data):
            yield from self._decode(piece, depth + 1)

    def finish(self) -> bytes:
        """The decoded body."""
        return bytes(self._out)


def _brotli_error() -> type[Exception]:
    return brotli.error if brotli is not None else zlib.error


def gunzip(data: bytes, cap: int, url: str) -> bytes:
    """A gzip file's content (a sitemap.xml.gz), capped like any body."""
    reader = BodyReader("gzip", cap, url)
    for start in range(0, len(data), 64 * 1024):
        reader.feed(data[start : start + 64 * 1024])
    return reader.finish()


def media_type(content_type: str) -> str:
    """``text/html; charset=utf-8`` -> ``text/html``."""
    return content_type.split(";", 1)[0].strip().lower()


def _is_xml_type(mtype: str) -> bool:
    return mtype.endswith("xml") or mtype == "text/plain"


def precheck(accept: Accept, mtype: str, url: str) -> None:
    """Refuse, before reading the body, a type that can never be accepted."""
    if accept == "html" and mtype not in _HTML_TYPES | _HTML_SNIFF_TYPES:
        raise errors.NotHTML(f"Content-Type {mtype!r} is not HTML", url=url)
    if accept == "xml" and not (_is_xml_type(mtype) or mtype in _XML_SNIFF_TYPES):
        raise errors.NotHTML(f"Content-Type {mtype!r} is not XML", url=url)


def _head(body: bytes) -> bytes:
    head = body[:SNIFF_BYTES]
    for bom in _BOMS:
        head = head.removeprefix(bom)
    return head.lstrip().lower()


def sniffs_html(body: bytes) -> bool:
    """Does the body start like an HTML document?"""
    head = _head(body)
    return head.startswith((b"<!doctype html", b"<html")) or b"<head" in head or b"<body" in head


def _sniffs_xml(body: bytes) -> bool:
    head = _head(body)
    return head.startswith((b"<?xml", b"<rss", b"<feed", b"<urlset", b"<sitemapindex", b"<rdf"))


def _looks_json(body: bytes) -> bool:
    head = _head(body)
    return head[:1] in (b"{", b"[") and b"<" not in head


def _check_binary(body: bytes, url: str) -> None:
    head = body[:SNIFF_BYTES]
    # UTF-16 text has NULs too; it announces itself with a BOM.
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise errors.BinaryContent("NUL bytes in the first KiB: binary content", url=url)


def check_body(accept: Accept, mtype: str, body: bytes, cap: int, url: str) -> bytes:
    """The body if it is what was asked for (gunzipped for XML), else raise."""
    if accept == "any":
        return body
    if accept == "html":
        if mtype in _HTML_TYPES:
            _check_binary(body, url)
            if _looks_json(body):
                raise errors.NotHTML("labelled HTML but the body is JSON", url=url)
        elif not sniffs_html(body):
            raise errors.NotHTML(f"Content-Type {mtype!r} and the body does not look like HTML", url=url)
        _check_binary(body, url)
        return body
    if body.startswith(_GZIP_MAGIC):
        body = gunzip(body, cap, url)
    if not _is_xml_type(mtype) and not _sniffs_xml(body):
        raise errors.NotHTML(f"Content-Type {mtype!r} and the body does not look like XML", url=url)
    _check_binary(body, url)
    return body
