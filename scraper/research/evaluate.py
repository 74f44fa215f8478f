"""Score the extractor on a folder of real pages, side by side with the baselines.

Usage: ``python -m scraper.research.evaluate DATASET_DIR [--json] [--misses]``.

A dataset folder holds ``truth.json`` and ``pages/*.html.gz`` (see the
dataset README). Its kind is read from the truth: entries with ``with`` /
``without`` snippets make a *body* set, entries with only ``date`` a *dates* set.

Body sets (the scoring of trafilatura's published evaluation): the text a
reader sees -- for us ``lede + "\\n" + body`` of :func:`scraper.extractor.article.extract`,
for plain trafilatura ``bare_extraction(..., include_comments=False,
with_metadata=True).text`` -- is whitespace-normalised; over all pages TP =
``with`` snippets found, FN = missed, FP = ``without`` snippets found, TN =
absent. precision = TP/(TP+FP), recall = TP/(TP+FN), F1 = 2TP/(2TP+FP+FN),
accuracy = (TP+TN)/all.

Metadata, on the pages whose truth has the field, after Unicode NFKC,
case folding and whitespace folding:

* headline: exact equality with ``title``;
* date: the day part of the answer equals ``date`` (no answer is wrong);
* author: the *set* of names equals the truth's set. Truth and trafilatura
  join several names with "; ", so both are split on ";"; ours is
  ``Article.authors``. Order and duplicates do not matter; a missing, partial
  or larger set is a miss.

Dates sets: accuracy = right day / all pages, precision = right day / pages
answered, coverage = answered / all, for ours (``extract(...).published``),
htmldate (``find_date(html, url=url, original_date=True)``) and plain
trafilatura's date.

Dates sets also score ``ours_date_only``: :func:`scraper.extractor.article.parse_html` plus
:func:`scraper.extractor.dates.choose.find_dates`, without the rest of the extraction.

Timings are wall-clock milliseconds per page for each tool on the raw bytes,
parsing included.
"""

from __future__ import annotations

import gzip
import json
import sys
import time
import unicodedata
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from scraper.errors import UsageError

__all__ = ["author_set", "evaluate_dir", "format_report", "main", "norm"]

T = TypeVar("T")


def norm(text: str | None) -> str:
    """NFKC, case folding and whitespace folding: the comparison form of metadata."""
    return " ".join(unicodedata.normalize("NFKC", text or "").casefold().split())


def author_set(value: str | list[str] | None) -> frozenset[str]:
    """Normalised author names as a set; strings are split on ';'."""
    names = value if isinstance(value, list) else (value or "").split(";")
    return frozenset(n for n in (norm(name) for name in names) if n)


def _spaces(text: str) -> str:
    return " ".join(text.split())


def _timed(func: Callable[[], T], tool: str) -> tuple[T | None, float]:
    """Run one tool on one page: its answer (None when it gave up) and the milliseconds.

    Our extractor giving up on a page (:class:`ExtractionError`) scores an empty
    answer; any other error of ours is a bug and propagates. A baseline that
    breaks on a page scores an empty answer.
    """
    from scraper.errors import ExtractionError

    tolerated: type[BaseException] = ExtractionError if tool.startswith("ours") else Exception
    start = time.perf_counter()
    try:
        result: T | None = func()
    except tolerated:
        result = None
    return result, (time.perf_counter() - start) * 1000


def _load(path: Path) -> tuple[str, dict[str, dict[str, Any]]]:
    truth_file = path / "truth.json"
    if not truth_file.is_file():
        raise UsageError(f"{truth_file} not found: not a dataset folder")
    try:
        truth: dict[str, dict[str, Any]] = json.loads(truth_file.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise UsageError(f"{truth_file} is not valid JSON: {exc}") from exc
    kind = "body" if any("with" in entry for entry in truth.values()) else "dates"
    return kind, truth


def _raw(path: Path, entry: dict[str, Any]) -> bytes:
    return gzip.decompress((path / "pages" / entry["file"]).read_bytes())


def _day(value: str | None) -> str | None:
    return value[:10] if value else None


class _Tally:
    """Snippet counts of one tool over a body set."""

    def __init__(self) -> None:
        self.tp = self.fn = self.fp = self.tn = 0

    def add(self, text: str, entry: dict[str, Any]) -> tuple[list[str], list[str]]:
        """Count one page; return (missed ``with``, found ``without``) snippets."""
        text = _spaces(text)
        missed = [s for s in entry.get("with", []) if _spaces(s) not in text]
        found = [s for s in entry.get("without", []) if _spaces(s) in text]
        self.tp += len(entry.get("with", [])) - len(missed)
        self.fn += len(missed)
        self.fp += len(found)
        self.tn += len(entry.get("without", [])) - len(found)
        return missed, found

    def scores(self) -> dict[str, float]:
        total = self.tp + self.fn + self.fp + self.tn
        return {
            "precision": _ratio(self.tp, self.tp + self.fp),
            "recall": _ratio(self.tp, self.tp + self.fn),
            "f1": _ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn),
            "accuracy": _ratio(self.tp + self.tn, total),
            "tp": self.tp, "fn": self.fn, "fp": self.fp, "tn": self.tn,
        }


