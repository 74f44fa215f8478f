"""The fixture site is well formed and its expected JSON agrees with its pages.

These tests check the fixtures themselves (files, links, encodings, feeds),
not any extractor: if one fails, the fixture or its ground truth is wrong.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import re
from pathlib import Path
from typing import Any

import feedparser
import lxml.etree
import lxml.html
import pytest
from protego import Protego

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SITE = FIXTURES / "site"
SIBLING = FIXTURES / "sibling"
EXPECTED = FIXTURES / "expected"
ORIGIN = "http://127.0.0.1:8765"
MASTHEAD_DATE = "Saturday, Feb 22, 2025"
NON_HTML = {"robots.txt"}
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
KEYS = {"path", "headline", "published", "date_source", "lede", "authors", "paragraph_count",
        "first_paragraph", "last_paragraph", "related_count", "source_credit", "must_not_contain"}


def served(root: Path, url_path: str) -> Path:
    """The file a static server maps ``url_path`` to (directories serve index.html)."""
    rel = url_path.split("#")[0].split("?")[0].lstrip("/")
    if rel == "" or rel.endswith("/"):
        rel += "index.html"
    return root / rel


def expected_records() -> list[tuple[str, Path, dict[str, Any]]]:
    """``(name, site root, record)`` for every expected JSON, sibling ones included."""
    out = []
    for path in sorted(EXPECTED.glob("*.json")) + sorted((EXPECTED / "sibling").glob("*.json")):
        if path.name in ("index_pages.json", "other_pages.json"):
            continue
        root = SIBLING if path.parent.name == "sibling" else SITE
        out.append((path.stem, root, json.loads(path.read_text(encoding="utf-8"))))
    return out


RECORDS = expected_records()
RECORD_IDS = [name for name, _, _ in RECORDS]


def html_pages(root: Path) -> list[Path]:
    """Every served HTML file under ``root``."""
    return sorted(p for p in root.rglob("*") if p.is_file() and p.name not in NON_HTML
                  and p.suffix not in {".xml", ".rss", ".gz"})


ALL_PAGES = html_pages(SITE) + html_pages(SIBLING)


def parse(path: Path) -> lxml.html.HtmlElement:
    """Parse from bytes, so the page's own ``<meta>`` charset decides the decoding."""
    return lxml.html.document_fromstring(path.read_bytes())


def text_of(path: Path) -> str:
    """The page's visible text with whitespace collapsed."""
    tree = parse(path)
    for bad in tree.xpath("//script|//style"):
        bad.drop_tree()
    return " ".join(tree.text_content().split())


def body_paragraphs(name: str, root: Path) -> list[str]:
    """The expected body paragraphs stored next to the JSON."""
    folder = EXPECTED / "sibling" if root == SIBLING else EXPECTED
    text = (folder / f"{name}.body.txt").read_text(encoding="utf-8")
    return [p.strip() for p in text.split("\n\n") if p.strip()]


def test_there_are_enough_articles_in_enough_markups() -> None:
    site = [r for _, root, r in RECORDS if root == SITE]
    assert len(site) >= 10
    assert len({r["markup"] for r in site}) >= 3


@pytest.mark.parametrize("name,root,record", RECORDS, ids=RECORD_IDS)
def test_expected_record_matches_its_page(name: str, root: Path, record: dict[str, Any]) -> None:
    assert KEYS <= record.keys()
    page = served(root, record["path"])
    assert page.is_file(), f"no page for {name}"
    text = text_of(page)
    paragraphs = body_paragraphs(name, root)
    assert record["paragraph_count"] == len(paragraphs)
    assert paragraphs[0] == record["first_paragraph"] and paragraphs[-1] == record["last_paragraph"]
    for para in paragraphs:
        assert " ".join(para.split()) in text, para[:60]
    assert record["headline"] in text
    if record["lede"]:
        assert record["lede"] in text
    for author in record["authors"]:
        assert author in text
    story = "\n".join([record["headline"], record["lede"] or ""] + paragraphs)
    for junk in record["must_not_contain"]:
        assert junk in text, f"{junk!r} is not on the page, so it proves nothing"
        assert junk not in story, f"{junk!r} is part of the story itself"
    if record["source_credit"]:
        assert f"Source: {record['source_credit']}" in text


