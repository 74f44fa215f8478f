"""news-archiver: fetch, extract and archive KazPost-style news pages.

A thin command line over the ``scraper`` library: each command parses its
options, calls the library and prints. Exit codes:

\b
  0   everything went well (dead links and a few failed fetches are not failures)
  1   a URL you named failed, a host could not be reached, more than
      --max-failure-share of the fetches failed, or the command failed
      (each reason on stderr, one line each)
  2   usage error (bad option, missing file, malformed URL)
  75  the archive is locked by another run (EX_TEMPFAIL: cron retries later)
  130 interrupted by SIGINT (Ctrl-C), 143 by SIGTERM
"""

from __future__ import annotations

import errno
import json
import logging
import math
import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click
import tomllib

import scraper
import scraper.crawler.urls
from scraper.config import Settings, SiteConfig, load_site_configs
from scraper.errors import ArchiveLocked, ScraperError, UsageError

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_LOCKED = 0, 1, 2, 75
HERE = Path(__file__).resolve().parent
F = TypeVar("F", bound=Callable[..., Any])

log = logging.getLogger("scraper")


class _JsonFormatter(logging.Formatter):
    """One JSON object per log line: easy to grep, easy to load."""

    def format(self, record: logging.LogRecord) -> str:
        data = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"), "level": record.levelname, "msg": record.getMessage()}
        data.update(getattr(record, "fields", {}))
        if record.exc_info:
            data["exc"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


# No handler unless --log: logging's last-resort handler would print tracebacks to users.
log.addHandler(logging.NullHandler())
log.propagate = False


def _setup_logging(log_file: str | None) -> None:
    log.setLevel(logging.INFO)
    if log_file:
        handler = logging.FileHandler(log_file, encoding="utf-8")
        handler.setFormatter(_JsonFormatter())
        log.addHandler(handler)


def _error(message: str) -> None:
    click.echo(f"error: {message}", err=True)


@contextmanager
def _errors_to_exit() -> Iterator[None]:
    """Map every exception that escapes a command to one stderr line and an exit code; never a traceback.

    The one place this happens (``main`` wraps every command in it). The traceback
    goes to the ``--log`` file; NEWS_ARCHIVER_DEBUG=1 lets it through instead.
    """
    try:
        yield
    except (click.exceptions.ClickException, click.exceptions.Abort, click.exceptions.Exit):
        raise  # click prints these itself, with its own exit codes
    except ArchiveLocked as exc:
        _error(str(exc))
        sys.exit(EXIT_LOCKED)
    except UsageError as exc:
        _error(str(exc))
        sys.exit(EXIT_USAGE)
    except ScraperError as exc:
        log.error("failed", exc_info=True)
        _error(str(exc))
        sys.exit(EXIT_FAILED)
    except KeyboardInterrupt:
        _error("interrupted")
        sys.exit(130)
    except OSError as exc:
        if os.environ.get("NEWS_ARCHIVER_DEBUG"):
            raise
        log.error("fatal", exc_info=True)
        if exc.errno in (errno.EPIPE, errno.ENOSPC) or exc.filename is None:
            _silence_stdout()  # a full disk or closed pipe on stdout: nothing more can be written there
        where = f"{exc.filename}: " if exc.filename else ""
        _error(f"{where}{exc.strerror or exc}")
        sys.exit(EXIT_FAILED)
    except Exception as exc:  # noqa: BLE001 - a bug still gets one line; the log has the traceback
        if os.environ.get("NEWS_ARCHIVER_DEBUG"):
            raise
        log.error("fatal", exc_info=True)
        _error(f"{type(exc).__name__}: {exc} (set NEWS_ARCHIVER_DEBUG=1 for a traceback)")
        sys.exit(EXIT_FAILED)


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


class _Commands(click.Group):
    """The command group: every command runs inside :func:`_errors_to_exit`."""

    def invoke(self, ctx: click.Context) -> Any:
        with _errors_to_exit():
            try:
                return super().invoke(ctx)
            finally:
                sys.stdout.flush()  # a write error on stdout (/dev/full) surfaces here, not at exit


class _FiniteFloat(click.ParamType):
    """A float that is finite and within [low, high]: nan and inf are refused, unlike click.FloatRange."""

    name = "number"

    def __init__(self, low: float = 0.0, high: float | None = None) -> None:
        self.low, self.high = low, high

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number", param, ctx)
        if not math.isfinite(number) or number < self.low or (self.high is not None and number > self.high):
            upper = f" and at most {self.high:g}" if self.high is not None else ""
            self.fail(f"{value!r} is not a finite number of at least {self.low:g}{upper}", param, ctx)
        return number


def db_option(func: F) -> F:
    return click.option("--db", "db_path", default="archive.db", show_default=True, type=click.Path(dir_okay=False),
                        help="The SQLite archive (created on first run).")(func)


QUIET_OPTION = click.option("--quiet", is_flag=True,
                            help="Print only what made the exit code non-zero (for cron mail).")
LOG_OPTION = click.option("--log", "log_file", type=click.Path(dir_okay=False), default=None,
                          help="Write a JSON-lines log.")


def writer_options(func: F) -> F:
    """--db, --quiet and --log: every command that writes an archive takes all three."""
    return db_option(QUIET_OPTION(LOG_OPTION(func)))


def run_options(func: F) -> F:
    """Options shared by crawl and fetch."""
    options = [
        click.option("--concurrency", type=click.IntRange(1, 64), default=None, help="Requests at once per host [1]."),
        click.option("--delay", type=_FiniteFloat(0), default=None, help="Seconds between request starts per host [1]."),
        click.option("--max-pages", type=click.IntRange(1), default=None, help="Stop after this many requests."),
        click.option("--max-time", type=_FiniteFloat(1), default=None, help="Stop scheduling after this many seconds."),
        click.option("--timeout", type=_FiniteFloat(0.1), default=None, help="Seconds per request [20]."),
        click.option("--max-failure-share", type=_FiniteFloat(0, 1), default=None,
                     help="Exit 1 when more than this share of the fetches fail [0.1]."),
        click.option("--max-attempts", type=click.IntRange(1, 10), default=None, help="Tries per URL [3]."),
        click.option("--refresh", is_flag=True, help="Refetch every known article (and recheck dead links)."),
        click.option("--refresh-after", "refresh_after", type=_FiniteFloat(0), default=None,
                     help="Refetch known articles last checked more than DAYS ago."),
        click.option("--allow-host", "allow_hosts", multiple=True, help="Also crawl this host (repeatable)."),
        click.option("--sites", "sites_file", type=click.Path(exists=True, dir_okay=False), default=None,
                     help="Per-site config (TOML): article patterns, hosts, boilerplate selectors."),
        click.option("--contact", default=None, help="Contact (email/URL) put in the User-Agent."),
        click.option("--user-agent", default=None, help="Replace the whole User-Agent."),
        click.option("--workers", type=click.IntRange(0, 64), default=None, help="Extraction processes [cores]; 0 = inline."),
        click.option("--warc", "warc_dir", type=click.Path(file_okay=False), default=None,
                     help="Also write every request/response as WARC files into DIR."),
        writer_options,
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _settings(opts: dict[str, Any]) -> Settings:
    sites: tuple[SiteConfig, ...] = ()
    if opts.get("sites_file"):
        try:
            sites = load_site_configs(tomllib.loads(Path(opts["sites_file"]).read_text(encoding="utf-8")))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, AttributeError) as exc:
            raise UsageError(f"bad sites file: {exc}", url=opts["sites_file"]) from exc
    return Settings().with_(
        concurrency=opts.get("concurrency"), delay=opts.get("delay"), max_pages=opts.get("max_pages"),
        max_time=opts.get("max_time"), timeout=opts.get("timeout"), max_attempts=opts.get("max_attempts"), refresh=opts.get("refresh") or None, refresh_after_days=opts.get("refresh_after"),
        allowed_hosts=tuple(h.lower() for h in opts.get("allow_hosts") or ()) or None, contact=opts.get("contact"),
        user_agent=opts.get("user_agent"), workers=opts.get("workers"), warc_dir=opts.get("warc_dir"),
        sites=sites or None, articles_only=opts.get("articles_only") or None,
        max_failure_share=opts.get("max_failure_share"), shard=opts.get("shard"),
    )


def _run(urls: tuple[str, ...], opts: dict[str, Any], *, follow: bool, command: str) -> None:
    from scraper.crawler.runs import run_archive

    with _errors_to_exit():
        _setup_logging(opts.get("log_file"))
        for url in urls:  # before anything is opened: a bad URL is a usage error, exit 2
            scraper.crawler.urls.validate_url(url)
        settings = _settings(opts)
        with _progress(quiet=opts["quiet"]) as on_event:
            summary = run_archive(opts["db_path"], list(urls), settings, follow=follow, command=command,
                                  args={k: v for k, v in opts.items() if v not in (None, False, ())}, on_event=on_event)
        _print_summary(summary, quiet=opts["quiet"])
        sys.exit(summary.exit_code)


@contextmanager
def _progress(*, quiet: bool) -> Iterator[Callable[[Any], None]]:
    """A rich progress line on a terminal; failures reach stderr as they happen (the summary, with --quiet)."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    console = Console(stderr=True)
    show = console.is_terminal and not quiet
    counts = {"fetched": 0, "archived": 0, "failed": 0}
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                  console=console, disable=not show, transient=True) as progress:
        task = progress.add_task("starting", total=None)

        def on_event(event: Any) -> None:
            if event.kind in counts:
                counts[event.kind] += 1
            if (event.kind == "failed" and not quiet) or event.detail.startswith("shard:"):
                progress.console.print(f"{event.kind}: {event.url}: {event.detail}", markup=False, highlight=False,
                                       soft_wrap=True)  # one line each, however long
            log.info(event.kind, extra={"fields": {"url": event.url, "detail": event.detail}})
            progress.update(task, description="fetched {fetched}  archived {archived}  failed {failed}".format(**counts))

        yield on_event


def _print_summary(summary: Any, *, quiet: bool) -> None:
    """The counts line; with --quiet, only the reasons for a non-zero exit code."""
    line = (f"fetched {summary.fetched}, archived {summary.archived} new, {summary.updated} updated, "
            f"{summary.unchanged} unchanged, {summary.not_modified} not modified, skipped {summary.skipped}"
            f"{f' ({summary.dead} dead links)' if summary.dead else ''}, failed {summary.failed} in {summary.seconds:.1f}s")
    if summary.failures:
        line += " (" + ", ".join(f"{k}: {v}" for k, v in sorted(summary.failures.items())) + ")"
    if summary.interrupted:
        line += "; interrupted, the rest is queued for the next run"
    elif summary.stopped_early:
        line += "; stopped by its budget, the rest is queued for the next run"
    if not quiet:
        click.echo(line)
    for problem in summary.problems:  # failures were shown as they happened, unless --quiet
        if quiet or not problem.startswith("failed: "):
            click.echo(problem, err=True)
    if summary.interrupted:
        click.echo(f"interrupted ({signal.Signals(summary.interrupted).name})", err=True)


@click.group(cls=_Commands, help=__doc__, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(scraper.__version__, prog_name="news-archiver")
def main() -> None:
    """The command group."""


ENGINE_OPTION = click.option("--engine", type=click.Choice(["dask"]), default=None,
                             help="Run on a Dask cluster (pip install -e '.[dask]'); default: this process.")
SCHEDULER_OPTION = click.option("--scheduler", default=None,
                                help="Dask scheduler address (tcp://HOST:8786) [a local cluster].")


@main.command()
@click.argument("urls", nargs=-1, required=True)
@click.option("--shard", default=None, metavar="K/N", help="Crawl only the hosts in shard K of N (stable host hash).")
@ENGINE_OPTION
@click.option("--shards", type=click.IntRange(1, 1024), default=None, help="With --engine dask: N shard crawls as tasks.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="With --engine dask: folder of the shard archives [DB.shards].")
@SCHEDULER_OPTION
@run_options
def crawl(urls: tuple[str, ...], shard: str | None, engine: str | None, shards: int | None, out_dir: str | None,
          scheduler: str | None, **opts: Any) -> None:
    """Crawl from URLS (home/section pages, feeds, sitemaps), following links on the same hosts.

    Known articles are not fetched again unless --refresh/--refresh-after; seeds, index pages,
    feeds and sitemaps are rechecked (conditional GET). A killed run resumes where it stopped.
    With --engine dask --shards N, N shard crawls run as Dask tasks, then merge into --db.
    """
    if engine == "dask":
        _crawl_dask(urls, shards or 2, out_dir, scheduler, opts)
    with _errors_to_exit():
        opts["shard"] = _parse_shard(shard) if shard else None
    _run(urls, opts, follow=True, command="crawl")


def _parse_shard(text: str) -> tuple[int, int]:
    k, _, n = text.partition("/")
    if not (k.isdigit() and n.isdigit() and 1 <= int(k) <= int(n)):
        raise UsageError(f"--shard wants K/N with 1 <= K <= N, not {text!r}")
    return int(k), int(n)


def _dask_logs_to_log() -> None:
    """Dask's own log lines (a lost scheduler, a restarted worker) go to --log, not the terminal."""
    for name in ("distributed", "distributed.client", "distributed.gc", "tornado", "tornado.application", "bokeh"):
        logging.getLogger(name).handlers = list(log.handlers)
    logging.getLogger("distributed").setLevel(logging.WARNING)


def _crawl_dask(urls: tuple[str, ...], shards: int, out_dir: str | None, scheduler: str | None,
                opts: dict[str, Any]) -> None:
    from scraper.research.distributed import crawl_shards, require_dask
    from scraper.store.merge import merge_archives

    with _errors_to_exit():
        require_dask()
        _setup_logging(opts.get("log_file"))
        _dask_logs_to_log()
        for url in urls:
            scraper.crawler.urls.validate_url(url)
        results = crawl_shards(list(urls), _settings(opts), out_dir or f"{opts['db_path']}.shards", shards,
                               scheduler=scheduler, workers=shards)
        for path, counts in results:
            if not opts["quiet"]:
                click.echo(f"{path}: " + ", ".join(f"{k} {v}" for k, v in counts.items()), err=True)
        with _open_archive(opts["db_path"], lock=True) as archive:
            merged = merge_archives(archive, [path for path, _ in results])
        _print_counts("crawl", {**merged, "failed": sum(c["exit_code"] != 0 for _, c in results)}, quiet=opts["quiet"])


@main.command()
@click.argument("urls", nargs=-1, required=True)
@click.option("--articles-only", is_flag=True,
              help="Skip a page that is no article instead of archiving it with its page_type.")
@run_options
def fetch(urls: tuple[str, ...], **opts: Any) -> None:
    """Fetch, extract and archive exactly these URLS.

    Every page is archived with its page_type (article, index, other); --articles-only skips the rest.
    """
    _run(urls, opts, follow=False, command="fetch")


@main.command("extract")
@click.argument("inputs", nargs=-1, required=True)
@click.option("--url", "original_url", default=None, help="The original address of a single local file.")
def extract_cmd(inputs: tuple[str, ...], original_url: str | None) -> None:
    """Print one JSON object per FILE_OR_URL (JSON Lines); store nothing."""
    from scraper.crawler.runs import extract_inputs

    if original_url and len(inputs) != 1:
        _error("--url applies to a single input")
        sys.exit(EXIT_USAGE)
    failed = False
    with _errors_to_exit():
        for source, result in extract_inputs(inputs, original_url=original_url):
            if isinstance(result, ScraperError):
                failed = True
                click.echo(f"error: {source}: {result.message}", err=True)
            else:
                click.echo(json.dumps({**result.to_dict(), "source": source}, ensure_ascii=False))
    sys.exit(EXIT_FAILED if failed else EXIT_OK)


@main.command()
@click.argument("query")
@click.option("--site", default=None, help="Only this host.")
@click.option("--since", default=None, help="Published on or after (YYYY-MM-DD).")
@click.option("--until", default=None, help="Published on or before (YYYY-MM-DD).")
@click.option("--limit", type=click.IntRange(1), default=20, show_default=True)
@click.option("--fts", "raw", is_flag=True, help="QUERY is FTS5 syntax (AND, OR, NOT, NEAR, prefix*).")
@db_option
def search(query: str, site: str | None, since: str | None, until: str | None, limit: int, raw: bool,
           db_path: str) -> None:
    """Full-text search for all the words and "quoted phrases" of QUERY, best match first."""
    with _errors_to_exit(), _open_archive(db_path) as archive:
        hits = archive.search(query, site=site, since=since, until=until, limit=limit, raw=raw)
        for hit in hits:
            click.echo(f"{hit['headline']}\n  {hit['published'] or 'no date'}  {hit['url']}\n  {hit['snippet']}")
        if not hits:
            click.echo("no match", err=True)


@main.command()
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "parquet"]), default="jsonl", show_default=True)
@click.option("-o", "--output", default="-", help="Output file ('-' for stdout).")
@click.option("--since", default=None, help="Published on or after (YYYY-MM-DD).")
@click.option("--site", default=None, help="Only this host.")
@click.option("--one-per-cluster", is_flag=True, help="One article per syndication cluster.")
@click.option("--force", is_flag=True, help="Overwrite an existing output file.")
@db_option
def export(fmt: str, output: str, since: str | None, site: str | None, one_per_cluster: bool, force: bool,
           db_path: str) -> None:
    """Export articles, one row each (stable schema: see README)."""
    from scraper.research.export import export as do_export

    with _errors_to_exit(), _open_archive(db_path) as archive:
        if output != "-" and Path(output).exists() and not force:
            raise UsageError("exists; add --force to overwrite", url=output)
        if output == "-" and fmt == "parquet":
            raise UsageError("parquet needs a file: use -o FILE")
        target: Any = (sys.stdout if fmt == "jsonl" or fmt == "csv" else sys.stdout.buffer) if output == "-" else output
        count = do_export(archive, fmt, target, since=since, site=site, one_per_cluster=one_per_cluster)  # type: ignore[arg-type]
        click.echo(f"exported {count} articles", err=True)


