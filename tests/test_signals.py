"""SIGINT and SIGTERM stop a run promptly and cleanly; nan/inf/negative numbers never start one (issue 15, point 3).

A real ``cli.py crawl`` with ``--delay 30`` against the fixture site on
127.0.0.1: after its first pages, the next request waits 30 s for its turn. The
signal must end the run within about 2 s, send no request after it, record the
run as interrupted, leave nothing ``active`` in the frontier, and exit 130
(SIGINT) or 143 (SIGTERM).
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from scraper.research.demo_site import StaticSite
from tests.clirun import sql_rows

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "fixtures" / "site"
START_WAIT = 60.0
STOP_LIMIT = 2.0 + 1.0  # the "about 2 s", plus slack for a machine shared with other test runs


@pytest.mark.parametrize(("sig", "code", "workers"), [(signal.SIGINT, 130, "0"), (signal.SIGTERM, 143, "2")])
def test_a_signal_stops_a_slow_crawl_within_two_seconds(tmp_path, sig, code, workers):
    db = tmp_path / "a.db"
    with StaticSite(SITE) as site:
        proc = subprocess.Popen(
            [sys.executable, "cli.py", "crawl", site.url("/"), "--db", str(db), "--delay", "30", "--workers", workers],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + START_WAIT
            # robots.txt and the home page: the next request waits 30 s for the host's turn
            while len(site.log) < 2 and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.02)
            time.sleep(0.5)
            assert proc.poll() is None, proc.communicate()
            requests_before = len(site.log)
            sent = time.monotonic()
            proc.send_signal(sig)
            out, err = proc.communicate(timeout=30)
            took = time.monotonic() - sent
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        assert len(site.log) == requests_before, f"requests after the signal: {site.log[requests_before:]}"
    assert "Traceback" not in err, err
    assert proc.returncode == code, err
    assert took < STOP_LIMIT, f"took {took:.1f} s to stop"
    assert "interrupted" in err
    assert sql_rows(db, "SELECT exit_code, error, ended_at IS NOT NULL FROM runs") == [
        (code, f"interrupted by {signal.Signals(sig).name}", 1)]
    assert sql_rows(db, "SELECT count(*) FROM frontier WHERE state = 'active'") == [(0,)]
    assert sql_rows(db, "SELECT count(*) FROM frontier WHERE state = 'pending'")[0][0] > 0  # queued for the next run
    assert sql_rows(db, "PRAGMA integrity_check") == [("ok",)]


NUMERIC_OPTIONS = ["--delay", "--timeout", "--max-time", "--refresh-after", "--max-failure-share", "--concurrency",
                   "--max-pages", "--max-attempts", "--workers"]


VALUES = ["nan", "inf", "-inf", "-1"]
# Every option x value through click in one process (a subprocess per case costs ~2 s); bounded by
# the subprocess timeout: before the fix `--delay nan` ran, and its nan-second sleep never ended.
OPTIONS_DRIVER = """
import json, sys, tempfile
from pathlib import Path
from click.testing import CliRunner
import cli
for option in sys.argv[1].split(","):
    for value in sys.argv[2].split(","):
        db = Path(tempfile.mkdtemp()) / "a.db"
        result = CliRunner().invoke(cli.main, ["fetch", "http://127.0.0.1:9/", "--db", str(db), f"{option}={value}"])
        print(json.dumps([option, value, result.exit_code, result.output, db.exists()]), flush=True)
"""


def test_nan_inf_and_negative_numbers_are_usage_errors():
    done = subprocess.run([sys.executable, "-c", OPTIONS_DRIVER, ",".join(NUMERIC_OPTIONS), ",".join(VALUES)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(results) == len(NUMERIC_OPTIONS) * len(VALUES)
    for option, value, code, output, created in results:
        assert code == 2, (option, value, output)
        assert option in output and "Traceback" not in output, (option, value, output)
        assert not created, (option, value)


LIBRARY_DRIVER = """
import json, math, sys, tempfile
from pathlib import Path
import scraper
from scraper.errors import UsageError
for setting in ["delay", "timeout", "max_time", "backoff_base", "retry_after_cap"]:
    for value in [math.nan, math.inf, -1.0]:
        db = Path(tempfile.mkdtemp()) / "a.db"
        try:
            scraper.fetch("http://127.0.0.1:9/", db=db, **{setting: value})
            error = None
        except UsageError as exc:
            error = str(exc)
        print(json.dumps([setting, repr(value), error, db.exists()]), flush=True)
"""


def test_the_library_refuses_them_too():
    done = subprocess.run([sys.executable, "-c", LIBRARY_DRIVER], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(results) == 15
    for setting, value, error, created in results:
        assert error is not None and setting in error, (setting, value, error)
        assert not created, (setting, value)
