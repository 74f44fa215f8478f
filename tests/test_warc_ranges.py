"""Record ranges of a large WARC file: the ranges of a file hold each of its records exactly once."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from scraper.config import Settings
from scraper.crawler.runs import run_archive
from scraper.research.demo_site import StaticSite
from scraper.research.warc import WarcItem, extract_warc
from scraper.research.warc_ranges import WarcRange, input_id, plan_ranges

FIXTURE_SITE = Path(__file__).resolve().parents[1] / "fixtures" / "site"


@pytest.fixture(scope="module")
def one_warc(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole fixture site crawled into one gzip WARC (one gzip member per record)."""
    tmp = tmp_path_factory.mktemp("one-warc")
    with StaticSite(FIXTURE_SITE) as site:
        run_archive(tmp / "crawl.db", [site.url("/")], Settings(delay=0, warc_dir=str(tmp / "w"), workers=0))
    [warc] = sorted((tmp / "w").glob("*.warc.gz"))
    return warc


def _key(item: WarcItem) -> tuple[object, ...]:
    article = item.article
    return (item.outcome, item.url, item.kind, item.error, item.page and item.page.url,
            item.page and item.page.content, article and (article.url, article.content_hash, article.published))


def _by_ranges(path: Path, split: int) -> list[list[tuple[object, ...]]]:
    return [[_key(item) for item in extract_warc(str(path), part=part)] for part in plan_ranges([str(path)], split)]


@pytest.mark.parametrize("split", [700, 3000, 20000])
@pytest.mark.parametrize("compressed", [True, False])
def test_ranges_hold_every_record_once_in_file_order(one_warc: Path, tmp_path: Path, split: int,
                                                     compressed: bool) -> None:
    path = one_warc
    if not compressed:
        path = tmp_path / "plain.warc"
        path.write_bytes(gzip.decompress(one_warc.read_bytes()))
    whole = [_key(item) for item in extract_warc(str(path))]
    assert sum(key[0] == "article" for key in whole) == 10
    ranges = _by_ranges(path, split)
    assert len(ranges) == -(-path.stat().st_size // split) > 1
    assert sum(1 for found in ranges if found) > 1  # records really are spread over several ranges
    assert [key for found in ranges for key in found] == whole


def test_a_cut_file_fails_once_in_the_range_that_reaches_the_cut(one_warc: Path, tmp_path: Path) -> None:
    cut = tmp_path / "cut.warc.gz"
    data = one_warc.read_bytes()
    cut.write_bytes(data[: len(data) * 2 // 3])
    whole = [_key(item) for item in extract_warc(str(cut))]
    assert [key[0] for key in whole].count("failed") == 1
    found = [key for keys in _by_ranges(cut, 2000) for key in keys]
    assert found == whole


def test_plan_ranges_splits_only_large_files_into_contiguous_ranges(one_warc: Path, tmp_path: Path) -> None:
    small = tmp_path / "small.warc.gz"
    small.write_bytes(b"x" * 100)
    size = one_warc.stat().st_size
    plan = plan_ranges([str(small), str(one_warc)], split_bytes=size // 3)
    assert plan[0] == WarcRange(str(small)) and plan[0].id == input_id(str(small))  # a whole file keeps its id
    parts = plan[1:]
    assert [p.source for p in parts] == [str(one_warc)] * len(parts) and len(parts) >= 3
    assert parts[0].start == 0 and parts[-1].end is None
    assert all(a.end == b.start for a, b in zip(parts, parts[1:]))
    assert len({p.id for p in plan}) == len(plan)
    assert parts[1].label == f"{one_warc}#bytes={parts[1].start}-{parts[1].end}"
    assert plan_ranges([str(one_warc)], split_bytes=None) == [WarcRange(str(one_warc))]
    assert plan_ranges([str(one_warc)], split_bytes=size) == [WarcRange(str(one_warc))]
