"""Record ranges: one large WARC file as several tasks, each the records that start in a byte range.

A range ``[start, end)`` holds the records whose first byte lies in it, so the ranges of a
file hold each of its records exactly once, whatever the record sizes (a range may hold none).
A task finds its first record exactly, never by guessing: it walks the record offsets from the
file's beginning without parsing or extracting anything (for a gzip WARC, one member per
record, that is decompressing the bytes before ``start``), then seeks there and reads on.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator

__all__ = ["WarcRange", "input_id", "plan_ranges", "source_size", "first_record_at", "DEFAULT_SPLIT_BYTES"]

#: Inputs larger than this are split into ranges of this size (a CC-NEWS file, ~1 GB, is four tasks).
DEFAULT_SPLIT_BYTES = 256 * 1024 * 1024


def input_id(label: str | Path) -> str:
    """A stable id for an input path or URL, or a range label (names its parts and manifest entry)."""
    return hashlib.sha1(str(label).encode("utf-8")).hexdigest()[:20]


@dataclass(frozen=True, slots=True)
class WarcRange:
    """The records of ``source`` that start at a byte offset in ``[start, end)``; ``end=None``: to the end."""

    source: str
    start: int = 0
    end: int | None = None

    @property
    def whole(self) -> bool:
        return self.start == 0 and self.end is None

    @property
    def label(self) -> str:
        """The source, or ``source#bytes=START-END`` for a part of it."""
        return self.source if self.whole else f"{self.source}#bytes={self.start}-{'' if self.end is None else self.end}"

    @property
    def id(self) -> str:
        return input_id(self.label)


def source_size(source: str) -> int | None:
    """The size in bytes of a local path or fsspec URL; None when it cannot be told."""
    try:
        if "://" in source and not source.startswith("file://"):
            import fsspec  # type: ignore[import-untyped]

            fs, path = fsspec.core.url_to_fs(source)
            return int(fs.size(path))
        return Path(source.removeprefix("file://")).stat().st_size
    except (ImportError, OSError, ValueError, TypeError):
        return None


def plan_ranges(sources: list[str], split_bytes: int | None = DEFAULT_SPLIT_BYTES) -> list[WarcRange]:
    """The tasks for ``sources``, in input order: a file over ``split_bytes`` becomes ranges of that size.

    The last range of a file runs to its end (``end=None``), so bytes appended later are not lost.
    """
    tasks: list[WarcRange] = []
    for source in sources:
        size = source_size(source) if split_bytes else None
        if not split_bytes or size is None or size <= split_bytes:
            tasks.append(WarcRange(source))
            continue
        starts = list(range(0, size, split_bytes))
        tasks += [WarcRange(source, start, start + split_bytes) for start in starts[:-1]]
        tasks.append(WarcRange(source, starts[-1], None))
    return tasks


def first_record_at(fh: Any, start: int) -> int | None:
    """The offset of the first record starting at or after ``start`` (None: there is none).

    Reads ``fh`` from its beginning with warcio's own offsets (the ones the range's reader
    compares with its ``end``), skipping every record without parsing its HTTP part or
    checking its digest. Raises what warcio raises on a damaged file.
    """
    fh.seek(0)
    records = ArchiveIterator(fh, no_record_parse=True, arc2warc=True)
    for _record in records:
        if records.offset >= start:
            return int(records.offset)
    return None