@main.command()
@db_option
def stats(db_path: str) -> None:
    """Articles per site, section and day; dated share; last run; failures by kind."""
    from scraper.research.report import format_stats

    with _errors_to_exit(), _open_archive(db_path) as archive:
        click.echo(format_stats(archive.stats()))


@main.command()
@click.option("-o", "--output", default="report.html", show_default=True, type=click.Path(dir_okay=False))
@click.option("--since", default=None, help="Published (charts by publication day) or fetched/run (the rest) on or after DATE.")
@click.option("--site", default=None, help="Only this host.")
@click.option("--png", "png_dir", default=None, type=click.Path(file_okay=False), help="Also write each chart as a PNG into DIR.")
@db_option
def report(output: str, since: str | None, site: str | None, png_dir: str | None, db_path: str) -> None:
    """Coverage report: one self-contained HTML file with charts (pip install -e '.[report]')."""
    from scraper.research.charts import require_matplotlib
    from scraper.research.report_html import write_report

    with _errors_to_exit():
        require_matplotlib()
        with _open_archive(db_path) as archive:
            cov = write_report(archive.db.conn, Path(output), title=f"Archive coverage: {Path(db_path).name}",
                               since=since, site=site, png_dir=Path(png_dir) if png_dir else None)
        click.echo(f"wrote {output}: {cov.articles} articles, {len(cov.per_site)} sites", err=True)


