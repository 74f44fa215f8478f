"""WARC files: record what the crawler fetched, and import other people's crawls.

:class:`WarcRecorder` writes one gzip-per-record WARC/1.1 file (rotated at
``max_bytes``) with a ``warcinfo`` record first, then a ``request`` and a
``response`` record per fetched page. Files are written as ``*.warc.gz.open``
and renamed when complete, so a crash never leaves a half file under a final
name; no existing file is ever overwritten.

What a response record holds: :class:`~scraper.models.Page` keeps the body
*after* Content-Encoding / Transfer-Encoding decoding, not the bytes on the
wire. So the HTTP header block is written without ``Content-Encoding`` and
``Transfer-Encoding`` and with a ``Content-Length`` that matches the stored
body; replay tools (pywb) serve such records as they are. The status line says
HTTP/1.1 (the framing we rebuilt); an HTTP/2 or /3 answer is noted in a
``WARC-Protocol`` header. A 304 is written as a response with an empty body.

:func:`iter_warc_pages` and :func:`import_warcs` go the other way: response
records with HTTP payloads become Pages, and article pages are archived.
"""

from __future__ import annotations

import http
import os
import threading
import zlib
from collections.abc import Iterator, Sequence
from datetime import datetime, timezone
from importlib import metadata
from io import BytesIO
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

from scraper.config import Settings
from scraper.errors import ExtractionError, StoreError, UsageError
from scraper.extract import extract
from scraper.models import Page
from scraper.urls import archive_key, is_http_url, looks_like_article, site_of

if TYPE_CHECKING:
    from scraper.store import Archive

__all__ = ["WarcRecorder", "iter_warc_pages", "import_warcs"]

WARC_VERSION = "WARC/1.1"
_FORMAT = "WARC File Format 1.1"
_CONFORMS_TO = "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"
# Headers describing the wire encoding of a body we no longer hold encoded.
_WIRE_HEADERS = frozenset({"content-encoding", "transfer-encoding", "content-length"})


def warc_date(iso: str) -> str:
    """A WARC-Date (UTC, ``Z``) from an ISO 8601 timestamp; naive ones count as UTC.

    An unparseable value gives the current time: record() runs right after the
    fetch, and a WARC record cannot go without a date.
    """
    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        moment = datetime.now(timezone.utc)
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return str(datetime_to_iso_date(moment, use_micros=moment.microsecond != 0))


def _header_name(name: str) -> str:
    # Page headers are lower-cased; write the usual spelling for human readers.
    return "ETag" if name.lower() == "etag" else "-".join(part.capitalize() for part in name.split("-"))


def _response_headers(page: Page) -> StatusAndHeaders:
    try:
        reason = http.HTTPStatus(page.status).phrase
    except ValueError:
        reason = ""
    headers = [(_header_name(k), v) for k, v in page.headers.items() if k.lower() not in _WIRE_HEADERS]
    headers.append(("Content-Length", str(len(page.content))))
    return StatusAndHeaders(f"{page.status} {reason}".strip(), headers, protocol="HTTP/1.1")


