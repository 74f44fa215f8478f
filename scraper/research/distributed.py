"""Beyond one machine: WARC import and host-sharded crawls as Dask tasks (extra ``[dask]``).

WARC import (:func:`import_warcs_dask`) is a map and a load:

- map: each input file, or each record range of a file over ``split_bytes``
  (:mod:`scraper.research.warc_ranges`), is one task; a worker runs
  :func:`~scraper.research.warc.extract_warc` (the same extractor and filters as ``import-warc``)
  and writes the task's Parquet parts and its manifest entry (:mod:`scraper.research.parquet_parts`)
  itself, so only a few counters travel back to the client; tasks already in the manifest are not
  submitted again;
- load: one writer (:class:`~scraper.research.parquet_load.PartsLoader`, in the client) replays
  the parts into the SQLite archive in input order, idempotently, while the map runs: as soon as
  the tasks up to some point have all finished, their inputs are loaded. The load is the part that
  does not scale with workers; overlapped, it mostly hides behind the map.

A worker killed mid-task: the scheduler runs the task again elsewhere (its parts are overwritten,
never duplicated). A killed scheduler (:class:`SchedulerLost`), a killed client, or Ctrl-C: the
inputs loaded so far stay (each whole, in its own transaction batch), the open batch is rolled
back, and the rerun maps and loads only the rest.

Sharded crawl (:func:`crawl_shards`): task K crawls only the hosts of shard K into ``DIR/shard-K.db``;
:func:`scraper.store.merge.merge_archives` then combines the shard archives.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
import uuid
from asyncio import CancelledError
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scraper.config import Settings
from scraper.errors import ScraperError, UsageError
from scraper.research.parquet_load import PartsLoader
from scraper.research.parquet_parts import DASK_HINT, finished_inputs, write_parts
from scraper.research.warc import extract_warc
from scraper.research.warc_ranges import DEFAULT_SPLIT_BYTES, WarcRange, plan_ranges

__all__ = ["DASK_HINT", "MapProgress", "DaskImport", "SchedulerLost", "dask_client", "import_warcs_dask",
           "crawl_shards", "require_dask"]


class SchedulerLost(ScraperError):
    """The client lost its Dask scheduler mid-map: what finished is kept, a rerun does the rest."""

    kind = "scheduler"


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
    with ExitStack() as stack:
        with _sigint_deferred():
            cluster = stack.enter_context(LocalCluster(
                n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                dashboard_address=None, preload=[_WORKER_SETUP],
                silence_logs=logging.CRITICAL))  # a task's failure comes back as its exception, not as a log line
        yield stack.enter_context(Client(cluster))


@contextmanager
def _sigint_deferred() -> Iterator[None]:
    """Hold a Ctrl-C that comes while the local cluster starts; raise it once the cluster can be stopped.

    Interrupted half-way, LocalCluster leaves workers behind and a traceback at exit.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught and callable(previous):
        previous(signal.SIGINT, None)  # Python's default handler raises KeyboardInterrupt


# Run in each local worker process once it has started. A terminal's Ctrl-C goes to the whole
# process group: workers that took it would each print a traceback. Only the client takes it;
# leaving its `with LocalCluster` stops the workers, and a rerun resumes.
_WORKER_SETUP = """
import signal

def dask_setup(worker):
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread: leave it
        pass
"""


@dataclass(slots=True)
class MapProgress:
    """Where the map stands: tasks (and input files) done of total, articles found, failed tasks and records."""

    total: int  # tasks: one per input file, or per record range of a large one
    done: int = 0
    articles: int = 0
    failed: int = 0
    files: int = 0
    files_done: int = 0
    started: float = field(default_factory=time.monotonic)
    last: str = ""  # the task just finished (or failed): the input, or ``input#bytes=START-END``
    loaded: int | None = None  # articles written to the archive so far (None: no archive)

    @property
    def rate(self) -> float:
        """Articles per second so far."""
        return self.articles / max(time.monotonic() - self.started, 1e-9)

    def line(self) -> str:
        """One progress line for a terminal."""
        tasks = f" (tasks {self.done}/{self.total})" if self.total != self.files else ""
        loaded = f"  loaded {self.loaded}" if self.loaded is not None else ""
        return (f"files {self.files_done}/{self.files}{tasks}  articles {self.articles}{loaded}  failed {self.failed}  "
                f"{self.rate:.0f} articles/s  {self.last}")


