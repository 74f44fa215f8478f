"""What every command shares: exit codes, the error mapping, logging, options, the archive and settings."""

from __future__ import annotations

import errno
import json
import logging
import math
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click
import tomllib

import scraper.crawler.urls
from scraper.config import Settings, SiteConfig, load_site_configs
from scraper.errors import ArchiveLocked, ScraperError, UsageError

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_LOCKED = 0, 1, 2, 75
ROOT = Path(__file__).resolve().parents[1]  # the checkout, beside cli.py
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


def dask_logs_to_log() -> None:
    """Dask's own log lines (a lost scheduler, a restarted worker) go to --log, not the terminal."""
    for name in ("distributed", "distributed.client", "distributed.gc", "tornado", "tornado.application", "bokeh"):
        logging.getLogger(name).handlers = list(log.handlers)
    logging.getLogger("distributed").setLevel(logging.WARNING)


def setup_logging(log_file: str | None) -> None:
    log.setLevel(logging.INFO)
    if log_file:
        handler = logging.FileHandler(log_file, encoding="utf-8")
        handler.setFormatter(_JsonFormatter())
        log.addHandler(handler)


def error(message: str) -> None:
    click.echo(f"error: {message}", err=True)


@contextmanager
def errors_to_exit() -> Iterator[None]:
    """Map every exception that escapes a command to one stderr line and an exit code; never a traceback.

    The one place this happens (``main`` wraps every command in it). The traceback
    goes to the ``--log`` file; NEWS_ARCHIVER_DEBUG=1 lets it through instead.
    """
    try:
        yield
    except (click.exceptions.ClickException, click.exceptions.Abort, click.exceptions.Exit):
        raise  # click prints these itself, with its own exit codes
    except ArchiveLocked as exc:
        error(str(exc))
        sys.exit(EXIT_LOCKED)
    except UsageError as exc:
        error(str(exc))
        sys.exit(EXIT_USAGE)
    except ScraperError as exc:
        log.error("failed", exc_info=True)
        error(str(exc))
        sys.exit(EXIT_FAILED)
    except KeyboardInterrupt:
        error("interrupted")
        sys.exit(130)
    except OSError as exc:
        if os.environ.get("NEWS_ARCHIVER_DEBUG"):
            raise
        log.error("fatal", exc_info=True)
        if exc.errno in (errno.EPIPE, errno.ENOSPC) or exc.filename is None:
            _silence_stdout()  # a full disk or closed pipe on stdout: nothing more can be written there
        where = f"{exc.filename}: " if exc.filename else ""
        error(f"{where}{exc.strerror or exc}")
        sys.exit(EXIT_FAILED)
    except Exception as exc:  # noqa: BLE001 - a bug still gets one line; the log has the traceback
        if os.environ.get("NEWS_ARCHIVER_DEBUG"):
            raise
        log.error("fatal", exc_info=True)
        error(f"{type(exc).__name__}: {exc} (set NEWS_ARCHIVER_DEBUG=1 for a traceback)")
        sys.exit(EXIT_FAILED)


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


class Commands(click.Group):
    """The command group: every command runs inside :func:`errors_to_exit`."""

    def invoke(self, ctx: click.Context) -> Any:
        with errors_to_exit():
            try:
                return super().invoke(ctx)
            finally:
                sys.stdout.flush()  # a write error on stdout (/dev/full) surfaces here, not at exit


class FiniteFloat(click.ParamType):
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


SITES_OPTION = click.option("--sites", "sites_file", type=click.Path(exists=True, dir_okay=False), default=None,
                            help="Per-site config (TOML): article patterns, hosts, boilerplate selectors.")
ENGINE_OPTION = click.option("--engine", type=click.Choice(["dask"]), default=None,
                             help="Run on a Dask cluster (pip install -e '.[dask]'); default: this process.")
SCHEDULER_OPTION = click.option("--scheduler", default=None,
                                help="Dask scheduler address (tcp://HOST:8786) [a local cluster].")


def settings_from(opts: dict[str, Any]) -> Settings:
    """The run's Settings from the command's options (those not given keep their defaults)."""
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


@contextmanager
def open_archive(db_path: str, *, lock: bool = False) -> Iterator[Any]:
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


def lookup(get: Callable[[str], Any], url: str) -> Any:
    """An archive record by the URL's canonical form (the archive key), else as given."""
    found = get(scraper.crawler.urls.canonicalize(url)) or get(url)
    if not found:
        raise UsageError("not in the archive", url=url)
    return found


def print_counts(command: str, counts: dict[str, int], *, quiet: bool) -> None:
    """The counts line (on stderr and only on failure with --quiet), the log line, and the exit code."""
    line = ", ".join(f"{k} {v}" for k, v in counts.items())
    log.info(command, extra={"fields": dict(counts)})
    if not quiet or counts.get("failed"):
        click.echo(line, err=quiet)
    sys.exit(EXIT_FAILED if counts.get("failed") else EXIT_OK)
