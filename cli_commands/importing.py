"""The commands that fill an archive from what is already stored: reextract, import-warc, merge."""

from __future__ import annotations

from typing import Any

import click

from scraper.config import Settings

from .common import (
    dask_logs_to_log,
    ENGINE_OPTION,
    SCHEDULER_OPTION,
    SITES_OPTION,
    error,
    errors_to_exit,
    open_archive,
    print_counts,
    settings_from,
    setup_logging,
    writer_options,
)


@click.command()
@click.option("--url", "urls", multiple=True, help="Only these articles (repeatable).")
@SITES_OPTION
@writer_options
def reextract(urls: tuple[str, ...], sites_file: str | None, db_path: str, quiet: bool, log_file: str | None) -> None:
    """Re-run the current extractor over stored raw pages; changed articles get a new version."""
    from scraper.research.reextract import reextract as do_reextract

    with errors_to_exit():
        setup_logging(log_file)
        with open_archive(db_path, lock=True) as archive:
            counts = do_reextract(archive, list(urls) or None, settings=settings_from({"sites_file": sites_file}))
        print_counts("reextract", counts, quiet=quiet)


@click.command("import-warc")
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
                out_dir: str | None, no_raw: bool, no_load: bool, split_bytes: int, sites_file: str | None, db_path: str, quiet: bool,
                log_file: str | None) -> None:
    """Extract and archive articles from existing WARC files (paths, fsspec URLs, or @LIST.txt of them)."""
    from scraper.research.warc import expand_inputs, import_warcs

    with errors_to_exit():
        setup_logging(log_file)
        inputs, settings = expand_inputs(files), settings_from({"sites_file": sites_file})
        if engine == "dask":
            counts = _import_dask(inputs, settings, out_dir or f"{db_path}.parts", None if no_load else db_path,
                                  scheduler=scheduler, workers=workers, raw=not no_raw, quiet=quiet,
                                  split_bytes=split_bytes)
        else:
            with open_archive(db_path, lock=True) as archive:
                counts = import_warcs(archive, inputs, settings=settings)
        print_counts("import-warc", counts, quiet=quiet)


def _import_dask(inputs: list[str], settings: Settings, out_dir: str, db_path: str | None, *, scheduler: str | None,
                 workers: int | None, raw: bool, quiet: bool, split_bytes: int) -> dict[str, int]:
    from scraper.research.distributed import import_warcs_dask, require_dask

    require_dask()
    dask_logs_to_log()

    def show(p: Any) -> None:
        if not quiet:
            click.echo(p.line(), err=True)

    def show_load(counts: dict[str, int]) -> None:
        if not quiet:
            click.echo(f"loaded inputs {counts['loaded']}/{counts['inputs']}  archived {counts['archived']}  "
                       f"updated {counts['updated']}  unchanged {counts['unchanged']}", err=True)

    result = import_warcs_dask(inputs, out_dir, db_path=db_path, settings=settings, scheduler=scheduler,
                               workers=workers, raw=raw, on_progress=show, on_load=show_load, split_bytes=split_bytes,
                               args={"out": out_dir, "files": len(inputs), "split_bytes": split_bytes})
    for source, message in result.failed_inputs:
        error(f"{source}: {message}")
    return {"files": result.inputs, **result.counts}


@click.command()
@click.argument("sources", nargs=-1, required=True)
@writer_options
def merge(sources: tuple[str, ...], db_path: str, quiet: bool, log_file: str | None) -> None:
    """Merge archives (e.g. of crawl --shard K/N) into --db: newest version wins, nothing duplicated."""
    from scraper.store.merge import merge_archives

    with errors_to_exit():
        setup_logging(log_file)
        with open_archive(db_path, lock=True) as archive:
            counts = merge_archives(archive, list(sources))
        print_counts("merge", counts, quiet=quiet)


COMMANDS = (reextract, import_warc, merge)
