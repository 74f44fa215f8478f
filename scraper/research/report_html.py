"""The coverage report as one self-contained HTML file (``cli.py report``).

Inline CSS, charts as inline SVG (:mod:`scraper.research.charts`), no script,
no font, no external reference: it opens from disk on a machine without
network. Every chart is followed by a table of the numbers behind it.
"""

from __future__ import annotations

import html
import sqlite3
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from scraper.research.charts import MAX_SITES_CHARTED, Chart, draw_charts
from scraper.research.coverage import Coverage, collect_coverage

__all__ = ["render_report", "write_report"]

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#222}
h1{margin-bottom:.2rem}h2{margin-top:2.5rem;border-bottom:1px solid #ddd;padding-bottom:.3rem}
.meta{color:#666}dl.summary{display:grid;grid-template-columns:repeat(auto-fill,minmax(11rem,1fr));gap:.5rem}
dl.summary div{background:#f5f7fa;border-radius:6px;padding:.6rem .8rem}dl.summary dt{color:#666;font-size:.85rem}
dl.summary dd{margin:0;font-size:1.4rem;font-weight:600}figure{margin:1rem 0}figure svg{width:100%;height:auto}
table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0}th,td{padding:.2rem .6rem;border-bottom:1px solid #eee;text-align:left}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}details{margin:.5rem 0}summary{cursor:pointer;color:#1f5f9f}
.none{color:#777;font-style:italic}td.err{max-width:30rem;overflow-wrap:anywhere}
"""


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _n(value: int) -> str:
    return f'<td class="n">{value:,}</td>'


def _table(table_id: str, head: list[str], rows: list[str], numeric_from: int = 1, numeric_to: int = 99) -> str:
    cells = "".join(f'<th class="n">{_e(h)}</th>' if numeric_from <= i < numeric_to else f"<th>{_e(h)}</th>"
                    for i, h in enumerate(head))
    return f'<table id="{table_id}"><thead><tr>{cells}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def _figure(chart: Chart | None) -> str:
    if chart is None:
        return ""
    return f'<figure class="chart" id="chart-{chart.name}">{chart.svg()}<figcaption>{_e(chart.title)}</figcaption></figure>'


def _summary(cov: Coverage) -> str:
    dated = cov.dated
    share = f"{dated / cov.articles:.1%}" if cov.articles else "–"
    last = cov.last_run
    items = [
        ("articles", f"{cov.articles:,}"), ("with a publication date", f"{dated:,} ({share})"),
        ("sites", f"{len(cov.per_site):,}"), ("runs shown", f"{len(cov.runs):,}"),
        ("last run", f"#{last['id']} {_e(last['command'])}, {_e((last['started_at'] or '')[:16])}" if last else "none"),
        ("failures in the last run", f"{cov.last_run_failure_count:,}"),
    ]
    cells = "".join(f'<div data-key="{_e(k)}"><dt>{_e(k)}</dt><dd>{v}</dd></div>' for k, v in items)
    return f'<dl class="summary" id="summary">{cells}</dl>'


def _days_section(cov: Coverage, chart: Chart | None) -> str:
    fetched = {(s, d): n for s, d, n in cov.fetched_days}
    published = {(s, d): n for s, d, n in cov.published_days}
    keys = sorted(set(fetched) | set(published))
    rows = [f"<tr><td>{_e(s)}</td><td>{_e(d)}</td>{_n(published.get((s, d), 0))}{_n(fetched.get((s, d), 0))}</tr>"
            for s, d in keys]
    by_site: dict[str, list[Any]] = defaultdict(list)
    for gap in cov.gaps:
        by_site[gap.site].append(gap)
    gap_rows = []
    for site in cov.sites:
        longest = sorted(by_site.get(site, []), key=lambda g: (-g.days, g.first))[:10]
        listed = ", ".join(f"{g.first} – {g.last} ({g.days} d)" if g.days > 1 else f"{g.first}" for g in longest)
        gap_rows.append(f'<tr data-site="{_e(site)}"><td>{_e(site)}</td>{_n(cov.gap_days(site))}'
                        f"{_n(len(by_site.get(site, [])))}<td>{_e(listed) or '–'}</td></tr>")
    charted = (f"<p>The {MAX_SITES_CHARTED} sites with most articles are charted (of {len(cov.sites):,}); "
               "the tables list all; <code>--site</code> charts one.</p>" if len(cov.sites) > MAX_SITES_CHARTED else "")
    return (
        "<h2>Articles per day</h2><p>Left: by publication day (articles with a day-precise date); shaded red: days "
        "inside the site's covered range with no article. Right: by the day we fetched them.</p>"
        + charted + _figure(chart)
        + "<h3>Gaps</h3>" + _table("gaps", ["site", "gap days", "gaps", "longest gaps"], gap_rows, numeric_to=3)
        + "<details><summary>The numbers per day</summary>"
        + _table("days", ["site", "day", "published", "fetched"], rows, numeric_from=2) + "</details>"
    )


def _dates_section(cov: Coverage, chart: Chart | None) -> str:
    sources = sorted({k for mix in cov.date_sources.values() for k in mix}, key=lambda k: (k == "undated", k))
    rows = []
    for site in cov.sites:
        t = cov.per_site[site]
        share = f"{t['dated'] / t['articles']:.1%}" if t["articles"] else "–"
        mix = "".join(_n(cov.date_sources[site].get(k, 0)) for k in sources)
        rows.append(f'<tr data-site="{_e(site)}"><td>{_e(site)}</td>{_n(t["articles"])}{_n(t["dated"])}'
                    f'<td class="n">{share}</td>{mix}</tr>')
    return ("<h2>Dated share and date sources</h2>" + _figure(chart)
            + _table("per-site", ["site", "articles", "dated", "dated share", *sources], rows))


def _counts_section(title: str, table_id: str, counts: dict[str, int], chart: Chart | None) -> str:
    rows = [f'<tr data-key="{_e(k)}"><td>{_e(k)}</td>{_n(v)}</tr>' for k, v in counts.items()]
    return f"<h2>{_e(title)}</h2>" + _figure(chart) + _table(table_id, [title.lower(), "articles"], rows)


def _runs_section(cov: Coverage, runs: Chart | None, failures: Chart | None) -> str:
    if not cov.runs and not cov.last_run:
        return '<h2>Runs</h2><p class="none">No runs recorded.</p>'
    run_rows = [f'<tr data-run="{r["id"]}"><td>{r["id"]}</td><td>{_e(r["command"])}</td><td>{_e(r["started_at"])}</td>'
                f'{_n(r["fetched"] or 0)}{_n(r["archived"] or 0)}{_n(r["failed"] or 0)}</tr>' for r in cov.runs[-20:][::-1]]
    kinds = [f'<tr data-key="{_e(k)}"><td>{_e(k)}</td>{_n(v)}</tr>' for k, v in cov.failures_by_kind.items()]
    listed = [f'<tr><td><a href="{_e(f["url"])}">{_e(f["url"])}</a></td><td>{_e(f["kind"])}</td>'
              f'<td class="n">{_e(f["status"])}</td><td class="err">{_e(f["error"])}</td></tr>' for f in cov.last_run_failures]
    more = cov.last_run_failure_count - len(cov.last_run_failures)
    last = cov.last_run or {}
    return (
        "<h2>Runs</h2>" + _figure(runs)
        + "<details><summary>The latest runs</summary>"
        + _table("runs", ["run", "command", "started", "fetched", "archived", "failed"], run_rows, numeric_from=3)
        + "</details><h3>Failures by kind</h3>" + _figure(failures)
        + (_table("failure-kinds", ["kind", "failures"], kinds) if kinds else '<p class="none">No failures.</p>')
        + f"<h3>The last run's failures (run {_e(last.get('id'))}, {cov.last_run_failure_count:,})</h3>"
        + (_table("last-run-failures", ["url", "kind", "status", "error"], listed, numeric_from=2, numeric_to=3) if listed
           else '<p class="none">None.</p>')
        + (f"<p>… and {more:,} more (see the failures table).</p>" if more > 0 else "")
    )


def _clusters_section(cov: Coverage) -> str:
    if not cov.clusters:
        return '<h2>Syndication across sites</h2><p class="none">No story was archived from more than one site.</p>'
    rows = [f'<tr data-cluster="{_e(c["cluster_id"])}"><td>{_e(c["headline"])}</td><td>{_e(c["site_list"])}</td>'
            f'{_n(c["sites"])}{_n(c["articles"])}<td>{_e((c["first_published"] or "")[:10])}</td></tr>' for c in cov.clusters]
    return (f"<h2>Syndication across sites</h2><p><span id='cluster-count'>{cov.cluster_count:,}</span> stories were "
            f"archived from more than one site (same text, MinHash clusters); the {len(cov.clusters)} with most copies:</p>"
            + _table("clusters", ["headline", "sites", "site count", "articles", "first published"], rows, numeric_from=2,
                     numeric_to=4))


def render_report(cov: Coverage, *, title: str, charts: list[Chart] | None = None) -> str:
    """The whole page for ``cov`` (charts drawn unless given)."""
    drawn = {c.name: c for c in (draw_charts(cov) if charts is None else charts)}
    filters = ", ".join(f"{k} {v}" for k, v in (("site", cov.site), ("since", cov.since)) if v) or "whole archive"
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    body = "".join([
        f"<h1>{_e(title)}</h1><p class='meta'>{_e(filters)} · generated {_e(now)} by news-archiver</p>",
        _summary(cov),
        _days_section(cov, drawn.get("articles_per_day")),
        _dates_section(cov, drawn.get("date_sources")),
        _counts_section("Page types", "page-types", cov.page_types, drawn.get("page_types")),
        _counts_section("Languages", "languages", cov.languages, drawn.get("languages")),
        _runs_section(cov, drawn.get("runs"), drawn.get("failures")),
        _clusters_section(cov),
    ])
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{_e(title)}</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{_CSS}</style></head>'
            f"<body>{body}</body></html>\n")


def write_report(conn: sqlite3.Connection, output: Path, *, title: str, since: str | None = None,
                 site: str | None = None, png_dir: Path | None = None) -> Coverage:
    """Compute the coverage, draw the charts, write the page (and PNGs into ``png_dir``)."""
    cov = collect_coverage(conn, since=since, site=site)
    charts = draw_charts(cov)
    output.write_text(render_report(cov, title=title, charts=charts), encoding="utf-8")
    if png_dir is not None:
        for chart in charts:
            chart.save_png(png_dir)
    return cov
