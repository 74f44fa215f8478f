"""WARC import on Dask against today's single-process import-warc (issue 14). Prints one table, asserts nothing.

    python benchmarks/dask_import.py [--pages 20000] [--cache /tmp/news-archiver-warcs] [--prepare-only] [--rounds N]

1. Prepare (cached under ``--cache``, reused by later runs): serve ``GeneratedSite(N)`` from a
   separate process on 127.0.0.1 and crawl it with ``--warc`` (files rotated at ~2 MB, so
   there are many inputs to spread over workers).
2. In the same run, time over the same WARC files:
   - ``import_warcs`` (today's path, one process) into a fresh archive;
   - ``import_warcs_dask`` with a LocalCluster of 1 worker process, then of 2: the map
     (extraction to Parquet parts, with the load running meanwhile) and the load left after
     the map timed apart;
   - the one SQLite writer alone: ``load_parts`` of the 2-worker dataset into a fresh archive;
   - the per-task overhead of the scheduler: 200 empty tasks, round trip per task;
   - what a record range (``--split-bytes``) costs before its first record: walking every
     record offset of every file without extracting (the most a range's task walks is its file).
Every figure comes from the same run, so ratios compare like with like on a busy machine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.run import SiteServer  # noqa: E402

WARC_FILE_BYTES = 2 * 1024 * 1024


def prepare(pages: int, cache: Path) -> list[Path]:
    """The WARC files of a crawl of GeneratedSite(pages), made once and cached."""
    from scraper.config import Settings
    from scraper.crawler.runs import run_archive

    warcs = cache / f"site-{pages}" / "warcs"
    done = cache / f"site-{pages}" / "DONE"
    if not done.exists():
        shutil.rmtree(warcs.parent, ignore_errors=True)
        warcs.mkdir(parents=True)
        server = SiteServer(pages)
        try:
            started = time.monotonic()
            settings = Settings(delay=0, concurrency=16, warc_dir=str(warcs), warc_max_bytes=WARC_FILE_BYTES)
            summary = run_archive(warcs.parent / "crawl.db", [server.base + "/"], settings)
            print(f"prepared: crawled {summary.fetched} pages, {summary.archived} articles in "
                  f"{time.monotonic() - started:.0f}s", file=sys.stderr)
        finally:
            server.close()
        done.write_text("ok\n")
    return sorted(warcs.glob("*.warc.gz"))


def _time(label: str, call: object) -> tuple[float, object]:
    started = time.monotonic()
    result = call()  # type: ignore[operator]
    seconds = time.monotonic() - started
    print(f"{label}: {seconds:.1f}s", file=sys.stderr)
    return seconds, result


def task_overhead(client: object, tasks: int = 200) -> float:
    """Seconds per empty task, submitted and gathered through the scheduler."""
    started = time.monotonic()
    futures = client.map(abs, range(tasks), pure=False)  # type: ignore[attr-defined]
    client.gather(futures)  # type: ignore[attr-defined]
    return (time.monotonic() - started) / tasks


def range_walk(files: list[Path]) -> float:
    """Seconds to walk every record offset of every file (what a record range skips), nothing extracted."""
    from scraper.research.warc_ranges import first_record_at

    started = time.monotonic()
    for path in files:
        with open(path, "rb") as fh:
            assert first_record_at(fh, path.stat().st_size) is None
    return time.monotonic() - started


def dask_run(files: list[Path], work: Path, workers: int, round_: int,
             rounds: int) -> tuple[float, object, list[tuple[str, str, str]]]:
    """One ``import_warcs_dask`` on a fresh LocalCluster of ``workers`` processes into fresh parts and archive."""
    from distributed import Client, LocalCluster

    from scraper.research.distributed import import_warcs_dask

    rows = []
    tag = f", round {round_ + 1}" if rounds > 1 else ""
    started = time.monotonic()
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster) as client:
        client.wait_for_workers(workers)
        rows.append((f"local cluster start, {workers} worker(s){tag}", f"{time.monotonic() - started:.1f} s",
                     "not in the totals below"))
        if workers == 1 and round_ == 0:
            per_task = task_overhead(client)
            rows.append(("scheduler overhead per task", f"{per_task * 1000:.2f} ms", "200 empty tasks"))
        total, result = _time(f"dask {workers} worker(s){tag}", lambda: import_warcs_dask(
            files, work / f"parts-{workers}-{round_}", db_path=work / f"dask-{workers}-{round_}.db", client=client))
    rows.append((f"dask, {workers} worker(s){tag}: total", f"{total:.1f} s",
                 f"{result.counts['archived'] / total:.0f} articles/s; "  # type: ignore[attr-defined]
                 f"map {result.map_seconds:.1f} s (loading meanwhile), "  # type: ignore[attr-defined]
                 f"load left after the map {result.load_seconds:.1f} s"))  # type: ignore[attr-defined]
    return total, result, rows


def measure(files: list[Path], work: Path, rounds: int = 1) -> list[tuple[str, str, str]]:
    """Rows (measure, value, note)."""
    from scraper.research.parquet_load import load_parts
    from scraper.research.warc import import_warcs
    from scraper.store.archive import Archive

    rows: list[tuple[str, str, str]] = []
    with Archive(work / "single.db") as archive:
        single, counts = _time("single-process import_warcs", lambda: import_warcs(archive, files))
    articles = counts["archived"]  # type: ignore[index]
    rows.append(("single process (today's path)", f"{single:.1f} s", f"{articles / single:.0f} articles/s"))
    walk = range_walk(files)
    rows.append(("record ranges: walking all offsets", f"{walk:.1f} s",
                 f"{walk / single:.1%} of the one-process import; what a range's task skips, at most its file"))
    totals: dict[int, list[float]] = {1: [], 2: []}
    maps: dict[int, list[float]] = {1: [], 2: []}
    for round_ in range(rounds):  # 1 and 2 workers in turn, so drift in the machine's load hits both
        for workers in (1, 2):
            total, result, more = dask_run(files, work, workers, round_, rounds)
            totals[workers].append(total)
            maps[workers].append(result.map_seconds)  # type: ignore[attr-defined]
            rows += more
    with Archive(work / "loader.db") as archive:
        alone, counts = _time("load_parts alone", lambda: load_parts(archive, work / "parts-2-0", files))
    rows.append(("one SQLite writer alone (load_parts)", f"{alone:.1f} s",
                 f"{counts['archived'] / alone:.0f} articles/s"))  # type: ignore[index]
    ratios = [one / two for one, two in zip(totals[1], totals[2])]
    rows.append(("2 workers vs 1 (target >= 1.7x)", " ".join(f"{r:.2f}x" for r in ratios),
                 "total time ratio" + (f", each round; median {statistics.median(ratios):.2f}x" if rounds > 1 else "")))
    rows.append(("2 workers vs 1, map only", " ".join(f"{one / two:.2f}x" for one, two in zip(maps[1], maps[2])),
                 "extraction to Parquet, loading meanwhile"))
    rows.append(("dask 1 worker vs single (target <= 1.15x)", f"{statistics.median(totals[1]) / single:.2f}x",
                 "total time ratio" + (" (median of the rounds)" if rounds > 1 else "")))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=20000)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "news-archiver-warcs")
    parser.add_argument("--prepare-only", action="store_true")
    parser.add_argument("--rounds", type=int, default=1, help="time 1 and 2 workers this many times, in turn")
    args = parser.parse_args()
    files = prepare(args.pages, args.cache)
    print(f"{len(files)} WARC files, {sum(f.stat().st_size for f in files) / 1e6:.0f} MB", file=sys.stderr)
    if args.prepare_only:
        return
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="dask-bench-") as tmp:
        rows = measure(files, Path(tmp), args.rounds)
    print(f"load average before: {load:.2f}, after: {os.getloadavg()[0]:.2f} (2 cores)")
    print(f"{'measure':<45} {'value':>10}  note")
    for name, value, note in rows:
        print(f"{name:<45} {value:>10}  {note}")


if __name__ == "__main__":
    main()