@main.command()
@click.option("--port", type=click.IntRange(0, 65535), default=8001, show_default=True, help="0 = any free port.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Listen here (another address exposes the archive).")
@click.option("--live", is_flag=True, help="Show a running crawl's writes (read-only, not immutable).")
@db_option
def browse(port: int, host: str, live: bool, db_path: str) -> None:
    """Browse the archive in datasette: facets, search, article pages (pip install -e '.[browse]')."""
    from scraper.research.browse import require_datasette, serve

    with _errors_to_exit():
        require_datasette()
        if not Path(db_path).is_file():
            raise UsageError("no archive here yet (run crawl, fetch or demo first)", url=db_path)
        with _open_archive(db_path):  # brings the schema up to date before the read-only view
            pass
        serve(Path(db_path), host=host, port=port, live=live,
              on_ready=lambda url: click.echo(f"serving {db_path} read-only at {url} (Ctrl-C stops)"))


@main.command()
@click.argument("url")
@db_option
def history(url: str, db_path: str) -> None:
    """List an article's versions with a readable diff between each."""
    from scraper.research.report import format_history

    with _errors_to_exit(), _open_archive(db_path) as archive:
        click.echo(format_history(_lookup(archive.history, url)))


@main.command()
@click.argument("url")
@db_option
def show(url: str, db_path: str) -> None:
    """Print an article with its provenance (raw page, fetch time, headers, extractor)."""
    from scraper.research.report import format_article

    with _errors_to_exit(), _open_archive(db_path) as archive:
        row = _lookup(archive.get_article, url)
        page = archive.get_page(row["page_id"]) if row.get("page_id") else None
        click.echo(format_article(row, page))


