"""Benchmarks of the crawler against a bare pipeline (issue 5). Prints one table, asserts nothing.

    python benchmarks/run.py [--sizes 1000,5000,20000] [--quick] [--skip-extract] [--skip-store]

Every crawl goes to a generated KazPost-style site served on 127.0.0.1 by a
separate process (so the server never shares the measured process's GIL).
Our crawl (``cli.py crawl``) and the bare pipeline (``benchmarks/bare.py``) run
as subprocesses; their memory is sampled from ``/proc`` over the whole process
tree (the crawler's forkserver and extraction workers included).
See ``benchmarks/README.md`` for what each figure means.
"""

from __future__ import annotations

import argparse
import gzip
import multiprocessing
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: make ``scraper`` and ``benchmarks`` importable

from benchmarks.sitegen import GeneratedSite, serve

PYTHON = sys.executable
EVAL_PAGES = ROOT.parent / "shared" / "eval" / "body" / "pages"
FIXTURE_ORIGIN = "http://127.0.0.1:8765"  # the fixture site's placeholder origin: data, never fetched
SAMPLE_SECONDS = 0.2
TICKS = os.sysconf("SC_CLK_TCK")
MB = 1024 * 1024

Row = tuple[str, str, str, str, str, str]  # measure, N, ours, reference, ratio, target


# -- the site server, in its own process -------------------------------------------------------

def _serve_forever(n_articles: int, conn: Connection) -> None:
    """Child process: serve a generated site, send its base URL, wait to be terminated."""
    import http.server

    from benchmarks import sitegen

    # Only in this child process: send headers and body without Nagle's 40 ms wait for a
    # delayed ACK (two writes per response), and queue 16 simultaneous connects.
    sitegen._Handler.disable_nagle_algorithm = True
    http.server.ThreadingHTTPServer.request_queue_size = 64
    _server, base = serve(GeneratedSite(n_articles))
    conn.send(base)
    threading.Event().wait()


class SiteServer:
    """A generated site of ``n`` articles served by a separate process."""

    def __init__(self, n: int) -> None:
        ctx = multiprocessing.get_context("spawn")
        parent, child = ctx.Pipe()
        self.process = ctx.Process(target=_serve_forever, args=(n, child), daemon=True)
        self.process.start()
        if not parent.poll(120):
            self.process.terminate()
            raise RuntimeError("site server did not start")
        self.base: str = parent.recv()
        self.site = GeneratedSite(n)  # same seed: same paths as the served one

    def close(self) -> None:
        self.process.terminate()
        self.process.join(10)


# -- memory of a process tree ------------------------------------------------------------------

def _tree(pid: int) -> list[int]:
    """``pid`` and all its descendants (via /proc/PID/task/TID/children)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                todo.extend(int(c) for c in Path(f"/proc/{p}/task/{task}/children").read_text().split())
        except OSError:  # exited between two reads
            continue
    return out


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process so far (fields 14 and 15 of /proc/PID/stat)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def _memory_kb(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in kB; PSS shares pages fairly between forked processes."""
    rss = pss = 0
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Rss:"):
                rss = int(line.split()[1])
            elif line.startswith("Pss:"):
                pss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss


@dataclass
class Peak:
    """Peak memory of a process tree, sampled every ``SAMPLE_SECONDS``."""

    rss_sum: int = 0  # kB, RSS summed over the tree (counts shared pages more than once)
    pss_sum: int = 0  # kB, PSS summed over the tree
    rss_max: int = 0  # kB, the largest single process
    processes: int = 0
    cpu: dict[int, float] = field(default_factory=dict)  # pid -> CPU seconds, last sample

    @property
    def cpu_seconds(self) -> float:
        """CPU time of the whole tree, summed over every process seen."""
        return sum(self.cpu.values())


def _sampler(pid: int, peak: Peak, done: threading.Event) -> threading.Thread:
    """A thread updating ``peak`` from the process tree of ``pid`` until ``done`` is set."""

    def sample() -> None:
        while not done.wait(SAMPLE_SECONDS):
            pids = _tree(pid)
            mems = [_memory_kb(p) for p in pids]
            peak.rss_sum = max(peak.rss_sum, sum(m[0] for m in mems))
            peak.pss_sum = max(peak.pss_sum, sum(m[1] for m in mems))
            peak.rss_max = max([peak.rss_max] + [m[0] for m in mems])
            peak.processes = max(peak.processes, len(pids))
            # The last sample of each process: at most SAMPLE_SECONDS of its CPU time is missed.
            peak.cpu.update((p, _cpu_seconds(p)) for p in pids)

    return threading.Thread(target=sample, daemon=True)


