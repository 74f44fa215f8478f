"""``search`` takes words and "quoted phrases"; raw FTS5 only behind ``--fts`` (issue 15, point 6).

``search 'NOT Almaty'`` used to fail as FTS5, be retried with the operator
dropped, and return exactly the Almaty articles: the opposite of what was
typed, silently. Now every term is a word (all required); ``--fts`` passes the
query to FTS5 as typed, and a malformed one is a one-line usage error.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from scraper.errors import UsageError
from scraper.models import Article
from scraper.store.archive import Archive

ROOT = Path(__file__).resolve().parents[1]

BODIES = {
    "almaty-not": "The Almaty metro opens three stations. Officials did not say when the fourth will open.",
    "almaty-only": "Almaty rents rise again as students return to the city for the autumn term.",
    "not-only": "Astana is not cheap for students, a survey of rents and prices finds.",
    "neither": "The wheat harvest beats forecasts despite late rains in the north.",
}


@pytest.fixture()
def db(tmp_path) -> Path:
    path = tmp_path / "a.db"
    with Archive(path) as archive:
        for key, body in BODIES.items():
            archive.save_article(Article(url=f"https://example.com/{key}", site="example.com", headline=f"Story {key}",
                                         body=body, content_hash=f"hash-{key}"))
    return path


def search(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "cli.py", "search", *args, "--db", str(db)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def found(result: subprocess.CompletedProcess[str]) -> set[str]:
    return {line.split("https://example.com/", 1)[1] for line in result.stdout.splitlines()
            if "https://example.com/" in line}


def test_not_is_a_word_by_default(db):
    result = search(db, "NOT Almaty")
    assert result.returncode == 0, result.stderr
    assert found(result) == {"almaty-not"}  # both words; not "every Almaty article"


def test_quoted_phrases_and_words(db):
    assert found(search(db, '"metro opens"')) == {"almaty-not"}
    assert found(search(db, '"opens metro"')) == set()
    assert found(search(db, "rents students")) == {"almaty-only", "not-only"}


def test_raw_fts5_syntax_behind_an_option(db):
    assert found(search(db, "--fts", "Almaty NOT metro")) == {"almaty-only"}
    assert found(search(db, "--fts", "rents OR wheat")) == {"almaty-only", "not-only", "neither"}


@pytest.mark.parametrize("query", ["NOT Almaty", '"unterminated', "Almaty AND", "(metro"])
def test_a_malformed_raw_query_is_a_one_line_usage_error(db, query):
    result = search(db, "--fts", query)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: malformed full-text query"), result.stderr


@pytest.mark.parametrize("query", ['"camps', "nine:camps", "Kazakh-born", "AND", "(camps", "*camps", 'a"b', "'", "-"])
def test_any_words_query_runs(db, query):
    with Archive(db) as archive:
        try:
            hits = archive.search(query)
        except UsageError as exc:  # a query of no words at all ("-") says so
            assert "nothing to search" in str(exc)
        else:
            assert isinstance(hits, list)  # 'a"b' finds the word "a" in "a survey": words, not syntax