def _request_headers(page: Page) -> StatusAndHeaders:
    parts = urlsplit(page.final_url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = [(_header_name(k), v) for k, v in page.request_headers.items()]
    if not any(k.lower() == "host" for k, _ in headers):
        headers.insert(0, ("Host", parts.netloc))
    return StatusAndHeaders(f"GET {target} HTTP/1.1", headers, is_http_request=True)


class WarcRecorder:
    """Write every fetched :class:`Page` to rotating WARC files in ``directory``.

    Synchronous and flushed per record, so it can be called from the crawler's
    event-loop thread; a lock makes it safe from worker threads too.
    """

    def __init__(self, directory: Path, *, max_bytes: int = 1024**3, version: str = "0.1.0",
                 prefix: str = "archive", robots: str = "obey") -> None:
        self.directory = Path(directory)
        self.max_bytes = max_bytes
        self.version = version
        self.prefix = prefix
        self.robots = robots
        self.files: list[Path] = []  # completed files, in order
        self._sequence = 0
        self._lock = threading.Lock()
        self._fh: IO[bytes] | None = None
        self._writer: WARCWriter | None = None
        self._open_path: Path | None = None
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"cannot create the WARC directory: {exc}", url=str(self.directory)) from exc

    def record(self, page: Page) -> None:
        """Write a request and a response record for ``page`` (rotating after it if needed).

        Raises:
            StoreError: the file could not be written (disk full, permissions).
        """
        with self._lock:
            try:
                self._write(page)
            except OSError as exc:
                raise StoreError(f"cannot write WARC record: {exc}", url=page.final_url) from exc

    def _write(self, page: Page) -> None:
        writer = self._current()
        date = warc_date(page.fetched_at)
        response = writer.create_warc_record(
            page.final_url, "response", payload=BytesIO(page.content), length=len(page.content),
            http_headers=_response_headers(page), warc_headers_dict=self._response_extra(page, date),
        )
        response_id = response.rec_headers.get_header("WARC-Record-ID")
        request = writer.create_warc_record(
            page.final_url, "request", payload=BytesIO(b""), length=0, http_headers=_request_headers(page),
            warc_headers_dict={"WARC-Date": date, "WARC-Concurrent-To": response_id},
        )
        writer.write_record(response)
        writer.write_record(request)
        assert self._fh is not None
        self._fh.flush()
        if self._fh.tell() >= self.max_bytes:
            self._finish()

    @staticmethod
    def _response_extra(page: Page, date: str) -> dict[str, str]:
        extra = {"WARC-Date": date}
        if not page.http_version.upper().startswith("HTTP/1"):
            extra["WARC-Protocol"] = page.http_version.lower().replace("http/", "h").replace(".0", "")
        return extra

    def close(self) -> None:
        """Finish the current file (rename it to its final name)."""
        with self._lock:
            try:
                self._finish()
            except OSError as exc:
                raise StoreError(f"cannot finish WARC file: {exc}", url=str(self._open_path)) from exc

    def __enter__(self) -> WarcRecorder:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # -- files ---------------------------------------------------------------------------------

    def _current(self) -> WARCWriter:
        if self._writer is not None:
            return self._writer
        fh, path = self._create_file()
        self._fh, self._open_path = fh, path
        self._writer = WARCWriter(fh, gzip=True, warc_version=WARC_VERSION)
        final_name = path.name.removesuffix(".open")
        self._writer.write_record(self._writer.create_warcinfo_record(final_name, self._info()))
        return self._writer

    def _create_file(self) -> tuple[IO[bytes], Path]:
        """A new ``.open`` file whose final name is free too (exclusive create, never overwrite)."""
        while True:
            stamp = datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S")
            final = self.directory / f"{self.prefix}-{stamp}-{self._sequence:05d}.warc.gz"
            self._sequence += 1
            if final.exists():
                continue
            path = final.with_name(final.name + ".open")
            try:
                return open(path, "xb"), path
            except FileExistsError:
                continue

    def _info(self) -> dict[str, Any]:
        return {
            "software": f"news-archiver/{self.version} (warcio/{metadata.version('warcio')})",
            "format": _FORMAT,
            "conformsTo": _CONFORMS_TO,
            "robots": self.robots,
            "isPartOf": self.prefix,
            "description": "HTTP bodies stored after content/transfer decoding; see WARC-Protocol for h2",
        }

    def _finish(self) -> None:
        if self._fh is None or self._open_path is None:
            return
        self._fh.close()
        final = self._open_path.with_name(self._open_path.name.removesuffix(".open"))
        try:
            # link + unlink: unlike rename, never replaces a file that appeared meanwhile.
            os.link(self._open_path, final)
            os.unlink(self._open_path)
        except FileExistsError:
            final = self._open_path  # keep the data under the .open name rather than clobber
        except OSError:
            os.rename(self._open_path, final)  # a filesystem without hard links
        self.files.append(final)
        self._fh = self._writer = self._open_path = None



# -- reading -----------------------------------------------------------------------------------

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
    from scraper.cluster import assign_clusters

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
