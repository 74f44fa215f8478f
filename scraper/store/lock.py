"""One run per archive: an OS-level file lock next to the database.

flock-based (filelock), so a run killed with SIGKILL releases it: the
next cron run never has to clean up after a crash.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from scraper.errors import ArchiveLocked

__all__ = ["archive_lock"]


@contextmanager
def archive_lock(db_path: str | Path) -> Iterator[None]:
    """Hold the archive's lock for the block; ArchiveLocked at once if another run has it."""
    lock = FileLock(f"{Path(db_path)}.lock", timeout=0)
    try:
        lock.acquire()
    except Timeout as exc:
        raise ArchiveLocked("another run is using this archive; try again later", url=str(db_path)) from exc
    try:
        yield
    finally:
        lock.release()
