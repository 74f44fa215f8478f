"""WARC recording and import: against a real server on 127.0.0.1 and real files."""

from __future__ import annotations

import base64
import gzip
import hashlib
import random
import re
import sqlite3
from io import BytesIO
from pathlib import Path

import pytest
from minisite import HEADLINES, article_html, write_site
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from scraper.config import Settings
from scraper.crawler.recorder import WarcRecorder, warc_date
from scraper.crawler.runs import run_archive
from scraper.models import Page
from scraper.research.demo_site import StaticSite
from scraper.research.warc import import_warcs, iter_warc_pages
from scraper.store.archive import Archive


@pytest.fixture()
def site_root(tmp_path: Path) -> Path:
    root = write_site(tmp_path / "site")
    return root


def page(url: str, content: bytes, *, status: int = 200, **headers: str) -> Page:
    return Page(url=url, final_url=url, status=status, headers={"content-type": "text/html", **headers},
                content=content, fetched_at="2024-03-05T10:20:30Z",
                request_headers={"user-agent": "test-agent", "accept": "*/*"})


def records(path: Path) -> list[tuple[str, str | None, int | None, bytes, str]]:
    """(type, target, status, payload, record id) of every record, digests checked as read."""
    out = []
    with open(path, "rb") as fh:
        for rec in ArchiveIterator(fh, check_digests="raise"):
            payload = rec.content_stream().read()
            assert rec.digest_checker.passed is not False, rec.digest_checker.problems
            status = int(rec.http_headers.get_statuscode()) if rec.rec_type == "response" else None
            out.append((rec.rec_type, rec.rec_headers.get_header("WARC-Target-URI"), status, payload,
                        rec.rec_headers.get_header("WARC-Record-ID")))
    return out


