"""Fetched pages reach the extraction workers in batches: one task and one commit for several pages."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from scraper.config import Settings
from scraper.crawler.engine import MAX_BATCH, _Batcher
from scraper.crawler.frontier import FrontierEntry
from scraper.crawler.writer import Job, PageWriter, Scope, Tally, run_jobs
from scraper.models import Page
from scraper.store.archive import Archive
from tests.minisite import HEADLINES, article_html, slug


def _job(n: int) -> Job:
    url = f"http://127.0.0.1:9/{n}"
    entry = FrontierEntry(url=url, kind="article", depth=1, attempts=0, etag=None, last_modified=None, feed_date=None,
                          sitemap_lastmod=None)
    return Job(entry, Page(url=url, final_url=url, status=200, headers={}, content=b"", fetched_at=""), None)


def _echo_batches(sizes: list[int], gate: threading.Event):
    """A worker stand-in: waits for ``gate`` on the first batch, records each batch's size, echoes urls."""

    def call(jobs: list[Job]) -> list[Tally]:
        if not sizes:
            gate.wait(5)
        sizes.append(len(jobs))
        return [Tally(counts={job.entry.url: 1}) for job in jobs]

    return call


def test_pages_that_pile_up_while_workers_are_busy_go_in_one_batch():
    sizes: list[int] = []
    gate = threading.Event()

    async def main() -> list[Tally]:
        with ThreadPoolExecutor(1) as pool:
            batcher = _Batcher(pool, _echo_batches(sizes, gate), slots=1)
            first = asyncio.ensure_future(batcher.submit(_job(0)))
            await asyncio.sleep(0.05)  # the only slot is now busy with job 0
            rest = [asyncio.ensure_future(batcher.submit(_job(n))) for n in range(1, 2 * MAX_BATCH + 4)]
            await asyncio.sleep(0.05)
            gate.set()
            return await asyncio.gather(first, *rest)

    tallies = asyncio.run(main())
    # Each caller gets the tally of its own page, whatever batch it went in.
    assert [list(t.counts) for t in tallies] == [[f"http://127.0.0.1:9/{n}"] for n in range(2 * MAX_BATCH + 4)]
    assert sizes == [1, MAX_BATCH, MAX_BATCH, 3]


def test_an_idle_pool_gets_each_page_at_once():
    sizes: list[int] = []
    gate = threading.Event()
    gate.set()

    async def main() -> None:
        with ThreadPoolExecutor(2) as pool:
            batcher = _Batcher(pool, _echo_batches(sizes, gate), slots=3)
            for n in range(5):
                await batcher.submit(_job(n))

    asyncio.run(main())
    assert sizes == [1, 1, 1, 1, 1]


def test_a_failing_batch_raises_in_every_caller():
    def broken(jobs: list[Job]) -> list[Tally]:
        raise RuntimeError("bug in a worker")

    async def main() -> list[BaseException | Tally]:
        with ThreadPoolExecutor(1) as pool:
            batcher = _Batcher(pool, broken, slots=1)
            return await asyncio.gather(*(batcher.submit(_job(n)) for n in range(3)), return_exceptions=True)

    results = asyncio.run(main())
    assert all(isinstance(r, RuntimeError) for r in results)


def _fetched(url: str, html: str) -> Job:
    entry = FrontierEntry(url=url, kind="article", depth=1, attempts=0, etag=None, last_modified=None, feed_date=None,
                          sitemap_lastmod=None)
    page = Page(url=url, final_url=url, status=200, headers={"content-type": "text/html; charset=utf-8"},
                content=html.encode(), fetched_at="2026-11-28T00:00:00+00:00")
    return Job(entry, page, None)


def test_a_batch_is_written_in_one_transaction(tmp_path: Path):
    archive = Archive(tmp_path / "archive.db")
    writer = PageWriter(archive, Settings(), Scope(frozenset({"127.0.0.1"}), True), run_id=None)
    commits = []
    archive.db.conn.set_trace_callback(lambda sql: commits.append(sql) if sql.strip().upper() == "COMMIT" else None)
    jobs = [_fetched(f"http://127.0.0.1:9/news/{slug(h)}", article_html(h, n)) for n, h in enumerate(HEADLINES)]
    tallies = run_jobs(writer, jobs)
    archive.db.conn.set_trace_callback(None)
    assert [t.counts["archived"] for t in tallies] == [1, 1, 1]
    assert len(commits) == 1
    headlines = {row["headline"] for row in archive.db.query("SELECT headline FROM articles")}
    assert headlines == set(HEADLINES)


def test_a_bug_while_writing_a_batch_leaves_none_of_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    archive = Archive(tmp_path / "archive.db")
    writer = PageWriter(archive, Settings(), Scope(frozenset({"127.0.0.1"}), True), run_id=None)
    jobs = [_fetched(f"http://127.0.0.1:9/news/{slug(h)}", article_html(h, n)) for n, h in enumerate(HEADLINES)]
    real = archive.save_article
    calls = []

    def third_fails(article, **kw):
        calls.append(article.url)
        if len(calls) == 3:
            raise RuntimeError("disk on fire")
        return real(article, **kw)

    monkeypatch.setattr(archive, "save_article", third_fails)
    with pytest.raises(RuntimeError):
        run_jobs(writer, jobs)
    # Nothing half-written: no article, and no URL marked done that the next run would skip.
    assert archive.db.execute("SELECT count(*) FROM articles").fetchone()[0] == 0
    assert archive.db.execute("SELECT count(*) FROM pages").fetchone()[0] == 0

