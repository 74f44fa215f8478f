"""Fit the date model: a logistic regression over candidate days, checked site by site.

    python -m scraper.research.date_model fit ../shared/eval/dates ../shared/eval/dates-extra ../shared/eval/body

reads every page with a truth date, gathers its candidate days with their features
(:func:`scraper.extractor.dates.choose.date_candidates`), and

1. cross-validates: pages are split into folds by *site* (a stable hash of the host), so
   no site is in both the fitted and the scored part; the out-of-fold probabilities give
   the accuracy / precision / coverage the model would have on sites it never saw, for
   every threshold;
2. picks the threshold with the best out-of-fold (right - 2 x wrong): a wrong date is worse
   than none (``--wrong-cost``). The model only speaks where the ordered sources refused, and
   the cross-validation scores exactly that policy;
3. refits on all pages and writes ``scraper/extractor/dates/date_weights.json``.

Nothing here is used at extraction time except the JSON it writes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np

from scraper.errors import ExtractionError
from scraper.extractor.article import parse_html
from scraper.extractor.dates.choose import date_candidates
from scraper.extractor.dates.score import FEATURES, WEIGHTS_FILE
from scraper.research.evaluate import _day, _load, _raw

__all__ = ["PageSample", "collect", "cross_validate", "fit_logistic", "main"]

FOLDS = 5
WRONG_COST = 2.0  # a wrong date costs twice a missing one when the threshold is picked
_RULES = FEATURES.index("rules")
L2 = 1.0  # ridge on the weights (not the bias): few hundred sites, a dozen features


@dataclass(slots=True)
class PageSample:
    """One page: its site, the truth day, and its candidates' features and labels."""

    site: str
    truth: date
    features: np.ndarray  # candidates x features
    labels: np.ndarray    # 1 where the candidate is the truth day


def _site(url: str) -> str:
    host = (urlsplit(url.split("::")[-1]).hostname or url).lower()
    return host.removeprefix("www.")


def collect(folders: list[Path]) -> list[PageSample]:
    """Candidate features of every page with a truth date in the dataset folders."""
    samples = []
    for folder in folders:
        _, truth = _load(folder)
        for url, entry in truth.items():
            day = _day(entry.get("date"))
            if not day:
                continue
            try:
                truth_day = date.fromisoformat(day)
                tree = parse_html(_raw(folder, entry))
            except (ExtractionError, ValueError):  # an unparsable page or truth day is left out
                continue
            pool = date_candidates(tree, url)
            features = np.array([c.vector() for c in pool], dtype=float).reshape(len(pool), len(FEATURES))
            labels = np.array([1.0 if c.day == truth_day else 0.0 for c in pool])
            samples.append(PageSample(_site(url), truth_day, features, labels))
    return samples


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = L2, steps: int = 50) -> tuple[np.ndarray, float]:
    """Weights and bias of an L2-regularised logistic regression (Newton's method)."""
    design = np.hstack([x, np.ones((len(x), 1))])
    theta = np.zeros(design.shape[1])
    ridge = np.eye(design.shape[1]) * l2
    ridge[-1, -1] = 0.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-np.clip(design @ theta, -50, 50)))
        gradient = design.T @ (p - y) + ridge @ theta
        hessian = (design * (p * (1 - p))[:, None]).T @ design + ridge + np.eye(len(theta)) * 1e-9
        step = np.linalg.solve(hessian, gradient)
        theta -= step
        if np.abs(step).max() < 1e-8:
            break
    return theta[:-1], float(theta[-1])


def _stack(samples: list[PageSample]) -> tuple[np.ndarray, np.ndarray]:
    rows = [s.features for s in samples if len(s.labels)]
    if not rows:
        return np.zeros((0, len(FEATURES))), np.zeros(0)
    return np.vstack(rows), np.concatenate([s.labels for s in samples if len(s.labels)])


def _fold(site: str) -> int:
    return int(hashlib.sha1(site.encode()).hexdigest(), 16) % FOLDS


