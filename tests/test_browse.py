"""`cli.py browse`: datasette on the fixture archive, fetched over HTTP on 127.0.0.1."""

from __future__ import annotations

import json
import queue
import sqlite3
import subprocess
import sys
import threading
import time
from urllib.parse import quote

import httpx
import pytest
from lxml import html as lxml_html

from tests.clirun import ROOT, run_cli_without, sql_rows

pytest.importorskip("datasette", reason="browse needs the [browse] extra")


@pytest.fixture(scope="module")
def server(demo_archive):
    """`cli.py browse --port 0` as a subprocess; yields (base URL, database name)."""
    proc = subprocess.Popen([sys.executable, "cli.py", "browse", "--db", str(demo_archive), "--port", "0"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True).start()
    try:
        try:
            first = lines.get(timeout=60)
        except queue.Empty:
            pytest.fail("browse printed nothing in 60 s")
        assert first.startswith(f"serving {demo_archive} read-only at http://127.0.0.1:"), first
        base = first.split(" at ")[1].split()[0]
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(base, timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "browse did not answer in 30 s"
            time.sleep(0.1)
        yield base, demo_archive.stem
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def get(base: str, path: str) -> httpx.Response:
    response = httpx.get(base.rstrip("/") + path, timeout=20)
    assert response.status_code == 200, (path, response.status_code, response.text[:300])
    return response


def test_facets_from_the_metadata_count_like_sql(server, demo_archive):
    base, name = server
    data = get(base, f"/{name}/articles.json").json()
    facets = data["facet_results"]
    assert {"site", "section", "language", "page_type", "date_source", "published"} <= set(facets)
    for column in ("site", "language", "date_source"):
        shown = {r["value"]: r["count"] for r in facets[column]["results"]}
        assert shown == dict(sql_rows(demo_archive, f"SELECT {column}, count(*) FROM articles WHERE {column} IS NOT NULL GROUP BY 1"))
    months = {r["value"]: r["count"] for r in facets["published"]["results"]}
    assert months == dict(sql_rows(demo_archive, "SELECT substr(published, 1, 7), count(*) FROM articles"
                                       " WHERE published IS NOT NULL GROUP BY 1"))
    month, n = next(iter(months.items()))
    picked = get(base, f"/{name}/articles.json?published__startswith={month}&_shape=objects").json()
    assert len(picked["rows"]) == n and all(r["published"].startswith(month) for r in picked["rows"])
    page = lxml_html.fromstring(get(base, f"/{name}/articles?_facet=site").text)
    assert page.xpath('//div[@data-column="site"]//li') and page.xpath('//div[@data-column="published"]//li')


def test_full_text_search_and_json_columns_as_lists(server, demo_archive):
    base, name = server
    hits = get(base, f"/{name}/articles.json?_search=Almaty&_shape=objects").json()["rows"]
    expected = sql_rows(demo_archive, "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'Almaty'")[0][0]
    assert len(hits) == expected > 0
    page = lxml_html.fromstring(get(base, f"/{name}/articles?related__not=[]&_size=5").text)
    related_links = page.xpath('//td[contains(@class, "col-related")]//ol/li/a/@href')
    assert related_links and all(h.startswith("http") for h in related_links)
    with_authors = sql_rows(demo_archive, "SELECT authors FROM articles WHERE authors != '[]'")
    assert with_authors, "the fixture has bylines"
    page_authors = lxml_html.fromstring(get(base, f"/{name}/articles?authors__not=[]&_size=max").text)
    shown = [li.text_content() for li in page_authors.xpath('//td[contains(@class, "col-authors")]//ul/li')]
    assert sorted(shown) == sorted(a for (row,) in with_authors for a in json.loads(row))
    assert page.xpath('//td[contains(@class, "col-headline")]/a[starts-with(@href, "/-/article?url=")]')


def test_canned_queries(server, demo_archive):
    base, name = server
    undated = get(base, f"/{name}/undated_articles.json?_shape=array").json()
    assert sorted(r["url"] for r in undated) == sorted(u for (u,) in sql_rows(demo_archive, "SELECT url FROM articles WHERE published IS NULL"))
    per_day = get(base, f"/{name}/articles_per_day.json?_shape=array").json()
    assert sum(r["articles"] for r in per_day) == sql_rows(demo_archive, "SELECT count(*) FROM articles WHERE published GLOB '[0-9]*-[0-9]*-[0-9]*'")[0][0]
    failures = get(base, f"/{name}/last_run_failures.json?_shape=array").json()
    assert [r["url"] for r in failures] == [u for (u,) in sql_rows(
        demo_archive, "SELECT url FROM failures WHERE run_id = (SELECT max(id) FROM runs) ORDER BY id")]
    url = sql_rows(demo_archive, "SELECT url FROM articles ORDER BY url LIMIT 1")[0][0]
    versions = get(base, f"/{name}/versions_of_article.json?_shape=array&url={quote(url, safe='')}").json()
    assert [r["kept"] for r in versions] == ["current"]


def test_article_page_reads_like_an_article(server, demo_archive):
    base, _ = server
    conn = sqlite3.connect(demo_archive)
    conn.row_factory = sqlite3.Row
    row = conn.execute("SELECT * FROM articles WHERE published IS NOT NULL AND related != '[]' ORDER BY url LIMIT 1").fetchone()
    page_row = conn.execute("SELECT sha256 FROM pages WHERE id = ?", [row["page_id"]]).fetchone()
    conn.close()
    doc = lxml_html.fromstring(get(base, f"/-/article?url={quote(row['url'], safe='')}").text)
    assert doc.xpath('string(//h1[@class="headline"])') == row["headline"]
    assert doc.xpath('string(//time/@datetime)') == row["published"]
    assert f"date from: {row['date_source']}" in doc.xpath('string(//*[@class="date-source"])')
    assert doc.xpath('string(//p[@class="lede"])') == row["lede"]
    paragraphs = [p.text_content() for p in doc.xpath('//div[@class="body"]/p')]
    assert paragraphs == [line.strip() for line in row["body"].split("\n") if line.strip()]
    related = json.loads(row["related"])
    links = doc.xpath('//ol[@class="related"]/li/a')
    assert [(a.get("href"), a.text_content()) for a in links] == [(r["url"], r["title"]) for r in related]
    assert page_row["sha256"] in doc.xpath('string(//dl[@class="provenance"])')
    missing = httpx.get(base + "-/article?url=http%3A%2F%2Fnowhere.example%2Fx", timeout=20)
    assert missing.status_code == 404


def test_read_only_and_local_by_default(server):
    base, name = server
    assert base.startswith("http://127.0.0.1:")
    databases = get(base, "/-/databases.json").json()
    assert [(d["name"], d["is_mutable"]) for d in databases] == [(name, False)]


def test_without_datasette_the_error_names_the_extra(demo_archive):
    result = run_cli_without("datasette", "browse", "--db", str(demo_archive), "--port", "0")
    assert result.returncode == 2
    assert result.stderr.strip() == "error: browse needs datasette: pip install -e '.[browse]'"


def test_live_opens_read_only_but_mutable(demo_archive):
    proc = subprocess.Popen([sys.executable, "cli.py", "browse", "--db", str(demo_archive), "--port", "0", "--live"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        base = proc.stdout.readline().split(" at ")[1].split()[0]  # the line is printed once the port is bound
        deadline = time.monotonic() + 30
        while True:
            try:
                databases = httpx.get(base + "-/databases.json", timeout=2).json()
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "browse --live did not answer in 30 s"
                time.sleep(0.1)
        assert [(d["name"], d["is_mutable"]) for d in databases] == [(demo_archive.stem, True)]
        refused = httpx.get(base + f"{demo_archive.stem}.json", params={"sql": "DELETE FROM runs"}, timeout=10)
        assert refused.status_code == 400
        assert sql_rows(demo_archive, "SELECT count(*) FROM runs")[0][0] > 0
    finally:
        proc.terminate()
        proc.wait(timeout=15)
