"""WARC output: record what the crawler fetched (the import side is :mod:`scraper.research.warc`).

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
"""

from __future__ import annotations

import http
import os
import threading
from datetime import datetime, timezone
from importlib import metadata
from io import BytesIO
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

from scraper.errors import StoreError, UsageError
from scraper.models import Page

if TYPE_CHECKING:
    pass

__all__ = ["WarcRecorder", "warc_date"]

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