def run_measured(cmd: list[str], timeout: float) -> tuple[float, Peak, subprocess.CompletedProcess[str]]:
    """Run ``cmd``; return (wall seconds, peak memory of its tree, completed process)."""
    peak, done = Peak(), threading.Event()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=err, text=True)
        sampler = _sampler(proc.pid, peak, done)
        sampler.start()
        try:
            code = proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = proc.wait()
        finally:
            if proc.poll() is None:  # interrupted: never leave a crawler behind
                proc.terminate()
                proc.wait(30)
        wall = time.monotonic() - started
        done.set()
        sampler.join()
        out.seek(0)
        err.seek(0)
        return wall, peak, subprocess.CompletedProcess(cmd, code, out.read(), err.read())


# -- end to end ----------------------------------------------------------------------------------

@dataclass
class CrawlFigures:
    """What one site size measured."""

    n: int
    ours_wall: float = 0.0
    ours_pages: int = 0
    ours_articles: int = 0
    ours_peak: Peak = field(default_factory=Peak)
    ours_exit: int = 0
    db_bytes: int = 0
    stored_bytes: int = 0
    raw_bytes: int = 0
    bare_wall: float = 0.0
    bare_pages: int = 0
    bare_peak: Peak = field(default_factory=Peak)
    fetch_only_wall: float = 0.0


def _db_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def crawl_ours(server: SiteServer, tmp: Path, fig: CrawlFigures, timeout: float) -> None:
    """``cli.py crawl`` from the home page; pages, articles and sizes read back from its archive."""
    db = tmp / "ours.db"
    cmd = [PYTHON, "cli.py", "crawl", server.base + "/", "--db", str(db), "--concurrency", "16",
           "--delay", "0", "--quiet"]
    fig.ours_wall, fig.ours_peak, proc = run_measured(cmd, timeout)
    fig.ours_exit = proc.returncode
    if proc.returncode != 0:
        print(f"  our crawl exited {proc.returncode}: {proc.stderr.strip()[-500:]}", file=sys.stderr)
    with sqlite3.connect(db) as conn:
        pages, stored, raw = conn.execute("SELECT count(*), sum(length(content)), sum(raw_size) FROM pages").fetchone()
        fig.ours_articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    fig.ours_pages, fig.stored_bytes, fig.raw_bytes = pages, stored or 0, raw or 0
    fig.db_bytes = _db_size(db)


def crawl_bare(server: SiteServer, tmp: Path, fig: CrawlFigures, timeout: float, *, fetch_only: bool) -> None:
    """``bare.py`` over the same URLs (every index page and article of the site)."""
    urls = tmp / "urls.txt"
    urls.write_text("\n".join(server.base + p for p in server.site.index_paths() + server.site.article_paths()))
    db = tmp / ("fetch.db" if fetch_only else "bare.db")
    cmd = [PYTHON, "benchmarks/bare.py", str(urls), str(db)] + (["--fetch-only"] if fetch_only else [])
    wall, peak, proc = run_measured(cmd, timeout)
    if proc.returncode != 0:
        print(f"  bare.py exited {proc.returncode}: {proc.stderr.strip()[-500:]}", file=sys.stderr)
    if fetch_only:
        fig.fetch_only_wall = wall
        return
    fig.bare_wall, fig.bare_peak = wall, peak
    with sqlite3.connect(db) as conn:
        fig.bare_pages = conn.execute("SELECT count(*) FROM pages").fetchone()[0]


def measure_size(n: int, *, ceiling: bool) -> CrawlFigures:
    """Serve a site of ``n`` articles; crawl it with ours, bare, and (optionally) fetch-only."""
    fig = CrawlFigures(n)
    timeout = 600 + n * 0.5
    server = SiteServer(n)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
            print(f"N={n}: our crawl …", file=sys.stderr, flush=True)
            crawl_ours(server, Path(tmp), fig, timeout)
            print(f"N={n}: bare pipeline …", file=sys.stderr, flush=True)
            crawl_bare(server, Path(tmp), fig, timeout, fetch_only=False)
            if ceiling:
                print(f"N={n}: fetch only …", file=sys.stderr, flush=True)
                crawl_bare(server, Path(tmp), fig, timeout, fetch_only=True)
    finally:
        server.close()
    return fig


# -- extraction alone --------------------------------------------------------------------------

def fixture_pages() -> list[tuple[bytes, str | None]]:
    """The fixture site's HTML pages, each with the URL it has on the fixture server."""
    site = ROOT / "fixtures" / "site"
    pages: list[tuple[bytes, str | None]] = []
    for path in sorted(site.rglob("*")):
        if path.is_file() and path.suffix not in (".xml", ".gz", ".rss", ".txt"):
            rel = path.relative_to(site).as_posix().removesuffix("index.html")
            pages.append((path.read_bytes(), f"{FIXTURE_ORIGIN}/{rel}"))
    return pages


