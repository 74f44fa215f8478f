"""Every fault the fault server can stage ends in the right FetchError, quickly.

Each test checks the exception kind, the attempts counted by the Fetcher
against the hits counted by the server, and a bound on the wall time.
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
import threading
import time
import tracemalloc
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from scraper import errors
from scraper.config import Settings
from scraper.models import Page
from tests.faultserver import BOMB_SIZE, PAGE_HTML, FaultServer, bomb, with_fetcher

FAST = Settings(timeout=1.0, backoff_base=0.05, delay=0, retry_after_cap=3, respect_robots=False)


def attempt(settings: Settings, url: str, **kwargs: Any) -> tuple[Page | errors.FetchError, float]:
    """Fetch ``url``; the Page or the FetchError raised, and the seconds it took."""
    began = time.monotonic()
    try:
        outcome: Page | errors.FetchError = with_fetcher(settings, lambda f: f.fetch(url, **kwargs))
    except errors.FetchError as exc:
        outcome = exc
    return outcome, time.monotonic() - began


def assert_fails(outcome: Page | errors.FetchError, kind: type[errors.FetchError], attempts: int) -> errors.FetchError:
    assert isinstance(outcome, kind), outcome
    assert outcome.attempts == attempts
    return outcome


def test_hanging_server_times_out_and_is_retried(fault_server: FaultServer) -> None:
    url = fault_server.url("/hang")
    outcome, seconds = attempt(FAST.with_(timeout=0.5, max_attempts=2), url)
    error = assert_fails(outcome, errors.FetchTimeout, attempts=2)
    assert error.url == url and error.kind == "timeout"
    assert fault_server.hits("/hang") == 2
    assert seconds < 2.5


def test_trickling_server_hits_the_total_deadline(fault_server: FaultServer) -> None:
    # One byte every 0.5 s never trips a 1 s read timeout; the deadline must.
    outcome, seconds = attempt(FAST.with_(max_attempts=1), fault_server.url("/trickle"))
    assert_fails(outcome, errors.FetchTimeout, attempts=1)
    assert seconds < 2.0


@pytest.mark.parametrize("path", ["/reset", "/truncate"])
def test_broken_connections_fail_after_all_attempts(fault_server: FaultServer, path: str) -> None:
    outcome, seconds = attempt(FAST, fault_server.url(path))
    error = assert_fails(outcome, errors.ConnectionFailed, attempts=3)
    assert error.kind == "connection"
    assert fault_server.hits(path) == 3
    assert seconds < 2.0


def test_redirect_loop_is_detected(fault_server: FaultServer) -> None:
    outcome, _ = attempt(FAST, fault_server.url("/loop/a"))
    error = assert_fails(outcome, errors.RedirectError, attempts=1)
    assert "loop" in str(error)
    assert (fault_server.hits("/loop/a"), fault_server.hits("/loop/b")) == (1, 1)


def test_too_many_redirects(fault_server: FaultServer) -> None:
    outcome, _ = attempt(FAST, fault_server.url("/chain/12"))
    assert_fails(outcome, errors.RedirectError, attempts=1)
    # 10 redirects followed, the 11th refused: /chain/12 ... /chain/2 were asked.
    assert len(fault_server.log) == 11
    assert fault_server.hits("/chain/1") == 0


def test_redirect_to_ftp_is_refused(fault_server: FaultServer) -> None:
    outcome, _ = attempt(FAST, fault_server.url("/to-ftp"))
    error = assert_fails(outcome, errors.UnsupportedScheme, attempts=0)
    assert "ftp" in str(error)


@pytest.mark.parametrize("kind", ["gzip", "deflate", "br"])
def test_compression_bombs_are_stopped_with_bounded_memory(fault_server: FaultServer, kind: str) -> None:
    bomb(kind)  # build the payload before measuring
    tracemalloc.start()
    try:
        outcome, seconds = attempt(FAST.with_(timeout=5.0), fault_server.url(f"/bomb/{kind}"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    error = assert_fails(outcome, errors.TooLarge, attempts=1)
    assert "decompressed" in str(error)
    # The bomb inflates to 100 MB; we hold about the 10 MB cap, never the bomb.
    assert peak < 30 * 1024 * 1024 < BOMB_SIZE
    assert seconds < 4.0


def test_small_cap_stops_a_bomb_early(fault_server: FaultServer) -> None:
    bomb("gzip")
    tracemalloc.start()
    try:
        outcome, _ = attempt(FAST.with_(max_bytes=100_000), fault_server.url("/bomb/gzip"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert_fails(outcome, errors.TooLarge, attempts=1)
    assert peak < 5 * 1024 * 1024


def test_huge_body_with_length_is_refused_before_reading(fault_server: FaultServer) -> None:
    outcome, seconds = attempt(FAST, fault_server.url("/huge"))
    error = assert_fails(outcome, errors.TooLarge, attempts=1)
    assert "Content-Length" in str(error)
    assert seconds < 2.0


def test_huge_body_without_length_is_cut_while_streaming(fault_server: FaultServer) -> None:
    outcome, seconds = attempt(FAST.with_(timeout=5.0), fault_server.url("/huge-nolength"))
    error = assert_fails(outcome, errors.TooLarge, attempts=1)
    assert "Content-Length" not in str(error)
    assert seconds < 4.0


def test_429_retry_after_is_waited(fault_server: FaultServer) -> None:
    outcome, _ = attempt(FAST, fault_server.url("/throttle/a?n=1&after=1"))
    assert isinstance(outcome, Page) and outcome.attempts == 2
    first, second = (r.time for r in fault_server.requests("/throttle/a"))
    assert second - first >= 0.95


def test_503_retry_after_http_date_is_waited(fault_server: FaultServer) -> None:
    # The date has whole seconds: "now + 2 s" means a wait of 1 to 2 s.
    outcome, _ = attempt(FAST, fault_server.url("/unavailable/b?n=1&in=2"))
    assert isinstance(outcome, Page) and outcome.attempts == 2
    first, second = (r.time for r in fault_server.requests("/unavailable/b"))
    assert second - first >= 0.9


def test_retry_after_past_the_cap_gives_up_at_once(fault_server: FaultServer) -> None:
    outcome, seconds = attempt(FAST, fault_server.url("/throttle/c?n=9&after=600"))
    error = assert_fails(outcome, errors.HTTPStatusError, attempts=1)
    assert error.status == 429  # type: ignore[attr-defined]
    assert fault_server.hits("/throttle/c") == 1
    assert seconds < 1.0


def test_500_twice_then_200_is_retried(fault_server: FaultServer) -> None:
    outcome, _ = attempt(FAST, fault_server.url("/flaky/d?n=2"))
    assert isinstance(outcome, Page)
    assert outcome.attempts == 3 and outcome.content == PAGE_HTML
    assert fault_server.hits("/flaky/d") == 3


def test_500_until_the_attempts_run_out(fault_server: FaultServer) -> None:
    outcome, _ = attempt(FAST, fault_server.url("/flaky/e?n=9"))
    error = assert_fails(outcome, errors.HTTPStatusError, attempts=3)
    assert error.status == 500  # type: ignore[attr-defined]
    assert fault_server.hits("/flaky/e") == 3


def test_404_is_not_retried(fault_server: FaultServer) -> None:
    outcome, _ = attempt(FAST, fault_server.url("/missing"))
    error = assert_fails(outcome, errors.HTTPStatusError, attempts=1)
    assert error.status == 404  # type: ignore[attr-defined]
    assert fault_server.hits("/missing") == 1


@pytest.mark.parametrize(
    ("path", "kind"),
    [("/png", errors.BinaryContent), ("/pdf", errors.NotHTML), ("/json", errors.NotHTML),
     ("/octet-binary", errors.NotHTML)],
)
def test_wrong_content_is_refused_without_retry(fault_server: FaultServer, path: str, kind: type) -> None:
    outcome, _ = attempt(FAST, fault_server.url(path))
    assert_fails(outcome, kind, attempts=1)
    assert fault_server.hits(path) == 1


def test_errors_carry_their_cause_and_never_leak_httpx(fault_server: FaultServer) -> None:
    import httpx

    outcome, _ = attempt(FAST.with_(max_attempts=1), fault_server.url("/reset"))
    assert isinstance(outcome, errors.ConnectionFailed)
    assert isinstance(outcome.__cause__, httpx.HTTPError)
    assert not isinstance(outcome, httpx.HTTPError)


def test_a_failing_redirect_hop_is_named(fault_server: FaultServer) -> None:
    url = fault_server.url("/redirect?to=/missing")
    outcome, _ = attempt(FAST, url)
    error = assert_fails(outcome, errors.HTTPStatusError, attempts=1)
    assert error.url == url and fault_server.url("/missing") in str(error)


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command to make a certificate")
def test_an_untrusted_certificate_fails_at_once_without_downgrade(tmp_path: Path) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    served: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - stdlib name
            served.append(self.path)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    class QuietServer(ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request: Any, client_address: Any) -> None:
            pass  # the failed handshake is the point

    server = QuietServer(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        outcome, seconds = attempt(FAST, f"https://127.0.0.1:{server.server_address[1]}/page")
    finally:
        server.shutdown()
        server.server_close()
    error = assert_fails(outcome, errors.ConnectionFailed, attempts=1)  # not retried
    assert "TLS" in str(error)
    assert served == []  # no plain or unverified retry ever reached the server
    assert seconds < 3.0
