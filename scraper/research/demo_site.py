"""A tiny static server for the bundled fixture site (``demo``, tests).

Serves a folder on 127.0.0.1 the way a KazPost-style site would: extensionless
article paths as HTML, ETag/Last-Modified with 304s, and the placeholder origin
``http://127.0.0.1:8765`` in feeds and sitemaps rewritten to the real one.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from email.utils import formatdate, parsedate_to_datetime
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

__all__ = ["StaticSite", "PLACEHOLDER_ORIGIN"]

PLACEHOLDER_ORIGIN = b"http://127.0.0.1:8765"

_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".xml": "application/xml",
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".txt": "text/plain",
    ".gz": "application/gzip",
    ".json": "application/json",
}
# A fixed Last-Modified so conditional GETs are reproducible.
_LAST_MODIFIED = formatdate(1_700_000_000, usegmt=True)


class _Handler(BaseHTTPRequestHandler):
    server_version = "fixture-site/1"

    def __init__(self, *args: object, site: StaticSite, **kwargs: object) -> None:
        self.site = site
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        """Quiet: the demo prints its own summary."""

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        self.site.hits += 1
        path = urlsplit(self.path).path
        found = self.site.resolve(path)
        self.site.log.append((path, 404 if found is None else 200 if not self._conditional_hit(found[0]) else 304))
        if found is None:
            self._send(404, "text/html", b"<html><body><h1>404 Not Found</h1></body></html>")
            return
        body, ctype = found
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        if self._conditional_hit(body):
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self._send(200, ctype, body, etag)

    def _conditional_hit(self, body: bytes) -> bool:
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        return self.headers.get("If-None-Match") == etag or self._not_modified_since()

    def _not_modified_since(self) -> bool:
        since = self.headers.get("If-Modified-Since")
        if not since or self.headers.get("If-None-Match"):
            return False
        try:
            return parsedate_to_datetime(since) >= parsedate_to_datetime(_LAST_MODIFIED)
        except (TypeError, ValueError):
            return False

    def _send(self, status: int, ctype: str, body: bytes, etag: str | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        if etag:
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", _LAST_MODIFIED)
        self.end_headers()
        self.wfile.write(body)


class StaticSite:
    """Serve ``root`` on 127.0.0.1 in a daemon thread; a context manager."""

    def __init__(self, root: str | Path, port: int = 0) -> None:
        self.root = Path(root).resolve()
        self.hits = 0
        self.log: list[tuple[str, int]] = []  # (path, status) per request, for tests and the demo
        self.overrides: dict[str, bytes] = {}  # path -> body, for tests that edit a page
        self._server = ThreadingHTTPServer(("127.0.0.1", port), partial(_Handler, site=self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``"""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def url(self, path: str = "/") -> str:
        """The absolute URL of a path on this site."""
        return self.base_url + path

    def resolve(self, path: str) -> tuple[bytes, str] | None:
        """The body and Content-Type for a request path, or None."""
        path = unquote(path)
        if path in self.overrides:
            return self.overrides[path], "text/html"
        target = (self.root / path.lstrip("/")).resolve()
        if not target.is_relative_to(self.root):
            return None
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            return None
        body = target.read_bytes()
        ctype = _TYPES.get(target.suffix.lower(), "text/html")
        if target.suffix.lower() in ("", ".html", ".htm", ".xml", ".rss", ".atom", ".txt"):
            body = body.replace(PLACEHOLDER_ORIGIN, self.base_url.encode())
        elif target.suffix.lower() == ".gz":
            body = gzip.compress(gzip.decompress(body).replace(PLACEHOLDER_ORIGIN, self.base_url.encode()), mtime=0)
        return body, ctype

    def start(self) -> StaticSite:
        """Start serving; returns self."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port."""
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> StaticSite:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
