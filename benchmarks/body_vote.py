"""Would a token-level agreement vote with a second extractor improve the body? (issue 13)

    python benchmarks/body_vote.py [DATASET_DIR] [--folds 5] [--gram 1]

Needs ``pip install resiliparse`` (not a project dependency: the vote did not earn its place,
see benchmarks/README.md). Measures, asserts nothing, changes nothing in the extractor.

1. **Speed**, on every page of the set (default ``../shared/eval/body``), interleaved in one run:
   our ``extract``, plain ``trafilatura.bare_extraction`` and resiliparse's main-content
   ``extract_plain_text``; the vote would cost ours + resiliparse.
2. **The vote**: for each of our body paragraphs, the share of its token n-grams that
   resiliparse also keeps; a paragraph is dropped when that share is below ``drop_below``
   while resiliparse agrees with the page as a whole (share of all our n-grams it keeps
   >= ``page_agree``). For recall, a resiliparse line is added when its share in our text is
   below ``add_below``, it has at least ``add_min`` n-grams, and the page's densest paragraph
   container (our own fallback reading) holds at least ``backup_min`` of it.
3. **Cross-validation by site**: pages are split into folds by a stable hash of the URL host
   (no site in both parts); on each fold the rule with the best F1 on the other folds is
   scored on it. Printed per fold and pooled beside today's figures, then the best rule
   fitted on all pages (in-sample: the ceiling of this rule family on the set).

Scoring is ``scraper.research.evaluate``'s: snippets of ``lede + body``, whitespace-folded.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import itertools
import json
import os
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import trafilatura

from scraper.errors import ExtractionError
from scraper.extractor.article import extract, parse_html
from scraper.extractor.content import _container_lines, _dense_container

_TOKEN = re.compile(r"\w+")
DEFAULT_SET = Path(__file__).resolve().parents[2] / "shared" / "eval" / "body"


class Rule(NamedTuple):
    """One setting of the vote's thresholds (1.01 / 0 switch a half off)."""

    page_agree: float
    drop_below: float
    add_below: float
    backup_min: float
    add_min: int


@dataclass(slots=True)
class Page:
    """What the vote needs of one page."""

    site: str
    entry: dict[str, Any]
    lede: str
    paragraphs: list[str]
    second: str        # resiliparse's main-content text
    backup: list[str]  # the densest paragraph container's lines (fresh tree)


def _resiliparse() -> Any:
    try:
        from resiliparse.extract.html2text import extract_plain_text
        from resiliparse.parse.encoding import detect_encoding
        from resiliparse.parse.html import HTMLTree
    except ImportError:
        sys.exit("body_vote.py needs resiliparse: pip install resiliparse")

    def second_opinion(raw: bytes) -> str:
        tree = HTMLTree.parse_from_bytes(raw, detect_encoding(raw))
        return str(extract_plain_text(tree, main_content=True))

    return second_opinion


def collect(folder: Path) -> tuple[list[Page], dict[str, float]]:
    """Run the three extractors on every page, interleaved (order alternates page by page)."""
    second_opinion = _resiliparse()
    truth: dict[str, dict[str, Any]] = json.loads((folder / "truth.json").read_text("utf-8"))
    seconds = {"ours": 0.0, "trafilatura": 0.0, "resiliparse": 0.0}
    pages: list[Page] = []
    for index, (url, entry) in enumerate(truth.items()):
        raw = gzip.decompress((folder / "pages" / entry["file"]).read_bytes())
        tools = {
            "ours": lambda: _ours(raw, url),
            "trafilatura": lambda: trafilatura.bare_extraction(
                raw, url=url, include_comments=False, with_metadata=True),
            "resiliparse": lambda: second_opinion(raw),
        }
        order = list(tools) if index % 2 == 0 else list(reversed(tools))
        answers = {}
        for name in order:
            start = time.perf_counter()
            answers[name] = tools[name]()
            seconds[name] += time.perf_counter() - start
        lede, body = answers["ours"]
        pages.append(Page(
            site=(urlsplit(url).hostname or url).lower().removeprefix("www."),
            entry=entry, lede=lede, paragraphs=[p for p in body.split("\n\n") if p.strip()],
            second=answers["resiliparse"], backup=_backup(raw),
        ))
    return pages, seconds


def _ours(raw: bytes, url: str) -> tuple[str, str]:
    try:
        article = extract(raw, url)
    except ExtractionError:
        return "", ""
    return article.lede or "", article.body


def _backup(raw: bytes) -> list[str]:
    try:
        container = _dense_container(parse_html(raw))
    except ExtractionError:
        return []
    return _container_lines(container) if container is not None else []


def grams(text: str, n: int) -> list[tuple[str, ...]]:
    """Case-folded word n-grams (a shorter text is one gram)."""
    tokens = _TOKEN.findall(text.casefold())
    if len(tokens) < n:
        return [tuple(tokens)] if tokens else []
    return [tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]


def share(items: list[tuple[str, ...]], other: set[tuple[str, ...]]) -> float:
    """Share of ``items`` found in ``other`` (1.0 for nothing)."""
    return sum(item in other for item in items) / len(items) if items else 1.0


@dataclass(slots=True)
class Shares:
    """A page's agreement figures, computed once per n."""

    page_agree: float
    paragraph: list[float]
    lines: list[tuple[str, float, float, int]]  # line, share in ours, share in backup, grams


