"""``kill -9`` of a crawl leaves no process behind (issue 15, point 2).

The OOM killer, ``timeout -s KILL`` and systemd kill cron jobs this way; the
multiprocessing forkserver, its resource tracker and the extraction workers
must not live on under PID 1 holding the archive open. A real ``cli.py crawl``
with two worker processes runs against the fixture site on 127.0.0.1; once its
workers exist, every process descending from it is noted (pid and start time,
read from /proc), the crawler is SIGKILLed, and all of them must be gone (or
zombies: exited, waiting for PID 1 to reap them) within a few seconds.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scraper.research.demo_site import StaticSite

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "fixtures" / "site"
STORIES = 60
START_WAIT = 60.0  # seconds for start-up and the first pages on a loaded machine
GONE_WAIT = 5.0

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")


def _stat(pid: int) -> tuple[int, str, int] | None:
    """(parent pid, state, start time) of a live process, None when it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = raw.rsplit(")", 1)[1].split()  # the command name may hold spaces and parentheses
    return int(fields[1]), fields[0], int(fields[19])


def descendants(root: int) -> dict[int, int]:
    """Every live descendant of ``root``: pid -> start time."""
    parents: dict[int, list[int]] = {}
    starts: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (info := _stat(int(entry.name))) is not None:
            parents.setdefault(info[0], []).append(int(entry.name))
            starts[int(entry.name)] = info[2]
    found: dict[int, int] = {}
    todo = [root]
    while todo:
        for child in parents.get(todo.pop(), []):
            if child not in found:
                found[child] = starts[child]
                todo.append(child)
    return found


def still_running(noted: dict[int, int]) -> list[int]:
    """The noted processes that still run (same pid and start time, not a zombie)."""
    alive = []
    for pid, start in noted.items():
        info = _stat(pid)
        if info is not None and info[2] == start and info[1] not in ("Z", "X"):
            alive.append(pid)
    return alive


def story(number: int) -> bytes:
    text = "".join(f"<p>Paragraph {part} of story {number}: the district council discussed the plan, its costs "
                   f"and the timetable again with {number + part} residents.</p>" for part in range(6))
    return (f"<html><head><title>Story {number}</title></head><body><article><h1>Story {number} about the "
            f"council plan</h1>{text}</article></body></html>").encode()


@pytest.mark.slow
def test_sigkill_of_the_crawler_leaves_no_process_behind(tmp_path):
    with StaticSite(SITE) as site:
        links = "".join(f'<a href="/council-plan-story-number-{i}">Story {i} about the plan</a>' for i in range(STORIES))
        site.overrides["/"] = f"<html><body><h1>Home</h1>{links}</body></html>".encode()
        for i in range(STORIES):
            site.overrides[f"/council-plan-story-number-{i}"] = story(i)
        proc = subprocess.Popen(
            [sys.executable, "cli.py", "crawl", site.url("/"), "--db", str(tmp_path / "a.db"), "--delay", "0.1",
             "--workers", "2", "--quiet"],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        noted: dict[int, int] = {}
        try:
            deadline = time.monotonic() + START_WAIT
            # forkserver + resource tracker + 2 workers
            while len(noted) < 4 and proc.poll() is None and time.monotonic() < deadline:
                noted.update(descendants(proc.pid))
                time.sleep(0.05)
            assert proc.poll() is None, "the crawl ended before its workers were seen"
            assert len(noted) >= 3, f"expected a forkserver, a resource tracker and workers, saw {noted}"
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
            deadline = time.monotonic() + GONE_WAIT
            while still_running(noted) and time.monotonic() < deadline:
                time.sleep(0.05)
            left = still_running(noted)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            for pid in still_running(noted):  # never leave our own orphans on the machine
                os.kill(pid, signal.SIGKILL)
    assert left == [], f"processes left after kill -9 of the crawler: {left}"
