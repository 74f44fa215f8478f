"""The evaluation command on tiny hand-made datasets (the real ones: test_quality_floor)."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from scraper.errors import UsageError
from scraper.research.evaluate import (
    author_set,
    evaluate_dir,
    format_report,
    main,
    norm,
)

PARAGRAPH = ("The harbour authority confirmed on Monday that the new ferry line will start in "
             "spring, linking the two islands for the first time in decades. ")


def _page(headline: str, date_line: str, author: str) -> bytes:
    return (
        f"<html><head><meta charset='utf-8'><title>{headline} - Example News</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/world'>World news menu</a></nav>"
        f"<article><h1>{headline}</h1><p class='byline'>By {author}</p><p class='date'>{date_line}</p>"
        f"<p>{PARAGRAPH}</p><p>{PARAGRAPH}</p><p>{PARAGRAPH}</p></article>"
        "<footer>Contact us at the imprint page</footer></body></html>"
    ).encode()


def _dataset(root: Path, truth: dict[str, dict[str, object]], pages: dict[str, bytes]) -> Path:
    (root / "pages").mkdir(parents=True)
    for name, raw in pages.items():
        (root / "pages" / name).write_bytes(gzip.compress(raw))
    (root / "truth.json").write_text(json.dumps(truth), encoding="utf-8")
    return root


@pytest.fixture()
def body_set(tmp_path: Path) -> Path:
    truth = {
        "https://example.com/2020/05/04/ferry": {
            "file": "a.html.gz",
            "with": ["new ferry line will start in spring", "a sentence that is not on the page"],
            "without": ["a phrase that nowhere appears"],
            "title": "Ferry line to link the islands",
            "date": "2020-05-04",
            "author": "Jane Roe",
        },
    }
    pages = {"a.html.gz": _page("Ferry line to link the islands", "May 4, 2020", "Jane Roe")}
    return _dataset(tmp_path / "body", truth, pages)


@pytest.fixture()
def dates_set(tmp_path: Path) -> Path:
    truth = {
        "https://example.com/news/ferry": {"file": "a.html.gz", "date": "2020-05-04"},
        "https://example.com/news/bridge": {"file": "b.html.gz", "date": "2021-06-07"},
        "https://example.com/news/tunnel": {"file": "c.html.gz", "date": "2019-01-02"},
    }
    pages = {
        "a.html.gz": _page("Ferry line to link the islands", "May 4, 2020", "Jane Roe"),
        "b.html.gz": _page("Bridge repairs finished early", "June 9, 2021", "John Doe"),
        "c.html.gz": _page("Tunnel plan shelved for now", "", "John Doe"),
    }
    return _dataset(tmp_path / "dates", truth, pages)


def test_norm_and_author_sets() -> None:
    assert norm("  Ｆｅｒｒｙ\u00a0LINE \n") == "ferry line"
    assert author_set("Jane Roe; JOHN  Doe") == author_set(["john doe", "Jane Roe"])
    assert author_set("Jane Roe") != author_set("Jane Roe; John Doe")
    assert author_set(None) == frozenset()


def test_body_set_scores(body_set: Path) -> None:
    report = evaluate_dir(body_set, misses=True, baselines=False)
    ours = report["tools"]["ours"]
    assert report["kind"] == "body" and report["pages"] == 1
    assert (ours["tp"], ours["fn"], ours["fp"], ours["tn"]) == (1, 1, 0, 1)
    assert ours["precision"] == 1.0 and ours["recall"] == 0.5
    assert ours["f1"] == round(2 / 3, 4) and ours["accuracy"] == round(2 / 3, 4)
    assert ours["headline_match"] == 1.0 and ours["date_match"] == 1.0
    assert report["misses"][0]["missed"] == ["a sentence that is not on the page"]


def test_dates_set_scores_and_misses(dates_set: Path) -> None:
    report = evaluate_dir(dates_set, misses=True, baselines=False)
    ours = report["tools"]["ours"]
    # a: right; b: the page says June 9 (truth June 7) -> wrong; c: no date -> unanswered
    assert report["kind"] == "dates"
    assert (ours["accuracy"], ours["precision"], ours["coverage"]) == (
        round(1 / 3, 4), 0.5, round(2 / 3, 4))
    assert report["tools"]["ours_date_only"]["accuracy"] == ours["accuracy"]
    assert {m["file"]: m["got"] for m in report["misses"]} == {
        "b.html.gz": "2021-06-09", "c.html.gz": None}


def test_dates_set_with_baselines_side_by_side(dates_set: Path) -> None:
    report = evaluate_dir(dates_set, baselines=True)
    assert set(report["tools"]) == {"ours", "ours_date_only", "htmldate", "trafilatura"}
    text = format_report(report, misses=False)
    assert "htmldate" in text and "coverage" in text


def test_cli_json(dates_set: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(dates_set), "--json", "--misses"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["pages"] == 3 and "misses" in report


def test_cli_missing_truth_is_an_error(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "scraper.research.evaluate", str(tmp_path)],
                          check=False, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "truth.json" in done.stderr


def test_not_a_dataset_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="truth.json"):
        evaluate_dir(tmp_path)
    (tmp_path / "truth.json").write_text("{broken", encoding="utf-8")
    with pytest.raises(UsageError, match="not valid JSON"):
        evaluate_dir(tmp_path)


def test_dates_set_scored_as_fetched_fresh(dates_set: Path) -> None:
    # Fetched the day after each page's publication day: the same answers as an old fetch here
    # (a dateline under the headline is the page's own), scored as their own tool.
    report = evaluate_dir(dates_set, baselines=False, fetched_after=30)
    fresh, ours = report["tools"]["ours_fetched_fresh"], report["tools"]["ours"]
    assert (fresh["accuracy"], fresh["coverage"]) == (ours["accuracy"], ours["coverage"])
    assert "ours_fetched_fresh" in format_report(report, misses=False)
