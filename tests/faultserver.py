"""A real HTTP server on 127.0.0.1 that misbehaves on purpose.

``FaultServer`` runs a stdlib ``ThreadingHTTPServer`` (HTTP/1.1, port 0) in a
daemon thread. Every request is logged (method, path, headers, arrival time)
and counted per path, and the number of requests in flight is tracked, so
tests can assert attempts, spacing, concurrency and conditional headers from
the server's side. Routes (query parameters in brackets):

==========================  ===================================================
/page, /page/<x>            a small HTML page
/slow [d=0.3]               the page after ``d`` seconds (for concurrency)
/hang                       no answer; waits ``hang_seconds`` (5) then closes
/reset                      closes the socket with RST (SO_LINGER 0)
/truncate                   Content-Length 1000, 100 bytes sent, then close
/loop/a, /loop/b            a redirect loop
/chain/<n>                  n redirects (/chain/n-1 ... /chain/0 = page)
/to-ftp                     a redirect to ftp://
/redirect [to=, code=302]   a redirect anywhere
/bomb/gzip|deflate|br       ~100 MB of zeros, compressed to ~100 KB or less
/huge, /huge-nolength       11 MB of HTML, with / without Content-Length
/throttle/<x> [n=2, after=1]   429 + Retry-After: after, n times, then the page
/unavailable/<x> [n=1, in=1]   503 + Retry-After HTTP-date, n times, then page
/flaky/<x> [n=2]            500 n times, then the page
/status/<code>              that status
/missing                    404
/png, /pdf, /json           PNG labelled text/html, a PDF, JSON labelled text/html
/badutf8                    invalid UTF-8 in a page declaring utf-8
/etag                       ETag + Last-Modified; 304 to a matching conditional GET
/robots.txt                 ``robots`` text (404 when None) with ``robots_status``
/trickle                    HTML at one byte every 0.5 s (40 bytes)
/plain-html, /octet-html    HTML labelled text/plain / application/octet-stream
/octet-binary               non-HTML bytes labelled application/octet-stream
/gzip-page, /deflate-page, /deflate-raw-page, /br-page   a compressed page
/feed.xml, /sitemap.xml.gz  RSS; a gzipped sitemap served as application/gzip
==========================  ===================================================
"""

from __future__ import annotations

import asyncio
import email.utils
import functools
import gzip
import json
import socket
import ssl
import struct
import threading
import time
import zlib
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

import brotli
import httpx
import pytest

from scraper.config import Settings
from scraper.fetcher.client import Fetcher

__all__ = [
    "BOMB_SIZE",
    "ETAG",
    "LAST_MODIFIED",
    "PAGE_HTML",
    "SITEMAP_XML",
    "FaultServer",
    "LoggedRequest",
    "bomb",
    "fault_server",
    "with_fetcher",
]

PAGE_HTML = (
    b"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Fault page</title></head>"
    b"<body><h1>Fault page</h1><p>Served by the fault server.</p></body></html>"
)
BOMB_SIZE = 100 * 1024 * 1024
HUGE_SIZE = 11 * 1024 * 1024
ETAG = '"v1-fault"'
LAST_MODIFIED = "Wed, 21 Oct 2015 07:28:00 GMT"
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00" + bytes(200)
SITEMAP_XML = (
    b'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    b"<url><loc>https://news.example.com/a-story</loc></url></urlset>"
)
RSS_XML = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed</title></channel></rss>'


