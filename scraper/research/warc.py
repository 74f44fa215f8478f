"""WARC input: archive articles from other people's crawls (and our own ``crawl --warc`` files).

:func:`iter_warc_pages` turns response records with HTTP payloads into Pages;
:func:`import_warcs` extracts them and archives the article pages.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from scraper.config import Settings
from scraper.crawler.urls import archive_key, is_http_url, looks_like_article, site_of
from scraper.errors import ExtractionError, UsageError
from scraper.extractor.article import extract
from scraper.models import Article, Page
from scraper.research.warc_ranges import WarcRange, first_record_at

if TYPE_CHECKING:
    from scraper.store.archive import Archive

__all__ = ["iter_warc_pages", "import_warcs", "extract_warc", "save_item", "WarcItem", "IMPORT_COUNTS", "expand_inputs"]


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


def _open(source: str | Path) -> Any:
    """A binary file object: a local path, or any fsspec URL (s3://, https://...) when fsspec is installed."""
    text = str(source)
    if "://" in text and not text.startswith("file://"):
        try:
            import fsspec  # type: ignore[import-untyped]
        except ImportError as exc:
            raise OSError(f"reading {text} needs fsspec (pip install fsspec, plus s3fs for s3://)") from exc
        return fsspec.open(text, "rb").open()
    return open(text.removeprefix("file://"), "rb")


def _iter_records(source: str | Path, max_bytes: int | None, part: WarcRange | None = None) -> Iterator[Page | str]:
    """Every record of the file (or of ``part``): a Page, a reason to skip it, or ``"failed: ..."`` (then stop)."""
    part = part or WarcRange(str(source))
    try:
        with _open(source) as fh:
            if part.start:
                try:
                    first = first_record_at(fh, part.start)
                except _READ_ERRORS:
                    return  # damage before this range: the range that reaches it reports it
                if first is None:
                    return
                fh.seek(first)
            records = ArchiveIterator(fh, arc2warc=True, check_digests=True)
            for record in records:
                if part.end is not None and records.offset >= part.end:
                    return  # the next range's first record
                yield _to_page(record, max_bytes)
    except _READ_ERRORS as exc:
        yield f"failed: {type(exc).__name__}: {exc}"


def iter_warc_pages(path: str | Path, *, max_bytes: int | None = None) -> Iterator[Page]:
    """The HTTP response records of a WARC (or ARC) file as Pages, in file order.

    ``url`` and ``final_url`` are the WARC-Target-URI, ``fetched_at`` the WARC-Date,
    ``content`` the payload with transfer and content encodings undone. Revisit,
    request, dns, warcinfo and metadata records are left out.

    Raises:
        ExtractionError: the file is unreadable or damaged.
    """
    for item in _iter_records(path, max_bytes):
        if isinstance(item, Page):
            yield item
        elif item.startswith("failed: "):
            raise ExtractionError(f"unreadable WARC file: {item[8:]}", url=str(path))


def expand_inputs(args: Sequence[str]) -> list[str]:
    """Input paths or URLs; ``@list.txt`` stands for the paths in that file, one a line.

    Raises:
        UsageError: a list file or a local input does not exist.
    """
    inputs: list[str] = []
    for arg in args:
        if arg.startswith("@"):
            try:
                lines = Path(arg[1:]).read_text(encoding="utf-8").splitlines()
            except OSError as exc:
                raise UsageError(f"cannot read input list: {exc.strerror}", url=arg[1:]) from exc
            inputs += [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
        else:
            inputs.append(arg)
    for source in inputs:
        if ("://" not in source or source.startswith("file://")) and not Path(source.removeprefix("file://")).is_file():
            raise UsageError("no such WARC file", url=source)
    return list(dict.fromkeys(inputs))  # an input named twice is still one task


def _looks_html(page: Page) -> bool:
    ctype = page.content_type.lower()
    if ctype:
        return "html" in ctype
    head = page.content[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<body" in head


@dataclass(frozen=True, slots=True)
class WarcItem:
    """One record of a WARC file after extraction: what both import paths (one process, Dask) write.

    ``outcome`` is ``"article"`` (``page`` and ``article`` set, the article keyed and ready to
    save), ``"skipped"``, or ``"failed"`` (``url``, ``kind``, ``error``, ``status`` say what).
    """

    outcome: str
    page: Page | None = None
    article: Article | None = None
    url: str = ""
    kind: str = ""
    error: str = ""
    status: int | None = None


def _item_of(page: Page, settings: Settings) -> WarcItem:
    """Extract one page and apply the filters (page type, scope): the per-record logic."""
    if page.status != 200 or not page.content or not _looks_html(page):
        return WarcItem("skipped")
    try:
        article = extract(page.content, page.final_url, content_type=page.content_type or None,
                          site=settings.site(site_of(page.final_url)), fetched_at=page.fetched_at,
                          status=page.status)
    except ExtractionError as exc:
        return WarcItem("failed", url=page.url, kind=exc.kind, error=exc.message, status=page.status)
    key = archive_key(page.final_url, article.canonical_url)
    if article.page_type != "article" or looks_like_article(key, settings.site(site_of(key))) is False:
        return WarcItem("skipped")
    return WarcItem("article", page=page, article=article.replace(url=key, site=article.site or site_of(key)))


def extract_warc(source: str | Path, settings: Settings | None = None, *,
                 part: WarcRange | None = None) -> Iterator[WarcItem]:
    """Every record of one WARC file (path or fsspec URL), extracted and filtered, in file order.

    ``part``: only the records starting in that byte range of ``source`` (:mod:`.warc_ranges`).
    Pure apart from reading the file: nothing is stored. A damaged or unreadable file
    ends with one ``failed`` item of kind ``"warc"`` naming the file.
    """
    settings = settings or Settings()
    for item in _iter_records(source, settings.max_bytes, part):
        if isinstance(item, Page):
            yield _item_of(item, settings)
        elif item.startswith("failed: "):
            yield WarcItem("failed", url=str(source), kind="warc", error=item[8:])
        else:
            yield WarcItem("skipped")


def save_item(archive: Archive, item: WarcItem, *, run_id: int | None = None) -> str:
    """Write one extracted record into the archive; return the counter it adds to."""
    if item.outcome == "failed":
        archive.record_failure(run_id=run_id, url=item.url, kind=item.kind, error=item.error, attempts=1,
                               status=item.status)
        return "failed"
    if item.outcome != "article" or item.page is None or item.article is None:
        return "skipped"
    with archive.transaction():
        page_id = archive.save_page(item.page, run_id=run_id)
        return _VERDICTS[archive.save_article(item.article, page_id=page_id)]


def import_warcs(archive: Archive, paths: Sequence[str | Path], *, settings: Settings | None = None) -> dict[str, int]:
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
        for item in extract_warc(path, settings):
            counts["records"] += 1
            counts[save_item(archive, item)] += 1
    if counts["archived"] or counts["updated"]:
        assign_clusters(archive)
    return counts
