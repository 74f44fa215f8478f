"""The generated benchmark site: deterministic, fully linked, fast, served on 127.0.0.1."""

from __future__ import annotations

import re
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
import lxml.etree
import lxml.html
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.sitegen import GeneratedSite, serve  # noqa: E402

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture(scope="module")
def site() -> GeneratedSite:
    """A small site with many index pages (230 articles, 20 per page)."""
    return GeneratedSite(230, seed=7, per_index_page=20)


def links(body: bytes) -> list[str]:
    """Every ``<a href>`` on a rendered page."""
    return [str(h) for h in lxml.html.document_fromstring(body).xpath("//a/@href")]


def test_same_seed_same_bytes_other_seed_other_site() -> None:
    one, two, other = GeneratedSite(60, seed=3), GeneratedSite(60, seed=3), GeneratedSite(60, seed=4)
    assert one.article_paths() == two.article_paths()
    for path in one.article_paths()[:9] + one.index_paths() + ["/sitemap.xml", "/robots.txt"]:
        assert one.render(path) == two.render(path)
    assert one.article_paths() != other.article_paths()
    assert one.render(one.article_paths()[0])[2] != other.render(other.article_paths()[0])[2]


def test_every_article_linked_exactly_once_across_index_pages(site: GeneratedSite) -> None:
    articles = set(site.article_paths())
    assert len(articles) == 230 and len(site.index_paths()) == 12
    seen: Counter[str] = Counter()
    queue, visited = ["/"], set()
    while queue:  # follow pagination links only, starting from "/"
        path = queue.pop()
        if path in visited:
            continue
        visited.add(path)
        status, ctype, body = site.render(path)
        assert status == 200 and ctype.startswith("text/html")
        hrefs = links(body)
        seen.update(h for h in hrefs if h in articles)
        queue += [h for h in hrefs if h.startswith("/page/") or h == "/"]
    assert visited == set(site.index_paths())
    assert set(seen) == articles and set(seen.values()) == {1}


@pytest.mark.parametrize("path", ["/nope", "/page/1", "/page/13", "/page/0", "/page/2/x",
                                  "/article-00000", "/article-99999-x", "/sitemap.xml.gz", ""])
def test_unknown_paths_are_404(site: GeneratedSite, path: str) -> None:
    status, ctype, body = site.render(path)
    assert status == 404 and ctype.startswith("text/html") and b"Not Found" in body


def test_mangled_article_slug_is_404(site: GeneratedSite) -> None:
    path = site.article_paths()[5]
    assert site.render(path)[0] == 200
    assert site.render(path + "-x")[0] == 404 and site.render(path[:-1])[0] == 404
    assert site.render(path + "?utm=1")[0] == 200


def test_articles_look_like_kazpost_pages_in_three_markups(site: GeneratedSite) -> None:
    articles = set(site.article_paths())
    markups, sizes = set(), []
    for path in site.article_paths()[:30]:
        status, _, body = site.render(path)
        sizes.append(len(body))
        tree = lxml.html.document_fromstring(body)
        assert tree.xpath("//h1") and 6 <= len(tree.xpath("//article//p[not(@class)]")) <= 40
        related = [h for h in links(body) if h.startswith("/article-")]
        assert path not in related and set(related) <= articles and len(set(related)) >= 5
        markups.add("a" if b"more-stories-list" in body else "b" if b'class="lead"' in body
                    else "c" if b"application/ld+json" in body else "?")
    assert markups == {"a", "b", "c"}
    assert 4_000 <= min(sizes) and max(sizes) <= 20_000
    overlay = lxml.html.document_fromstring(site.render(site.article_paths()[0])[2]).xpath(
        "//ul[@class='more-stories-list']/li/a")
    assert len(overlay) == 50


def test_no_internal_link_is_broken(site: GeneratedSite) -> None:
    for path in ["/", site.index_paths()[-1]] + site.article_paths()[:6]:
        for href in links(site.render(path)[2]):
            if href.startswith("/"):
                assert site.render(href)[0] == 200, f"{href} on {path}"
            else:
                assert href.startswith(("#", "https://example.org/")), href


def test_robots_and_sitemap(site: GeneratedSite) -> None:
    status, ctype, body = site.render("/robots.txt")
    assert status == 200 and ctype == "text/plain" and b"Disallow" not in body
    status, ctype, body = site.render("/sitemap.xml")
    root = lxml.etree.fromstring(body)
    locs = [loc.text for loc in root.iter(f"{SM}loc")]
    assert status == 200 and ctype == "application/xml"
    assert [re.sub(r"^http://[^/]+", "", u) for u in locs] == site.article_paths()


def test_large_site_is_cheap_to_build_and_render() -> None:
    big = GeneratedSite(20_000)
    paths = big.article_paths()
    assert len(paths) == 20_000 and len(set(paths)) == 20_000
    assert big.render(big.index_paths()[-1])[0] == 200
    start = time.perf_counter()
    for path in paths[::100]:
        assert big.render(path)[0] == 200
    per_page = (time.perf_counter() - start) / len(paths[::100])
    assert per_page < 0.002, f"{per_page * 1000:.2f} ms per page"  # target 0.3 ms; loose for shared CI


def test_serve_over_http(site: GeneratedSite) -> None:
    server, base = serve(site)
    try:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", base)
        with httpx.Client(base_url=base, timeout=5) as client:
            page = client.get(site.article_paths()[3])
            assert page.status_code == 200 and page.content == site.render(site.article_paths()[3])[2]
            assert page.headers["content-type"] == "text/html; charset=utf-8"
            assert client.get("/missing").status_code == 404
            head = client.head("/")
            assert head.status_code == 200 and head.content == b""
            assert int(head.headers["content-length"]) == len(site.render("/")[2])
            sitemap = client.get("/sitemap.xml").text
            assert f"<loc>{base}/article-" in sitemap and "8765" not in sitemap
    finally:
        server.shutdown()
        server.server_close()