@main.command("eval")
@click.argument("dataset_dir", type=click.Path(exists=True, file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="One JSON object for machines.")
@click.option("--misses", is_flag=True, help="List per-page misses.")
def eval_cmd(dataset_dir: str, as_json: bool, misses: bool) -> None:
    """Score the extractor on a dataset (../shared/eval/body or dates) beside trafilatura/htmldate."""
    from scraper.research.evaluate import evaluate_dir, format_report

    with _errors_to_exit():
        report = evaluate_dir(Path(dataset_dir), misses=misses)
        click.echo(json.dumps(report, ensure_ascii=False) if as_json else format_report(report, misses))


SITES_OPTION = click.option("--sites", "sites_file", type=click.Path(exists=True, dir_okay=False), default=None,
                            help="Per-site config (TOML): article patterns, hosts, boilerplate selectors.")


@main.command()
@click.option("--url", "urls", multiple=True, help="Only these articles (repeatable).")
@SITES_OPTION
@writer_options
def reextract(urls: tuple[str, ...], sites_file: str | None, db_path: str, quiet: bool, log_file: str | None) -> None:
    """Re-run the current extractor over stored raw pages; changed articles get a new version."""
    from scraper.research.reextract import reextract as do_reextract

    with _errors_to_exit():
        _setup_logging(log_file)
        with _open_archive(db_path, lock=True) as archive:
            counts = do_reextract(archive, list(urls) or None, settings=_settings({"sites_file": sites_file}))
        _print_counts("reextract", counts, quiet=quiet)


@main.command("import-warc")
@click.argument("files", nargs=-1, required=True)
@ENGINE_OPTION
@SCHEDULER_OPTION
@click.option("--workers", type=click.IntRange(1, 1024), default=None, help="Local Dask worker processes [cores].")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="With --engine dask: the Parquet dataset and its manifest [DB.parts].")
@click.option("--no-raw", is_flag=True, help="With --engine dask: leave raw pages out (of the parts and the archive).")
@click.option("--no-load", is_flag=True, help="With --engine dask: write the Parquet dataset only, no archive.")
@click.option("--split-bytes", type=click.IntRange(1), default=256 * 1024 * 1024, show_default=True,
              help="With --engine dask: a file larger than this is split into record ranges of this size, one task each.")
