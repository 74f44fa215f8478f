"""The one writer: load the finished inputs of a Parquet output folder (:mod:`.parquet_parts`) into the archive.

The load is the part of a Dask import that does not scale with workers, so it is kept lean:

- a reader thread reads and prepares the next input (Parquet decoding, zstd compression of the raw
  page) while this thread writes the current one; both release the GIL in their C code, as
  SQLite does, so the two overlap on two cores;
- one transaction covers several inputs (about :data:`BATCH_ARTICLES` articles): each commit of
  a small transaction costs a WAL checkpoint and a full-text segment to merge later.

Idempotent: an input's row in ``warc_inputs_loaded`` is written in the transaction that holds its
articles, so a rerun, or a loader killed mid-batch, adds nothing twice and loses nothing.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scraper.models import Article, Page, RelatedLink
from scraper.research.parquet_parts import as_range, finished_inputs, pyarrow_modules
from scraper.research.warc import _VERDICTS
from scraper.research.warc_ranges import WarcRange
from scraper.store.archive import Archive
from scraper.store.bulk import save_articles
from scraper.store.clusters import save_signatures
from scraper.store.compression import compress
from scraper.store.query import now_iso

__all__ = ["load_parts", "BATCH_ARTICLES"]

BATCH_ARTICLES = 5000
_CACHE_KIB = 64 * 1024
_LOADED_TABLE = ("CREATE TABLE IF NOT EXISTS warc_inputs_loaded (input_id TEXT PRIMARY KEY, input TEXT NOT NULL,"
                 " loaded_at TEXT NOT NULL, run_id INTEGER)")
_COUNTS = ("archived", "updated", "unchanged", "skipped", "failed", "loaded", "already")


@dataclass
class _Row:
    article: Article
    page: Page | None
    blob: tuple[bytes, str] | None  # the page, compressed by the reader thread
    signature: bytes | None


def _article(row: dict[str, Any]) -> Article:
    related = [RelatedLink(title=link["title"], url=link["url"]) for link in row["related"] or []]
    fields = {name: row[name] for name in Article.__dataclass_fields__ if name in row}
    return Article(**{**fields, "authors": list(row["authors"] or []), "related": related})


def _page(row: dict[str, Any]) -> Page:
    return Page(url=row["page_url"], final_url=row["page_final_url"], status=int(row["page_status"]),
                headers=json.loads(row["page_headers"]), content=row["page_content"],
                fetched_at=row["page_fetched_at"], http_version=row["page_http_version"])


def _prepare(out_dir: Path, entry: dict[str, Any]) -> list[_Row]:
    """One input's rows in record order, ready to write (runs in the reader thread)."""
    _pa, pq = pyarrow_modules()
    rows = sorted((row for part in entry["parts"] for row in pq.read_table(out_dir / part).to_pylist()),
                  key=lambda row: row["record"])
    prepared = []
    for row in rows:
        page = _page(row) if entry.get("raw", True) else None
        prepared.append(_Row(_article(row), page, compress(page.content) if page else None, row["signature"]))
    return prepared


def _read_ahead(out_dir: Path, entries: Iterable[dict[str, Any]]) -> Iterator[tuple[dict[str, Any], list[_Row]]]:
    """Each entry with its prepared rows, the next one already being read in another thread."""
    pool = ThreadPoolExecutor(1, thread_name_prefix="parquet-reader")
    pending: deque[tuple[dict[str, Any], Future[list[_Row]]]] = deque()
    try:
        for entry in entries:
            pending.append((entry, pool.submit(_prepare, out_dir, entry)))
            if len(pending) > 1:
                done, future = pending.popleft()
                yield done, future.result()
        while pending:
            done, future = pending.popleft()
            yield done, future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _write(archive: Archive, entry: dict[str, Any], rows: list[_Row], run_id: int | None,
           counts: dict[str, int]) -> None:
    """One input's articles, failures and loaded mark (the caller holds the transaction)."""
    saved = [(row.article, archive.save_page(row.page, compressed=row.blob, run_id=run_id) if row.page else None)
             for row in rows]
    verdicts = [_VERDICTS[verdict] for verdict in save_articles(archive, saved)]
    save_signatures(archive, [(row.article.url, row.article.content_hash, row.signature)
                              for row, verdict in zip(rows, verdicts) if verdict != "unchanged"])
    for verdict in verdicts:
        counts[verdict] += 1
    for url, kind, error, status in entry["failures"]:
        archive.record_failure(run_id=run_id, url=url, kind=kind, error=error, attempts=1, status=status)
    archive.db.execute("INSERT INTO warc_inputs_loaded (input_id, input, loaded_at, run_id) VALUES (?, ?, ?, ?)",
                       [entry["input_id"], entry.get("label", entry["input"]), now_iso(), run_id])
    counts["skipped"] += entry["counts"]["skipped"]
    counts["failed"] += entry["counts"]["failed"]
    counts["loaded"] += 1


def _to_load(archive: Archive, out_dir: Path, sources: Sequence[WarcRange | str | Path],
             counts: dict[str, int]) -> list[dict[str, Any]]:
    """The manifest entries of ``sources``, in their order, that are finished and not loaded yet."""
    entries = finished_inputs(out_dir)
    with archive.transaction():
        archive.db.execute(_LOADED_TABLE)
    done = {row[0] for row in archive.db.execute("SELECT input_id FROM warc_inputs_loaded")}
    todo = []
    for source in sources:
        entry = entries.get(as_range(source).id)
        if entry is None:
            continue
        if entry["input_id"] in done:
            counts["already"] += 1
            continue
        done.add(entry["input_id"])
        todo.append(entry)
    return todo


@contextmanager
def _page_cache(archive: Archive, kib: int) -> Iterator[None]:
    """A larger SQLite page cache while loading: the full-text and link indexes are written all over."""
    before = archive.db.execute("PRAGMA cache_size").fetchone()[0]
    archive.db.execute(f"PRAGMA cache_size = -{int(kib)}")
    try:
        yield
    finally:
        archive.db.execute(f"PRAGMA cache_size = {int(before)}")


def load_parts(archive: Archive, out_dir: Path, sources: Sequence[WarcRange | str | Path], *,
               run_id: int | None = None, on_loaded: Callable[[dict[str, int]], None] | None = None,
               batch_articles: int = BATCH_ARTICLES) -> dict[str, int]:
    """Load the finished inputs among ``sources`` (files or ranges, in that order) into the archive, one writer.

    Returns the archive's counters (archived, updated, unchanged, skipped, failed) plus
    ``loaded`` (inputs loaded now) and ``already`` (inputs loaded before). ``on_loaded`` gets
    the counters after each committed batch.
    """
    from scraper.store.clusters import assign_clusters

    counts = dict.fromkeys(_COUNTS, 0)
    todo = _to_load(archive, out_dir, sources, counts)
    with _page_cache(archive, _CACHE_KIB), ExitStack() as batch:
        held = 0
        for entry, rows in _read_ahead(out_dir, todo):
            if held == 0:
                batch.enter_context(archive.transaction())
            _write(archive, entry, rows, run_id, counts)
            held += len(rows) + 1
            if held >= batch_articles:
                batch.close()  # commit
                held = 0
                if on_loaded:
                    on_loaded(dict(counts))
    if counts["archived"] or counts["updated"]:
        assign_clusters(archive)
    return counts
