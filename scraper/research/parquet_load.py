"""The one writer: load the finished inputs of a Parquet output folder (:mod:`.parquet_parts`) into the archive.

:class:`PartsLoader` takes finished inputs in input order, while the map still runs (the Dask
import feeds it the growing prefix of finished tasks) or afterwards (:func:`load_parts`). The load
is the part of an import that does not scale with workers, so it is kept lean:

- a reader thread reads and prepares the next input (Parquet decoding, zstd compression of the raw
  page) while this thread writes the current one; both release the GIL in their C code, as
  SQLite does;
- new articles go in with one ``executemany`` per table (:mod:`scraper.store.bulk`);
- one transaction covers several inputs (about :data:`BATCH_ARTICLES` articles): each commit of
  a small transaction costs a WAL checkpoint and a full-text segment to merge later.

Idempotent: an input's row in ``warc_inputs_loaded`` is written in the transaction that holds its
articles, so a rerun, or a loader killed mid-batch, adds nothing twice and loses nothing.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scraper.models import Article, Page, RelatedLink
from scraper.research.parquet_parts import MANIFEST, as_range, finished_inputs, pyarrow_modules
from scraper.research.warc import _VERDICTS
from scraper.research.warc_ranges import WarcRange
from scraper.store.archive import Archive
from scraper.store.bulk import save_articles, save_pages
from scraper.store.clusters import save_signatures
from scraper.store.compression import compress
from scraper.store.query import now_iso

__all__ = ["PartsLoader", "load_parts", "BATCH_ARTICLES"]

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


def _prepare(out_dir: Path, entry: dict[str, Any]) -> list[_Row] | str:
    """One input's rows in record order, ready to write, or why its parts cannot be read (reader thread)."""
    pa, pq = pyarrow_modules()
    try:
        # One file at a time, one thread: read_table's dataset machinery and thread pool cost
        # twice the CPU on parts this small, and CPU is what the map's workers need.
        rows = [row for part in entry["parts"]
                for row in pq.ParquetFile(out_dir / part).read(use_threads=False).to_pylist()]
    except (OSError, pa.ArrowException) as exc:
        return f"cannot read its Parquet parts: {exc}"
    prepared = []
    for row in sorted(rows, key=lambda row: row["record"]):
        page = _page(row) if entry.get("raw", True) else None
        prepared.append(_Row(_article(row), page, compress(page.content) if page else None, row["signature"]))
    return prepared


def _write(archive: Archive, entry: dict[str, Any], rows: list[_Row], run_id: int | None,
           counts: dict[str, int]) -> None:
    """One input's articles, failures and loaded mark (the caller holds the transaction)."""
    pages = [(row.page, row.blob) for row in rows if row.page is not None and row.blob is not None]
    page_ids: list[int | None] = [*save_pages(archive, pages, run_id=run_id)] if pages else [None] * len(rows)
    saved = list(zip((row.article for row in rows), page_ids, strict=True))  # all with their page, or none
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


def _forget(archive: Archive, out_dir: Path, entry: dict[str, Any], error: str, run_id: int | None,
            counts: dict[str, int]) -> None:
    """A finished input whose parts are damaged: a failure now, and out of the manifest so a rerun maps it again."""
    archive.record_failure(run_id=run_id, url=entry.get("label", entry["input"]), kind="parquet", error=error,
                           attempts=1)
    (out_dir / MANIFEST / f"{entry['input_id']}.json").unlink(missing_ok=True)
    counts["failed"] += 1


@contextmanager
def _page_cache(archive: Archive, kib: int) -> Iterator[None]:
    """A larger SQLite page cache while loading: the full-text and link indexes are written all over."""
    before = archive.db.execute("PRAGMA cache_size").fetchone()[0]
    archive.db.execute(f"PRAGMA cache_size = -{int(kib)}")
    try:
        yield
    finally:
        archive.db.execute(f"PRAGMA cache_size = {int(before)}")