@SITES_OPTION
@writer_options
def import_warc(files: tuple[str, ...], engine: str | None, scheduler: str | None, workers: int | None,
                out_dir: str | None, no_raw: bool, no_load: bool, split_bytes: int, sites_file: str | None, db_path: str,
                quiet: bool, log_file: str | None) -> None:
    """Extract and archive articles from existing WARC files (paths, fsspec URLs, or @LIST.txt of them)."""
    from scraper.research.warc import expand_inputs, import_warcs

    with _errors_to_exit():
        _setup_logging(log_file)
        inputs, settings = expand_inputs(files), _settings({"sites_file": sites_file})
        if engine == "dask":
            counts = _import_dask(inputs, settings, out_dir or f"{db_path}.parts", None if no_load else db_path,
                                  scheduler=scheduler, workers=workers, raw=not no_raw, quiet=quiet,
                                  split_bytes=split_bytes)
        else:
            with _open_archive(db_path, lock=True) as archive:
                counts = import_warcs(archive, inputs, settings=settings)
        _print_counts("import-warc", counts, quiet=quiet)


def _import_dask(inputs: list[str], settings: Settings, out_dir: str, db_path: str | None, *, scheduler: str | None,
                 workers: int | None, raw: bool, quiet: bool, split_bytes: int) -> dict[str, int]:
    from scraper.research.distributed import import_warcs_dask, require_dask

    require_dask()
    _dask_logs_to_log()

    def show(p: Any) -> None:
        if not quiet:
            click.echo(p.line(), err=True)

    result = import_warcs_dask(inputs, out_dir, db_path=db_path, settings=settings, scheduler=scheduler,
                               workers=workers, raw=raw, on_progress=show, split_bytes=split_bytes,
                               args={"out": out_dir, "files": len(inputs), "split_bytes": split_bytes})
    for source, error in result.failed_inputs:
        _error(f"{source}: {error}")
    return {"files": result.inputs, **result.counts}


