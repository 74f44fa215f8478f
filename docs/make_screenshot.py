"""Make docs/report.png: the coverage report of a generated archive, shot in headless Chromium.

    .venv/bin/python docs/make_screenshot.py                  # 100,000 generated articles, 8 sites
    .venv/bin/python docs/make_screenshot.py --articles 20000

Needs the [report] and [test] extras (matplotlib, playwright) and the system Chromium
(`apt-get install chromium`); playwright drives it, nothing is downloaded.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from report_1m import generate  # noqa: E402  (the benchmark's archive generator)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("-o", "--output", type=Path, default=ROOT / "docs" / "report.png")
    parser.add_argument("--height", type=int, default=2200, help="Pixels of the page's top to keep.")
    opts = parser.parse_args()
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("no chromium on PATH (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as tmp:
        db, page_path = Path(tmp) / "archive.db", Path(tmp) / "report.html"
        generate(db, opts.articles)
        subprocess.run([sys.executable, str(ROOT / "cli.py"), "report", "--db", str(db), "-o", str(page_path)],
                       check=True, timeout=600)
        with sync_playwright() as pw:
            context = pw.chromium.launch_persistent_context(
                str(Path(tmp) / "profile"), executable_path=chromium, headless=True,
                viewport={"width": 1280, "height": 900},
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                      "--disable-sync", "--no-first-run"],
            )
            page = context.new_page()
            page.goto(page_path.as_uri(), wait_until="load")
            page.screenshot(path=str(opts.output), full_page=True,
                            clip={"x": 0, "y": 0, "width": 1280, "height": opts.height})
            context.close()
    print(f"wrote {opts.output}")


if __name__ == "__main__":
    main()
