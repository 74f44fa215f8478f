"""One place maps every exception that escapes a command to one line and exit 1; the traceback goes to --log.

Before issue 15 the mapping existed, but its ``log.exception`` call went to
logging's last-resort handler whenever no ``--log`` was given, which printed
the whole traceback to the user. A command whose library call fails with an
unexpected exception (a bug, here injected into the library function the
command calls) must print exactly one line, exit 1, and keep the traceback for
the log file.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from scraper.store.archive import Archive

ROOT = Path(__file__).resolve().parents[1]
# Runs cli.main() with the library's reextract replaced by one that hits a bug.
DRIVER = """
import sys
import cli
import scraper.research.reextract as module
def broken(*args, **kwargs):
    raise RuntimeError("an unexpected bug deep in the library")
module.reextract = broken
sys.argv[0] = "cli.py"
cli.main()
"""


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", DRIVER, *args], cwd=ROOT, capture_output=True, text=True, timeout=60)


def test_an_unexpected_exception_is_one_line_and_exit_1(tmp_path):
    db = tmp_path / "a.db"
    Archive(db).close()
    result = run("reextract", "--db", str(db))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        "error: RuntimeError: an unexpected bug deep in the library (set NEWS_ARCHIVER_DEBUG=1 for a traceback)"]


def test_the_traceback_is_kept_in_the_log(tmp_path):
    db, log = tmp_path / "a.db", tmp_path / "run.log"
    Archive(db).close()
    result = run("reextract", "--db", str(db), "--log", str(log))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    records = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert any("Traceback" in r.get("exc", "") and "an unexpected bug" in r["exc"] for r in records), records


def test_a_library_bug_in_a_read_only_command_is_one_line_too(tmp_path):
    db = tmp_path / "not-an-archive.db"
    db.write_bytes(b"this is not a SQLite file at all, just some bytes " * 100)
    result = subprocess.run([sys.executable, "cli.py", "stats", "--db", str(db)], cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and str(db) in result.stderr