def _ratio(num: int, den: int) -> float:
    return round(num / den, 4) if den else 0.0


def _ours(raw: bytes, url: str, fetched_at: str | None = None) -> Any:
    from scraper.extractor.article import extract

    return extract(raw, url, fetched_at=fetched_at)


def _trafilatura(raw: bytes, url: str) -> Any:
    import trafilatura

    return trafilatura.bare_extraction(raw, url=url, include_comments=False, with_metadata=True)


def _date_only(raw: bytes, url: str) -> str | None:
    from scraper.extractor.article import parse_html
    from scraper.extractor.dates.choose import find_dates

    return find_dates(parse_html(raw), url).published


def _meta_scores(rows: list[dict[str, Any]], tool: str) -> dict[str, float | int]:
    """Headline / date / author agreement of one tool over the pages that have each field."""
    out: dict[str, float | int] = {}
    for field in ("headline", "date", "author"):
        judged = [row[tool][field] for row in rows if row[tool][field] is not None]
        out[f"{field}_pages"] = len(judged)
        out[f"{field}_match"] = _ratio(sum(judged), len(judged))
    return out


def _judge_meta(entry: dict[str, Any], headline: str | None, day: str | None,
                authors: str | list[str] | None) -> dict[str, bool | None]:
    return {
        "headline": norm(headline) == norm(entry["title"]) if "title" in entry else None,
        "date": day == entry["date"] if "date" in entry else None,
        "author": author_set(authors) == author_set(entry["author"]) if "author" in entry else None,
    }


def _body_page(raw: bytes, url: str, entry: dict[str, Any], tallies: dict[str, _Tally],
               baselines: bool) -> dict[str, Any]:
    art, ms_ours = _timed(lambda: _ours(raw, url), "ours")
    text = f"{art.lede or ''}\n{art.body}" if art is not None else ""
    missed, found = tallies["ours"].add(text, entry)
    row: dict[str, Any] = {
        "file": entry["file"], "missed": missed, "leaked": found, "ms_ours": ms_ours,
        "ours": _judge_meta(entry, getattr(art, "headline", None),
                            _day(getattr(art, "published", None)), getattr(art, "authors", None)),
        "got": {"headline": getattr(art, "headline", None),
                "date": _day(getattr(art, "published", None)),
                "author": "; ".join(getattr(art, "authors", []) or [])},
    }
    if baselines:
        doc, ms_traf = _timed(lambda: _trafilatura(raw, url), "trafilatura")
        tallies["trafilatura"].add(getattr(doc, "text", None) or "", entry)
        row["ms_trafilatura"] = ms_traf
        row["trafilatura"] = _judge_meta(entry, getattr(doc, "title", None),
                                         _day(getattr(doc, "date", None)),
                                         getattr(doc, "author", None))
    return row


def _evaluate_body(path: Path, truth: dict[str, dict[str, Any]], misses: bool,
                   baselines: bool) -> dict[str, Any]:
    tallies = {"ours": _Tally(), "trafilatura": _Tally()}
    rows = [_body_page(_raw(path, e), url, e, tallies, baselines) for url, e in truth.items()]
    tools = ["ours", "trafilatura"] if baselines else ["ours"]
    report: dict[str, Any] = {"kind": "body", "path": str(path), "pages": len(rows), "tools": {}}
    for tool in tools:
        ms = sum(row[f"ms_{tool}"] for row in rows) / max(len(rows), 1)
        report["tools"][tool] = {**tallies[tool].scores(), **_meta_scores(rows, tool),
                                 "ms_per_page": round(ms, 1)}
    if misses:
        report["misses"] = [_body_miss(row, truth) for row in rows if _is_body_miss(row)]
    return report


def _is_body_miss(row: dict[str, Any]) -> bool:
    return bool(row["missed"] or row["leaked"]) or any(v is False for v in row["ours"].values())


def _body_miss(row: dict[str, Any], truth: dict[str, dict[str, Any]]) -> dict[str, Any]:
    entry = next(e for e in truth.values() if e["file"] == row["file"])
    wrong = {f: {"expected": entry.get("title" if f == "headline" else f), "got": row["got"][f]}
             for f, ok in row["ours"].items() if ok is False}
    return {"file": row["file"], "missed": row["missed"], "leaked": row["leaked"], **wrong}


_DateTool = Callable[[bytes, str, dict[str, Any]], "str | None"]  # (page bytes, URL, truth entry)


def _fetched_after(entry: dict[str, Any], hours: float) -> str:
    """The fetch instant ``hours`` after the start (UTC) of the page's true publication day."""
    start = datetime.fromisoformat(entry["date"]).replace(tzinfo=timezone.utc)
    return (start + timedelta(hours=hours)).isoformat()