def eval_pages(limit: int | None) -> list[tuple[bytes, str | None]]:
    """The shared evaluation corpus (``../shared/eval/body/pages/*.html.gz``); no URLs known."""
    paths = sorted(EVAL_PAGES.glob("*.html.gz"))[:limit]
    return [(gzip.decompress(p.read_bytes()), None) for p in paths]


def time_extractors(pages: list[tuple[bytes, str | None]], rounds: int) -> tuple[float, float, int]:
    """Mean ms per page of (ours, trafilatura), interleaved page by page; and our failures."""
    import trafilatura

    from scraper.errors import ExtractionError
    from scraper.extractor.article import extract

    def ours(html: bytes, url: str | None) -> None:
        try:
            extract(html, url)
        except ExtractionError:
            failures[0] += 1

    def theirs(html: bytes, url: str | None) -> None:
        trafilatura.bare_extraction(html, url=url, with_metadata=True)

    failures = [0]
    for html, url in pages:  # warm-up: imports, caches, lazily compiled patterns
        ours(html, url)
        theirs(html, url)
    failures[0] = 0
    totals = [0.0, 0.0]
    for r in range(rounds):
        for k, (html, url) in enumerate(pages):
            # Alternate which runs first, so cache effects and load drift hit both alike.
            order = [(0, ours), (1, theirs)] if (k + r) % 2 == 0 else [(1, theirs), (0, ours)]
            for slot, func in order:
                t0 = time.perf_counter()
                func(html, url)
                totals[slot] += time.perf_counter() - t0
    count = len(pages) * rounds
    return totals[0] / count * 1000, totals[1] / count * 1000, failures[0] // rounds


# -- store alone -------------------------------------------------------------------------------

def _generated(site: GeneratedSite, k: int, path: str) -> tuple[object, object, tuple[bytes, str]]:
    from scraper.models import Article, Page
    from scraper.store.compression import compress

    url = "http://127.0.0.1:8765" + path
    content = site.render(path)[2]
    page = Page(url=url, final_url=url, status=200, headers={"content-type": "text/html"}, content=content,
                fetched_at="2025-02-22T10:00:00+00:00")
    words = content.decode("utf-8").split()
    body = "\n\n".join(" ".join(words[i:i + 60]) for i in range(400, min(len(words), 1400), 60))
    article = Article(url=url, site="127.0.0.1", headline=f"Generated story {k}", lede="A generated lede.",
                      authors=["A. Writer"], body=body, related=[{"title": "Other", "url": url + "-x"}],
                      word_count=len(body.split()), content_hash=f"sha256:{k:064x}", fetched_at=page.fetched_at,
                      status=200, extractor_version="bench")
    return page, article, compress(content)


def time_store(count: int, batch: int = 32) -> float:
    """Articles per second through ``Archive.save_page`` + ``save_article``, ``batch`` per transaction."""
    from scraper.store.archive import Archive

    site = GeneratedSite(count)
    items = [_generated(site, k, p) for k, p in enumerate(site.article_paths())]  # built before timing
    with tempfile.TemporaryDirectory(prefix="bench-store-") as tmp, Archive(Path(tmp) / "store.db") as archive:
        t0 = time.perf_counter()
        for start in range(0, count, batch):
            with archive.transaction():
                for page, article, compressed in items[start:start + batch]:
                    page_id = archive.save_page(page, compressed=compressed)  # type: ignore[arg-type]
                    archive.save_article(article, page_id=page_id)  # type: ignore[arg-type]
        return count / (time.perf_counter() - t0)


# -- the table ---------------------------------------------------------------------------------

def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b else "-"


