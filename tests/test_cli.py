"""Every CLI command, run as a user runs it (a subprocess), plus bad inputs."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli
from scraper.research.demo_site import StaticSite
from tests.clirun import ROOT, run_cli

SAMPLE = "kazakhstan-chinese-kazakhs-arrested-face-trial-in-remote-location"
SAMPLE_HEADLINE = "Kazakhstan: Chinese Kazakhs arrested, face trial in remote location"


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("demo") / "archive.db"
    first = run_cli("demo", "--db", str(db))
    assert first.returncode == 0, first.stderr
    return db, first


def count(db: Path, table: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(f"SELECT count(*) FROM [{table}]").fetchone()[0]
    finally:
        conn.close()


@pytest.mark.parametrize("name", sorted(cli.main.commands))
def test_every_command_has_help(name):
    result = CliRunner().invoke(cli.main, [name, "--help"])
    assert result.exit_code == 0
    assert cli.main.commands[name].help, f"{name} has no help text"


def test_top_level_help_documents_exit_codes():
    result = CliRunner().invoke(cli.main, ["--help"])
    assert result.exit_code == 0
    for code in ("0", "1", "2", "75"):
        assert f"  {code}" in result.output


def test_demo_archives_every_fixture_article_and_rerun_adds_nothing(demo_db):
    db, first = demo_db
    expected = [p for p in (ROOT / "fixtures" / "expected").glob("*.json")
                if "headline" in json.loads(p.read_text(encoding="utf-8"))]
    assert count(db, "articles") >= len(expected) > 0
    assert SAMPLE_HEADLINE in first.stdout
    tables = {t: count(db, t) for t in ("articles", "article_versions", "related_links", "pages")}
    again = run_cli("demo", "--db", str(db))
    assert again.returncode == 0, again.stderr
    assert {t: count(db, t) for t in tables} == tables


def test_extract_sample_article():
    result = run_cli("extract", str(ROOT / "fixtures" / "site" / SAMPLE), "--url", f"https://kazpost.com/{SAMPLE}")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    article = json.loads(lines[0])
    assert article["headline"] == SAMPLE_HEADLINE
    assert article["published"] is None or not article["published"].startswith("2025-02-22")
    assert article["lede"].startswith("Two ethnic Kazakhs who fled from China")
    body = article["body"]
    assert body.startswith("Two ethnic Kazakh citizens of China")
    assert body.rstrip().endswith("deportation to China will probably follow.")
    assert body.count(SAMPLE_HEADLINE) == 0
    related_titles = [r["title"] for r in article["related"]]
    assert "Meta Copy Twitter with New App, Threads" in related_titles
    assert len(article["related"]) >= 50
    for title in related_titles:
        assert title not in body
    for junk in ("Newsletter", "Related Articles", "0:00", "×", "Saturday, Feb 22, 2025"):
        assert junk not in body
    assert article["source"].endswith(SAMPLE)


def test_extract_bad_inputs_one_line_each_and_exit_1(tmp_path):
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    result = run_cli("extract", str(tmp_path / "missing.html"), str(empty), "http://127.0.0.1:9/nothing")
    assert result.returncode == 1
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 3, result.stderr
    assert "missing.html" in errors[0] and "empty.html" in errors[1] and "127.0.0.1:9" in errors[2]
    assert "Traceback" not in result.stderr


def test_crawl_malformed_url_is_a_usage_error(tmp_path):
    result = run_cli("crawl", "not a url", "--db", str(tmp_path / "x.db"))
    assert result.returncode == 2
    assert "not a url" in result.stderr and "Traceback" not in result.stderr


def test_fetch_unreachable_and_non_html_fail_with_one_line_each(tmp_path):
    with StaticSite(ROOT / "fixtures" / "site") as site:
        result = run_cli("fetch", "http://127.0.0.1:9/x", site.url("/feed.rss"), site.url(f"/{SAMPLE}"),
                     "--db", str(tmp_path / "x.db"), "--delay", "0", "--workers", "0")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "127.0.0.1:9/x" in result.stderr and "feed.rss" in result.stderr
    assert count(tmp_path / "x.db", "articles") == 1  # the good page is still archived


def test_search_ranks_the_story_first(demo_db):
    db, _ = demo_db
    result = run_cli("search", "Musakhan Alimuly", "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == SAMPLE_HEADLINE


def test_export_jsonl_and_csv_hold_every_article(demo_db, tmp_path):
    db, _ = demo_db
    total = count(db, "articles")
    jsonl = run_cli("export", "--format", "jsonl", "--db", str(db))
    assert jsonl.returncode == 0, jsonl.stderr
    rows = [json.loads(line) for line in jsonl.stdout.splitlines()]
    assert len(rows) == total and all(isinstance(r["authors"], list) for r in rows)
    out = tmp_path / "a.csv"
    assert run_cli("export", "--format", "csv", "-o", str(out), "--db", str(db)).returncode == 0
    assert len(list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))) == total
    refused = run_cli("export", "--format", "csv", "-o", str(out), "--db", str(db))
    assert refused.returncode == 2 and "--force" in refused.stderr
    pq = pytest.importorskip("pyarrow.parquet")
    parquet = tmp_path / "a.parquet"
    assert run_cli("export", "--format", "parquet", "-o", str(parquet), "--db", str(db)).returncode == 0
    table = pq.read_table(parquet)
    assert table.num_rows == total
    assert sorted(table.column("url").to_pylist()) == sorted(r["url"] for r in rows)


def test_stats_show_history(demo_db):
    db, _ = demo_db
    stats = run_cli("stats", "--db", str(db))
    assert stats.returncode == 0 and "articles:" in stats.stdout and "last run" in stats.stdout
    url = sqlite3.connect(db).execute("SELECT url FROM articles LIMIT 1").fetchone()[0]
    show = run_cli("show", url, "--db", str(db))
    assert show.returncode == 0 and "provenance:" in show.stdout and "fetched_at" in show.stdout
    hist = run_cli("history", url, "--db", str(db))
    assert hist.returncode == 0 and "version 1" in hist.stdout


def test_commands_on_a_missing_archive_say_so(tmp_path):
    result = run_cli("search", "x", "--db", str(tmp_path / "none.db"))
    assert result.returncode == 2 and "none.db" in result.stderr and "Traceback" not in result.stderr
