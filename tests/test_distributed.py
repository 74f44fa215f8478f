"""WARC import and sharded crawls on a real Dask cluster: a scheduler and two worker processes on 127.0.0.1."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed")
pa_dataset = pytest.importorskip("pyarrow.dataset")

from scraper.config import Settings  # noqa: E402
from scraper.crawler.runs import run_archive  # noqa: E402
from scraper.research.demo_site import StaticSite  # noqa: E402
from scraper.research.distributed import MapProgress, crawl_shards, import_warcs_dask  # noqa: E402
from scraper.research.parquet_load import load_parts  # noqa: E402
from scraper.research.parquet_parts import finished_inputs, write_parts  # noqa: E402
from scraper.research.warc import extract_warc, import_warcs  # noqa: E402
from scraper.store.archive import Archive  # noqa: E402
from scraper.store.merge import merge_archives  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FIXTURE_SITE = ROOT / "fixtures" / "site"
# Archive bookkeeping that records when a row was written, not what it holds.
WRITE_TIMES = {"first_archived_at", "updated_at"}


@pytest.fixture(scope="module")
def client() -> Iterator[object]:
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                       dashboard_address=None)
    with cluster, distributed.Client(cluster) as dask:
        dask.wait_for_workers(2, timeout=60)
        yield dask


@pytest.fixture(scope="module")
def warcs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The fixture site crawled with --warc, rotated small so there are several input files."""
    tmp = tmp_path_factory.mktemp("warcs")
    with StaticSite(FIXTURE_SITE) as site:
        run_archive(tmp / "crawl.db", [site.url("/")], Settings(delay=0, warc_dir=str(tmp / "w"),
                                                                warc_max_bytes=6000, workers=0))
    files = sorted((tmp / "w").glob("*.warc.gz"))
    assert len(files) >= 4
    return files


