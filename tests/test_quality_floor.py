"""Quality floor: the extractor must not fall below the recorded scores on the real pages.

The pages live outside the repository (``../shared/eval`` from the repo root);
the figures to hold are in ``tests/eval_baseline.json``, recorded from an
actual run of ``python -m scraper.research.evaluate``. Raise them when the extractor
improves; never lower them to make a change pass.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from scraper.research.evaluate import evaluate_dir

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"
BASELINE: dict[str, Any] = json.loads(
    (Path(__file__).parent / "eval_baseline.json").read_text(encoding="utf-8"))
TOLERANCE = 0.005


def _report(name: str) -> dict[str, Any]:
    folder = EVAL / name
    if not (folder / "truth.json").is_file():
        pytest.skip(f"evaluation set {folder} not found (expected at ../shared/eval from the repo)")
    return evaluate_dir(folder, misses=True, baselines=False)


@pytest.fixture(scope="module")
def body_report() -> dict[str, Any]:
    return _report("body")


@pytest.fixture(scope="module")
def dates_report() -> dict[str, Any]:
    return _report("dates")


@pytest.mark.slow  # about a minute of CPU: every page goes through the full extractor
@pytest.mark.parametrize("metric", ["f1", "precision", "headline_match", "author_match", "date_match"])
def test_body_floor(body_report: dict[str, Any], metric: str) -> None:
    got = body_report["tools"]["ours"][metric]
    floor = BASELINE["body"][metric] - TOLERANCE
    worst = [m["file"] for m in body_report["misses"] if m["leaked"] or m["missed"]][:10]
    assert got >= floor, f"body {metric} {got} < floor {floor}; pages with misses: {worst}"


@pytest.mark.slow
@pytest.mark.parametrize("metric", ["precision", "accuracy"])
def test_date_floor(dates_report: dict[str, Any], metric: str) -> None:
    got = dates_report["tools"]["ours"][metric]
    floor = BASELINE["dates"][metric] - TOLERANCE
    wrong = [m for m in dates_report["misses"] if m["got"] is not None][:10]
    assert got >= floor, f"date {metric} {got} < floor {floor}; wrong answers: {wrong}"
