"""The commands that read: extract (no archive), search, export, stats, report, browse, history, show, eval."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from scraper.errors import ScraperError, UsageError

from .common import (
    EXIT_FAILED, EXIT_OK, EXIT_USAGE, FiniteFloat, db_option, error, errors_to_exit, lookup, open_archive,
)


@click.command("extract")
@click.argument("inputs", nargs=-1, required=True)
@click.option("--url", "original_url", default=None, help="The original address of a single local file.")
def extract_cmd(inputs: tuple[str, ...], original_url: str | None) -> None:
    """Print one JSON object per FILE_OR_URL (JSON Lines); store nothing."""
    from scraper.crawler.runs import extract_inputs

    if original_url and len(inputs) != 1:
        error("--url applies to a single input")
        sys.exit(EXIT_USAGE)
    failed = False
    with errors_to_exit():
        for source, result in extract_inputs(inputs, original_url=original_url):
            if isinstance(result, ScraperError):
                failed = True
                click.echo(f"error: {source}: {result.message}", err=True)
            else:
                click.echo(json.dumps({**result.to_dict(), "source": source}, ensure_ascii=False))
    sys.exit(EXIT_FAILED if failed else EXIT_OK)


@click.command()
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
    with errors_to_exit(), open_archive(db_path) as archive:
        hits = archive.search(query, site=site, since=since, until=until, limit=limit, raw=raw)
        for hit in hits:
            click.echo(f"{hit['headline']}\n  {hit['published'] or 'no date'}  {hit['url']}\n  {hit['snippet']}")
        if not hits:
            click.echo("no match", err=True)


@click.command()
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

    with errors_to_exit(), open_archive(db_path) as archive:
        if output != "-" and Path(output).exists() and not force:
            raise UsageError("exists; add --force to overwrite", url=output)
        if output == "-" and fmt == "parquet":
            raise UsageError("parquet needs a file: use -o FILE")
        target: Any = (sys.stdout if fmt == "jsonl" or fmt == "csv" else sys.stdout.buffer) if output == "-" else output
        count = do_export(archive, fmt, target, since=since, site=site, one_per_cluster=one_per_cluster)  # type: ignore[arg-type]
        click.echo(f"exported {count} articles", err=True)


@click.command()
@db_option
def stats(db_path: str) -> None:
    """Articles per site, section and day; dated share; last run; failures by kind."""
    from scraper.research.report import format_stats

    with errors_to_exit(), open_archive(db_path) as archive:
        click.echo(format_stats(archive.stats()))


@click.command()
@click.option("-o", "--output", default="report.html", show_default=True, type=click.Path(dir_okay=False))
@click.option("--since", default=None, help="Published (charts by publication day) or fetched/run (the rest) on or after DATE.")
@click.option("--site", default=None, help="Only this host.")
@click.option("--png", "png_dir", default=None, type=click.Path(file_okay=False), help="Also write each chart as a PNG into DIR.")
@db_option
def report(output: str, since: str | None, site: str | None, png_dir: str | None, db_path: str) -> None:
    """Coverage report: one self-contained HTML file with charts (pip install -e '.[report]')."""
    from scraper.research.charts import require_matplotlib
    from scraper.research.report_html import write_report

    with errors_to_exit():
        require_matplotlib()
        with open_archive(db_path) as archive:
            cov = write_report(archive.db.conn, Path(output), title=f"Archive coverage: {Path(db_path).name}",
                               since=since, site=site, png_dir=Path(png_dir) if png_dir else None)
        click.echo(f"wrote {output}: {cov.articles} articles, {len(cov.per_site)} sites", err=True)


@click.command()
@click.option("--port", type=click.IntRange(0, 65535), default=8001, show_default=True, help="0 = any free port.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Listen here (another address exposes the archive).")
@click.option("--live", is_flag=True, help="Show a running crawl's writes (read-only, not immutable).")
@db_option
def browse(port: int, host: str, live: bool, db_path: str) -> None:
    """Browse the archive in datasette: facets, search, article pages (pip install -e '.[browse]')."""
    from scraper.research.browse import require_datasette, serve

    with errors_to_exit():
        require_datasette()
        if not Path(db_path).is_file():
            raise UsageError("no archive here yet (run crawl, fetch or demo first)", url=db_path)
        with open_archive(db_path):  # brings the schema up to date before the read-only view
            pass
        serve(Path(db_path), host=host, port=port, live=live,
              on_ready=lambda url: click.echo(f"serving {db_path} read-only at {url} (Ctrl-C stops)"))


@click.command()
@click.argument("url")
@db_option
def history(url: str, db_path: str) -> None:
    """List an article's versions with a readable diff between each."""
    from scraper.research.report import format_history

    with errors_to_exit(), open_archive(db_path) as archive:
        click.echo(format_history(lookup(archive.history, url)))


@click.command()
@click.argument("url")
@db_option
def show(url: str, db_path: str) -> None:
    """Print an article with its provenance (raw page, fetch time, headers, extractor)."""
    from scraper.research.report import format_article

    with errors_to_exit(), open_archive(db_path) as archive:
        row = lookup(archive.get_article, url)
        page = archive.get_page(row["page_id"]) if row.get("page_id") else None
        click.echo(format_article(row, page))


@click.command("eval")
@click.argument("dataset_dir", type=click.Path(exists=True, file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="One JSON object for machines.")
@click.option("--misses", is_flag=True, help="List per-page misses.")
@click.option("--fetched-after", "fetched_after", type=FiniteFloat(0), default=None, metavar="HOURS",
              help="Dates sets: also score ours as fetched HOURS after the start of each page's day.")
def eval_cmd(dataset_dir: str, as_json: bool, misses: bool, fetched_after: float | None) -> None:
    """Score the extractor on a dataset (../shared/eval/body or dates) beside trafilatura/htmldate."""
    from scraper.research.evaluate import evaluate_dir, format_report

    with errors_to_exit():
        report = evaluate_dir(Path(dataset_dir), misses=misses, fetched_after=fetched_after)
        click.echo(json.dumps(report, ensure_ascii=False) if as_json else format_report(report, misses))


COMMANDS = (extract_cmd, search, export, stats, report, browse, history, show, eval_cmd)
