"""The bare pipeline the crawler is measured against: fetch → trafilatura → sqlite-utils.

``python benchmarks/bare.py URLS_FILE DB [--fetch-only]`` fetches every URL of the file (one a
line: the site's index pages and articles) over 16 connections, runs
``trafilatura.bare_extraction(with_metadata=True)`` on each page in the same
process, and inserts one row per page in batched transactions. No politeness,
no retries, no robots.txt, no raw page kept: the floor our crawler is held to.
``--fetch-only`` skips trafilatura and stores only url and status: the ceiling
the local server allows.
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

import httpx
import sqlite_utils
import trafilatura

CONNECTIONS = 16
BATCH = 32


async def _worker(client: httpx.AsyncClient, queue: list[str], rows: list[dict[str, object]],
                  table: sqlite_utils.db.Table, fetch_only: bool) -> None:
    while queue:
        url = queue.pop()
        response = await client.get(url)
        doc = None if fetch_only else trafilatura.bare_extraction(response.text, url=url, with_metadata=True)
        rows.append({"url": url, "status": response.status_code, "title": getattr(doc, "title", None),
                     "author": getattr(doc, "author", None), "date": getattr(doc, "date", None),
                     "text": getattr(doc, "text", None)})
        if len(rows) >= BATCH:
            batch, rows[:] = rows[:], []
            with table.db.conn:  # one transaction per batch, like the crawler's _flush
                table.insert_all(batch)


async def main(urls_file: str, db_path: str, fetch_only: bool = False) -> None:
    """Crawl the listed URLs into ``db_path``; print pages and seconds."""
    started = time.monotonic()
    queue = list(reversed(Path(urls_file).read_text(encoding="utf-8").split()))
    total = len(queue)
    table = sqlite_utils.Database(db_path).table("pages")
    rows: list[dict[str, object]] = []
    limits = httpx.Limits(max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS)
    async with httpx.AsyncClient(limits=limits, timeout=20) as client:
        await asyncio.gather(*[_worker(client, queue, rows, table, fetch_only) for _ in range(CONNECTIONS)])
    with table.db.conn:
        table.insert_all(rows)
    print(f"{total} {time.monotonic() - started:.3f}")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], "--fetch-only" in sys.argv[3:]))