def _date_tools(baselines: bool, fetched_after: float | None = None) -> dict[str, _DateTool]:
    tools: dict[str, _DateTool] = {
        "ours": lambda raw, url, entry: _ours(raw, url).published,
        "ours_date_only": lambda raw, url, entry: _date_only(raw, url),
    }
    if fetched_after is not None:
        # As a crawl sees a fresh page: the fetch day is near the publication day, where a
        # date is harder to tell from the page's "today" line.
        tools["ours_fetched_fresh"] = lambda raw, url, entry: _ours(
            raw, url, _fetched_after(entry, fetched_after)).published
    if baselines:
        from htmldate import find_date

        tools["htmldate"] = lambda raw, url, entry: find_date(raw, url=url, original_date=True)
        tools["trafilatura"] = lambda raw, url, entry: _trafilatura(raw, url).date
    return tools


def _evaluate_dates(path: Path, truth: dict[str, dict[str, Any]], misses: bool,
                    baselines: bool, fetched_after: float | None = None) -> dict[str, Any]:
    tools = _date_tools(baselines, fetched_after)
    answers: dict[str, list[str | None]] = {name: [] for name in tools}
    millis: dict[str, float] = {name: 0.0 for name in tools}
    entries = list(truth.items())
    for url, entry in entries:
        raw = _raw(path, entry)
        for name, tool in tools.items():
            got, ms = _timed(partial(tool, raw, url, entry), name)
            answers[name].append(_day(got))
            millis[name] += ms
    expected = [entry["date"] for _, entry in entries]
    report: dict[str, Any] = {"kind": "dates", "path": str(path), "pages": len(entries), "tools": {}}
    for name in tools:
        right = sum(a == e for a, e in zip(answers[name], expected))
        answered = sum(a is not None for a in answers[name])
        report["tools"][name] = {
            "accuracy": _ratio(right, len(entries)), "precision": _ratio(right, answered),
            "coverage": _ratio(answered, len(entries)),
            "ms_per_page": round(millis[name] / max(len(entries), 1), 1),
        }
    if misses:
        report["misses"] = [
            {"file": entry["file"], "expected": entry["date"], "got": answers["ours"][i],
             **({"htmldate": answers["htmldate"][i]} if "htmldate" in answers else {})}
            for i, (_, entry) in enumerate(entries) if answers["ours"][i] != entry["date"]
        ]
    return report


def evaluate_dir(path: Path, *, misses: bool = False, baselines: bool = True,
                 fetched_after: float | None = None) -> dict[str, Any]:
    """Evaluate the extractor on one dataset folder; see the module docstring for the scores.

    Args:
        path: a folder with ``truth.json`` and ``pages/``.
        misses: also list the pages we got wrong (for humans).
        baselines: also run trafilatura (and htmldate on dates sets) for comparison.
        fetched_after: on a dates set, also score ours as if each page had been fetched this
            many hours after the start of its publication day (tool ``ours_fetched_fresh``).

    Returns:
        A JSON-ready dict: ``kind``, ``pages``, ``tools`` (scores per tool), maybe ``misses``.

    Raises:
        UsageError: ``path`` has no readable ``truth.json``.
    """
    kind, truth = _load(Path(path))
    if kind == "body":
        return _evaluate_body(Path(path), truth, misses, baselines)
    return _evaluate_dates(Path(path), truth, misses, baselines, fetched_after)


_BODY_COLUMNS = ("precision", "recall", "f1", "accuracy", "headline_match", "date_match",
                 "author_match", "ms_per_page")
_DATE_COLUMNS = ("accuracy", "precision", "coverage", "ms_per_page")


def format_report(report: dict[str, Any], misses: bool) -> str:
    """A plain-text table of ``report`` (one column per tool), with misses if asked."""
    columns = _BODY_COLUMNS if report["kind"] == "body" else _DATE_COLUMNS
    tools = list(report["tools"])
    width = max(16, *(len(t) + 2 for t in tools))
    lines = [f"{report['kind']} set: {report['path']} ({report['pages']} pages)",
             f"{'':16}" + "".join(f"{t:>{width}}" for t in tools)]
    for column in columns:
        cells = "".join(f"{report['tools'][t].get(column, ''):>{width}}" for t in tools)
        lines.append(f"{column:16}{cells}")
    if report["kind"] == "body":
        ours = report["tools"]["ours"]
        lines.append(f"pages judged: headline {ours['headline_pages']}, date {ours['date_pages']},"
                     f" author {ours['author_pages']}")
    if misses and report.get("misses"):
        lines.append("")
        lines.append(f"misses ({len(report['misses'])}):")
        for miss in report["misses"]:
            detail = {k: v for k, v in miss.items() if k != "file" and v not in ([], None)}
            lines.append(f"  {miss['file']}: {json.dumps(detail, ensure_ascii=False)}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: ``python -m scraper.research.evaluate DATASET_DIR [--json] [--misses]``."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m scraper.research.evaluate", description=__doc__.split("\n")[0])
    parser.add_argument("dataset", type=Path, help="folder with truth.json and pages/")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--misses", action="store_true", help="list the pages we got wrong")
    args = parser.parse_args(argv)
    try:
        report = evaluate_dir(args.dataset, misses=args.misses)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(report, ensure_ascii=False, indent=1) if args.json
          else format_report(report, args.misses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