def sha1_b32(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


@pytest.fixture()
def crawled(tmp_path: Path, site_root: Path) -> tuple[Path, Path, int]:
    """Crawl the little site with a WARC directory; (db, warc dir, server hits)."""
    db, warcs = tmp_path / "crawl.db", tmp_path / "warcs"
    with StaticSite(site_root) as site:
        summary = run_archive(db, [site.url("/")], Settings(delay=0, warc_dir=str(warcs), workers=0))
        hits = site.hits
    assert summary.archived == len(HEADLINES)
    return db, warcs, hits


def test_crawl_writes_every_response_with_valid_digests(crawled: tuple[Path, Path, int]) -> None:
    db, warcs, hits = crawled
    files = sorted(warcs.iterdir())
    assert files and all(f.name.endswith(".warc.gz") for f in files)
    responses = [r for f in files for r in records(f) if r[0] == "response"]
    requests = [r for f in files for r in records(f) if r[0] == "request"]
    with sqlite3.connect(db) as conn:
        stored = {url: sha for url, sha in conn.execute("SELECT url, sha256 FROM pages")}
    # robots.txt is fetched by the fetcher's robots cache, not handed to recorders.
    assert len(responses) == len(stored) == hits - 1
    assert {r[1]: hashlib.sha256(r[3]).hexdigest() for r in responses} == stored
    assert sorted(r[1] for r in requests) == sorted(stored)
    assert records(files[0])[0][0] == "warcinfo"


def test_response_record_layout(tmp_path: Path) -> None:
    body = "<html><body><p>Тенге</p></body></html>".encode()
    with WarcRecorder(tmp_path / "w", version="9.9") as recorder:
        recorder.record(page("http://example.com/a-b-c", body, **{"content-encoding": "gzip", "etag": '"x"'}))
    (path,) = recorder.files
    with open(path, "rb") as fh:
        recs = list(_raw_records(fh))
    info, response, request = recs
    assert b"news-archiver/9.9" in info["payload"] and b"robots: obey" in info["payload"]
    assert response["warc"]["WARC-Date"] == "2024-03-05T10:20:30Z"
    assert response["warc"]["WARC-Payload-Digest"] == sha1_b32(body)
    assert response["http"].get_header("Content-Length") == str(len(body))
    assert response["http"].get_header("Content-Encoding") is None  # the body is stored decoded
    assert response["http"].get_header("ETag") == '"x"'
    assert request["warc"]["WARC-Concurrent-To"] == response["warc"]["WARC-Record-ID"]
    assert request["http"].protocol == "GET" and request["http"].statusline == "/a-b-c HTTP/1.1"
    assert request["http"].get_header("User-Agent") == "test-agent"
    assert request["http"].get_header("Host") == "example.com"


def _raw_records(fh: object) -> list[dict[str, object]]:
    out = []
    for rec in ArchiveIterator(fh, check_digests="raise"):
        out.append({"warc": dict(rec.rec_headers.headers), "http": rec.http_headers,
                    "payload": rec.content_stream().read()})
    return out


def test_not_modified_is_a_response_with_empty_body(tmp_path: Path) -> None:
    with WarcRecorder(tmp_path) as recorder:
        recorder.record(page("http://example.com/x-y-z", b"", status=304, etag='"e"'))
    kinds = [(r[0], r[2], r[3]) for r in records(recorder.files[0])]
    assert ("response", 304, b"") in kinds


def test_rotation_and_no_open_files_after_close(tmp_path: Path) -> None:
    rng = random.Random(7)
    bodies = [bytes(rng.getrandbits(8) for _ in range(3000)) for _ in range(9)]  # incompressible
    with WarcRecorder(tmp_path, max_bytes=8000, prefix="rot") as recorder:
        for i, body in enumerate(bodies):
            recorder.record(page(f"http://example.com/p-{i}-x", body))
            assert len(list(tmp_path.glob("*.open"))) <= 1  # 0 right after a rotation
    files = sorted(tmp_path.iterdir())
    assert len(files) >= 3 and not list(tmp_path.glob("*.open"))
    assert all(re.fullmatch(r"rot-\d{14}-\d{5}\.warc\.gz", f.name) for f in files)
    got = [r[3] for f in recorder.files for r in records(f) if r[0] == "response"]
    assert got == bodies  # nothing lost or reordered across files
    assert all(records(f)[0][0] == "warcinfo" for f in files)


def test_unclosed_recorder_leaves_only_open_file(tmp_path: Path) -> None:
    recorder = WarcRecorder(tmp_path / "new" / "dir")
    recorder.record(page("http://example.com/a-b-c", b"<html></html>"))
    names = [p.name for p in (tmp_path / "new" / "dir").iterdir()]
    assert len(names) == 1 and names[0].endswith(".warc.gz.open")
    recorder.close()
    assert [p.name for p in (tmp_path / "new" / "dir").iterdir()] == [names[0].removesuffix(".open")]


def test_two_recorders_never_share_or_overwrite_a_file(tmp_path: Path) -> None:
    keep = tmp_path / "notes.txt"
    keep.write_text("mine")
    first, second = WarcRecorder(tmp_path), WarcRecorder(tmp_path)
    first.record(page("http://example.com/one-two-three", b"one"))
    second.record(page("http://example.com/four-five-six", b"two"))
    first.close()
    second.close()
    assert first.files[0] != second.files[0]
    assert [r[3] for r in records(first.files[0]) if r[0] == "response"] == [b"one"]
    assert [r[3] for r in records(second.files[0]) if r[0] == "response"] == [b"two"]
    assert keep.read_text() == "mine"


def test_iter_warc_pages_round_trip(tmp_path: Path) -> None:
    original = page("http://example.com/a-b-c", b"<html><body>hi</body></html>", etag='"q"')
    h2 = Page(**{**{f: getattr(original, f) for f in original.__slots__}, "url": "http://example.com/d-e-f",
                 "final_url": "http://example.com/d-e-f", "http_version": "HTTP/2"})
    with WarcRecorder(tmp_path) as recorder:
        recorder.record(original)
        recorder.record(h2)
    back, back_h2 = list(iter_warc_pages(recorder.files[0]))
    assert (back.url, back.status, back.content, back.fetched_at, back.http_version) == (
        original.url, 200, original.content, original.fetched_at, "HTTP/1.1")
    assert back.headers["etag"] == '"q"' and back.content_type == "text/html"
    assert (back_h2.url, back_h2.http_version) == (h2.url, "HTTP/2")


def test_a_file_in_place_of_the_directory_is_a_usage_error(tmp_path: Path) -> None:
    from scraper.errors import UsageError

    (tmp_path / "taken").write_text("x")
    with pytest.raises(UsageError):
        WarcRecorder(tmp_path / "taken")


def test_warc_date_normalises_to_utc() -> None:
    assert warc_date("2024-03-05T12:20:30+02:00") == "2024-03-05T10:20:30Z"
    assert warc_date("2024-03-05T10:20:30.250000Z") == "2024-03-05T10:20:30.250000Z"


def test_import_rebuilds_the_same_articles(crawled: tuple[Path, Path, int], tmp_path: Path) -> None:
    db, warcs, _ = crawled
    fresh = tmp_path / "fresh.db"
    with Archive(fresh) as archive:
        counts = import_warcs(archive, sorted(warcs.iterdir()))
    assert counts["archived"] == len(HEADLINES) and counts["failed"] == 0
    assert counts["records"] == sum(v for k, v in counts.items() if k != "records")
    query = "SELECT url, content_hash, headline FROM articles ORDER BY url"
    with sqlite3.connect(db) as a, sqlite3.connect(fresh) as b:
        assert a.execute(query).fetchall() == b.execute(query).fetchall()
    with Archive(fresh) as archive:  # importing again changes nothing
        again = import_warcs(archive, sorted(warcs.iterdir()))
    assert again["unchanged"] == len(HEADLINES) and again["archived"] == again["updated"] == 0


def _foreign_warc(path: Path, article: bytes) -> None:
    """Someone else's crawl: encoded payloads and every record type we must skip."""
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "other-crawler"}))

        def response(uri: str, status: str, headers: list[tuple[str, str]], body: bytes) -> None:
            http = StatusAndHeaders(status, headers, protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(uri, "response", payload=BytesIO(body),
                                                          length=len(body), http_headers=http))

        zipped = gzip.compress(article)
        response("https://news.example.com/farmers-protest-new-wheat-tariff-in-the-north", "200 OK",
                 [("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip"),
                  ("Content-Length", str(len(zipped)))], zipped)
        response("https://news.example.com/logo.png", "200 OK", [("Content-Type", "image/png")], b"\x89PNG\r\n")
        response("https://news.example.com/old-story-moved-here", "301 Moved Permanently",
                 [("Location", "https://news.example.com/")], b"")
        response("https://news.example.com/missing-story-page", "404 Not Found", [("Content-Type", "text/html")],
                 b"<html><body>gone</body></html>")
        req = StatusAndHeaders("GET / HTTP/1.1", [("Host", "news.example.com")], is_http_request=True)
        writer.write_record(writer.create_warc_record("https://news.example.com/", "request", http_headers=req))
        writer.write_record(writer.create_warc_record("dns:news.example.com", "response",
                                                      payload=BytesIO(b"news.example.com. 60 IN A 192.0.2.1"),
                                                      warc_content_type="text/dns"))
        writer.write_record(writer.create_revisit_record(
            "https://news.example.com/farmers-protest-new-wheat-tariff-in-the-north", sha1_b32(zipped),
            "https://news.example.com/farmers-protest-new-wheat-tariff-in-the-north", "2024-01-01T00:00:00Z"))
        writer.write_record(writer.create_warc_record("https://news.example.com/", "metadata",
                                                      payload=BytesIO(b"via: nowhere\r\n")))


