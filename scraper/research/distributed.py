"""Beyond one machine: WARC import and host-sharded crawls as Dask tasks (extra ``[dask]``).

WARC import (:func:`import_warcs_dask`) is a map and a load:

- map: each input file is one task; a worker runs :func:`~scraper.research.warc.extract_warc`
  (the same extractor and filters as ``import-warc``) and writes the input's Parquet parts and
  its manifest entry (:mod:`scraper.research.parquet_parts`) itself, so only a few counters travel
  back to the client; inputs already in the manifest are not submitted again;
- load: one writer replays the parts, in input order, into the SQLite archive (idempotent).

A worker killed mid-task: the scheduler runs the task again elsewhere (its parts are overwritten,
never duplicated). A killed scheduler or client, or Ctrl-C: the rerun skips the finished inputs.

Sharded crawl (:func:`crawl_shards`): task K crawls only the hosts of shard K into ``DIR/shard-K.db``;
:func:`scraper.store.merge.merge_archives` then combines the shard archives.
"""

from __future__ import annotations

import os
import time
import uuid
from asyncio import CancelledError
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scraper.config import Settings
from scraper.errors import UsageError
from scraper.research.parquet_parts import DASK_HINT, finished_inputs, input_id, load_parts, write_parts
from scraper.research.warc import extract_warc

__all__ = ["DASK_HINT", "MapProgress", "DaskImport", "dask_client", "import_warcs_dask",
           "crawl_shards", "require_dask"]


def require_dask() -> None:
    """Raise a one-line UsageError naming the extra when Dask or pyarrow is missing."""
    try:
        import distributed  # noqa: F401
        import pyarrow  # type: ignore[import-untyped] # noqa: F401
    except ImportError as exc:
        raise UsageError(DASK_HINT) from exc


@contextmanager
def dask_client(scheduler: str | None = None, workers: int | None = None) -> Iterator[Any]:
    """A Client of the scheduler at ``scheduler``, or of a LocalCluster started (and shut down) here.

    The LocalCluster runs ``workers`` processes (default: one per core), one thread each:
    extraction holds the GIL, so processes, not threads, give parallelism.
    """
    require_dask()
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout=30)
        except OSError as exc:
            raise UsageError(f"cannot reach the Dask scheduler: {exc}", url=scheduler) from exc
        with client:
            yield client
        return
    with LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        yield client


@dataclass(slots=True)
class MapProgress:
    """Where the map stands: files done of total, articles found, failed files and records."""

    total: int
    done: int = 0
    articles: int = 0
    failed: int = 0
    started: float = field(default_factory=time.monotonic)
    last: str = ""  # the input just finished (or failed)

    @property
    def rate(self) -> float:
        """Articles per second so far."""
        return self.articles / max(time.monotonic() - self.started, 1e-9)


@dataclass(slots=True)
class DaskImport:
    """What :func:`import_warcs_dask` did."""

    inputs: int = 0
    already_mapped: int = 0  # finished by an earlier run (manifest)
    failed_inputs: list[tuple[str, str]] = field(default_factory=list)  # (input, error) of tasks that died
    counts: dict[str, int] = field(default_factory=dict)
    map_seconds: float = 0.0
    load_seconds: float = 0.0
    run_id: int | None = None


def _map_one(source: str, out_dir: str, settings: Settings, raw: bool) -> dict[str, int]:
    """The task: extract one input, write its parts and manifest entry; return its counts."""
    entry = write_parts(source, extract_warc(source, settings), Path(out_dir), raw=raw)
    return dict(entry["counts"])


def map_warcs(client: Any, sources: Sequence[str], out_dir: Path, *, settings: Settings, raw: bool = True,
              on_progress: Callable[[MapProgress], None] | None = None) -> tuple[int, list[tuple[str, str]]]:
    """Run the map for the inputs not yet in the manifest; return (already done, failed inputs)."""
    from distributed import as_completed

    done = finished_inputs(out_dir)
    todo = [source for source in sources if input_id(source) not in done]
    progress = MapProgress(total=len(sources), done=len(sources) - len(todo))
    token = uuid.uuid4().hex[:8]  # fresh keys: a long-lived scheduler never hands back an old result
    futures = client.map(_map_one, todo, out_dir=str(out_dir), settings=settings, raw=raw,
                         key=[f"warc-{input_id(s)}-{token}" for s in todo])
    source_of = {future.key: source for future, source in zip(futures, todo)}
    failed: list[tuple[str, str]] = []
    for future in as_completed(futures):
        progress.last = source_of[future.key]
        try:
            counts = future.result()
        except (Exception, CancelledError) as exc:  # noqa: BLE001 - KilledWorker, a lost scheduler, a bug: this input only
            failed.append((progress.last, f"{type(exc).__name__}: {exc}"))
            progress.failed += 1
        else:
            progress.articles += counts["articles"]
            progress.failed += counts["failed"]
        progress.done += 1
        future.release()
        if on_progress:
            on_progress(progress)
    return len(sources) - len(todo), failed


