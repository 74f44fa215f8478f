"""`cli.py import-warc --engine dask` and `crawl --engine dask` end to end, interrupted and resumed.

Real processes on 127.0.0.1 only: a `dask scheduler` and `dask worker` started here (or the
CLI's own LocalCluster), the CLI as a subprocess, its inputs 100 small WARC files of generated
articles so that the map is still running when the first input is finished.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

psutil = pytest.importorskip("psutil")
pytest.importorskip("distributed")
pytest.importorskip("pyarrow")

from warcgen import write_generated_warcs  # noqa: E402

from scraper.config import Settings  # noqa: E402
from scraper.crawler.runs import run_archive  # noqa: E402
from scraper.research.warc import import_warcs  # noqa: E402
from scraper.store.archive import Archive  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
ARTICLES, PER_FILE = 400, 4
WAIT = 120.0  # seconds: an upper bound for anything to start or finish on a busy machine
WRITE_TIMES = {"first_archived_at", "updated_at"}
PAGES = "SELECT id, url, final_url, status, headers, fetched_at, content, sha256 FROM pages ORDER BY id"


@pytest.fixture(scope="module")
def warcs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return write_generated_warcs(tmp_path_factory.mktemp("gen") / "w", ARTICLES, PER_FILE)


@pytest.fixture(scope="module")
def single(warcs: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The one-process import of the same files: what every resumed run must equal."""
    db = tmp_path_factory.mktemp("single") / "single.db"
    with Archive(db) as archive:
        assert import_warcs(archive, warcs)["archived"] == ARTICLES
    return db


def articles(db: Path, times: set[str] = WRITE_TIMES) -> dict[str, dict[str, object]]:
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        return {row["url"]: {k: row[k] for k in row.keys() if k not in times}
                for row in conn.execute("SELECT * FROM articles")}


def rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def cli(*args: str) -> list[str]:
    return [sys.executable, str(ROOT / "cli.py"), *args]


def import_args(warcs: list[Path], tmp: Path, *extra: str) -> list[str]:
    return cli("import-warc", *map(str, warcs), "--engine", "dask", "--db", str(tmp / "dask.db"),
               "--out", str(tmp / "parts"), *extra)


def manifest(tmp: Path) -> list[Path]:
    return sorted((tmp / "parts" / "_manifest").glob("*.json"))


def wait_for_first_entry(proc: subprocess.Popen[str], tmp: Path) -> None:
    deadline = time.monotonic() + WAIT
    while not manifest(tmp) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert manifest(tmp) and proc.poll() is None, "the run should be mid-map: one input done, the CLI still running"


def alive(processes: list[object]) -> list[int]:
    out = []
    for process in processes:
        with contextlib.suppress(psutil.NoSuchProcess):
            if process.is_running() and process.status() != psutil.STATUS_ZOMBIE:  # type: ignore[attr-defined]
                out.append(process.pid)  # type: ignore[attr-defined]
    return out


def assert_same_as_single(db: Path, single: Path) -> None:
    """Every article exactly once, byte for byte as the one-process import (raw pages too)."""
    assert articles(db) == articles(single)
    assert rows(db, PAGES) == rows(single, PAGES)
    assert rows(db, "SELECT count(*) FROM articles_fts") == [(ARTICLES,)]


