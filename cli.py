"""news-archiver: fetch, extract and archive KazPost-style news pages.

A thin command line over the ``scraper`` library: each command parses its
options, calls the library and prints. Exit codes:

\b
  0   everything went well
  1   some inputs failed (each named on stderr, one line each)
  2   usage error (bad option, missing file, malformed URL)
  75  the archive is locked by another run (EX_TEMPFAIL: cron retries later)
"""

from __future__ import annotations

import json
import logging
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
    """Map the library's errors to one stderr line and an exit code; never a traceback."""
    try:
        yield
    except ArchiveLocked as exc:
        _error(str(exc))
        sys.exit(EXIT_LOCKED)
    except UsageError as exc:
        _error(str(exc))
        sys.exit(EXIT_USAGE)
    except ScraperError as exc:
        _error(str(exc))
        sys.exit(EXIT_FAILED)
    except KeyboardInterrupt:
        _error("interrupted")
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - a bug still gets one line; the log has the traceback
        if os.environ.get("NEWS_ARCHIVER_DEBUG"):
            raise
        log.exception("fatal")
        _error(f"{type(exc).__name__}: {exc} (set NEWS_ARCHIVER_DEBUG=1 for a traceback)")
        sys.exit(EXIT_FAILED)


def db_option(func: F) -> F:
    return click.option("--db", "db_path", default="archive.db", show_default=True, type=click.Path(dir_okay=False),
                        help="The SQLite archive (created on first run).")(func)


QUIET_OPTION = click.option("--quiet", is_flag=True, help="Print only problems (for cron mail).")
LOG_OPTION = click.option("--log", "log_file", type=click.Path(dir_okay=False), default=None,
                          help="Write a JSON-lines log.")


def writer_options(func: F) -> F:
    """--db, --quiet and --log: every command that writes an archive takes all three."""
    return db_option(QUIET_OPTION(LOG_OPTION(func)))


def run_options(func: F) -> F:
    """Options shared by crawl and fetch."""
    options = [
        click.option("--concurrency", type=click.IntRange(1, 64), default=None, help="Requests at once per host [1]."),
        click.option("--delay", type=click.FloatRange(0), default=None, help="Seconds between request starts per host [1]."),
        click.option("--max-pages", type=click.IntRange(1), default=None, help="Stop after this many requests."),
        click.option("--max-time", type=click.FloatRange(1), default=None, help="Stop scheduling after this many seconds."),
        click.option("--timeout", type=click.FloatRange(0.1), default=None, help="Seconds per request [20]."),
        click.option("--max-attempts", type=click.IntRange(1, 10), default=None, help="Tries per URL [3]."),
        click.option("--refresh", is_flag=True, help="Refetch every known article."),
        click.option("--refresh-after", "refresh_after", type=click.FloatRange(0), default=None,
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
        sites=sites or None,
    )


def _run(urls: tuple[str, ...], opts: dict[str, Any], *, follow: bool, command: str) -> None:
    from scraper.crawler.runs import run_archive

    with _errors_to_exit():
        _setup_logging(opts.get("log_file"))
        settings = _settings(opts)
        for url in urls:
            scraper.crawler.urls.validate_url(url)
        with _progress(quiet=opts["quiet"]) as on_event:
            summary = run_archive(opts["db_path"], list(urls), settings, follow=follow, command=command,
                                  args={k: v for k, v in opts.items() if v not in (None, False, ())}, on_event=on_event)
        _print_summary(summary, quiet=opts["quiet"])
        sys.exit(summary.exit_code)


@contextmanager
def _progress(*, quiet: bool) -> Iterator[Callable[[Any], None]]:
    """A rich progress line on a terminal; failures always reach stderr."""
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
            if event.kind == "failed":
                progress.console.print(f"failed: {event.url}: {event.detail}", markup=False, highlight=False)
            log.info(event.kind, extra={"fields": {"url": event.url, "detail": event.detail}})
            progress.update(task, description="fetched {fetched}  archived {archived}  failed {failed}".format(**counts))

        yield on_event


def _print_summary(summary: Any, *, quiet: bool) -> None:
    line = (f"fetched {summary.fetched}, archived {summary.archived} new, {summary.updated} updated, "
            f"{summary.unchanged} unchanged, {summary.not_modified} not modified, skipped {summary.skipped}, "
            f"failed {summary.failed} in {summary.seconds:.1f}s")
    if summary.failures:
        line += " (" + ", ".join(f"{k}: {v}" for k, v in sorted(summary.failures.items())) + ")"
    if summary.stopped_early:
        line += "; stopped by its budget, the rest is queued for the next run"
    if not quiet or summary.failed:
        click.echo(line, err=quiet)


@click.group(help=__doc__, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(scraper.__version__, prog_name="news-archiver")
def main() -> None:
    """The command group."""


@main.command()
@click.argument("urls", nargs=-1, required=True)
@run_options
def crawl(urls: tuple[str, ...], **opts: Any) -> None:
    """Crawl from URLS (home/section pages, feeds, sitemaps), following links on the same hosts.

    Known articles are not fetched again unless --refresh/--refresh-after; seeds, index pages,
    feeds and sitemaps are rechecked (conditional GET). A killed run resumes where it stopped.
    """
    _run(urls, opts, follow=True, command="crawl")


@main.command()
@click.argument("urls", nargs=-1, required=True)
@run_options
def fetch(urls: tuple[str, ...], **opts: Any) -> None:
    """Fetch, extract and archive exactly these URLS."""
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
@db_option
def search(query: str, site: str | None, since: str | None, until: str | None, limit: int, db_path: str) -> None:
    """Full-text search, best match first: headline, date, URL and a snippet."""
    with _errors_to_exit(), _open_archive(db_path) as archive:
        hits = archive.search(query, site=site, since=since, until=until, limit=limit)
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
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@SITES_OPTION
@writer_options
def import_warc(files: tuple[str, ...], sites_file: str | None, db_path: str, quiet: bool,
                log_file: str | None) -> None:
    """Extract and archive articles from existing WARC files."""
    from scraper.research.warc import import_warcs

    with _errors_to_exit():
        _setup_logging(log_file)
        with _open_archive(db_path, lock=True) as archive:
            counts = import_warcs(archive, [Path(f) for f in files], settings=_settings({"sites_file": sites_file}))
        _print_counts("import-warc", counts, quiet=quiet)


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
    else:
        with Archive(db_path) as archive:
            yield archive


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `... | head` ends quietly
    main()
