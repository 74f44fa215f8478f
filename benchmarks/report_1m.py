"""How long `cli.py report` takes on a generated archive of a million articles.

    .venv/bin/python benchmarks/report_1m.py                    # 1,000,000 articles in a temporary archive
    .venv/bin/python benchmarks/report_1m.py --articles 100000  # smaller
    .venv/bin/python benchmarks/report_1m.py --db big.db --keep # keep the archive (a rerun reuses it)

The archive is made by ``scraper.store.Archive`` (the real schema, its triggers and the
full-text index) and filled with bulk ``INSERT``s of synthetic rows: 8 sites over three
years with a dead week per site, a realistic date-source mix, undated articles, two
languages, a few page types, 2,000 runs with failures, and syndication clusters spread
over several sites. Bodies are short (the report never reads them: its queries read the
covering indexes). Then it times ``cli.py report`` as a user runs it (a subprocess,
imports included), and the same with ``--png``. It prints figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scraper.store.archive import Archive  # noqa: E402

SITES = [f"news{i}.example.kz" for i in range(8)]
SOURCES = ["jsonld", "meta", "dateline", "url", "feed", "sitemap", None]
START = date(2022, 1, 1)
DAYS = 3 * 365


def _articles(count: int, rng: random.Random) -> Iterator[tuple]:
    dead = {site: START + timedelta(days=rng.randrange(DAYS - 7)) for site in SITES}
    for i in range(count):
        site = SITES[i % len(SITES)]
        day = START + timedelta(days=rng.randrange(DAYS))
        while dead[site] <= day < dead[site] + timedelta(days=7):  # the week the crawler was down
            day = START + timedelta(days=rng.randrange(DAYS))
        source = SOURCES[rng.randrange(len(SOURCES))]
        published = f"{day.isoformat()}T{rng.randrange(24):02d}:00:00+05:00" if source else None
        fetched = (day + timedelta(days=rng.randrange(3))).isoformat() + "T03:00:00Z"
        # One article in twenty is syndicated: its cluster is shared with the same story on other sites.
        cluster = f"https://{SITES[0]}/story-{i // 40}" if i % 20 == 0 else f"https://{site}/a/{i}"
        yield (
            f"https://{site}/a/{i}", site, f"section-{i % 12}", f"Headline number {i}", "A short lede.",
            published, source, f"Body of article {i} about the steppe.", "[]", "[]",
            "ru" if i % 3 else "en", 7, f"h{i}", "article" if i % 25 else "listing", fetched, 200, "bench", 1, cluster,
        )


def generate(path: Path, count: int, seed: int = 1) -> float:
    """Fill a new archive at ``path`` with ``count`` articles; return the seconds it took."""
    began = time.perf_counter()
    with Archive(path):  # creates the real schema (tables, indexes, FTS triggers)
        pass
    rng = random.Random(seed)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous = OFF")
    with conn:
        conn.executemany(
            "INSERT INTO articles (url, site, section, headline, lede, published, date_source, body, authors, related,"
            " language, word_count, content_hash, page_type, fetched_at, status, extractor_version, version, cluster_id)"
            " VALUES (" + ", ".join("?" * 19) + ")",
            _articles(count, rng),
        )
        now = datetime(2022, 1, 1, 3, tzinfo=timezone.utc)
        for run in range(1, 2001):
            started = (now + timedelta(hours=13 * run)).isoformat()
            failed = rng.randrange(30)
            conn.execute(
                "INSERT INTO runs (id, command, args, started_at, ended_at, fetched, archived, updated, unchanged,"
                " not_modified, skipped, failed, exit_code) VALUES (?, 'crawl', '{}', ?, ?, ?, ?, 0, 0, 0, 0, ?, ?)",
                [run, started, started, count // 2000 + failed, count // 2000, failed, 1 if failed else 0],
            )
            conn.executemany(
                "INSERT INTO failures (run_id, url, kind, error, attempts, status, at) VALUES (?, ?, ?, ?, 3, ?, ?)",
                [(run, f"https://{SITES[k % 8]}/broken/{run}-{k}", ["timeout", "http", "robots", "extract"][k % 4],
                  "synthetic failure", 503, started) for k in range(failed)],
            )
    conn.execute("PRAGMA optimize")
    conn.close()
    return time.perf_counter() - began


def _time_report(db: Path, out: Path, *extra: str) -> float:
    began = time.perf_counter()
    result = subprocess.run([sys.executable, str(ROOT / "cli.py"), "report", "--db", str(db), "-o", str(out), *extra],
                            capture_output=True, text=True, timeout=600)
    elapsed = time.perf_counter() - began
    if result.returncode != 0:
        raise SystemExit(f"report failed: {result.stderr.strip()}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, default=None, help="Archive path (default: a temporary file).")
    parser.add_argument("--keep", action="store_true", help="Keep the archive afterwards.")
    opts = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="report-bench-"))
    db = opts.db or workdir / "archive.db"
    if db.exists():
        print(f"reusing {db}", file=sys.stderr)
    else:
        print(f"generating {opts.articles:,} articles into {db} ...", file=sys.stderr)
        print(f"generate: {generate(db, opts.articles):.1f} s ({db.stat().st_size / 1e6:,.0f} MB)")
    print(f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    # The first report after generating or opening the archive may find less of it in the page cache.
    print(f"report (first): {_time_report(db, workdir / 'r0.html'):.2f} s")
    print(f"report: {_time_report(db, workdir / 'r1.html'):.2f} s")
    print(f"report --site {SITES[3]}: {_time_report(db, workdir / 'r2.html', '--site', SITES[3]):.2f} s")
    print(f"report --png: {_time_report(db, workdir / 'r3.html', '--png', str(workdir / 'png')):.2f} s")
    print(f"report size: {(workdir / 'r1.html').stat().st_size / 1e6:.2f} MB")
    if not opts.keep and opts.db is None:
        for name in ("archive.db", "archive.db-wal", "archive.db-shm"):
            (workdir / name).unlink(missing_ok=True)


if __name__ == "__main__":
    main()