@dataclass(slots=True)
class DaskImport:
    """What :func:`import_warcs_dask` did."""

    inputs: int = 0
    tasks: int = 0  # inputs, plus one per extra record range of a large input
    already_mapped: int = 0  # tasks finished by an earlier run (manifest)
    failed_inputs: list[tuple[str, str]] = field(default_factory=list)  # (task label, error) of tasks that died
    counts: dict[str, int] = field(default_factory=dict)
    map_seconds: float = 0.0  # from the start to the last task's end (the load runs meanwhile)
    load_seconds: float = 0.0  # the load left when the map ended
    run_id: int | None = None


def _map_one(part: WarcRange, out_dir: str, settings: Settings, raw: bool) -> dict[str, Any]:
    """The task: extract one input (or record range), write its parts and manifest entry; return the entry."""
    return write_parts(part, extract_warc(part.source, settings, part=part), Path(out_dir), raw=raw)


def _lost(client: Any, exc: BaseException) -> bool:
    """Whether a task's error is the client's connection to the scheduler going away."""
    return getattr(exc, "reason", None) == "scheduler-connection-lost" or client.status not in ("running", "newly-created")


def map_warcs(client: Any, tasks: Sequence[WarcRange], out_dir: Path, *, settings: Settings, raw: bool = True,
              on_progress: Callable[[MapProgress], None] | None = None,
              on_finished: Callable[[WarcRange, dict[str, Any] | None], None] | None = None,
              ) -> tuple[int, list[tuple[str, str]]]:
    """Run the map for the tasks not yet in the manifest; return (already done, failed tasks).

    ``on_finished`` gets each task with its manifest entry (None: the task failed): first the
    tasks finished by an earlier run, in order, then each task as it ends.

    Raises:
        SchedulerLost: the connection to the scheduler went away (the rest of the map is lost, not failed).
    """
    from distributed import as_completed

    done = finished_inputs(out_dir)
    todo = [task for task in tasks if task.id not in done]
    left = {source: 0 for source in dict.fromkeys(task.source for task in tasks)}
    for task in todo:
        left[task.source] += 1
    progress = MapProgress(total=len(tasks), done=len(tasks) - len(todo), files=len(left),
                           files_done=sum(not n for n in left.values()))
    token = uuid.uuid4().hex[:8]  # fresh keys: a long-lived scheduler never hands back an old result
    futures = client.map(_map_one, todo, out_dir=str(out_dir), settings=settings, raw=raw,
                         key=[f"warc-{task.id}-{token}" for task in todo])
    task_of = {future.key: task for future, task in zip(futures, todo)}
    for task in tasks:  # submitted first: the workers start while these load
        if task.id in done and on_finished:
            on_finished(task, done[task.id])
    failed: list[tuple[str, str]] = []
    for future in as_completed(futures):
        task = task_of[future.key]
        progress.last = task.label
        entry = None
        try:
            entry = future.result()
        except (Exception, CancelledError) as exc:  # noqa: BLE001 - KilledWorker, a bug: this task only
            if _lost(client, exc):
                raise SchedulerLost("lost the Dask scheduler; finished tasks are kept: rerun the same command "
                                    "to do the rest", url=getattr(client.scheduler, "address", None)) from exc
            failed.append((task.label, f"{type(exc).__name__}: {exc}"))
            progress.failed += 1
        else:
            progress.articles += entry["counts"]["articles"]
            progress.failed += entry["counts"]["failed"]
        progress.done += 1
        left[task.source] -= 1
        progress.files_done += not left[task.source]
        future.release()
        if on_finished:
            on_finished(task, entry)
        if on_progress:
            on_progress(progress)
    return len(tasks) - len(todo), failed


