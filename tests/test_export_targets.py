"""``export`` replaces only regular files, never leaves a partial file, and never shows a traceback (issue 15, point 6).

Decision for symlinks: an export writes *through* a symlink on purpose (the file
it points at is replaced, atomically; the link stays), as ``>`` would. A FIFO, a
device node or a directory is refused, even with ``--force``.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from scraper.models import Article
from scraper.store.archive import Archive

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = 40


@pytest.fixture()
def db(tmp_path) -> Path:
    path = tmp_path / "a.db"
    with Archive(path) as archive:
        for i in range(ARTICLES):
            body = " ".join(f"Sentence {j} of story {i} about the steppe, its herders and the winter." for j in range(40))
            archive.save_article(Article(url=f"https://example.com/story-{i}", site="example.com",
                                         headline=f"Story {i}", body=body, content_hash=f"hash-{i}"))
    return path


def export(db: Path, *args: str, stdout: int | object = subprocess.PIPE) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "cli.py", "export", "--db", str(db), *args], cwd=ROOT, stdout=stdout,
                          stderr=subprocess.PIPE, text=True, timeout=60)


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and len(result.stderr.strip().splitlines()) == 1, result.stderr
    return errors[0]


def test_a_fifo_is_refused(db, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    result = export(db, "-o", str(fifo), "--force")
    assert result.returncode == 2
    assert "not a regular file" in one_line_error(result)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_device_is_refused(db, tmp_path):
    device = tmp_path / "full"  # a node like /dev/full, made here so a failing test cannot break the real one
    try:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 7))
    except PermissionError:
        pytest.skip("making a device node needs root")
    result = export(db, "-o", str(device), "--force")
    assert result.returncode == 2
    assert "not a regular file" in one_line_error(result)
    assert stat.S_ISCHR(os.lstat(device).st_mode)


def test_a_directory_is_refused(db, tmp_path):
    target = tmp_path / "out"
    target.mkdir()
    (target / "keep.txt").write_text("kept")
    result = export(db, "-o", str(target), "--force")
    assert result.returncode == 2
    assert "directory" in one_line_error(result)
    assert (target / "keep.txt").read_text() == "kept"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []  # no temp file left


def test_a_symlink_is_written_through(db, tmp_path):
    real = tmp_path / "exports" / "latest-real.jsonl"
    real.parent.mkdir()
    real.write_text("old\n")
    link = tmp_path / "latest.jsonl"
    link.symlink_to(real)
    result = export(db, "-o", str(link), "--force")
    assert result.returncode == 0, result.stderr
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert len(real.read_text().splitlines()) == ARTICLES


def test_stdout_on_a_full_device_is_one_line_and_exit_1(db):
    with open("/dev/full", "w") as full:
        result = export(db, stdout=full)
    assert result.returncode == 1
    assert "No space left on device" in one_line_error(result)


@pytest.fixture()
def tiny_disk(tmp_path):
    """A 16 KiB tmpfs: the export runs out of space halfway."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", str(mount)], capture_output=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_a_full_disk_leaves_no_partial_file_and_keeps_the_old_one(db, tiny_disk):
    target = tiny_disk / "out.jsonl"
    target.write_text("previous export\n")
    result = export(db, "-o", str(target), "--force")
    assert result.returncode == 1
    assert one_line_error(result) == f"error: {target}: No space left on device"
    assert target.read_text() == "previous export\n"
    assert sorted(p.name for p in tiny_disk.iterdir()) == ["out.jsonl"]  # the temp file is gone
