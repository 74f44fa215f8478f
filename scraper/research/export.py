"""Export the archive as JSON Lines, CSV or Parquet, streaming.

One row per article, columns :data:`EXPORT_COLUMNS` in that order (a stable,
documented schema: new columns are only ever appended). Rows come from
:meth:`Archive.iter_articles`, so 100,000 articles never sit in memory at once.

Formats:
    jsonl    one JSON object per line; ``authors`` and ``related`` as lists, null as null.
    csv      a header row; ``authors`` joined by "; ", ``related`` as JSON text,
             the body with its newlines (quoted); null as an empty field.
    parquet  needs pyarrow (``pip install 'news-archiver[parquet]'``); ``authors``
             is list<string>, ``related`` list<struct<title, url>>, written in batches.

Filters: ``site`` is an exact match on the host; ``since`` compares against
``published`` only, so undated articles are left out of a ``since`` export
(their fetch date says nothing about when they were written).

An export to a path is written to a temporary file and renamed into place,
so a failed export never leaves a half-written file behind. Only a regular
file is replaced (a symlink is followed on purpose: the file it points at is
replaced, the link kept); a FIFO, device or directory is refused.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Literal, cast

from scraper.errors import UsageError
from scraper.store.archive import Archive

__all__ = ["EXPORT_COLUMNS", "FORMATS", "export"]

#: The exported schema, in order.
EXPORT_COLUMNS: tuple[str, ...] = (
    "url",
    "canonical_url",
    "site",
    "section",
    "headline",
    "lede",
    "authors",
    "published",
    "date_source",
    "modified",
    "feed_date",
    "sitemap_lastmod",
    "body",
    "related",
    "source_credit",
    "language",
    "word_count",
    "content_hash",
    "page_type",
    "status",
    "fetched_at",
    "first_archived_at",
    "updated_at",
    "version",
    "extractor_version",
    "cluster_id",
    "page_id",
)

FORMATS = ("jsonl", "csv", "parquet")

_INT_COLUMNS = frozenset({"word_count", "status", "version", "page_id"})
_PARQUET_BATCH = 1000
_PARQUET_HINT = "parquet export needs pyarrow: pip install 'news-archiver[parquet]'"

Rows = Iterator[dict[str, Any]]


def _project(row: dict[str, Any]) -> dict[str, Any]:
    return {name: row.get(name) for name in EXPORT_COLUMNS}


def _write_jsonl(rows: Rows, out: IO[str]) -> int:
    count = 0
    for row in rows:
        out.write(json.dumps(_project(row), ensure_ascii=False) + "\n")
        count += 1
    return count


def _csv_value(name: str, value: Any) -> Any:
    if value is None:
        return ""
    if name == "authors":
        return "; ".join(value)
    if name == "related":
        return json.dumps(value, ensure_ascii=False)
    return value


def _write_csv(rows: Rows, out: IO[str]) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    count = 0
    for row in rows:
        writer.writerow([_csv_value(name, row.get(name)) for name in EXPORT_COLUMNS])
        count += 1
    return count


def parquet_schema(pa: Any) -> Any:
    fields = []
    for name in EXPORT_COLUMNS:
        if name in _INT_COLUMNS:
            kind = pa.int64()
        elif name == "authors":
            kind = pa.list_(pa.string())
        elif name == "related":
            kind = pa.list_(pa.struct([("title", pa.string()), ("url", pa.string())]))
        else:
            kind = pa.string()
        fields.append(pa.field(name, kind))
    return pa.schema(fields)


def _write_parquet(rows: Rows, out: IO[bytes]) -> int:
    try:
        import pyarrow as pa  # type: ignore[import-untyped]
        import pyarrow.parquet as pq  # type: ignore[import-untyped]
    except ImportError as exc:
        raise UsageError(_PARQUET_HINT) from exc
    schema = parquet_schema(pa)
    count = 0
    with pq.ParquetWriter(out, schema, compression="zstd") as writer:
        batch: list[dict[str, Any]] = []
        for row in rows:
            batch.append(_project(row))
            if len(batch) >= _PARQUET_BATCH:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                count, batch = count + len(batch), []
        if batch:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            count += len(batch)
    return count


def _regular_target(path: Path) -> Path:
    """The file an export to ``path`` replaces: a symlink is written through, to the file it points at.

    Anything that is not a regular file (a FIFO, a device such as /dev/full, a
    directory) is refused: renaming a file over it would destroy it.
    """
    target = path.resolve() if path.is_symlink() else path
    if target.exists() and not target.is_file():
        kind = "a directory" if target.is_dir() else "not a regular file (a FIFO, device or socket)"
        raise UsageError(f"{kind}: refusing to replace it with an export", url=str(path))
    return target


@contextmanager
def _open_path(path: Path, binary: bool) -> Iterator[IO[Any]]:
    """A temporary file next to ``path`` (or the file a symlink points at), renamed over it only on success."""
    path = _regular_target(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        handle: IO[Any] = open(tmp, "wb") if binary else open(tmp, "w", encoding="utf-8", newline="")
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from exc
    try:
        with handle:
            yield handle
        os.replace(tmp, path)
    except OSError as exc:  # a full disk, say: name the file the user asked for
        raise OSError(exc.errno, exc.strerror, str(path)) from exc
    finally:
        tmp.unlink(missing_ok=True)


@contextmanager
def _as_stream(out: IO[str] | IO[bytes], binary: bool) -> Iterator[IO[Any]]:
    """The caller's stream, adapted to text or bytes as the format needs."""
    is_text = isinstance(out, io.TextIOBase) or hasattr(out, "encoding")
    if binary and is_text:
        buffer = getattr(out, "buffer", None)
        if buffer is None:
            raise UsageError("parquet export needs a binary output stream")
        out.flush()
        yield buffer
        buffer.flush()
    elif not binary and not is_text:
        wrapper = io.TextIOWrapper(cast(Any, out), encoding="utf-8", newline="")
        yield wrapper
        wrapper.flush()
        wrapper.detach()  # leave the caller's stream open
    else:
        yield out


def export(
    archive: Archive,
    fmt: Literal["jsonl", "csv", "parquet"],
    out: IO[str] | IO[bytes] | str | Path,
    *,
    since: str | None = None,
    site: str | None = None,
    one_per_cluster: bool = False,
) -> int:
    """Write the archive's articles to ``out`` (a path or an open stream); return the rows written.

    Raises:
        UsageError: unknown format, bad ``since``, unwritable path, or parquet without pyarrow.
    """
    writers: dict[str, Callable[[Rows, Any], int]] = {
        "jsonl": _write_jsonl, "csv": _write_csv, "parquet": _write_parquet,
    }
    if fmt not in writers:
        raise UsageError(f"unknown export format {fmt!r} (choose from {', '.join(FORMATS)})")
    binary = fmt == "parquet"
    rows = archive.iter_articles(since=since, site=site, one_per_cluster=one_per_cluster)
    if isinstance(out, (str, Path)):
        with _open_path(Path(out), binary) as handle:
            return writers[fmt](rows, handle)
    with _as_stream(out, binary) as stream:
        return writers[fmt](rows, stream)