@pytest.mark.parametrize("to_group", [False, True], ids=["kill-INT-the-CLI", "terminal-Ctrl-C-to-the-group"])
def test_ctrl_c_mid_map_exits_130_with_one_line_and_no_worker_left(
        warcs: list[Path], single: Path, tmp_path: Path, to_group: bool) -> None:
    proc = subprocess.Popen(import_args(warcs, tmp_path, "--workers", "2", "--quiet"), text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        wait_for_first_entry(proc, tmp_path)
        children = psutil.Process(proc.pid).children(recursive=True)
        assert len(children) >= 2  # the two worker processes (and multiprocessing's helper)
        if to_group:  # as a terminal does: the CLI and its workers (its own session: nothing else)
            os.killpg(proc.pid, signal.SIGINT)
        else:
            proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=WAIT)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130, err
    assert err.splitlines() == ["error: interrupted"] and out == ""
    assert len(manifest(tmp_path)) < len(warcs)  # stopped mid-map
    deadline = time.monotonic() + 30
    while alive(children) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert alive(children) == []
    rerun = subprocess.run(import_args(warcs, tmp_path, "--workers", "2"), capture_output=True, text=True,
                           timeout=WAIT * 2)
    assert rerun.returncode == 0, rerun.stderr
    assert_same_as_single(tmp_path / "dask.db", single)
    # Progress: one line per input finished now, then the counts.
    progress = rerun.stderr.splitlines()
    pattern = re.compile(r"files (\d+)/100  articles \d+  loaded \d+  failed 0  \d+ articles/s  \S+\.warc\.gz")
    assert progress and all(pattern.fullmatch(line) for line in progress), progress[:3]
    assert progress[-1].startswith("files 100/100  articles ")
    assert rerun.stdout.startswith("files 100, archived 400, updated 0, unchanged 0, skipped 0, failed 0")
    # Both runs are recorded: the interrupted one with exit 130 and what it committed (the load runs
    # during the map, a batch at a time), the rerun with the rest.
    runs = rows(tmp_path / "dask.db", "SELECT id, command, archived, exit_code, error, json_extract(args, '$.engine')"
                                      " FROM runs")
    assert [(r[1], r[3], r[4], r[5]) for r in runs] == [("import-warc", 130, "KeyboardInterrupt", "dask"),
                                                        ("import-warc", 0, None, "dask")]
    assert sum(r[2] for r in runs) == ARTICLES


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def dask_cluster(workers: int = 2) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A `dask scheduler` and `dask worker` processes on 127.0.0.1; yields (address, scheduler process)."""
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    started = [subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                                 "--port", str(port), "--no-dashboard"], start_new_session=True,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        started.append(subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", address, "--host",
                                         "127.0.0.1", "--nworkers", str(workers), "--nthreads", "1", "--no-dashboard"],
                                        start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        from distributed import Client

        with Client(address, timeout=WAIT) as client:
            client.wait_for_workers(workers, timeout=WAIT)
        yield address, started[0]
    finally:
        for process in started:  # each in its own session: its group is only what it started
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_killed_scheduler_is_one_line_and_a_rerun_on_a_new_one_completes(
        warcs: list[Path], single: Path, tmp_path: Path) -> None:
    split = ("--split-bytes", "7000")  # ~13 kB files: two record ranges each, 200 tasks
    with dask_cluster() as (address, scheduler):
        proc = subprocess.Popen(import_args(warcs, tmp_path, "--scheduler", address, "--quiet", *split), text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            wait_for_first_entry(proc, tmp_path)
            scheduler.kill()
            out, err = proc.communicate(timeout=WAIT)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert proc.returncode == 1, err
    assert err.splitlines() == [f"error: {address}: lost the Dask scheduler; finished tasks are kept: "
                                "rerun the same command to do the rest"]
    done_before = len(manifest(tmp_path))
    assert 0 < done_before < 2 * len(warcs)
    # What the lost run loaded stays, whole inputs only: the articles are exactly those of the inputs marked loaded.
    loaded = {row[0] for row in rows(tmp_path / "dask.db", "SELECT input_id FROM warc_inputs_loaded")}
    entries = [json.loads(path.read_text()) for path in manifest(tmp_path)]
    expected = sum(entry["counts"]["articles"] for entry in entries if entry["input_id"] in loaded)
    assert rows(tmp_path / "dask.db", "SELECT count(*) FROM articles") == [(expected,)]
    assert rows(tmp_path / "dask.db", "SELECT exit_code FROM runs") == [(1,)]
    with dask_cluster() as (address, _scheduler):
        rerun = subprocess.run(import_args(warcs, tmp_path, "--scheduler", address, *split), capture_output=True,
                               text=True, timeout=WAIT * 2)
    assert rerun.returncode == 0, rerun.stderr
    progress = rerun.stderr.splitlines()
    assert len(progress) == 2 * len(warcs) - done_before  # only the unfinished tasks were submitted
    assert progress[-1].startswith("files 100/100 (tasks 200/200)  articles ")
    assert_same_as_single(tmp_path / "dask.db", single)


CRAWL_TIMES = WRITE_TIMES | {"fetched_at", "page_id"}  # differ between two crawls of the same pages


def test_cli_crawl_engine_dask_shards_2_merges_into_the_full_crawl(tmp_path: Path, two_shard_seeds: list[str]) -> None:
    run_archive(tmp_path / "full.db", two_shard_seeds, Settings(delay=0, workers=0))
    proc = subprocess.run(cli("crawl", *two_shard_seeds, "--engine", "dask", "--shards", "2", "--delay", "0",
                              "--db", str(tmp_path / "all.db")), capture_output=True, text=True, timeout=WAIT * 2)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    shards = [tmp_path / "all.db.shards" / f"shard-{k}.db" for k in (1, 2)]
    assert sorted(len(articles(p)) for p in shards) == [10, 10]
    assert articles(tmp_path / "all.db", CRAWL_TIMES) == articles(tmp_path / "full.db", CRAWL_TIMES)
    assert len(articles(tmp_path / "full.db")) == 20
