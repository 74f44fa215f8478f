"""`cli.py report`: the coverage page for the fixture archive, its numbers against SQL, and a real browser."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from lxml import html as lxml_html

from scraper.models import Article
from scraper.store.archive import Archive
from tests.clirun import run_cli, run_cli_without, sql_rows

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHARTS = ("articles_per_day", "date_sources", "page_types", "languages", "runs", "failures")
DAY = "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"


@pytest.fixture(scope="module")
def rendered(demo_archive, tmp_path_factory) -> tuple[Path, Path, lxml_html.HtmlElement]:
    out = tmp_path_factory.mktemp("out")
    page, pngs = out / "report.html", out / "png"
    result = run_cli("report", "--db", str(demo_archive), "-o", str(page), "--png", str(pngs), timeout=180)
    assert result.returncode == 0, result.stderr
    return page, pngs, lxml_html.fromstring(page.read_text(encoding="utf-8"))


def table(doc: lxml_html.HtmlElement, table_id: str) -> list[list[str]]:
    return [[cell.text_content().strip() for cell in row.xpath("./td")] for row in doc.xpath(f'//table[@id="{table_id}"]/tbody/tr')]


def number(text: str) -> int:
    return int(text.replace(",", ""))


def test_summary_and_per_site_figures_equal_sql(demo_archive, rendered):
    _, _, doc = rendered
    total, dated = sql_rows(demo_archive, "SELECT count(*), count(published) FROM articles")[0]
    assert total > 0 and 0 < dated < total  # the fixture has undated articles too
    summary = {d.get("data-key"): d.xpath("./dd")[0].text_content() for d in doc.xpath('//dl[@id="summary"]/div')}
    assert number(summary["articles"]) == total
    assert summary["with a publication date"].startswith(f"{dated:,} ")
    head = [th.text_content() for th in doc.xpath('//table[@id="per-site"]/thead//th')]
    for row in table(doc, "per-site"):
        site = row[0]
        site_total, site_dated = sql_rows(demo_archive, "SELECT count(*), count(published) FROM articles WHERE site = ?", (site,))[0]
        assert (number(row[1]), number(row[2])) == (site_total, site_dated)
        mix = dict(sql_rows(demo_archive, "SELECT coalesce(date_source, '(unknown)'), count(*) FROM articles"
                                " WHERE site = ? AND published IS NOT NULL GROUP BY 1", (site,)))
        mix["undated"] = site_total - site_dated
        assert {name: number(cell) for name, cell in zip(head[4:], row[4:])} == mix


def test_days_and_gaps_equal_sql(demo_archive, rendered):
    _, _, doc = rendered
    rows = table(doc, "days")
    shown_published = {(r[0], r[1]): number(r[2]) for r in rows if number(r[2])}
    shown_fetched = {(r[0], r[1]): number(r[3]) for r in rows if number(r[3])}
    published = {(s, d): n for s, d, n in sql_rows(
        demo_archive, f"SELECT site, substr(published, 1, 10), count(*) FROM articles WHERE published GLOB '{DAY}*' GROUP BY 1, 2")}
    fetched = {(s, d): n for s, d, n in sql_rows(
        demo_archive, "SELECT site, substr(fetched_at, 1, 10), count(*) FROM articles GROUP BY 1, 2")}
    assert len(published) >= 5
    assert shown_published == published
    assert shown_fetched == fetched
    for row in table(doc, "gaps"):
        days = sorted(date.fromisoformat(d) for s, d in published if s == row[0])
        expected_gap_days = (days[-1] - days[0]).days + 1 - len(days)  # counted here, independently
        assert number(row[1]) == expected_gap_days > 0


def test_page_types_languages_and_failures_equal_sql(demo_archive, rendered):
    _, _, doc = rendered
    for table_id, column in (("page-types", "page_type"), ("languages", "language")):
        expected = dict(sql_rows(demo_archive, f"SELECT coalesce({column}, '(none)'), count(*) FROM articles GROUP BY 1"))
        assert {r[0]: number(r[1]) for r in table(doc, table_id)} == expected
    kinds = dict(sql_rows(demo_archive, "SELECT kind, count(*) FROM failures GROUP BY 1"))
    assert kinds, "the fixture crawl records at least one failure"
    assert {r[0]: number(r[1]) for r in table(doc, "failure-kinds")} == kinds
    last_run = sql_rows(demo_archive, "SELECT max(id) FROM runs")[0][0]
    urls = [u for (u,) in sql_rows(demo_archive, "SELECT url FROM failures WHERE run_id = ? ORDER BY id", (last_run,))]
    assert [r[0] for r in table(doc, "last-run-failures")] == urls
    runs = sql_rows(demo_archive, "SELECT id, fetched, archived, failed FROM runs ORDER BY id DESC")
    assert [tuple(number(c) for c in (r[0], r[3], r[4], r[5])) for r in table(doc, "runs")] == runs


def test_page_is_self_contained_with_svg_charts_and_pngs(rendered):
    page, pngs, doc = rendered
    text = page.read_text(encoding="utf-8")
    assert not doc.xpath("//script | //link | //img | //iframe | //object")
    assert "@import" not in text
    assert all(ref.startswith("url(#") for ref in re.findall(r"url\([^)]*\)", text))  # clip paths by id only
    # Every href inside the charts is a fragment (#id): no file or network reference.
    hrefs = doc.xpath("//svg//@href | //svg//@*[local-name()='href']")
    assert all(h.startswith("#") for h in hrefs)
    for name in CHARTS:
        figure = doc.xpath(f'//figure[@id="chart-{name}"]')
        assert figure, f"chart {name} missing"
        assert len(figure[0].xpath(".//path")) >= 5, f"chart {name} has no marks"
        png = pngs / f"{name}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_clusters_across_sites_listed(demo_archive, tmp_path):
    db = tmp_path / "syndicated.db"
    shutil.copy(demo_archive, db)
    with Archive(db) as arc:
        url, body, headline, cluster = arc.db.execute(
            "SELECT url, body, headline, cluster_id FROM articles WHERE published IS NOT NULL ORDER BY url LIMIT 1").fetchone()
        copy = "https://mirror.example.org/reprint"
        arc.save_article(Article(url=copy, site="mirror.example.org", headline=headline, body=body))
        arc.set_cluster(copy, cluster)
    out = tmp_path / "r.html"
    assert run_cli("report", "--db", str(db), "-o", str(out)).returncode == 0
    doc = lxml_html.fromstring(out.read_text(encoding="utf-8"))
    rows = table(doc, "clusters")
    assert len(rows) == 1 and doc.xpath('string(//*[@id="cluster-count"])') == "1"
    assert rows[0][0] == headline and set(rows[0][1].split(",")) == {"127.0.0.1", "mirror.example.org"}
    assert (number(rows[0][2]), number(rows[0][3])) == (2, 2)
    out_site = tmp_path / "site.html"
    assert run_cli("report", "--db", str(db), "-o", str(out_site), "--site", "mirror.example.org").returncode == 0
    doc = lxml_html.fromstring(out_site.read_text(encoding="utf-8"))
    assert [r[0] for r in table(doc, "per-site")] == ["mirror.example.org"]
    assert len(table(doc, "clusters")) == 1


def test_since_filters_the_publication_days(demo_archive, tmp_path):
    out = tmp_path / "since.html"
    assert run_cli("report", "--db", str(demo_archive), "-o", str(out), "--since", "2022-01-01").returncode == 0
    doc = lxml_html.fromstring(out.read_text(encoding="utf-8"))
    shown = sum(number(r[2]) for r in table(doc, "days"))
    expected = sql_rows(demo_archive, f"SELECT count(*) FROM articles WHERE published >= '2022-01-01' AND published GLOB '{DAY}*'")[0][0]
    total = sql_rows(demo_archive, f"SELECT count(*) FROM articles WHERE published GLOB '{DAY}*'")[0][0]
    assert 0 < shown == expected < total


def test_bad_inputs_are_one_line_usage_errors(demo_archive, tmp_path):
    bad = run_cli("report", "--db", str(demo_archive), "-o", str(tmp_path / "x.html"), "--since", "last tuesday")
    assert bad.returncode == 2 and bad.stderr.strip().count("\n") == 0 and "--since" in bad.stderr
    missing = run_cli("report", "--db", str(tmp_path / "none.db"), "-o", str(tmp_path / "x.html"))
    assert missing.returncode == 2 and "no archive" in missing.stderr


def test_without_matplotlib_the_error_names_the_extra(demo_archive, tmp_path):
    result = run_cli_without("matplotlib", "report", "--db", str(demo_archive), "-o", str(tmp_path / "x.html"))
    assert result.returncode == 2
    assert result.stderr.strip() == "error: the report needs matplotlib: pip install -e '.[report]'"
    assert not (tmp_path / "x.html").exists()


def test_report_renders_in_headless_chromium(rendered, tmp_path):
    if CHROMIUM is None:
        pytest.skip("no chromium on PATH (Debian: apt-get install chromium); .ci/run installs it")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (pip install -e '.[test]')")
    page_path, _, _ = rendered
    errors: list[str] = []
    requests: list[str] = []
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, headless=True, timeout=60_000,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"],
        )
        try:
            page = context.new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(page_path.as_uri(), wait_until="load", timeout=30_000)
            for name in CHARTS:
                svg = page.locator(f"#chart-{name} svg")
                box = svg.bounding_box()
                assert box and box["width"] > 200 and box["height"] > 50, name
                assert page.locator(f"#chart-{name} svg path").count() >= 5, name
            page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        finally:
            context.close()
    assert errors == []
    assert requests == [page_path.as_uri()]  # nothing but the file itself
    assert (tmp_path / "report.png").stat().st_size > 10_000