@functools.cache
def bomb(kind: str) -> bytes:
    """BOMB_SIZE zero bytes compressed with gzip, deflate (zlib) or br."""
    block = bytes(1024 * 1024)
    if kind == "br":
        compressor = brotli.Compressor(quality=5)
        return b"".join(compressor.process(block) for _ in range(BOMB_SIZE // len(block))) + compressor.finish()
    obj = zlib.compressobj(9, zlib.DEFLATED, 31 if kind == "gzip" else 15)
    return b"".join(obj.compress(block) for _ in range(BOMB_SIZE // len(block))) + obj.flush()


@dataclass(frozen=True, slots=True)
class LoggedRequest:
    """One request as the server saw it (``time`` is time.monotonic())."""

    method: str
    path: str
    headers: dict[str, str]
    time: float

    @property
    def route(self) -> str:
        """The path without its query string."""
        return urlsplit(self.path).path


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the request log is on the FaultServer."""

    def do_GET(self) -> None:
        fault = self.server.fault
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        count = fault._arrive(self)
        try:
            _dispatch(self, parts.path, query, count)
        except OSError:
            self.close_connection = True  # the client went away: fine here
        finally:
            fault._leave()

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass  # the socket was reset on purpose

    # -- small writers -------------------------------------------------------
    def send(self, status: int, body: bytes = b"", content_type: str | None = "text/html; charset=utf-8",
             headers: dict[str, str] | None = None, length: bool = True) -> None:
        """Status, headers and the whole body."""
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if length:
            self.send_header("Content-Length", str(len(body)))
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if body:
            self.wfile.write(body)

    def redirect(self, location: str, code: int = 302) -> None:
        self.send(code, b"", content_type=None, headers={"Location": location})


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    fault: FaultServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients hanging up mid-answer are the point of this server."""


def _stream(handler: _Handler, total: int, content_type: str = "text/html", length: bool = True) -> None:
    """``total`` bytes of HTML-ish filler, in 64 KiB writes."""
    handler.send_response(200)
    handler.send_header("Content-Type", content_type)
    if length:
        handler.send_header("Content-Length", str(total))
    else:
        handler.send_header("Connection", "close")
        handler.close_connection = True
    handler.end_headers()
    chunk = b"<p>" + b"x" * (64 * 1024 - 7) + b"</p>\n"
    handler.wfile.write(b"<html><body>")
    sent = 12
    while sent < total and not handler.server.fault.stopping:
        piece = chunk[: total - sent]
        handler.wfile.write(piece)
        sent += len(piece)


def _hang(handler: _Handler) -> None:
    handler.server.fault._stop.wait(handler.server.fault.hang_seconds)
    handler.close_connection = True


def _reset(handler: _Handler) -> None:
    handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    handler.connection.close()
    handler.close_connection = True


def _truncate(handler: _Handler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.send_header("Content-Length", "1000")
    handler.end_headers()
    handler.wfile.write(PAGE_HTML[:100])
    handler.wfile.flush()
    handler.close_connection = True


def _trickle(handler: _Handler) -> None:
    body = b"<html><body>" + b"." * 28
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    for byte in body:
        if handler.server.fault._stop.wait(0.5):
            break
        handler.wfile.write(bytes([byte]))
        handler.wfile.flush()
    handler.close_connection = True


def _etag(handler: _Handler) -> None:
    headers = {"ETag": ETAG, "Last-Modified": LAST_MODIFIED}
    match = handler.headers.get("If-None-Match") == ETAG
    unchanged = handler.headers.get("If-Modified-Since") == LAST_MODIFIED
    if match or unchanged:
        handler.send(304, b"", content_type=None, headers=headers)
    else:
        handler.send(200, PAGE_HTML, headers=headers)


def _robots(handler: _Handler) -> None:
    fault = handler.server.fault
    if fault.robots is None:
        handler.send(404, b"not found", content_type="text/plain")
    else:
        handler.send(fault.robots_status, fault.robots.encode(), content_type="text/plain")


def _compressed_page(handler: _Handler, coding: str) -> None:
    if coding == "gzip":
        body = gzip.compress(PAGE_HTML)
    elif coding == "br":
        body = brotli.compress(PAGE_HTML)
    else:
        obj = zlib.compressobj(6, zlib.DEFLATED, -15 if coding == "deflate-raw" else 15)
        body = obj.compress(PAGE_HTML) + obj.flush()
    handler.send(200, body, headers={"Content-Encoding": coding.removesuffix("-raw")})


def _bomb(handler: _Handler, kind: str) -> None:
    coding = {"gzip": "gzip", "deflate": "deflate", "br": "br"}[kind]
    handler.send(200, bomb(kind), headers={"Content-Encoding": coding})


def _counted(handler: _Handler, count: int, query: dict[str, str], answer: Callable[[], None]) -> None:
    """``answer()`` for the first ``n`` hits of this path, then the page."""
    if count <= int(query.get("n", "2")):
        answer()
    else:
        handler.send(200, PAGE_HTML)


_FIXED: dict[str, Callable[[_Handler], None]] = {
    "/hang": _hang,
    "/reset": _reset,
    "/truncate": _truncate,
    "/trickle": _trickle,
    "/etag": _etag,
    "/robots.txt": _robots,
    "/loop/a": lambda h: h.redirect("/loop/b"),
    "/loop/b": lambda h: h.redirect("/loop/a"),
    "/to-ftp": lambda h: h.redirect("ftp://ftp.example.com/file.txt"),
    "/huge": lambda h: _stream(h, HUGE_SIZE),
    "/huge-nolength": lambda h: _stream(h, HUGE_SIZE, length=False),
    "/missing": lambda h: h.send(404, b"<html><body>gone</body></html>"),
    "/png": lambda h: h.send(200, PNG_BYTES, content_type="text/html"),
    "/pdf": lambda h: h.send(200, b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", content_type="application/pdf"),
    "/json": lambda h: h.send(200, json.dumps({"headline": "not a page", "items": [1, 2]}).encode()),
    "/badutf8": lambda h: h.send(200, b"<html><body><p>caf\xe9 \xff\xfe ok</p></body></html>"),
    "/plain-html": lambda h: h.send(200, PAGE_HTML, content_type="text/plain"),
    "/octet-html": lambda h: h.send(200, PAGE_HTML, content_type="application/octet-stream"),
    "/octet-binary": lambda h: h.send(200, b"just some bytes, no markup", content_type="application/octet-stream"),
    "/feed.xml": lambda h: h.send(200, RSS_XML, content_type="application/rss+xml"),
    "/sitemap.xml.gz": lambda h: h.send(200, gzip.compress(SITEMAP_XML), content_type="application/gzip"),
    "/gzip-page": lambda h: _compressed_page(h, "gzip"),
    "/deflate-page": lambda h: _compressed_page(h, "deflate"),
    "/deflate-raw-page": lambda h: _compressed_page(h, "deflate-raw"),
    "/br-page": lambda h: _compressed_page(h, "br"),
}


def _dispatch(h: _Handler, path: str, query: dict[str, str], count: int) -> None:
    """Answer one request according to its path (see the module docstring)."""
    if path in _FIXED:
        return _FIXED[path](h)
    head, _, rest = path.strip("/").partition("/")
    if head == "page":
        return h.send(200, PAGE_HTML)
    if head == "slow":
        time.sleep(float(query.get("d", "0.3")))
        return h.send(200, PAGE_HTML)
    if head == "chain":
        hops = int(rest or "0")
        return h.redirect(f"/chain/{hops - 1}") if hops > 0 else h.send(200, PAGE_HTML)
    if head == "redirect":
        return h.redirect(query.get("to", "/page"), int(query.get("code", "302")))
    if head == "bomb":
        return _bomb(h, rest)
    if head == "throttle":
        advice = {"Retry-After": query.get("after", "1")}
        return _counted(h, count, query, lambda: h.send(429, b"slow down", "text/plain", advice))
    if head == "unavailable":
        when = email.utils.formatdate(time.time() + float(query.get("in", "1")), usegmt=True)
        return _counted(h, count, {"n": query.get("n", "1")},
                        lambda: h.send(503, b"busy", "text/plain", {"Retry-After": when}))
    if head == "flaky":
        return _counted(h, count, query, lambda: h.send(500, b"oops", "text/plain"))
    if head == "status":
        return h.send(int(rest), b"<html><body>status</body></html>")
    return h.send(404, b"<html><body>no such route</body></html>")


class FaultServer:
    """The server, as a context manager: ``with FaultServer() as s: s.url("/page")``.

    ``robots`` is the robots.txt text (None: 404), ``robots_status`` its
    status; both may be changed while the server runs.
    """

    def __init__(self, *, robots: str | None = None, robots_status: int = 200, hang_seconds: float = 5.0) -> None:
        self.robots = robots
        self.robots_status = robots_status
        self.hang_seconds = hang_seconds
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._log: list[LoggedRequest] = []
        self._hits: Counter[str] = Counter()
        self._in_flight = 0
        self._max_in_flight = 0
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------
    def start(self) -> FaultServer:
        """Bind 127.0.0.1:0 and serve in a daemon thread."""
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fault = self
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"faultserver-{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; hanging and trickling handlers give up at once."""
        self._stop.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FaultServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what tests use ------------------------------------------------------
    @property
    def port(self) -> int:
        assert self._server is not None, "server not started"
        return int(self._server.server_address[1])

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        """An absolute URL on this server."""
        return f"http://{host}:{self.port}{path}"

    def hits(self, path: str) -> int:
        """How many requests arrived for ``path`` (query string ignored)."""
        with self._lock:
            return self._hits[urlsplit(path).path]

    @property
    def log(self) -> list[LoggedRequest]:
        """A copy of the request log, in arrival order."""
        with self._lock:
            return list(self._log)

    def requests(self, path: str) -> list[LoggedRequest]:
        """The logged requests for ``path`` (query string ignored)."""
        return [r for r in self.log if r.route == urlsplit(path).path]

    @property
    def max_in_flight(self) -> int:
        """The most requests being answered at once since the last reset."""
        with self._lock:
            return self._max_in_flight

    def reset(self) -> None:
        """Forget the log, the counters and the in-flight maximum."""
        with self._lock:
            self._log.clear()
            self._hits.clear()
            self._max_in_flight = self._in_flight

    # -- called by the handler -----------------------------------------------
    def _arrive(self, handler: _Handler) -> int:
        entry = LoggedRequest(handler.command, handler.path, {k.lower(): v for k, v in handler.headers.items()},
                              time.monotonic())
        with self._lock:
            self._log.append(entry)
            self._hits[entry.route] += 1
            self._in_flight += 1
            self._max_in_flight = max(self._max_in_flight, self._in_flight)
            return self._hits[entry.route]

    def _leave(self) -> None:
        with self._lock:
            self._in_flight -= 1


@pytest.fixture
def fault_server() -> Iterator[FaultServer]:
    """A running FaultServer with no robots.txt (404), stopped after the test."""
    with FaultServer() as server:
        yield server


T = TypeVar("T")

#: One verifying TLS context shared by test clients: loading the certificate
#: store costs ~0.1 s per client on a busy machine, and these tests are http.
_TLS = ssl.create_default_context()


def with_fetcher(settings: Settings, use: Callable[[Fetcher], Awaitable[T]], *, own_client: bool = False) -> T:
    """Run ``use(fetcher)`` in a fresh event loop with a fresh Fetcher.

    ``own_client=True`` lets the Fetcher build its own httpx client (what
    production does); otherwise it gets a cheap one sharing one TLS context.
    """

    async def main() -> T:
        if own_client:
            async with Fetcher(settings) as fetcher:
                return await use(fetcher)
        async with httpx.AsyncClient(verify=_TLS, trust_env=False) as client:
            async with Fetcher(settings, client=client) as fetcher:
                return await use(fetcher)

    return asyncio.run(main())
