"""Where ``scraper.extractor.article.extract`` spends its time: cProfile over generated and eval pages.

    python benchmarks/profile_extract.py [--pages 150] [--eval] [--top 40]

Generated KazPost-style pages by default; ``--eval`` profiles the shared
evaluation corpus instead (``../shared/eval/body/pages``). Five pages warm up
first (imports, lazily compiled patterns) and are not profiled. Prints the
CPU time per page and the heaviest functions by cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import gzip
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.run import EVAL_PAGES, FIXTURE_ORIGIN
from benchmarks.sitegen import GeneratedSite
from scraper.errors import ExtractionError
from scraper.extractor.article import extract


def load(count: int, use_eval: bool) -> list[tuple[bytes, str | None]]:
    """``count`` pages with their URLs (None for the eval corpus, whose URLs are unknown)."""
    if use_eval:
        return [(gzip.decompress(p.read_bytes()), None) for p in sorted(EVAL_PAGES.glob("*.html.gz"))[:count]]
    site = GeneratedSite(max(count, 10))
    return [(site.render(p)[2], FIXTURE_ORIGIN + p) for p in site.article_paths()[:count]]


def main() -> None:
    """Warm up, profile, print."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=150)
    parser.add_argument("--eval", action="store_true")
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    pages = load(args.pages, args.eval)
    for html, url in pages[:5]:
        extract(html, url)
    profile = cProfile.Profile()
    started = time.process_time()
    profile.enable()
    for html, url in pages:
        try:
            extract(html, url)
        except ExtractionError:
            pass
    profile.disable()
    print(f"{len(pages)} pages, {(time.process_time() - started) / len(pages) * 1000:.1f} ms CPU per page (profiled)")
    pstats.Stats(profile).sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()