def table(db: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return sorted(conn.execute(sql).fetchall())


def articles(db: Path) -> dict[str, dict[str, object]]:
    """Every article row, every column but the write times, keyed by url."""
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        return {row["url"]: {k: row[k] for k in row.keys() if k not in WRITE_TIMES}
                for row in conn.execute("SELECT * FROM articles")}


PAGES = "SELECT id, url, final_url, status, headers, fetched_at, content, codec, raw_size, sha256, http_version FROM pages"


@pytest.mark.parametrize("split_bytes", [None, 2000], ids=["file-per-task", "record-ranges"])
def test_dask_import_matches_single_process_and_resumes_from_the_manifest(
        client: object, warcs: list[Path], tmp_path: Path, split_bytes: int | None) -> None:
    with Archive(tmp_path / "single.db") as archive:
        single = import_warcs(archive, warcs)
    assert single["archived"] == 10
    out = tmp_path / "parts"
    # An interrupted first run: only the first two inputs were mapped, nothing loaded.
    first = import_warcs_dask([str(w) for w in warcs[:2]], out, client=client, split_bytes=split_bytes)
    assert first.already_mapped == 0 and not first.failed_inputs
    seen: list[MapProgress] = []
    result = import_warcs_dask([str(w) for w in warcs], out, db_path=tmp_path / "dask.db", client=client,
                               on_progress=seen.append, split_bytes=split_bytes)
    assert result.already_mapped == first.tasks and not result.failed_inputs
    if split_bytes:  # every fixture file (6-12 kB) is several tasks, some holding no record at all
        assert first.tasks > 2 and result.tasks == sum(-(-w.stat().st_size // split_bytes) for w in warcs)
        entries = [json.loads(p.read_text()) for p in (out / "_manifest").glob("*.json")]
        assert len(entries) == result.tasks and {e["input"] for e in entries} == {str(w) for w in warcs}
        assert sum(1 for e in entries if e["counts"]["articles"] and e["start"] > 0) >= 1
    else:
        assert result.tasks == len(warcs)
    assert seen[-1].done == result.tasks and seen[-1].files_done == seen[-1].files == len(warcs)
    assert len(_dataset_rows(out)) == 10
    assert {k: result.counts[k] for k in ("archived", "updated", "unchanged", "skipped", "failed")} == {
        k: single[k] for k in ("archived", "updated", "unchanged", "skipped", "failed")}
    dask_db = tmp_path / "dask.db"
    assert articles(dask_db) == articles(tmp_path / "single.db")  # byte for byte, cluster ids included
    for sql in (PAGES, "SELECT * FROM related_links", "SELECT url, content_hash, signature FROM minhashes",
                "SELECT url, kind, error FROM failures"):
        assert table(dask_db, sql) == table(tmp_path / "single.db", sql), sql
    assert table(dask_db, "SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'Almaty'")
    assert table(dask_db, "SELECT command, archived, exit_code FROM runs") == [("import-warc", 10, 0)]
    # The dataset: Hive-partitioned by site and month, the export columns first.
    names = pa_dataset.dataset(out, format="parquet", partitioning="hive").schema.names
    assert names[:3] == ["url", "canonical_url", "site"] and "month" in names and "page_content" in names
    # A rerun maps nothing and loads nothing.
    again = import_warcs_dask([str(w) for w in warcs], out, db_path=dask_db, client=client, split_bytes=split_bytes)
    assert again.already_mapped == result.tasks and again.counts["archived"] == 0
    assert again.counts["already"] == result.tasks
    assert articles(dask_db) == articles(tmp_path / "single.db") and table(dask_db, PAGES) == table(tmp_path / "single.db", PAGES)


def _dataset_rows(out: Path) -> list[dict[str, object]]:
    return pa_dataset.dataset(out, format="parquet", partitioning="hive").to_table(columns=["url"]).to_pylist()


def test_sharded_crawl_as_dask_tasks_merges_into_the_full_crawl(client: object, tmp_path: Path) -> None:
    with StaticSite(FIXTURE_SITE) as one, StaticSite(FIXTURE_SITE) as two:
        seeds = [one.url("/"), two.url("/")]
        run_archive(tmp_path / "full.db", seeds, Settings(delay=0, workers=0))
        shards = crawl_shards(seeds, Settings(delay=0), tmp_path / "shards", 2, client=client)
    assert [p.name for p, _ in shards] == ["shard-1.db", "shard-2.db"]
    with Archive(tmp_path / "all.db") as archive:
        merge_archives(archive, [p for p, _ in shards])
    assert set(articles(tmp_path / "all.db")) == set(articles(tmp_path / "full.db"))
    assert len(articles(tmp_path / "full.db")) == 20
    assert sum(c["archived"] for _, c in shards) == 20


def test_a_worker_killed_mid_run_loses_nothing_and_duplicates_nothing(
        client: object, warcs: list[Path], tmp_path: Path) -> None:
    with Archive(tmp_path / "single.db") as archive:
        import_warcs(archive, warcs)
    pids = list(client.run(os.getpid).values())  # type: ignore[attr-defined]
    killed: list[int] = []

    def kill_one(progress: MapProgress) -> None:
        if not killed and progress.done < progress.total:
            os.kill(pids[0], signal.SIGKILL)
            killed.append(pids[0])

    out, db = tmp_path / "parts", tmp_path / "dask.db"
    result = import_warcs_dask([str(w) for w in warcs], out, db_path=db, client=client, on_progress=kill_one)
    assert killed
    if result.failed_inputs:  # the scheduler gave up on a task: a rerun finishes it
        import_warcs_dask([str(w) for w in warcs], out, db_path=db, client=client)
    assert articles(db) == articles(tmp_path / "single.db")
    assert table(db, PAGES) == table(tmp_path / "single.db", PAGES)
    client.wait_for_workers(2, timeout=60)  # type: ignore[attr-defined]


def test_missing_dask_extra_is_one_line_naming_it(warcs: list[Path], tmp_path: Path) -> None:
    # Make `import distributed` fail in the child, as on a machine without the extra.
    blocker = tmp_path / "block" / "distributed"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text("raise ImportError('no distributed here')\n")
    env = {**os.environ, "PYTHONPATH": f"{blocker.parent}{os.pathsep}{ROOT}"}
    proc = subprocess.run([sys.executable, str(ROOT / "cli.py"), "import-warc", str(warcs[0]), "--engine", "dask",
                           "--db", str(tmp_path / "a.db")], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == ["error: the Dask engine needs its extra: pip install -e '.[dask]'"]
    assert not (tmp_path / "a.db").exists()


def test_inputs_from_a_list_file_and_file_urls(warcs: list[Path], tmp_path: Path) -> None:
    listing = tmp_path / "warcs.txt"
    listing.write_text("# the crawl's files\n" + "".join(f"file://{w}\n" for w in warcs[1:]))
    proc = subprocess.run([sys.executable, str(ROOT / "cli.py"), "import-warc", str(warcs[0]), f"@{listing}",
                           "--db", str(tmp_path / "a.db")], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert len(articles(tmp_path / "a.db")) == 10
    missing = subprocess.run([sys.executable, str(ROOT / "cli.py"), "import-warc", str(tmp_path / "nope.warc.gz"),
                              "--db", str(tmp_path / "b.db")], capture_output=True, text=True, timeout=60)
    assert missing.returncode == 2 and missing.stderr.strip() == f"error: {tmp_path / 'nope.warc.gz'}: no such WARC file"


def test_loader_commits_in_batches_and_a_damaged_part_is_mapped_again(warcs: list[Path], tmp_path: Path) -> None:
    # The workers' side, without a cluster: the same function a task runs.
    out = tmp_path / "parts"
    entries = [write_parts(w, extract_warc(w, Settings()), out) for w in warcs]
    with Archive(tmp_path / "single.db") as archive:
        import_warcs(archive, warcs)
    damaged = next(e for e in entries[1:] if e["counts"]["articles"])
    (out / damaged["parts"][0]).write_bytes(b"not a parquet file")
    db = tmp_path / "load.db"
    batches: list[dict[str, int]] = []
    with Archive(db) as archive:
        counts = load_parts(archive, out, warcs, batch_articles=1, on_loaded=batches.append)
    assert counts["loaded"] == len(warcs) - 1 and counts["failed"] == 1
    assert len(batches) == len(warcs)  # one commit per input at this batch size, the damaged one too
    assert [b["loaded"] for b in batches] == sorted(b["loaded"] for b in batches) and batches[-1] == counts
    failure = table(db, "SELECT url, kind, error FROM failures")
    assert failure[0][:2] == (damaged["input"], "parquet") and "cannot read its Parquet parts" in str(failure[0][2])
    assert damaged["input_id"] not in finished_inputs(out)  # out of the manifest: a rerun maps it again
    assert len(articles(db)) == 10 - damaged["counts"]["articles"]
    write_parts(damaged["input"], extract_warc(damaged["input"], Settings()), out)
    with Archive(db) as archive:
        again = load_parts(archive, out, warcs)
    assert (again["loaded"], again["already"], again["archived"]) == (1, len(warcs) - 1, damaged["counts"]["articles"])
    loaded, single = articles(db), articles(tmp_path / "single.db")
    order_bound = {"page_id", "cluster_id"}  # the damaged input's pages were stored last
    assert {u: {k: v for k, v in row.items() if k not in order_bound} for u, row in loaded.items()} == {
        u: {k: v for k, v in row.items() if k not in order_bound} for u, row in single.items()}


def test_parts_keep_statistics_only_on_the_columns_readers_filter_on(warcs: list[Path], tmp_path: Path) -> None:
    """Min/max of a raw page or a body is two copies of it per file; of site and published it lets DuckDB skip files."""
    import pyarrow.parquet as pq

    out = tmp_path / "parts"
    entry = next(e for e in (write_parts(w, extract_warc(w, Settings()), out) for w in warcs) if e["parts"])
    meta = pq.read_metadata(out / entry["parts"][0]).row_group(0)
    columns = {meta.column(i).path_in_schema: meta.column(i) for i in range(meta.num_columns)}
    assert columns["site"].is_stats_set and columns["published"].is_stats_set
    assert not columns["page_content"].is_stats_set and not columns["body"].is_stats_set
    assert "PLAIN_DICTIONARY" not in columns["body"].encodings and "RLE_DICTIONARY" not in columns["body"].encodings
