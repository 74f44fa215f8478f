"""Exports: every article round-trips through jsonl, csv and parquet, with filters."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scraper.errors import UsageError
from scraper.models import Article
from scraper.research import export as export_module
from scraper.research.export import EXPORT_COLUMNS, export
from scraper.store.archive import Archive

SITES = ("kazpost.example", "londondaily.example")
DATES = (None, "2023-06-30", "2025-01-01", "2025-01-02T08:00:00+06:00", None, "2025-02-20")


def article(i: int) -> Article:
    return Article(
        url=f"https://{SITES[i % 2]}/story-{i}",
        canonical_url=f"https://{SITES[i % 2]}/story-{i}",
        site=SITES[i % 2],
        section="kazakhstan" if i % 3 else None,
        headline=f'Story {i}: "quotes", commas; and Қазақ letters',
        lede=f"Lede {i}",
        authors=[f"Author {i}", "Second, Author"] if i % 2 else [],
        published=DATES[i % len(DATES)],
        date_source="dateline" if DATES[i % len(DATES)] else None,
        body=f"First paragraph of {i}, with a comma.\n\nSecond \"quoted\" paragraph.\n\nThird — with ünïcode.",
        related=[{"title": f"Related {i}.{n}", "url": f"https://{SITES[n % 2]}/r-{i}-{n}"} for n in range(i % 4)],
        source_credit="Eurasianet" if i % 2 else None,
        language="en",
        word_count=10 + i,
        content_hash=f"h{i}",
        fetched_at=f"2025-02-{10 + i % 5:02d}T10:00:00Z",
        status=200,
        extractor_version="1.0",
    )


N = 23


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    with Archive(tmp_path / "archive.db") as arc:
        with arc.transaction():
            for i in range(N):
                arc.save_article(article(i), extra={"feed_date": "2025-02-01"} if i == 5 else None)
            arc.save_article(article(4).replace(content_hash="h4b", body="Rewritten."))  # version 2
        yield arc


def expected(arc: Archive, **filters: Any) -> dict[str, dict[str, Any]]:
    """What the export should hold, from the store's own rows."""
    rows = {}
    for i in range(N):
        row = arc.get_article(article(i).url)
        assert row is not None
        if filters.get("site") and row["site"] != filters["site"]:
            continue
        if filters.get("since") and (row["published"] is None or row["published"] < filters["since"]):
            continue
        rows[row["url"]] = {name: row[name] for name in EXPORT_COLUMNS}
    return rows


def test_columns_cover_every_article_field() -> None:
    assert {f.name for f in dataclasses.fields(Article)} <= set(EXPORT_COLUMNS)
    assert len(set(EXPORT_COLUMNS)) == len(EXPORT_COLUMNS)
    assert EXPORT_COLUMNS[0] == "url"


@pytest.mark.parametrize("filters", [{}, {"site": SITES[1]}, {"since": "2025-01-01"}, {"site": SITES[0], "since": "2024"}])
def test_jsonl_round_trip(archive: Archive, tmp_path: Path, filters: dict[str, str]) -> None:
    path = tmp_path / "out.jsonl"
    written = export(archive, "jsonl", path, **filters)
    lines = path.read_text(encoding="utf-8").splitlines()
    got = {row["url"]: row for row in map(json.loads, lines)}
    want = expected(archive, **filters)
    assert written == len(lines) == len(want)
    assert got == want
    assert all(list(row) == list(EXPORT_COLUMNS) for row in map(json.loads, lines))


def test_jsonl_to_text_stream(archive: Archive) -> None:
    out = io.StringIO()
    assert export(archive, "jsonl", out) == N
    assert {json.loads(line)["url"] for line in out.getvalue().splitlines()} == set(expected(archive))


def _from_csv(value: str, name: str) -> Any:
    if name == "authors":
        return value.split("; ") if value else []
    if name == "related":
        return json.loads(value) if value else []
    if value == "":
        return None
    return int(value) if name in ("word_count", "status", "version", "page_id") else value


@pytest.mark.parametrize("filters", [{}, {"site": SITES[0]}, {"since": "2025-01-02"}])
def test_csv_round_trip(archive: Archive, tmp_path: Path, filters: dict[str, str]) -> None:
    path = tmp_path / "out.csv"
    written = export(archive, "csv", path, **filters)
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == EXPORT_COLUMNS
        got = {row["url"]: {k: _from_csv(v, k) for k, v in row.items()} for row in reader}
    want = expected(archive, **filters)
    # csv cannot tell an empty author list from one empty name, nor "" from null: compare on that basis.
    assert written == len(want)
    assert got == want
    assert any("\n\n" in row["body"] for row in got.values())


def test_csv_to_binary_stream(archive: Archive) -> None:
    out = io.BytesIO()
    assert export(archive, "csv", out, site=SITES[1]) == len(expected(archive, site=SITES[1]))
    assert not out.closed
    rows = list(csv.DictReader(io.StringIO(out.getvalue().decode("utf-8"), newline="")))
    assert {r["url"] for r in rows} == set(expected(archive, site=SITES[1]))


@pytest.mark.parametrize("filters", [{}, {"site": SITES[1], "since": "2023"}])
def test_parquet_round_trip(archive: Archive, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                            filters: dict[str, str]) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    monkeypatch.setattr(export_module, "_PARQUET_BATCH", 4)  # several row groups from a small archive
    path = tmp_path / "out.parquet"
    written = export(archive, "parquet", path, **filters)
    table = pq.read_table(path)
    assert tuple(table.column_names) == EXPORT_COLUMNS
    got = {row["url"]: row for row in table.to_pylist()}
    want = expected(archive, **filters)
    assert written == table.num_rows == len(want)
    assert got == want
    assert pq.ParquetFile(path).metadata.num_row_groups == -(-len(want) // 4)


def test_parquet_to_binary_stream(archive: Archive) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    out = io.BytesIO()
    assert export(archive, "parquet", out) == N
    out.seek(0)
    assert pq.read_table(out).num_rows == N


def test_parquet_without_pyarrow(archive: Archive, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    path = tmp_path / "out.parquet"
    with pytest.raises(UsageError, match=r"pip install 'news-archiver\[parquet\]'"):
        export(archive, "parquet", path)
    assert not path.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_one_per_cluster(archive: Archive, tmp_path: Path) -> None:
    members = [article(i).url for i in (1, 3, 7)]
    for url in members:
        archive.set_cluster(url, "same-story")
    out = io.StringIO()
    written = export(archive, "jsonl", out, one_per_cluster=True)
    urls = [json.loads(line)["url"] for line in out.getvalue().splitlines()]
    assert written == N - 2
    assert sum(url in members for url in urls) == 1


def test_bad_arguments(archive: Archive, tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        export(archive, "xml", tmp_path / "x.xml")  # type: ignore[arg-type]
    with pytest.raises(UsageError):
        export(archive, "jsonl", tmp_path / "x.jsonl", since="not a date")
    with pytest.raises(UsageError):
        export(archive, "jsonl", tmp_path / "no-such-dir" / "x.jsonl")
    assert not (tmp_path / "x.jsonl").exists()


def test_failed_export_keeps_the_previous_file(archive: Archive, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "out.jsonl"
    path.write_text("previous export\n", encoding="utf-8")

    def broken(*args: Any, **kwargs: Any) -> Iterator[dict[str, Any]]:
        yield {"url": "https://kazpost.example/first"}
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(archive, "iter_articles", broken)
    with pytest.raises(RuntimeError):
        export(archive, "jsonl", path)
    assert path.read_text(encoding="utf-8") == "previous export\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