def _best(sample: PageSample, weights: np.ndarray, bias: float) -> tuple[float, bool]:
    """What the extractor answers: the ordered sources' day (probability 1) where they chose one,
    else the top candidate's probability and whether it is the truth day (0, False: no candidate)."""
    if not len(sample.labels):
        return 0.0, False
    chosen = np.flatnonzero(sample.features[:, _RULES])
    if len(chosen):
        return 1.0, bool(sample.labels[chosen[0]])
    p = 1.0 / (1.0 + np.exp(-(sample.features @ weights + bias)))
    top = int(np.argmax(p))
    return float(p[top]), bool(sample.labels[top])


def cross_validate(samples: list[PageSample], l2: float = L2) -> list[tuple[float, bool]]:
    """Out-of-fold (probability, right) of every page's top candidate, folds by site."""
    out: list[tuple[float, bool]] = [(0.0, False)] * len(samples)
    for fold in range(FOLDS):
        train = [s for s in samples if _fold(s.site) != fold]
        weights, bias = fit_logistic(*_stack(train), l2=l2)
        for i, sample in enumerate(samples):
            if _fold(sample.site) == fold:
                out[i] = _best(sample, weights, bias)
    return out


def scores_at(results: list[tuple[float, bool]], threshold: float) -> dict[str, float]:
    """Accuracy, precision and coverage when answering above ``threshold``."""
    answered = [right for p, right in results if p >= threshold and p > 0]
    right = sum(answered)
    return {"accuracy": right / len(results), "precision": right / len(answered) if answered else 1.0,
            "coverage": len(answered) / len(results)}


def _alone(samples: list[PageSample], feature: str) -> dict[str, float]:
    """What one signal alone scores: answer its day where it names one."""
    column = FEATURES.index(feature)
    results = []
    for sample in samples:
        named = np.flatnonzero(sample.features[:, column]) if len(sample.labels) else []
        results.append((1.0, bool(sample.labels[named[0]])) if len(named) else (0.0, False))
    return scores_at(results, 0.5)


def pick_threshold(results: list[tuple[float, bool]], cost: float = WRONG_COST) -> float:
    """The threshold with the best out-of-fold (right answers - cost x wrong answers)."""
    def utility(threshold: float) -> float:
        answered = [right for p, right in results if p >= threshold and p > 0]
        return sum(answered) - cost * (len(answered) - sum(answered))
    return round(max((float(t) for t in np.arange(0.20, 0.96, 0.01)), key=lambda t: (utility(t), t)), 2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scraper.research.date_model", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["fit", "cv"])
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--wrong-cost", type=float, default=WRONG_COST)
    parser.add_argument("--l2", type=float, default=L2)
    parser.add_argument("-o", "--output", type=Path, default=WEIGHTS_FILE)
    args = parser.parse_args(argv)
    samples = collect(args.folders)
    results = cross_validate(samples, args.l2)
    threshold = pick_threshold(results, args.wrong_cost)
    sites = len({s.site for s in samples})
    print(f"{len(samples)} pages of {sites} sites; candidate contains the truth on "
          f"{sum(1 for s in samples if s.labels.any()) / len(samples):.3f}")
    for name in ("rules", "htmldate"):
        print(f"{name} alone: " + ", ".join(f"{k} {v:.3f}" for k, v in _alone(samples, name).items()))
    for t in sorted({0.3, 0.4, 0.5, threshold, 0.6, 0.7}):
        figures = scores_at(results, t)
        print(f"site-grouped {FOLDS}-fold CV, threshold {t:.2f}: " + ", ".join(f"{k} {v:.3f}" for k, v in figures.items()))
    if args.command == "fit":
        weights, bias = fit_logistic(*_stack(samples), l2=args.l2)
        model = {"features": list(FEATURES), "weights": [round(float(w), 4) for w in weights],
                 "bias": round(bias, 4), "threshold": threshold,
                 "fitted_on": [str(f) for f in args.folders], "pages": len(samples), "sites": sites,
                 "cv": scores_at(results, threshold),
                 "refit": "python -m scraper.research.date_model fit " + " ".join(str(f) for f in args.folders)}
        args.output.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {args.output}: threshold {threshold}")
        print("weights: " + ", ".join(f"{n} {w:+.2f}" for n, w in zip(FEATURES, weights)) + f", bias {bias:+.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
