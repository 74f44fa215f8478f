"""No junk rows, short stories kept, related links of saved pages kept.

Section, tag, pagination and home pages are never archived as articles, however few
links they hold; the masthead's render date never enters a body; a news brief (a
headline and one paragraph) is an article; ``fetch`` archives what a user names with
its page_type. Pages are hand-written in several markups (the real KazPost markup is
unknown), crawls run against real servers on 127.0.0.1 into real SQLite files.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from scraper.config import Settings
from scraper.crawler.runs import run_archive
from scraper.crawler.urls import canonicalize
from scraper.extractor.article import extract
from scraper.research.demo_site import StaticSite
from tests.clirun import sql_rows

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.sitegen import GeneratedSite, serve  # noqa: E402

FAST = Settings(delay=0, concurrency=4, workers=0, contact="tests")
MASTHEAD = "Saturday, Feb 22, 2025"
HEADLINES = [
    "Kazakhstan parliament approves new media law", "Tenge hits record low against the dollar",
    "Almaty metro extension opens three new stations", "Wheat harvest beats forecasts despite late rains",
    "Astana hosts regional summit on water sharing",
]
BRIEF = (
    "Officials in Almaty said on Monday that the western extension of the city's metro line would open to "
    "passengers next month, after years of delays over its financing and the cost of tunnelling "
    "under the river. The three new stations are expected to carry about thirty thousand people a day, the city "
    "transport department said."
)


def _slug(text: str) -> str:
    return "/" + "-".join(text.lower().replace(",", "").split())


def _headlines(n: int) -> list[str]:
    return [f"{HEADLINES[i % 5]}, officials say in report number {i}" for i in range(n)]


def kazpost(main: str, title: str = "KazPost", head: str = "", header: str = "header") -> str:
    """A KazPost-style page: brand, tagline and the masthead render date above ``main``."""
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>{head}</head><body>'
        f'<{header} class="site-header"><a href="/" rel="home">KazPost</a><p class="site-description">Kazakhstan News'
        f'</p><div class="header-date">{MASTHEAD}</div></{header}>'
        f'<main>{main}</main><footer><a href="/" rel="home">KazPost</a></footer></body></html>'
    )


def link_list(heads: list[str], shape: str) -> str:
    """Headline links as a list, a run of divs or a run of paragraphs."""
    if shape == "ul":
        return "<ul>" + "".join(f'<li><a href="{_slug(h)}">{h}</a></li>' for h in heads) + "</ul>"
    tag = "div" if shape == "div" else "p"
    return "".join(f'<{tag}><a href="{_slug(h)}">{h}</a></{tag}>' for h in heads)


SECTION_PAGES = {
    "h2-and-list": kazpost("<h2>Kazakhstan News</h2>" + link_list(HEADLINES, "ul")),
    "h1-and-divs": kazpost("<h1>Kazakhstan</h1>" + link_list(HEADLINES, "div"), "Kazakhstan - KazPost"),
    "blurb-and-list": kazpost(
        "<h2>Kazakhstan</h2><p>The latest news and analysis from Kazakhstan and the wider Central Asian region, "
        "updated every day.</p>" + link_list(HEADLINES, "ul")),
    "div-masthead": kazpost("<h2>Kazakhstan News</h2>" + link_list(HEADLINES, "p"), header="div"),
}
PAGINATION_PAGES = {
    shape: kazpost(f"<h2>Page 2</h2>{link_list(_headlines(50), shape)}", "Page 2 - KazPost")
    for shape in ("ul", "div", "p")
}
PAGINATION_PAGES["bare"] = kazpost(link_list(_headlines(50), "ul"))
OVERLAY = "<div class=\"overlay\">" + link_list(_headlines(50), "ul") + "</div>"


@pytest.mark.parametrize("name", sorted(SECTION_PAGES))
@pytest.mark.parametrize("url", [None, "https://kazpost.com/kazakhstan"])
def test_a_section_page_with_five_links_is_an_index(name: str, url: str | None) -> None:
    article = extract(SECTION_PAGES[name], url)
    assert article.page_type == "index"
    assert MASTHEAD not in article.body


@pytest.mark.parametrize("name", sorted(PAGINATION_PAGES))
@pytest.mark.parametrize("url", [None, "https://kazpost.com/older-stories-2"])
def test_a_pagination_page_of_fifty_links_is_an_index(name: str, url: str | None) -> None:
    article = extract(PAGINATION_PAGES[name], url)
    assert article.page_type == "index"
    assert MASTHEAD not in article.body


@pytest.mark.parametrize("main", ["", "<h1>Kazakhstan</h1>", "<h2>Kazakhstan News</h2>"])
def test_a_masthead_only_page_is_no_article_and_its_body_has_no_masthead(main: str) -> None:
    article = extract(kazpost(main), "https://kazpost.com/kazakhstan-news")
    assert article.page_type == "other"
    assert MASTHEAD not in article.body and "Kazakhstan News" not in article.body


@pytest.mark.parametrize("overlay", ["", OVERLAY], ids=["plain", "with-50-link-overlay"])
@pytest.mark.parametrize("header", ["header", "div"])
def test_a_news_brief_is_an_article(overlay: str, header: str) -> None:
    assert len(BRIEF.split()) == 55
    page = kazpost(
        f'<h1>Almaty metro extension to open next month</h1><p class="post-excerpt">The long-delayed line will add '
        f"three stations.</p><p>{BRIEF}</p>{overlay}", "Almaty metro extension to open next month - KazPost",
        header=header)
    article = extract(page, "https://kazpost.com/almaty-metro-extension-to-open-next-month")
    assert article.page_type == "article"
    assert article.body == BRIEF
    assert article.published is None


# -- related links of a saved page, no URL given ------------------------------------------------------------------

RELATED = [_slug(h) for h in HEADLINES]


def saved_story(head: str = "", related: list[str] = RELATED) -> str:
    """A KazPost-style story whose related links are root-relative, as saved by a browser."""
    links = "".join(f'<div class="related-post"><a href="{href}">{h}</a></div>' for href, h in zip(related, HEADLINES))
    return kazpost(
        f"<h1>Almaty metro extension to open next month</h1><p>{BRIEF}</p><p>{BRIEF}</p>"
        f'<h3>Related Articles</h3><div class="related-posts">{links}</div>',
        "Almaty metro extension to open next month - KazPost", head)


@pytest.mark.parametrize(
    ("head", "origin"),
    [
        ('<link rel="canonical" href="https://kazpost.com/almaty-metro">', "https://kazpost.com"),
        ('<meta property="og:url" content="https://londondaily.com/almaty-metro">', "https://londondaily.com"),
        ('<base href="https://mocten.com/news/"><link rel="canonical" href="https://kazpost.com/x">',
         "https://mocten.com"),
        ("", ""),
    ],
    ids=["canonical", "og-url", "base-href-first", "none-kept-as-written"],
)
def test_related_links_of_a_saved_page_resolve_against_its_own_address(head: str, origin: str) -> None:
    article = extract(saved_story(head))
    assert [link["url"] for link in article.related] == [origin + path for path in RELATED]
    assert [link["title"] for link in article.related] == HEADLINES


def test_relative_related_links_without_an_address_keep_their_path_and_query() -> None:
    related = ["story-one-in-this-folder", "../up-one-level", "/root?id=5#comments", "?page=2", "/a", "/b"]
    article = extract(saved_story(related=related))
    assert [link["url"] for link in article.related] == ["story-one-in-this-folder", "../up-one-level",
                                                          "/root?id=5", "?page=2", "/a"]


def test_cli_extract_of_a_saved_page_without_url_keeps_every_related_link(tmp_path: Path) -> None:
    page = tmp_path / "story.html"
    page.write_text(saved_story('<link rel="canonical" href="https://kazpost.com/almaty-metro">'), encoding="utf-8")
    done = subprocess.run([sys.executable, "cli.py", "extract", str(page)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    related = json.loads(done.stdout)["related"]
    assert [link["url"] for link in related] == ["https://kazpost.com" + path for path in RELATED]


# -- crawls and fetches over 127.0.0.1 -----------------------------------------------------------------------------

def rows(db: Path) -> list[sqlite3.Row]:
    return sql_rows(db, "SELECT url, page_type, body FROM articles", named=True)


def test_crawl_of_the_fixture_site_archives_no_section_tag_pagination_or_home_page(tmp_path: Path) -> None:
    expected = ROOT / "fixtures" / "expected"
    with StaticSite(ROOT / "fixtures" / "site") as site:
        summary = run_archive(tmp_path / "a.db", [site.url("/"), site.url("/kazakhstan/"),
                                                  site.url("/tag/central-asia/")], FAST)
        index_urls = {canonicalize(site.url(p)) for p in json.loads((expected / "index_pages.json").read_text())}
        other_urls = {canonicalize(site.url(s["path"]))
                      for s in json.loads((expected / "other_pages.json").read_text())}
    archived = rows(tmp_path / "a.db")
    assert archived and summary.failed == 0
    assert {r["page_type"] for r in archived} == {"article"}
    assert not {r["url"] for r in archived} & (index_urls | other_urls)
    assert not [r["url"] for r in archived if "Feb 22, 2025" in r["body"]]


@pytest.mark.parametrize(("listing", "page_path"), [("teasers", "/page/{n}"), ("links", "/older-stories-{n}")])
def test_crawl_of_a_generated_site_archives_exactly_its_articles(tmp_path: Path, listing: str,
                                                                 page_path: str) -> None:
    """``links``: pagination pages that are nothing but 50 headline links, at URLs that look like stories."""
    site = GeneratedSite(200, per_index_page=50, listing=listing, page_path=page_path)
    server, base = serve(site)
    try:
        summary = run_archive(tmp_path / "a.db", [base + "/"], FAST)
    finally:
        server.shutdown()
        server.server_close()
    archived = rows(tmp_path / "a.db")
    assert sorted(r["url"] for r in archived) == sorted(base + p for p in site.article_paths())
    assert summary.archived == 200 and summary.failed == 0
    assert not [r["url"] for r in archived if MASTHEAD in r["body"]]


@pytest.fixture()
def small_site(tmp_path: Path):
    """A brief, a section page and a pagination page, served on 127.0.0.1."""
    root = tmp_path / "site"
    root.mkdir()
    brief = kazpost(f"<h1>Almaty metro extension to open next month</h1><p>{BRIEF}</p>",
                    "Almaty metro extension to open next month - KazPost")
    (root / "almaty-metro-extension-to-open-next-month").write_text(brief, encoding="utf-8")
    (root / "kazakhstan-news-section").write_text(SECTION_PAGES["h2-and-list"], encoding="utf-8")
    (root / "older-stories-2").write_text(PAGINATION_PAGES["ul"], encoding="utf-8")
    with StaticSite(root) as site:
        yield site


PATHS = {"/almaty-metro-extension-to-open-next-month": "article", "/kazakhstan-news-section": "index",
         "/older-stories-2": "index"}


def test_fetch_archives_every_named_url_with_its_page_type(small_site: StaticSite, tmp_path: Path) -> None:
    urls = [small_site.url(p) for p in PATHS]
    summary = run_archive(tmp_path / "a.db", urls, FAST, follow=False, command="fetch")
    assert summary.failed == 0 and summary.skipped == 0 and summary.exit_code == 0
    archived = {r["url"]: r["page_type"] for r in rows(tmp_path / "a.db")}
    assert archived == {canonicalize(small_site.url(p)): kind for p, kind in PATHS.items()}


def test_fetch_articles_only_keeps_only_the_brief(small_site: StaticSite, tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    done = subprocess.run(
        [sys.executable, "cli.py", "fetch", *[small_site.url(p) for p in PATHS], "--articles-only", "--delay", "0",
         "--workers", "0", "--db", str(db), "--quiet"],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert {r["url"]: r["page_type"] for r in rows(db)} == {
        canonicalize(small_site.url("/almaty-metro-extension-to-open-next-month")): "article"}
    conn = sqlite3.connect(db)
    try:
        kinds = {url: kind for url, kind in conn.execute("SELECT url, kind FROM failures")}
    finally:
        conn.close()
    assert kinds == {canonicalize(small_site.url(p)): "not_article" for p in list(PATHS)[1:]}


def test_crawl_never_archives_what_fetch_would(small_site: StaticSite, tmp_path: Path) -> None:
    urls = [small_site.url(p) for p in PATHS]
    run_archive(tmp_path / "a.db", urls, FAST.with_(max_pages=10))
    assert {r["page_type"] for r in rows(tmp_path / "a.db")} == {"article"}
