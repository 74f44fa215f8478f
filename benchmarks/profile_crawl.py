"""Where our crawl spends its CPU: py-spy over every process of a crawl of a generated site.

    python benchmarks/profile_crawl.py [N] [--top 30] [--rate 50]

Serves ``GeneratedSite(N)`` (default 1,000) from a separate process, runs
``py-spy record --subprocesses -f raw -- python cli.py crawl ...`` and prints,
for the event-loop process and for the extraction workers apart, the heaviest
functions by inclusive and by self samples (line numbers merged). Only active
samples are counted (py-spy skips idle threads), so this is CPU, not waiting.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.run import PYTHON, ROOT, SiteServer

PY_SPY = Path(PYTHON).with_name("py-spy")
_LINE = re.compile(r" \((.*?):\d+\)$")


def aggregate(raw: Path) -> dict[str, tuple[int, Counter[str], Counter[str]]]:
    """Per role ('main' or 'worker'): (samples, inclusive counts, self counts)."""
    result: dict[str, tuple[int, Counter[str], Counter[str]]] = {}
    totals: Counter[str] = Counter()
    inclusive: dict[str, Counter[str]] = defaultdict(Counter)
    own: dict[str, Counter[str]] = defaultdict(Counter)
    for line in raw.read_text().splitlines():
        stack, count = line.rsplit(" ", 1)
        frames = stack.split(";")
        # The innermost "process ..." pseudo-frame says which process the sample is from.
        last = max(i for i, f in enumerate(frames) if f.startswith("process "))
        role = "worker" if last > 0 else "main"
        names = [_LINE.sub(r" (\1)", f) for f in frames[last + 1:]]
        totals[role] += int(count)
        for name in set(names):
            inclusive[role][name] += int(count)
        if names:
            own[role][names[-1]] += int(count)
    for role in totals:
        result[role] = (totals[role], inclusive[role], own[role])
    return result


def main() -> None:
    """Serve, crawl under py-spy, print the summary."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", nargs="?", type=int, default=1000)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--rate", type=int, default=50, help="samples per second")
    args = parser.parse_args()
    server = SiteServer(args.n)
    try:
        with tempfile.TemporaryDirectory(prefix="prof-") as tmp:
            raw = Path(tmp) / "prof.txt"
            subprocess.run([str(PY_SPY), "record", "-r", str(args.rate), "-f", "raw", "-o", str(raw), "--subprocesses",
                            "--", PYTHON, "cli.py", "crawl", server.base + "/", "--db", f"{tmp}/p.db",
                            "--concurrency", "16", "--delay", "0", "--quiet"], cwd=ROOT, check=False)
            summary = aggregate(raw)
    finally:
        server.close()
    for role, (total, inclusive, own) in sorted(summary.items()):
        print(f"\n=== {role}: {total} samples")
        for title, counter in (("inclusive", inclusive), ("self", own)):
            print(f" -- {title}")
            for name, count in counter.most_common(args.top):
                print(f"  {count / total:6.1%}  {name[:140]}")


if __name__ == "__main__":
    main()
