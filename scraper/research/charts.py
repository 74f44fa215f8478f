"""The report's charts, drawn by matplotlib (the optional ``[report]`` extra).

Figures are made with ``matplotlib.figure.Figure`` (no pyplot, no global state,
no GUI backend) and written as SVG with the glyphs turned into paths, so the
page needs no font and no network; ``--png`` writes the same figures as PNG.
Each series is one path (``stairs``, ``barh``), not one element per day, so a
chart of three years of days stays small.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from scraper.errors import UsageError
from scraper.research.coverage import Coverage

__all__ = ["Chart", "MAX_SITES_CHARTED", "draw_charts", "require_matplotlib"]

MAX_SITES_CHARTED = 8
_WIDTH = 10.0  # inches; 100 dpi in the SVG
_STYLE = {
    "svg.fonttype": "path",  # glyphs as outlines: no font needed to view the page
    "svg.hashsalt": "news-archiver",  # stable element ids, so the same archive gives the same file
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
_GAP_COLOUR = "#d62728"
_SOURCE_COLOURS = {"undated": "#bbbbbb"}


def require_matplotlib() -> Any:
    """Import matplotlib or raise a :class:`UsageError` naming the ``[report]`` extra."""
    try:
        import matplotlib
        import matplotlib.figure  # noqa: F401 - the part we use
    except ImportError as exc:
        raise UsageError("the report needs matplotlib: pip install -e '.[report]'") from exc
    return matplotlib


@contextmanager
def _quiet_locator() -> Iterator[None]:
    """The date locator warns when no tick interval fits exactly and then picks a good one anyway."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="AutoDateLocator was unable")
        yield


@dataclass
class Chart:
    """One drawn chart: a file-friendly name, a title and the figure."""

    name: str
    title: str
    figure: Any

    def svg(self) -> str:
        """The chart as an inline ``<svg>`` element (no XML prolog, no external references)."""
        import matplotlib

        buffer = io.StringIO()
        with matplotlib.rc_context(_STYLE), _quiet_locator():
            self.figure.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
        text = buffer.getvalue()
        return text[text.index("<svg"):]

    def save_png(self, directory: Path) -> Path:
        """Write ``<name>.png`` into ``directory`` (created if needed); return its path."""
        import matplotlib

        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{self.name}.png"
        with matplotlib.rc_context(_STYLE), _quiet_locator():
            self.figure.savefig(path, format="png", dpi=150, bbox_inches="tight", metadata={"Software": None})
        return path


def _figure(height: float, **kwargs: Any) -> Any:
    from matplotlib.figure import Figure

    return Figure(figsize=(_WIDTH, height), layout="constrained", **kwargs)


def _series(rows: list[tuple[str, int]]) -> tuple[date, list[int]]:
    """Counts for every day from the first to the last (zeros filled in)."""
    first = date.fromisoformat(rows[0][0])
    last = date.fromisoformat(rows[-1][0])
    counts = [0] * ((last - first).days + 1)
    for day, n in rows:
        counts[(date.fromisoformat(day) - first).days] += n
    return first, counts


