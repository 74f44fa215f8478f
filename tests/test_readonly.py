"""A read-only copy of an archive can be read; writers say why they cannot write (issue 15, point 6).

Tests run as root, who ignores permission bits, so "read-only" is made the way
root honours it: a read-only bind mount (``mount --bind -o ro``) of the
directory holding the archive, like a mounted snapshot. SQLite cannot create
the ``-shm`` file a WAL archive needs there, so ``mode=ro`` fails and the
``immutable=1`` fallback is what these tests exercise. The tests are skipped
where mounting is not allowed (an unprivileged container).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from scraper.models import Article
from scraper.store.archive import Archive

ROOT = Path(__file__).resolve().parents[1]


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "cli.py", *args], cwd=ROOT, capture_output=True, text=True, timeout=60)


@pytest.fixture()
def read_only_archive(tmp_path):
    """An archive (WAL mode, three articles) seen through a read-only bind mount of its directory."""
    source, view = tmp_path / "source", tmp_path / "view"
    source.mkdir()
    view.mkdir()
    with Archive(source / "a.db") as archive:
        assert archive.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        for i, word in enumerate(["Almaty", "Astana", "Bishkek"]):
            archive.save_article(Article(url=f"https://example.com/story-{i}", site="example.com",
                                         headline=f"News from {word}", body=f"A story about {word} and its people.",
                                         content_hash=f"hash-{i}"))
    made = subprocess.run(["mount", "--bind", "-o", "ro", str(source), str(view)], capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"cannot make a read-only bind mount here: {made.stderr.strip()}")
    try:
        assert subprocess.run(["touch", str(view / "probe")], capture_output=True).returncode != 0, "mount is writable"
        yield view / "a.db"
    finally:
        subprocess.run(["umount", str(view)], check=False)


def test_read_only_commands_read_a_read_only_archive(read_only_archive):
    db = str(read_only_archive)
    search = cli("search", "Astana", "--db", db)
    assert search.returncode == 0, search.stderr
    assert search.stdout.splitlines()[0] == "News from Astana"
    stats = cli("stats", "--db", db)
    assert stats.returncode == 0 and "articles: 3" in stats.stdout, stats.stderr
    show = cli("show", "https://example.com/story-2", "--db", db)
    assert show.returncode == 0 and "Bishkek" in show.stdout, show.stderr
    history = cli("history", "https://example.com/story-0", "--db", db)
    assert history.returncode == 0, history.stderr
    export = cli("export", "--db", db)
    assert export.returncode == 0 and len(export.stdout.splitlines()) == 3, export.stderr


def test_the_library_opens_it_read_only_and_never_writes(read_only_archive):
    with Archive(read_only_archive, read_only=True) as archive:
        assert archive.count_articles() == 3
        assert [hit["headline"] for hit in archive.search("Almaty")] == ["News from Almaty"]


def test_a_writer_on_a_read_only_archive_says_so_in_one_line(read_only_archive):
    result = cli("fetch", "http://127.0.0.1:9/some-story", "--db", str(read_only_archive), "--delay", "0")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines == [f"error: {read_only_archive}.lock: Read-only file system"], result.stderr


def test_a_live_archive_is_opened_mode_ro_not_immutable(tmp_path):
    """In a writable directory the reader must see later writes (immutable would not): ``mode=ro``."""
    db = tmp_path / "a.db"
    with Archive(db) as writer, Archive(db, read_only=True) as reader:
        assert reader.count_articles() == 0
        writer.save_article(Article(url="https://example.com/x", headline="X", body="x", content_hash="x"))
        assert reader.count_articles() == 1