def test_import_foreign_warc_skips_what_is_not_an_article(tmp_path: Path) -> None:
    html = article_html(HEADLINES[0], 0).encode()
    _foreign_warc(tmp_path / "cc.warc.gz", html)
    with Archive(tmp_path / "a.db") as archive:
        counts = import_warcs(archive, [tmp_path / "cc.warc.gz"])
        stored = archive.get_article("https://news.example.com/farmers-protest-new-wheat-tariff-in-the-north")
        pages = list(archive.iter_pages())
    assert counts == {"records": 9, "archived": 1, "updated": 0, "unchanged": 0, "skipped": 8, "failed": 0}
    assert stored is not None and stored["headline"] == HEADLINES[0] and stored["published"] is None
    assert [p["content"] for p in pages] == [html]  # stored decoded, once


def test_import_counts_a_damaged_file_and_goes_on(tmp_path: Path) -> None:
    good, bad = tmp_path / "good.warc.gz", tmp_path / "bad.warc.gz"
    _foreign_warc(good, article_html(HEADLINES[1], 1).encode())
    data = good.read_bytes()
    bad.write_bytes(data[: len(data) // 3])  # a crawl that died mid-record
    with Archive(tmp_path / "a.db") as archive:
        counts = import_warcs(archive, [bad, good])
        failures = archive.db.execute("SELECT url, kind FROM failures").fetchall()
    assert counts["failed"] == 1 and counts["archived"] == 1
    assert failures == [(str(bad), "warc")]


def test_import_skips_payloads_over_max_bytes(tmp_path: Path) -> None:
    _foreign_warc(tmp_path / "cc.warc.gz", article_html(HEADLINES[2], 2).encode())
    with Archive(tmp_path / "a.db") as archive:
        counts = import_warcs(archive, [tmp_path / "cc.warc.gz"], settings=Settings(max_bytes=100))
    assert counts["archived"] == 0 and counts["skipped"] == counts["records"]


def test_iter_warc_pages_raises_on_a_cut_file(tmp_path: Path) -> None:
    from scraper.errors import ExtractionError

    path = tmp_path / "cut.warc.gz"
    _foreign_warc(path, article_html(HEADLINES[0], 0).encode())
    path.write_bytes(path.read_bytes()[:1300])
    with pytest.raises(ExtractionError, match="damaged record"):
        list(iter_warc_pages(path))


FIXTURE_SITE = Path(__file__).resolve().parent.parent / "fixtures" / "site"


@pytest.mark.skipif(not (FIXTURE_SITE / "index.html").is_file(), reason="fixture site not built")
def test_fixture_site_crawl_round_trips_through_warc(tmp_path: Path) -> None:
    db, warcs, fresh = tmp_path / "crawl.db", tmp_path / "warcs", tmp_path / "fresh.db"
    with StaticSite(FIXTURE_SITE) as site:
        summary = run_archive(db, [site.url("/")], Settings(delay=0, warc_dir=str(warcs), workers=0,
                                                           warc_max_bytes=40_000))
    files = sorted(warcs.iterdir())
    assert len(files) > 1 and not list(warcs.glob("*.open"))
    responses = [r for f in files for r in records(f) if r[0] == "response"]
    assert len(responses) == summary.fetched
    with Archive(fresh) as archive:
        counts = import_warcs(archive, files)
    assert counts["failed"] == 0 and counts["archived"] == summary.archived > 0
    query = "SELECT url, content_hash FROM articles ORDER BY url"
    with sqlite3.connect(db) as a, sqlite3.connect(fresh) as b:
        assert a.execute(query).fetchall() == b.execute(query).fetchall()