def _draw_days(ax: Any, rows: list[tuple[str, int]], gaps: list[tuple[str, str]], colour: str) -> None:
    """Articles per day (per week past a year) as one filled step path; gaps as red spans."""
    import matplotlib.dates as mdates

    if not rows:
        ax.text(0.5, 0.5, "no dated articles", ha="center", va="center", transform=ax.transAxes, color="#777")
        ax.set_yticks([])
        return
    first, counts = _series(rows)
    step = 7 if len(counts) > 366 else 1
    binned = [sum(counts[i:i + step]) for i in range(0, len(counts), step)]
    start = mdates.date2num(datetime.combine(first, datetime.min.time()))
    edges = [start + i * step for i in range(len(binned) + 1)]
    spans = [(mdates.date2num(datetime.fromisoformat(a)), (date.fromisoformat(b) - date.fromisoformat(a)).days + 1)
             for a, b in gaps]
    if spans:  # light shading over the gap, and a solid strip under it so a one-day gap still shows
        ax.broken_barh(spans, (0, 1), transform=ax.get_xaxis_transform(), color=_GAP_COLOUR, alpha=0.25, linewidth=0)
        ax.broken_barh(spans, (0, 0.06), transform=ax.get_xaxis_transform(), color=_GAP_COLOUR, linewidth=1,
                       edgecolor=_GAP_COLOUR, zorder=3)
    ax.stairs(binned, edges, fill=True, color=colour, linewidth=0.8, edgecolor=colour)
    ax.set_ylabel("per week" if step == 7 else "per day")
    if len(counts) < 7:  # a few days: widen the axis so the bars stay bars and the ticks are days
        ax.set_xlim(start - 3, edges[-1] + 3)
        locator: Any = mdates.DayLocator(interval=max(1, (len(counts) + 6) // 6))
    else:
        locator = mdates.AutoDateLocator(maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.set_ylim(bottom=0)


def days_chart(cov: Coverage) -> Chart:
    """Per site: articles by publication day (gaps marked) and by fetch day beside it."""
    sites = cov.sites[:MAX_SITES_CHARTED] or ["(none)"]
    fig = _figure(1.5 * len(sites) + 0.6)
    axes = fig.subplots(len(sites), 2, squeeze=False)
    published: dict[str, list[tuple[str, int]]] = {}
    fetched: dict[str, list[tuple[str, int]]] = {}
    for site, day, n in cov.published_days:
        published.setdefault(site, []).append((day, n))
    for site, day, n in cov.fetched_days:
        fetched.setdefault(site, []).append((day, n))
    for row, site in enumerate(sites):
        gaps = [(g.first, g.last) for g in cov.gaps if g.site == site]
        _draw_days(axes[row][0], published.get(site, []), gaps, "#1f77b4")
        _draw_days(axes[row][1], fetched.get(site, []), [], "#2ca02c")
        axes[row][0].set_title(f"{site}: by publication day ({cov.gap_days(site):,} gap days shaded)", loc="left")
        axes[row][1].set_title(f"{site}: by fetch day", loc="left")
    return Chart("articles_per_day", "Articles per day, per site", fig)


def _barh(title: str, name: str, counts: dict[str, int], colour: str, limit: int = 12) -> Chart:
    items = list(counts.items())[:limit]
    fig = _figure(0.3 * len(items) + 0.8)
    ax = fig.subplots()
    labels = [k for k, _ in items][::-1]
    values = [v for _, v in items][::-1]
    bars = ax.barh(labels, values, color=colour)
    ax.bar_label(bars, labels=[f"{v:,}" for v in values], padding=3)
    ax.set_xlim(right=max(values) * 1.15 if values else 1)
    return Chart(name, title, fig)


def sources_chart(cov: Coverage) -> Chart:
    """Per site, the share of articles by where their date came from (undated in grey)."""
    from matplotlib import colormaps

    sites = cov.sites[:MAX_SITES_CHARTED]
    names = sorted({k for s in sites for k in cov.date_sources.get(s, {})}, key=lambda k: (k == "undated", k))
    palette = colormaps["tab10"]
    fig = _figure(0.35 * len(sites) + 1.2)
    ax = fig.subplots()
    left = [0.0] * len(sites)
    for index, source in enumerate(names):
        shares = [cov.date_sources.get(s, {}).get(source, 0) / max(cov.per_site[s]["articles"], 1) for s in sites]
        ax.barh(sites, shares, left=left, height=0.6, label=source, color=_SOURCE_COLOURS.get(source, palette(index % 10)))
        left = [a + b for a, b in zip(left, shares)]
    ax.set_xlim(0, 1)
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(lambda x, _pos: f"{x:.0%}")
    ax.legend(ncols=min(len(names), 8), loc="upper center", bbox_to_anchor=(0.5, -0.15 if sites else 0), frameon=False)
    return Chart("date_sources", "Where the publication dates came from, per site", fig)


def runs_chart(cov: Coverage) -> Chart:
    """Fetched, archived and failed per run, over time."""
    import matplotlib.dates as mdates

    fig = _figure(2.6)
    ax = fig.subplots()
    when = [datetime.fromisoformat(r["started_at"]) for r in cov.runs]
    marker = "o" if len(when) <= 60 else None
    for key, colour in (("fetched", "#1f77b4"), ("archived", "#2ca02c"), ("failed", _GAP_COLOUR)):
        ax.plot(when, [r[key] or 0 for r in cov.runs], label=key, color=colour, marker=marker, markersize=4, linewidth=1)
    ax.legend(frameon=False, ncols=3)
    ax.set_ylabel("per run")
    ax.set_ylim(bottom=0)
    if len(when) == 1:  # one point: give the axis a day either side
        ax.set_xlim(when[0] - timedelta(days=1), when[0] + timedelta(days=1))
    locator = mdates.AutoDateLocator(maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    return Chart("runs", "Runs over time", fig)


def draw_charts(cov: Coverage) -> list[Chart]:
    """Every chart the coverage has data for, in page order."""
    matplotlib = require_matplotlib()
    makers: list[tuple[bool, Callable[[], Chart]]] = [
        (True, lambda: days_chart(cov)),
        (bool(cov.per_site), lambda: sources_chart(cov)),
        (bool(cov.page_types), lambda: _barh("Page types", "page_types", cov.page_types, "#9467bd")),
        (bool(cov.languages), lambda: _barh("Languages", "languages", cov.languages, "#8c564b")),
        (bool(cov.runs), lambda: runs_chart(cov)),
        (bool(cov.failures_by_kind), lambda: _barh("Failures by kind", "failures", cov.failures_by_kind, _GAP_COLOUR)),
    ]
    with matplotlib.rc_context(_STYLE):  # fonts and spines are read when the artists are made
        return [make() for wanted, make in makers if wanted]