def shares(page: Page, n: int) -> Shares:
    """How much resiliparse and we agree, per paragraph, per resiliparse line and overall."""
    second = set(grams(page.second, n))
    per_paragraph = [grams(p, n) for p in page.paragraphs]
    ours = set(grams(page.lede + "\n" + "\n".join(page.paragraphs), n))
    backup = set(grams("\n".join(page.backup), n))
    lines = []
    for line in (ln.strip() for ln in page.second.split("\n")):
        if line:
            line_grams = grams(line, n)
            lines.append((line, share(line_grams, ours), share(line_grams, backup), len(line_grams)))
    return Shares(
        page_agree=share([g for p in per_paragraph for g in p], second) if page.second.strip() else 0.0,
        paragraph=[share(p, second) for p in per_paragraph],
        lines=lines,
    )


def vote(page: Page, agreement: Shares, rule: Rule) -> list[str]:
    """Our paragraphs after the vote: some dropped, resiliparse lines appended."""
    local = agreement.page_agree >= rule.page_agree
    kept = [p for p, s in zip(page.paragraphs, agreement.paragraph) if not (local and s < rule.drop_below)]
    added = [
        line for line, in_ours, in_backup, size in agreement.lines
        if in_ours < rule.add_below and in_backup >= rule.backup_min and size >= rule.add_min
    ]
    return kept + added


Counts = tuple[int, int, int]  # TP, FN, FP


def counts(page: Page, paragraphs: list[str]) -> Counts:
    """Snippet counts of one page's ``lede + body`` (evaluate.py's scoring)."""
    text = " ".join((page.lede + "\n" + "\n\n".join(paragraphs)).split())
    found = sum(" ".join(s.split()) in text for s in page.entry.get("with", []))
    leaked = sum(" ".join(s.split()) in text for s in page.entry.get("without", []))
    return found, len(page.entry.get("with", [])) - found, leaked


def scores(total: Counts) -> tuple[float, float, float]:
    """precision, recall, F1."""
    tp, fn, fp = total
    return tp / max(1, tp + fp), tp / max(1, tp + fn), 2 * tp / max(1, 2 * tp + fp + fn)


def rules() -> list[Rule]:
    """The grid: drop only, add only, both."""
    drops = [Rule(a, d, 0.0, 0.0, 0) for a in (0.5, 0.7, 0.8, 0.9, 0.95, 1.01)
             for d in (0.05, 0.1, 0.2, 0.3, 0.5)]
    adds = []
    for u, b, m in itertools.product((0.1, 0.2, 0.3, 0.5), (0.0, 0.5, 0.8, 0.95), (3, 8, 15)):
        adds.append(Rule(1.01, 0.0, u, b, m))
        adds.extend(Rule(a, d, u, b, m) for a in (0.7, 0.9) for d in (0.1, 0.3))
    return drops + adds


def _sum(rows: list[Counts], index: list[int]) -> Counts:
    return (sum(rows[i][0] for i in index), sum(rows[i][1] for i in index), sum(rows[i][2] for i in index))


def _fmt(total: Counts) -> str:
    return "/".join(f"{x:.4f}" for x in scores(total))


def cross_validate(pages: list[Page], n: int, folds: int) -> None:
    """Print per-fold and pooled out-of-fold P/R/F1 of the best rule beside today's."""
    agreements = [shares(p, n) for p in pages]
    grid = rules()
    table = {rule: [counts(p, vote(p, a, rule)) for p, a in zip(pages, agreements)] for rule in grid}
    today = [counts(p, p.paragraphs) for p in pages]
    fold = [int(hashlib.sha1(p.site.encode()).hexdigest(), 16) % folds for p in pages]
    pooled, pooled_today = (0, 0, 0), (0, 0, 0)
    print(f"site-grouped {folds}-fold CV, {n}-grams, {len({p.site for p in pages})} sites")
    for k in range(folds):
        train = [i for i, f in enumerate(fold) if f != k]
        test = [i for i, f in enumerate(fold) if f == k]
        best = max(grid, key=lambda r: (scores(_sum(table[r], train))[2], -r.add_below, r.page_agree))
        got, base = _sum(table[best], test), _sum(today, test)
        pooled = tuple(x + y for x, y in zip(pooled, got))  # type: ignore[assignment]
        pooled_today = tuple(x + y for x, y in zip(pooled_today, base))  # type: ignore[assignment]
        print(f"  fold {k} ({len(test)} pages) {best}: P/R/F1 {_fmt(got)}   today {_fmt(base)}")
    print(f"  pooled out-of-fold P/R/F1 {_fmt(pooled)} (TP/FN/FP {pooled})"
          f"   today {_fmt(pooled_today)} (TP/FN/FP {pooled_today})")
    everything = list(range(len(pages)))
    ceiling = max(grid, key=lambda r: scores(_sum(table[r], everything))[2])
    print(f"  in-sample best of the grid {ceiling}: P/R/F1 {_fmt(_sum(table[ceiling], everything))}")


def main(argv: list[str] | None = None) -> int:
    """Time the extractors, then cross-validate the vote."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT_SET)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--gram", type=int, nargs="+", default=[1, 2, 3])
    args = parser.parse_args(argv)
    print(f"load average before: {os.getloadavg()[0]:.2f} (2 cores)")
    pages, seconds = collect(args.folder)
    print(f"load average after: {os.getloadavg()[0]:.2f}; {len(pages)} pages, interleaved")
    for name, value in seconds.items():
        print(f"  {name:12} {value:6.1f} s  {value / seconds['trafilatura']:.3f}x trafilatura")
    vote_cost = (seconds["ours"] + seconds["resiliparse"]) / seconds["trafilatura"]
    print(f"  ours + resiliparse  {vote_cost:.3f}x trafilatura (budget 1.3x)")
    for n in args.gram:
        cross_validate(pages, n, args.folds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