@main.command()
@click.argument("sources", nargs=-1, required=True)
@writer_options
def merge(sources: tuple[str, ...], db_path: str, quiet: bool, log_file: str | None) -> None:
    """Merge archives (e.g. of crawl --shard K/N) into --db: newest version wins, nothing duplicated."""
    from scraper.store.merge import merge_archives

    with _errors_to_exit():
        _setup_logging(log_file)
        with _open_archive(db_path, lock=True) as archive:
            counts = merge_archives(archive, list(sources))
        _print_counts("merge", counts, quiet=quiet)


def _print_counts(command: str, counts: dict[str, int], *, quiet: bool) -> None:
    """The counts line (on stderr and only on failure with --quiet), the log line, and the exit code."""
    line = ", ".join(f"{k} {v}" for k, v in counts.items())
    log.info(command, extra={"fields": dict(counts)})
    if not quiet or counts.get("failed"):
        click.echo(line, err=quiet)
    sys.exit(EXIT_FAILED if counts.get("failed") else EXIT_OK)


@main.command()
@writer_options
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True,
              help="Serve the fixture site on this port (fixed, so a rerun sees the same URLs; 0 = any free port).")
def demo(db_path: str, quiet: bool, log_file: str | None, port: int) -> None:
    """Serve the bundled fixture site on 127.0.0.1 and crawl it into the archive (no network needed)."""
    from scraper.crawler.runs import run_archive

    with _errors_to_exit(), _serve_fixtures(port) as site:
        _setup_logging(log_file)
        if not quiet:
            click.echo(f"serving fixtures/site at {site.base_url}; archiving into {db_path}")
        settings = Settings(delay=0, concurrency=4, contact="demo")
        with _progress(quiet=quiet) as on_event:
            summary = run_archive(db_path, [site.url("/")], settings, follow=True, command="demo", on_event=on_event)
        _print_summary(summary, quiet=quiet)
        if quiet:
            sys.exit(summary.exit_code)
        with _open_archive(db_path) as archive:
            for row in archive.iter_articles(site=None):
                when = f"{row['published'][:10]} ({row['date_source']})" if row["published"] else "no date"
                click.echo(f"  {when:<22}  {row['headline']}")
            click.echo(f"{archive.count_articles()} articles in {db_path}. Try: python cli.py search Almaty --db {db_path}")


def _lookup(get: Callable[[str], Any], url: str) -> Any:
    """An archive record by the URL's canonical form (the archive key), else as given."""
    found = get(scraper.crawler.urls.canonicalize(url)) or get(url)
    if not found:
        raise UsageError("not in the archive", url=url)
    return found


@contextmanager
def _serve_fixtures(port: int) -> Iterator[Any]:
    from scraper.research.demo_site import StaticSite

    try:
        site = StaticSite(HERE / "fixtures" / "site", port)
    except OSError as exc:
        raise UsageError(f"cannot serve the fixture site on 127.0.0.1:{port} ({exc.strerror}); try --port 0") from exc
    with site:
        yield site


@contextmanager
def _open_archive(db_path: str, *, lock: bool = False) -> Iterator[Any]:
    from scraper.store.archive import Archive
    from scraper.store.lock import archive_lock

    if not Path(db_path).exists() and not lock:
        raise UsageError("no archive here yet (run crawl, fetch or demo first)", url=db_path)
    if lock:
        with archive_lock(db_path), Archive(db_path) as archive:
            yield archive
    else:  # a reader never writes: a read-only copy or snapshot opens too
        with Archive(db_path, read_only=True) as archive:
            yield archive


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `... | head` ends quietly
    main()