def import_warcs_dask(sources: Sequence[str | Path], out_dir: str | Path, *, db_path: str | Path | None = None,
                      settings: Settings | None = None, scheduler: str | None = None, workers: int | None = None,
                      client: Any = None, raw: bool = True, on_progress: Callable[[MapProgress], None] | None = None,
                      args: dict[str, Any] | None = None, split_bytes: int | None = DEFAULT_SPLIT_BYTES,
                      on_load: Callable[[dict[str, int]], None] | None = None) -> DaskImport:
    """Extract WARC files on a Dask cluster into a Parquet dataset, and load it into ``db_path`` meanwhile.

    ``client`` (a ``distributed.Client``) wins over ``scheduler`` (an address), which wins over a
    LocalCluster of ``workers`` processes. A file over ``split_bytes`` is split into record ranges
    of about that size, one task each (None: one task per file); keep it the same across reruns.
    Without ``db_path`` only the dataset is written. The import is recorded in the archive's
    ``runs`` table as an ``import-warc`` run (an interrupted one too, with its error); ``on_load``
    gets the committed counters after each batch committed mid-way.

    Raises:
        UsageError: Dask or pyarrow is missing, or the scheduler cannot be reached.
        SchedulerLost: the scheduler went away during the map (what was loaded stays; rerun).
    """
    require_dask()
    settings = settings or Settings()
    names = [str(s) for s in sources]
    tasks = plan_ranges(names, split_bytes)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    result = DaskImport(inputs=len(names), tasks=len(tasks))
    with ExitStack() as stack:
        feed = None if db_path is None else stack.enter_context(_loading(result, Path(db_path), out, tasks, args,
                                                                          on_load))
        dask = client if client is not None else stack.enter_context(dask_client(scheduler, workers))
        started = time.monotonic()

        def show(progress: MapProgress) -> None:
            if feed is not None:
                progress.loaded = feed.loader.articles
            if on_progress:
                on_progress(progress)

        result.already_mapped, result.failed_inputs = map_warcs(
            dask, tasks, out, settings=settings, raw=raw, on_progress=show,
            on_finished=feed.finished if feed is not None else None)
        result.map_seconds = time.monotonic() - started
        if feed is not None:
            started = time.monotonic()
            feed.loader.finish()
            result.load_seconds = time.monotonic() - started
    if feed is None:
        result.counts = {"failed": len(result.failed_inputs)}
    return result


class _InOrder:
    """Feeds the loader the finished tasks' entries in task order, as the prefix of finished tasks grows."""

    def __init__(self, tasks: Sequence[WarcRange], loader: PartsLoader) -> None:
        self.tasks, self.loader = tasks, loader
        self.ended: dict[str, dict[str, Any] | None] = {}
        self.next = 0

    def finished(self, task: WarcRange, entry: dict[str, Any] | None) -> None:
        self.ended[task.id] = entry
        while self.next < len(self.tasks) and self.tasks[self.next].id in self.ended:
            ready = self.ended[self.tasks[self.next].id]
            if ready is not None:  # a failed task has nothing to load; it is recorded as failed
                self.loader.feed(ready)
            self.next += 1


@contextmanager
def _loading(result: DaskImport, db_path: Path, out: Path, tasks: list[WarcRange], args: dict[str, Any] | None,
             on_load: Callable[[dict[str, int]], None] | None) -> Iterator[_InOrder]:
    """The archive, its run, and a loader fed in task order, for the length of the import."""
    from scraper.store.archive import Archive
    from scraper.store.lock import archive_lock

    with archive_lock(db_path), Archive(db_path) as archive:
        result.run_id = archive.start_run("import-warc", {"engine": "dask", **(args or {})})
        loader = PartsLoader(archive, out, run_id=result.run_id, on_loaded=on_load)
        try:
            with loader:  # an error rolls back the open batch: its inputs are loaded by the rerun
                yield _InOrder(tasks, loader)
        except BaseException as exc:
            archive.finish_run(result.run_id, exit_code=130 if isinstance(exc, KeyboardInterrupt) else 1,
                               counts=_run_counts(loader.committed), error=str(exc) or type(exc).__name__)
            raise
        counts = dict(loader.counts)
        for source, error in result.failed_inputs:
            archive.record_failure(run_id=result.run_id, url=source, kind="task", error=error, attempts=1)
        counts["failed"] += len(result.failed_inputs)
        archive.finish_run(result.run_id, exit_code=1 if counts["failed"] else 0, counts=_run_counts(counts))
    result.counts = counts


def _run_counts(counts: dict[str, int]) -> dict[str, int]:
    return {k: counts[k] for k in ("archived", "updated", "unchanged", "skipped", "failed")}


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
