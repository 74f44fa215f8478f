"""Lossless compression of raw page bytes for the archive.

Cheap settings on purpose: a crawl compresses every page it fetches, and
zstd level 6 brings typical HTML to well under a third of its size (real news pages
about a fifth) for about 0.2 ms a page; levels above 9 cost far more for little.
"""

from __future__ import annotations

import zlib

from scraper.errors import StoreError

__all__ = ["CODECS", "compress", "decompress"]

#: Codecs ``decompress`` understands (``identity`` = stored as is).
CODECS = ("zstd", "zlib", "identity")


def compress(data: bytes) -> tuple[bytes, str]:
    """Compress cheaply (zstd level 6, or zlib level 2 without zstandard); return (blob, codec)."""
    try:
        import zstandard
    except ImportError:  # optional: zlib is always there, only a little bigger and slower
        return zlib.compress(data, 2), "zlib"
    return zstandard.ZstdCompressor(level=6).compress(data), "zstd"


def decompress(blob: bytes, codec: str) -> bytes:
    """Undo :func:`compress` for a blob stored with ``codec``."""
    if codec == "identity":
        return bytes(blob)
    if codec == "zlib":
        try:
            return zlib.decompress(blob)
        except zlib.error as exc:
            raise StoreError(f"corrupt zlib blob: {exc}") from exc
    if codec == "zstd":
        return _unzstd(blob)
    raise StoreError(f"unknown codec {codec!r} (known: {', '.join(CODECS)})")


def _unzstd(blob: bytes) -> bytes:
    try:
        import zstandard
    except ImportError as exc:
        raise StoreError("page stored with zstd but zstandard is not installed") from exc
    try:
        # decompressobj copes with frames that do not record their size.
        return zstandard.ZstdDecompressor().decompressobj().decompress(blob)
    except zstandard.ZstdError as exc:
        raise StoreError(f"corrupt zstd blob: {exc}") from exc