@pytest.mark.parametrize("name,root,record", RECORDS, ids=RECORD_IDS)
def test_related_count_is_bounded_by_links_on_page(name: str, root: Path, record: dict[str, Any]) -> None:
    hrefs = {a.get("href") for a in parse(served(root, record["path"])).iter("a")}
    stories = {h for h in hrefs if h and h not in {"/", "/kazakhstan/", "/tag/central-asia/"}}
    assert 1 <= record["related_count"] <= len(stories)


@pytest.mark.parametrize("name,root,record", RECORDS, ids=RECORD_IDS)
def test_published_date_is_stated_where_date_source_says(name: str, root: Path, record: dict[str, Any]) -> None:
    raw = served(root, record["path"]).read_bytes().decode(record.get("encoding", "utf-8"))
    published, source = record["published"], record["date_source"]
    assert (published is None) == (source is None)
    if published is None:
        # Only the masthead render date may look like a date on an undated page.
        assert not re.search(r"<time|datePublished|published_time|\d\d\.\d\d\.\d{4}", raw)
        return
    assert published != "2025-02-22" and re.fullmatch(r"\d{4}-\d\d-\d\d", published)
    y, m, d = published.split("-")
    if source == "url":
        assert f"/{y}/{m}/{d}/" in record["path"]
        assert published not in raw and f"{d}.{m}.{y}" not in raw
    elif source == "dateline":
        assert f"{d}.{m}.{y}" in text_of(served(root, record["path"]))
    elif source == "jsonld":
        scripts = parse(served(root, record["path"])).xpath(
            "//script[@type='application/ld+json']/text()")
        assert any(json.loads(s).get("datePublished", "").startswith(published) for s in scripts)
    else:
        assert source == "meta" and f'article:published_time" content="{published}' in raw


def test_jsonld_only_page_states_its_date_nowhere_else() -> None:
    only = [r for _, _, r in RECORDS if r["date_source"] == "jsonld"
            and "<time" not in served(SITE, r["path"]).read_text(encoding="utf-8")]
    assert only, "need one page whose date is only in JSON-LD"
    raw = served(SITE, only[0]["path"]).read_text(encoding="utf-8")
    assert raw.count(only[0]["published"]) == 1 and "published_time" not in raw


def test_sample_article_is_complete() -> None:
    record = json.loads((EXPECTED / "sample.json").read_text(encoding="utf-8"))
    assert record["published"] is None and record["authors"] == []
    assert record["paragraph_count"] == 25 and record["related_count"] == 50
    assert record["last_paragraph"].endswith("deportation to China will probably follow.")
    page = served(SITE, record["path"])
    text = text_of(page)
    for marker in ["KazPost", "Kazakhstan News", MASTHEAD_DATE, "Newsletter", "Related Articles",
                   "0:00 0:00 Close", "×"]:
        assert marker in text
    assert len(parse(page).xpath("//ul[@class='more-stories-list']/li/a")) == 50


