"""Many small WARC files of generated articles, written directly (no crawl): inputs for the Dask restart tests."""

from __future__ import annotations

import sys
from io import BytesIO
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.sitegen import GeneratedSite  # noqa: E402

ORIGIN = "http://127.0.0.1:8765"  # a placeholder: nothing is fetched


def write_generated_warcs(out: Path, articles: int, per_file: int) -> list[Path]:
    """``GeneratedSite(articles)``'s article pages as gzip WARCs of ``per_file`` responses each."""
    site = GeneratedSite(articles)
    paths = site.article_paths()
    out.mkdir(parents=True, exist_ok=True)
    files = []
    for number, first in enumerate(range(0, len(paths), per_file)):
        files.append(out / f"gen-{number:05d}.warc.gz")
        with open(files[-1], "wb") as fh:
            writer = WARCWriter(fh, gzip=True)
            for path in paths[first:first + per_file]:
                status, ctype, body = site.render(path)
                http = StatusAndHeaders(f"{status} OK", [("Content-Type", ctype), ("Content-Length", str(len(body)))],
                                        protocol="HTTP/1.1")
                writer.write_record(writer.create_warc_record(ORIGIN + path, "response", payload=BytesIO(body),
                                                              length=len(body), http_headers=http))
    return files
