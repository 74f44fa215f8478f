"""The commands that crawl into an archive: crawl, fetch and demo, with their progress line and summary."""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

import scraper.crawler.urls
from scraper.config import Settings
from scraper.errors import UsageError

from .common import (
    dask_logs_to_log,
    ENGINE_OPTION,
    ROOT,
    SCHEDULER_OPTION,
    SITES_OPTION,
    F,
    FiniteFloat,
    errors_to_exit,
    log,
    open_archive,
    print_counts,
    settings_from,
    setup_logging,
    writer_options,
)


def run_options(func: F) -> F:
    """Options shared by crawl and fetch."""
    options = [
        click.option("--concurrency", type=click.IntRange(1, 64), default=None, help="Requests at once per host [1]."),
        click.option("--delay", type=FiniteFloat(0), default=None, help="Seconds between request starts per host [1]."),
        click.option("--max-pages", type=click.IntRange(1), default=None, help="Stop after this many requests."),
        click.option("--max-time", type=FiniteFloat(1), default=None, help="Stop scheduling after this many seconds."),
        click.option("--timeout", type=FiniteFloat(0.1), default=None, help="Seconds per request [20]."),
        click.option("--max-failure-share", type=FiniteFloat(0, 1), default=None,
                     help="Exit 1 when more than this share of the fetches fail [0.1]."),
        click.option("--max-attempts", type=click.IntRange(1, 10), default=None, help="Tries per URL [3]."),
        click.option("--refresh", is_flag=True, help="Refetch every known article (and recheck dead links)."),
        click.option("--refresh-after", "refresh_after", type=FiniteFloat(0), default=None,
                     help="Refetch known articles last checked more than DAYS ago."),
        click.option("--allow-host", "allow_hosts", multiple=True, help="Also crawl this host (repeatable)."),
        SITES_OPTION,
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


@click.command()
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
    with errors_to_exit():
        opts["shard"] = _parse_shard(shard) if shard else None
    _run(urls, opts, follow=True, command="crawl")


def _parse_shard(text: str) -> tuple[int, int]:
    k, _, n = text.partition("/")
    if not (k.isdigit() and n.isdigit() and 1 <= int(k) <= int(n)):
        raise UsageError(f"--shard wants K/N with 1 <= K <= N, not {text!r}")
    return int(k), int(n)


def _crawl_dask(urls: tuple[str, ...], shards: int, out_dir: str | None, scheduler: str | None,
                opts: dict[str, Any]) -> None:
    from scraper.research.distributed import crawl_shards, require_dask
    from scraper.store.merge import merge_archives

    with errors_to_exit():
        require_dask()
        setup_logging(opts.get("log_file"))
        dask_logs_to_log()
        for url in urls:
            scraper.crawler.urls.validate_url(url)
        results = crawl_shards(list(urls), settings_from(opts), out_dir or f"{opts['db_path']}.shards", shards,
                               scheduler=scheduler, workers=shards)
        for path, counts in results:
            if not opts["quiet"]:
                click.echo(f"{path}: " + ", ".join(f"{k} {v}" for k, v in counts.items()), err=True)
        with open_archive(opts["db_path"], lock=True) as archive:
            merged = merge_archives(archive, [path for path, _ in results])
        print_counts("crawl", {**merged, "failed": sum(c["exit_code"] != 0 for _, c in results)}, quiet=opts["quiet"])


@click.command()
@click.argument("urls", nargs=-1, required=True)
@click.option("--articles-only", is_flag=True,
              help="Skip a page that is no article instead of archiving it with its page_type.")
@run_options
def fetch(urls: tuple[str, ...], **opts: Any) -> None:
    """Fetch, extract and archive exactly these URLS.

    Every page is archived with its page_type (article, index, other); --articles-only skips the rest.
    """
    _run(urls, opts, follow=False, command="fetch")


def _run(urls: tuple[str, ...], opts: dict[str, Any], *, follow: bool, command: str) -> None:
    from scraper.crawler.runs import run_archive

    with errors_to_exit():
        setup_logging(opts.get("log_file"))
        for url in urls:  # before anything is opened: a bad URL is a usage error, exit 2
            scraper.crawler.urls.validate_url(url)
        settings = settings_from(opts)
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


@click.command()
@writer_options
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True,
              help="Serve the fixture site on this port (fixed, so a rerun sees the same URLs; 0 = any free port).")
def demo(db_path: str, quiet: bool, log_file: str | None, port: int) -> None:
    """Serve the bundled fixture site on 127.0.0.1 and crawl it into the archive (no network needed)."""
    from scraper.crawler.runs import run_archive

    with errors_to_exit(), _serve_fixtures(port) as site:
        setup_logging(log_file)
        if not quiet:
            click.echo(f"serving fixtures/site at {site.base_url}; archiving into {db_path}")
        settings = Settings(delay=0, concurrency=4, contact="demo")
        with _progress(quiet=quiet) as on_event:
            summary = run_archive(db_path, [site.url("/")], settings, follow=True, command="demo", on_event=on_event)
        _print_summary(summary, quiet=quiet)
        if quiet:
            sys.exit(summary.exit_code)
        with open_archive(db_path) as archive:
            for row in archive.iter_articles(site=None):
                when = f"{row['published'][:10]} ({row['date_source']})" if row["published"] else "no date"
                click.echo(f"  {when:<22}  {row['headline']}")
            click.echo(f"{archive.count_articles()} articles in {db_path}. Try: python cli.py search Almaty --db {db_path}")


@contextmanager
def _serve_fixtures(port: int) -> Iterator[Any]:
    from scraper.research.demo_site import StaticSite

    try:
        site = StaticSite(ROOT / "fixtures" / "site", port)
    except OSError as exc:
        raise UsageError(f"cannot serve the fixture site on 127.0.0.1:{port} ({exc.strerror}); try --port 0") from exc
    with site:
        yield site


COMMANDS = (crawl, fetch, demo)