def import_warcs_dask(sources: Sequence[str | Path], out_dir: str | Path, *, db_path: str | Path | None = None,
                      settings: Settings | None = None, scheduler: str | None = None, workers: int | None = None,
                      client: Any = None, raw: bool = True, on_progress: Callable[[MapProgress], None] | None = None,
                      args: dict[str, Any] | None = None) -> DaskImport:
    """Extract WARC files on a Dask cluster into a Parquet dataset, then load it into ``db_path``.

    ``client`` (a ``distributed.Client``) wins over ``scheduler`` (an address), which wins over a
    LocalCluster of ``workers`` processes. Without ``db_path`` only the dataset is written.
    The load is recorded in the archive's ``runs`` table as an ``import-warc`` run.

    Raises:
        UsageError: Dask or pyarrow is missing, or the scheduler cannot be reached.
    """
    require_dask()
    settings = settings or Settings()
    names = [str(s) for s in sources]
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    result = DaskImport(inputs=len(names))
    started = time.monotonic()
    if client is not None:
        result.already_mapped, result.failed_inputs = map_warcs(client, names, out, settings=settings, raw=raw,
                                                                on_progress=on_progress)
    else:
        with dask_client(scheduler, workers) as own:
            result.already_mapped, result.failed_inputs = map_warcs(own, names, out, settings=settings, raw=raw,
                                                                    on_progress=on_progress)
    result.map_seconds = time.monotonic() - started
    if db_path is not None:
        started = time.monotonic()
        _load(result, Path(db_path), out, names, args)
        result.load_seconds = time.monotonic() - started
    else:
        result.counts = {"failed": len(result.failed_inputs)}
    return result


def _load(result: DaskImport, db_path: Path, out: Path, names: list[str], args: dict[str, Any] | None) -> None:
    from scraper.store.archive import Archive
    from scraper.store.lock import archive_lock

    with archive_lock(db_path), Archive(db_path) as archive:
        result.run_id = archive.start_run("import-warc", {"engine": "dask", **(args or {})})
        counts = load_parts(archive, out, names, run_id=result.run_id)
        for source, error in result.failed_inputs:
            archive.record_failure(run_id=result.run_id, url=source, kind="task", error=error, attempts=1)
        counts["failed"] += len(result.failed_inputs)
        archive.finish_run(result.run_id, exit_code=1 if counts["failed"] else 0,
                           counts={k: counts[k] for k in ("archived", "updated", "unchanged", "skipped", "failed")})
    result.counts = counts


def _crawl_one(urls: list[str], settings: Settings, db_path: str, shard: int, count: int) -> dict[str, int]:
    """The task: crawl shard ``shard`` of ``count`` into its own archive; return the run's counters."""
    from scraper.crawler.runs import run_archive

    # Extraction inline: a Dask worker process may not start a process pool of its own.
    summary = run_archive(db_path, urls, settings.with_(shard=(shard, count), workers=0), follow=True,
                          command="crawl", args={"shard": f"{shard}/{count}"})
    return {**summary.counts(), "exit_code": summary.exit_code}


def crawl_shards(urls: Sequence[str], settings: Settings, out_dir: str | Path, shards: int, *,
                 scheduler: str | None = None, workers: int | None = None,
                 client: Any = None) -> list[tuple[Path, dict[str, int]]]:
    """Crawl ``urls`` as ``shards`` Dask tasks, task K into ``out_dir/shard-K.db`` (hosts of shard K only).

    Returns each shard archive with its run's counters (``exit_code`` included), in shard order.
    """
    require_dask()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / f"shard-{k}.db" for k in range(1, shards + 1)]

    def run(dask: Any) -> list[dict[str, int]]:
        futures = [dask.submit(_crawl_one, list(urls), settings, str(path), k, shards, pure=False)
                   for k, path in enumerate(paths, start=1)]
        return list(dask.gather(futures))

    if client is not None:
        results = run(client)
    else:
        with dask_client(scheduler, workers) as own:
            results = run(own)
    return list(zip(paths, results))
