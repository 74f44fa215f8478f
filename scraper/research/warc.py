"""WARC input: archive articles from other people's crawls (and our own ``crawl --warc`` files).

:func:`iter_warc_pages` turns response records with HTTP payloads into Pages;
:func:`import_warcs` extracts them and archives the article pages.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from scraper.config import Settings
from scraper.crawler.urls import archive_key, is_http_url, looks_like_article, site_of
from scraper.errors import ExtractionError
from scraper.extractor.article import extract
from scraper.models import Page

if TYPE_CHECKING:
    from scraper.store.archive import Archive

__all__ = ["iter_warc_pages", "import_warcs", "IMPORT_COUNTS"]


#: What :func:`import_warcs` counts; records = the sum of the others.
IMPORT_COUNTS = ("records", "archived", "updated", "unchanged", "skipped", "failed")
_VERDICTS = {"new": "archived", "updated": "updated", "unchanged": "unchanged"}
# What a damaged record or payload can raise inside warcio (gzip, brotli, parsing).
_READ_ERRORS = (ArchiveLoadFailed, OSError, EOFError, ValueError, zlib.error)


def _to_page(record: Any, max_bytes: int | None) -> Page | str:
    """The response record as a Page, or why it is skipped."""
    if record.rec_type != "response" or record.http_headers is None:
        return f"{record.rec_type} record"
    uri = record.rec_headers.get_header("WARC-Target-URI") or ""
    if not is_http_url(uri):
        return "not an http(s) record"
    if record.rec_headers.get_header("WARC-Truncated"):
        return "truncated payload"  # a cut body would archive a cut article
    # content_stream() undoes chunking and Content-Encoding, as our fetcher does.
    stream = record.content_stream()
    content = stream.read() if max_bytes is None else stream.read(max_bytes + 1)
    if max_bytes is not None and len(content) > max_bytes:
        return "payload over max_bytes"
    while record.raw_stream.read(65536):  # a decoder may stop before the block's end
        pass
    # warcio hands out a record cut short by a truncated file without complaint.
    if getattr(record.raw_stream, "limit", 0) or record.digest_checker.passed is False:
        return f"failed: damaged record (cut short or digest mismatch): {uri}"
    headers: dict[str, str] = {}
    for name, value in record.http_headers.headers:
        key = name.lower()
        if key not in ("content-encoding", "transfer-encoding"):
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
    protocols = [v.lower() for k, v in record.rec_headers.headers if k.lower() == "warc-protocol"]
    version = next((f"HTTP/{p[1]}" for p in protocols if p in ("h2", "h3")), None)
    date = record.rec_headers.get_header("WARC-Date") or ""
    return Page(url=uri, final_url=uri, status=int(record.http_headers.get_statuscode() or 0), headers=headers,
                content=content, fetched_at=date,
                http_version=version or record.http_headers.protocol or "HTTP/1.1")


def _iter_records(path: Path, max_bytes: int | None) -> Iterator[Page | str]:
    """Every record of the file: a Page, a reason to skip it, or ``"failed: ..."`` (then stop)."""
    try:
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh, arc2warc=True, check_digests=True):
                yield _to_page(record, max_bytes)
    except _READ_ERRORS as exc:
        yield f"failed: {type(exc).__name__}: {exc}"


def iter_warc_pages(path: Path, *, max_bytes: int | None = None) -> Iterator[Page]:
    """The HTTP response records of a WARC (or ARC) file as Pages, in file order.

    ``url`` and ``final_url`` are the WARC-Target-URI, ``fetched_at`` the WARC-Date,
    ``content`` the payload with transfer and content encodings undone. Revisit,
    request, dns, warcinfo and metadata records are left out.

    Raises:
        ExtractionError: the file is unreadable or damaged.
    """
    for item in _iter_records(Path(path), max_bytes):
        if isinstance(item, Page):
            yield item
        elif item.startswith("failed: "):
            raise ExtractionError(f"unreadable WARC file: {item[8:]}", url=str(path))


def _looks_html(page: Page) -> bool:
    ctype = page.content_type.lower()
    if ctype:
        return "html" in ctype
    head = page.content[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<body" in head


def _import_page(archive: Archive, page: Page, settings: Settings) -> str:
    """Archive one page if it is an article; return the counter it adds to."""
    if page.status != 200 or not page.content or not _looks_html(page):
        return "skipped"
    try:
        article = extract(page.content, page.final_url, content_type=page.content_type or None,
                          site=settings.site(site_of(page.final_url)), fetched_at=page.fetched_at,
                          status=page.status)
    except ExtractionError as exc:
        archive.record_failure(run_id=None, url=page.url, kind=exc.kind, error=exc.message, attempts=1,
                               status=page.status)
        return "failed"
    key = archive_key(page.final_url, article.canonical_url)
    if article.page_type != "article" or looks_like_article(key, settings.site(site_of(key))) is False:
        return "skipped"
    article = article.replace(url=key, site=article.site or site_of(key))
    with archive.transaction():
        page_id = archive.save_page(page)
        return _VERDICTS[archive.save_article(article, page_id=page_id)]


def import_warcs(archive: Archive, paths: Sequence[Path], *, settings: Settings | None = None) -> dict[str, int]:
    """Extract and archive the article pages found in WARC files (ours or anyone's crawl).

    Only ``response`` records with a 200 HTML payload are extracted; an article
    page is saved raw (``save_page``) and as an article (``save_article``).
    Everything else is counted as skipped; a damaged file or a page the
    extractor rejects counts as failed (and is recorded in ``failures``), and
    the import goes on. Syndication clusters are assigned at the end.

    Returns:
        ``{"records", "archived", "updated", "unchanged", "skipped", "failed"}``;
        ``records`` is the sum of the other five.
    """
    from scraper.store.clusters import assign_clusters

    settings = settings or Settings()
    counts = dict.fromkeys(IMPORT_COUNTS, 0)
    for path in paths:
        for item in _iter_records(Path(path), settings.max_bytes):
            if isinstance(item, Page):
                outcome = _import_page(archive, item, settings)
            elif item.startswith("failed: "):
                archive.record_failure(run_id=None, url=str(path), kind="warc", error=item[8:], attempts=1)
                outcome = "failed"
            else:
                outcome = "skipped"
            counts["records"] += 1
            counts[outcome] += 1
    if counts["archived"] or counts["updated"]:
        assign_clusters(archive)
    return counts