@pytest.mark.parametrize("page", ALL_PAGES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_page_parses_and_internal_links_resolve(page: Path) -> None:
    tree = parse(page)
    assert tree.find(".//title") is not None and tree.find(".//body") is not None
    root = SIBLING if SIBLING in page.parents else SITE
    for element in tree.xpath("//a[@href]|//link[@href]"):
        href = element.get("href")
        if href.startswith("/") and not href.startswith("//"):
            assert served(root, href).is_file(), f"{href} on {page} does not resolve"
        else:
            assert href.startswith(("#", "https://", ORIGIN)), href


@pytest.mark.parametrize("name,codec", [("ru_flood_cp1251", "cp1251"), ("ru_tenge_koi8r", "koi8_r")])
def test_legacy_encodings_are_real(name: str, codec: str) -> None:
    record = json.loads((EXPECTED / f"{name}.json").read_text(encoding="utf-8"))
    data = served(SITE, record["path"]).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    decoded = data.decode(codec)
    assert record["headline"] in decoded
    head = decoded[: decoded.index("</head>")].lower()
    assert re.search(r"<meta[^>]*charset=\"?(windows-1251|koi8-r)", head)


def test_robots_disallows_private_and_names_sitemap() -> None:
    robots = Protego.parse((SITE / "robots.txt").read_text(encoding="utf-8"))
    assert not robots.can_fetch(f"{ORIGIN}/private/draft-story", "news-archiver")
    assert robots.can_fetch(f"{ORIGIN}/", "news-archiver")
    assert list(robots.sitemaps) == ["/sitemap.xml"]
    home_links = parse(SITE / "index.html").xpath("//a/@href")
    assert "/private/draft-story" in home_links and (SITE / "private" / "draft-story").is_file()


def test_feed_items_point_at_dated_articles() -> None:
    feed = feedparser.parse((SITE / "feed.rss").read_bytes())
    assert not feed.bozo and feed.version == "rss20" and len(feed.entries) >= 3
    by_path = {r["path"]: r for _, root, r in RECORDS if root == SITE}
    for entry in feed.entries:
        path = entry.link.removeprefix(ORIGIN)
        assert path in by_path and served(SITE, path).is_file()
        day = "%04d-%02d-%02d" % entry.published_parsed[:3]
        assert by_path[path]["published"] is not None
        assert abs(int(day[-2:]) - int(by_path[path]["published"][-2:])) <= 1  # UTC vs +06:00


def test_sitemap_index_lists_every_page() -> None:
    index = lxml.etree.parse(str(SITE / "sitemap.xml")).getroot()
    assert index.tag == f"{SM}sitemapindex"
    listed: set[str] = set()
    for loc in index.iter(f"{SM}loc"):
        data = served(SITE, loc.text.removeprefix(ORIGIN)).read_bytes()
        urlset = lxml.etree.fromstring(gzip.decompress(data) if loc.text.endswith(".gz") else data)
        assert urlset.tag == f"{SM}urlset"
        listed |= {u.text.removeprefix(ORIGIN) for u in urlset.iter(f"{SM}loc")}
    index_pages = json.loads((EXPECTED / "index_pages.json").read_text(encoding="utf-8"))
    articles = {r["path"] for _, root, r in RECORDS if root == SITE}
    assert articles | set(index_pages) == listed
    assert all(served(SITE, p).is_file() for p in listed)


def test_index_pages_look_like_index_pages_and_reach_every_article() -> None:
    index_pages = json.loads((EXPECTED / "index_pages.json").read_text(encoding="utf-8"))
    assert "/" in index_pages and len(index_pages) >= 3
    reached: set[str] = set()
    for path in index_pages:
        tree = parse(served(SITE, path))
        links = tree.xpath("//a/@href")
        link_text = sum(len(a.text_content()) for a in tree.iter("a"))
        assert len(links) >= 8 and link_text > 0.4 * len(" ".join(tree.text_content().split()))
        reached |= set(links)
    assert {r["path"] for _, root, r in RECORDS if root == SITE} <= reached
    assert "/page/2/" in parse(SITE / "index.html").xpath("//a/@href")


def test_other_pages_exist_are_linked_and_hold_no_story() -> None:
    others = json.loads((EXPECTED / "other_pages.json").read_text(encoding="utf-8"))
    index_pages = json.loads((EXPECTED / "index_pages.json").read_text(encoding="utf-8"))
    linked = {h for p in index_pages for h in parse(served(SITE, p)).xpath("//a/@href")}
    article_paths = {r["path"] for _, _, r in RECORDS}
    for other in others:
        assert other["page_type"] == "other" and other["path"] in linked
        assert other["path"] not in article_paths
        paragraphs = parse(served(SITE, other["path"])).xpath("//p")
        assert sum(len(p.text_content()) > 200 for p in paragraphs) <= 1


def test_sibling_copy_is_a_near_duplicate() -> None:
    site = json.loads((EXPECTED / "issyk_kul.json").read_text(encoding="utf-8"))
    sib = json.loads((EXPECTED / "sibling" / "issyk_kul_sibling.json").read_text(encoding="utf-8"))
    assert site["path"] == sib["path"] and site["headline"] != sib["headline"]
    assert re.sub(r"\W+", " ", site["headline"]) == re.sub(r"\W+", " ", sib["headline"])
    assert body_paragraphs("issyk_kul_sibling", SIBLING)[:-1] == body_paragraphs("issyk_kul", SITE)


def test_committed_fixtures_match_a_fresh_build(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("fixture_build", FIXTURES / "build.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(tmp_path)
    for sub in ("site", "sibling", "expected"):
        fresh = {p.relative_to(tmp_path / sub): p.read_bytes()
                 for p in (tmp_path / sub).rglob("*") if p.is_file()}
        committed = {p.relative_to(FIXTURES / sub): p.read_bytes()
                     for p in (FIXTURES / sub).rglob("*") if p.is_file()}
        assert fresh.keys() == committed.keys(), f"{sub}: rerun python fixtures/build.py"
        stale = [str(k) for k in fresh if fresh[k] != committed[k]]
        assert not stale, f"edited by hand or stale; rerun fixtures/build.py: {stale}"
