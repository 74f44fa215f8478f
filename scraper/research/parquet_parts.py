"""Parquet parts: what a Dask worker writes for one WARC input (:mod:`.parquet_load` loads them).

Layout of an output folder (a Hive-partitioned Parquet dataset: DuckDB, Spark and
``pyarrow.dataset`` read it as one table)::

    OUT/site=SITE/month=YYYY-MM/part-<input id>.parquet   articles of one input in one partition
    OUT/_manifest/<input id>.json                          the input is finished (written last)

An input is a whole file or a record range of a large one (:class:`~.warc_ranges.WarcRange`):
its id is the sha1 of its label (the path, or ``path#bytes=START-END``).

Columns: :data:`~scraper.research.export.EXPORT_COLUMNS` (the archive-only ones, such as
``version`` and ``cluster_id``, are null until loaded), then ``input_id``, ``record`` (position in
the input, so the loader replays the file's order), ``signature`` (the MinHash for clusters, made
by the worker) and, unless raw pages are left out, ``page_url``, ``page_final_url``,
``page_status``, ``page_headers`` (JSON), ``page_fetched_at``, ``page_http_version``,
``page_content`` (the payload as fetched). Names starting with ``_`` are ignored by dataset readers.

Every file is written to a temporary name and renamed; part names depend only on the input, so a
task run twice (a worker killed, a rerun) overwrites its own parts and never duplicates them.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from scraper.errors import UsageError
from scraper.research.export import EXPORT_COLUMNS, parquet_schema
from scraper.research.warc import WarcItem
from scraper.research.warc_ranges import WarcRange, input_id
from scraper.store.query import now_iso

__all__ = ["DASK_HINT", "MANIFEST", "input_id", "write_parts", "finished_inputs", "PAGE_COLUMNS"]

DASK_HINT = "the Dask engine needs its extra: pip install -e '.[dask]'"
MANIFEST = "_manifest"
PAGE_COLUMNS = ("page_url", "page_final_url", "page_status", "page_headers", "page_fetched_at",
                "page_http_version", "page_content")
_ARCHIVE_ONLY = ("first_archived_at", "updated_at", "version", "cluster_id", "page_id")
# Min/max statistics only where a reader filters (site, dates, counts): on the text and raw-page
# columns they are two copies of a long value per file, a third of a part's bytes, and decoding
# them is most of what reading a small part costs the one writer.
_STATISTICS = ("site", "section", "published", "date_source", "modified", "language", "word_count", "page_type",
               "status", "fetched_at", "extractor_version", "input_id", "record", "page_status", "page_fetched_at")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
_MONTH = re.compile(r"\d{4}-\d{2}")


def pyarrow_modules() -> tuple[Any, Any]:
    try:
        import pyarrow as pa  # type: ignore[import-untyped]
        import pyarrow.parquet as pq  # type: ignore[import-untyped]
    except ImportError as exc:
        raise UsageError(DASK_HINT) from exc
    return pa, pq


def _schema(pa: Any, raw: bool) -> Any:
    fields = list(parquet_schema(pa))
    fields += [pa.field("input_id", pa.string()), pa.field("record", pa.int64()), pa.field("signature", pa.binary())]
    if raw:
        fields += [pa.field(name, pa.int64() if name == "page_status" else pa.binary() if name == "page_content"
                            else pa.string()) for name in PAGE_COLUMNS]
    return pa.schema(fields)


def _row(item: WarcItem, ident: str, record: int, raw: bool) -> dict[str, Any]:
    from scraper.store.clusters import signature

    article, page = item.article, item.page
    assert article is not None and page is not None
    row: dict[str, Any] = {name: getattr(article, name, None) for name in EXPORT_COLUMNS}
    row.update(dict.fromkeys(_ARCHIVE_ONLY), feed_date=None, sitemap_lastmod=None, input_id=ident, record=record,
               signature=signature(article.body))
    if raw:
        row.update(page_url=page.url, page_final_url=page.final_url, page_status=page.status,
                   page_headers=json.dumps(page.headers), page_fetched_at=page.fetched_at,
                   page_http_version=page.http_version, page_content=page.content)
    return row


def _partition(row: dict[str, Any]) -> str:
    published = row.get("published") or ""
    month = published[:7] if _MONTH.fullmatch(published[:7]) else "unknown"
    return f"site={_UNSAFE.sub('_', row.get('site') or 'unknown')}/month={month}"


def _write_atomic(path: Path, write: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _write_part(pq: Any, table: Any, path: Path) -> None:
    # No dictionary pages: a part holds a handful of rows of one input, so a dictionary per
    # column chunk only adds a page to write and to decode.
    pq.write_table(table, path, compression="zstd", use_dictionary=False, write_statistics=list(_STATISTICS))


def as_range(source: WarcRange | str | Path) -> WarcRange:
    return source if isinstance(source, WarcRange) else WarcRange(str(source))


def write_parts(source: WarcRange | str | Path, items: Iterable[WarcItem], out_dir: Path, *,
                raw: bool = True) -> dict[str, Any]:
    """Write one input's articles (a file, or a record range of one) as Parquet parts, then its manifest entry.

    The entry (returned) holds the input, its label and range, its part files (relative to
    ``out_dir``), the counts (records, articles, skipped, failed) and the failures (url, kind,
    error, status).
    """
    pa, pq = pyarrow_modules()
    part = as_range(source)
    ident = part.id
    counts = {"records": 0, "articles": 0, "skipped": 0, "failed": 0}
    failures: list[list[Any]] = []
    groups: dict[str, list[dict[str, Any]]] = {}
    for record, item in enumerate(items):
        counts["records"] += 1
        if item.outcome == "article":
            counts["articles"] += 1
            row = _row(item, ident, record, raw)
            groups.setdefault(_partition(row), []).append(row)
        elif item.outcome == "failed":
            counts["failed"] += 1
            failures.append([item.url, item.kind, item.error, item.status])
        else:
            counts["skipped"] += 1
    schema = _schema(pa, raw)
    parts = []
    for partition, rows in sorted(groups.items()):
        relative = f"{partition}/part-{ident}.parquet"
        table = pa.Table.from_pylist(rows, schema=schema)
        _write_atomic(out_dir / relative, lambda tmp, table=table: _write_part(pq, table, tmp))
        parts.append(relative)
    entry = {"input": part.source, "label": part.label, "start": part.start, "end": part.end, "input_id": ident,
             "parts": parts, "counts": counts, "failures": failures,
             "raw": raw, "finished_at": now_iso()}
    _write_atomic(out_dir / MANIFEST / f"{ident}.json",
                  lambda tmp: tmp.write_text(json.dumps(entry, ensure_ascii=False), encoding="utf-8"))
    return entry


def finished_inputs(out_dir: Path) -> dict[str, dict[str, Any]]:
    """The manifest: input id -> entry, for every input whose parts are complete."""
    entries = {}
    for path in sorted((out_dir / MANIFEST).glob("*.json")):
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # unreadable entry: the input is simply done again
        entries[entry["input_id"]] = entry
    return entries