def crawl_rows(fig: CrawlFigures) -> list[Row]:
    n, mb = str(fig.n), lambda kb: f"{kb / 1024:.0f}"
    cpu = lambda peak, pages: peak.cpu_seconds * 1000 / max(1, pages)
    rows: list[Row] = [
        ("pages fetched (ours: exit code)", n, f"{fig.ours_pages} ({fig.ours_exit})", str(fig.bare_pages), "", "same"),
        ("crawl wall time, s", n, f"{fig.ours_wall:.1f}", f"{fig.bare_wall:.1f}", _ratio(fig.ours_wall, fig.bare_wall),
         "<=1.0x (0.7x)"),
        ("crawl pages/s", n, f"{fig.ours_pages / fig.ours_wall:.1f}", f"{fig.bare_pages / fig.bare_wall:.1f}", "", ""),
        ("CPU ms per page, all processes", n, f"{cpu(fig.ours_peak, fig.ours_pages):.1f}",
         f"{cpu(fig.bare_peak, fig.bare_pages):.1f}", _ratio(fig.ours_peak.cpu_seconds, fig.bare_peak.cpu_seconds), ""),
    ]
    if fig.fetch_only_wall:
        rows.append(("fetch only (server ceiling), pages/s", n, "", f"{fig.bare_pages / fig.fetch_only_wall:.1f}", "", ""))
    rows += [
        ("peak RSS, sum over process tree, MB", n, mb(fig.ours_peak.rss_sum), mb(fig.bare_peak.rss_sum), "", "<=300"),
        ("peak PSS, sum over process tree, MB", n, mb(fig.ours_peak.pss_sum), mb(fig.bare_peak.pss_sum), "", ""),
        ("peak RSS, largest process, MB", n, mb(fig.ours_peak.rss_max), mb(fig.bare_peak.rss_max), "", ""),
        ("processes in tree (max)", n, str(fig.ours_peak.processes), str(fig.bare_peak.processes), "", ""),
        ("archive MB per 1,000 pages", n, f"{fig.db_bytes / MB / max(1, fig.ours_pages) * 1000:.2f}", "", "", ""),
        ("raw pages stored / raw bytes", n, f"{fig.stored_bytes / max(1, fig.raw_bytes):.1%}", "", "", "<=30%"),
    ]
    return rows


def print_table(rows: list[Row]) -> None:
    head: Row = ("measure", "N", "ours", "bare / trafilatura", "ratio", "target")
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    line = "  ".join("-" * w for w in widths)
    print(line)
    for k, row in enumerate([head, *rows]):
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))))
        if k == 0:
            print(line)
    print(line)


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> None:
    """Parse options, run every benchmark, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,5000,20000", help="article counts of the generated sites")
    parser.add_argument("--quick", action="store_true", help="smoke check: N=300, fewer extraction pages")
    parser.add_argument("--rounds", type=int, default=2, help="timed rounds over the extraction pages")
    parser.add_argument("--no-ceiling", action="store_true", help="skip the fetch-only run")
    parser.add_argument("--skip-extract", action="store_true")
    parser.add_argument("--skip-store", action="store_true")
    args = parser.parse_args(argv)
    # SIGTERM unwinds like Ctrl-C: the finally blocks stop the crawler and the site server.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    sizes = [300] if args.quick else [int(s) for s in args.sizes.split(",")]
    started, load_before = time.monotonic(), _load()
    rows: list[Row] = []
    figs = []
    for n in sizes:
        figs.append(measure_size(n, ceiling=not args.no_ceiling))
        rows += crawl_rows(figs[-1])
        for row in crawl_rows(figs[-1]):  # progress: a long run shows its figures as they come
            print("  " + " | ".join(row), file=sys.stderr, flush=True)
    if len(figs) > 1:
        growth = (figs[-1].ours_peak.pss_sum - figs[0].ours_peak.pss_sum) / 1024
        rows.append(("peak PSS growth, MB", f"{sizes[0]}->{sizes[-1]}", f"{growth:+.0f}", "", "", "flat"))
    if not args.skip_extract:
        rows += extraction_rows(args.quick, 1 if args.quick else args.rounds)
    if not args.skip_store:
        print("store …", file=sys.stderr, flush=True)
        rate = time_store(500 if args.quick else 5000)
        rows.append(("store: articles written/s (page+article)", "-", f"{rate:.0f}", "", "", ""))
    print(f"\n{os.cpu_count()} cores; load average before {load_before}, after {_load()}; "
          f"{time.monotonic() - started:.0f}s in all")
    print_table(rows)


def extraction_rows(quick: bool, rounds: int) -> list[Row]:
    """Ours vs trafilatura per page on the fixture pages and the shared eval corpus."""
    print("extraction …", file=sys.stderr, flush=True)
    sets: list[tuple[str, Callable[[], list[tuple[bytes, str | None]]]]] = [("fixtures/site", fixture_pages)]
    if EVAL_PAGES.is_dir():
        sets.append(("shared eval corpus", lambda: eval_pages(30 if quick else None)))
    else:
        print(f"  note: {EVAL_PAGES} absent, eval corpus skipped", file=sys.stderr)
    rows: list[Row] = []
    for name, load in sets:
        pages = load()
        ours, theirs, failed = time_extractors(pages, rounds)
        rows.append((f"extract ms/page, {name} ({len(pages)} pages, {failed} raised)", "-", f"{ours:.1f}",
                     f"{theirs:.1f}", _ratio(ours, theirs), "<=1.3x"))
    return rows


if __name__ == "__main__":
    main()