class PartsLoader:
    """The one writer, fed finished inputs (manifest entries) in input order; a context manager.

    Leaving it cleanly writes what is fed and not yet written, commits and places the new articles
    in clusters; leaving it on an error rolls back the open batch (those inputs are not marked
    loaded: a rerun loads them). ``counts`` are the counters of :func:`load_parts`; ``committed``
    those of what is committed. ``on_loaded`` gets ``committed`` after each batch committed mid-way.
    """

    def __init__(self, archive: Archive, out_dir: Path, *, run_id: int | None = None,
                 on_loaded: Callable[[dict[str, int]], None] | None = None,
                 batch_articles: int = BATCH_ARTICLES) -> None:
        self.archive, self.out_dir, self.run_id = archive, out_dir, run_id
        self.on_loaded, self.batch_articles = on_loaded, batch_articles
        self.counts = dict.fromkeys(_COUNTS, 0)
        self.committed = dict(self.counts)
        with archive.transaction():
            archive.db.execute(_LOADED_TABLE)
        self._loaded = {row[0] for row in archive.db.execute("SELECT input_id FROM warc_inputs_loaded")}
        self._reader = ThreadPoolExecutor(1, thread_name_prefix="parquet-reader")
        self._pending: deque[tuple[dict[str, Any], Future[list[_Row] | str]]] = deque()
        self._resources = ExitStack()
        self._batch = ExitStack()
        self._held = 0  # articles (and inputs) in the open batch
        self._placed = 0  # articles written and placed in clusters

    def __enter__(self) -> PartsLoader:
        self._resources.enter_context(_page_cache(self.archive, _CACHE_KIB))
        self._resources.callback(self._reader.shutdown, wait=True, cancel_futures=True)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: Any) -> None:
        with self._resources:
            if exc_type is not None:
                self._batch.__exit__(exc_type, exc, tb)  # roll back the open batch
                return
            try:
                self.finish()
            except BaseException as error:
                self._batch.__exit__(type(error), error, error.__traceback__)
                raise

    @property
    def articles(self) -> int:
        """Articles written so far (archived, updated or unchanged), committed or not."""
        return self.counts["archived"] + self.counts["updated"] + self.counts["unchanged"]

    def feed(self, entry: dict[str, Any]) -> None:
        """The next finished input, in input order; written once the one after it is being read."""
        if entry["input_id"] in self._loaded:
            self.counts["already"] += 1
            return
        self._loaded.add(entry["input_id"])
        self._pending.append((entry, self._reader.submit(_prepare, self.out_dir, entry)))
        while len(self._pending) > 1:
            self._write_next()

    def _write_next(self) -> None:
        entry, future = self._pending.popleft()
        rows = future.result()
        if self._held == 0:
            self._batch.enter_context(self.archive.transaction())
        if isinstance(rows, str):
            _forget(self.archive, self.out_dir, entry, rows, self.run_id, self.counts)
        else:
            _write(self.archive, entry, rows, self.run_id, self.counts)
        self._held += 1 + (0 if isinstance(rows, str) else len(rows))
        if self._held >= self.batch_articles:
            self._commit()
            if self.on_loaded:
                self.on_loaded(dict(self.committed))

    def _commit(self) -> None:
        self._batch.close()
        self._held = 0
        self.committed = dict(self.counts)

    def finish(self) -> None:
        """Write what was fed and is not written yet, commit, and place the new articles in clusters."""
        from scraper.store.clusters import assign_clusters

        while self._pending:
            self._write_next()
        if self._held:
            self._commit()
        written = self.counts["archived"] + self.counts["updated"]
        if written > self._placed:
            assign_clusters(self.archive)
            self._placed = written


def load_parts(archive: Archive, out_dir: Path, sources: Sequence[WarcRange | str | Path], *,
               run_id: int | None = None, on_loaded: Callable[[dict[str, int]], None] | None = None,
               batch_articles: int = BATCH_ARTICLES) -> dict[str, int]:
    """Load the finished inputs among ``sources`` (files or ranges, in that order) into the archive, one writer.

    Idempotent: an input already loaded (table ``warc_inputs_loaded``) is skipped. Returns the
    archive's counters (archived, updated, unchanged, skipped, failed) plus ``loaded`` (inputs
    loaded now) and ``already`` (inputs loaded before); ``on_loaded``: see :class:`PartsLoader`.
    """
    entries = finished_inputs(out_dir)
    with PartsLoader(archive, out_dir, run_id=run_id, on_loaded=on_loaded, batch_articles=batch_articles) as loader:
        for source in sources:
            entry = entries.get(as_range(source).id)
            if entry is not None:
                loader.feed(entry)
    return loader.counts
