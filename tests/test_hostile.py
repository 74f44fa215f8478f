"""Hostile input: ``extract`` returns an Article or raises ExtractionError, nothing else, quickly.

The nasty corpus lives in ``tests/nasty/`` (small files checked in, big ones
generated). Property tests throw generated tag soup and mutated fixture pages
at the extractor. Time is bounded by CPU time (a hang guard, not a benchmark:
the machine is shared, so wall time says little).
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scraper.errors import ExtractionError
from scraper.extractor.article import extract
from scraper.models import Article

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "fixtures" / "site"
EXPECTED = ROOT / "fixtures" / "expected"
URL = "https://news.example.com/some-story-about-things"
HANG_GUARD_CPU_SECONDS = 30.0
PAGE_TYPES = {"article", "index", "other"}


def _load_nasty() -> ModuleType:
    spec = importlib.util.spec_from_file_location("nasty_generate", ROOT / "tests" / "nasty" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


NASTY = _load_nasty()


def fixture_pages() -> dict[str, bytes]:
    """name -> raw bytes of every article page of the fixture site."""
    pages = {}
    for file in sorted(EXPECTED.glob("*.json")):
        data = json.loads(file.read_text(encoding="utf-8"))
        if isinstance(data, dict) and "path" in data:
            pages[file.stem] = (SITE / data["path"].lstrip("/")).read_bytes()
    return pages


PAGES = fixture_pages()


def check_contract(data: bytes | str, url: str | None = URL) -> Article | None:
    """Run extract under the contract: an Article (sane, UTF-8-encodable) or ExtractionError, in bounded time."""
    started = time.process_time()
    try:
        article = extract(data, url)
    except ExtractionError as exc:
        assert isinstance(exc.message, str) and exc.message
        article = None
    spent = time.process_time() - started
    assert spent < HANG_GUARD_CPU_SECONDS, f"extract took {spent:.1f} s of CPU"
    if article is not None:
        assert isinstance(article, Article)
        assert article.page_type in PAGE_TYPES
        assert isinstance(article.body, str) and isinstance(article.word_count, int) and article.word_count >= 0
        assert isinstance(article.authors, list) and isinstance(article.related, list)
        # Whatever came in, what goes out must be storable and printable as UTF-8 JSON.
        json.dumps(article.to_dict(), ensure_ascii=False).encode("utf-8")
    return article


# -- the nasty corpus ----------------------------------------------------------------------------

NASTY_CASES = NASTY.corpus(1.0)


def test_corpus_holds_the_cases_the_issue_names():
    wanted = {"random_bytes", "nested_divs", "big_paragraph_10mb", "nul_bytes", "json_as_html", "empty",
              "whitespace", "lone_html", "invalid_utf8", "utf16le_bom", "utf16le_no_bom", "nested_tables",
              "many_links_50k", "script_style_only", "bogus_charset"}
    assert wanted <= set(NASTY_CASES)
    assert len(NASTY_CASES["big_paragraph_10mb"]) >= 10 * 1024 * 1024 - 100
    assert NASTY_CASES["nested_divs"].count(b"<div>") == 100_000
    assert NASTY_CASES["many_links_50k"].count(b"<a href") == 50_000


@pytest.mark.parametrize("name", sorted(NASTY_CASES))
def test_nasty_case_gives_article_or_extraction_error(name):
    check_contract(NASTY_CASES[name])


@pytest.mark.parametrize("name", ["empty", "whitespace"])
def test_nothing_is_an_extraction_error(name):
    with pytest.raises(ExtractionError):
        extract(NASTY_CASES[name], URL)


def test_invalid_utf8_page_keeps_its_text_with_replacement_characters():
    article = check_contract(NASTY_CASES["invalid_utf8"])
    assert article is not None
    assert "Broken" in article.body and "bytes" in article.body


@pytest.mark.parametrize("name", ["utf16le_bom", "utf16be_bom", "utf32_bom"])
def test_utf16_and_utf32_with_bom_are_decoded(name):
    article = check_contract(NASTY_CASES[name])
    assert article is not None
    # Decoded, not mojibake: the Kazakh headline survives whole (title or h1 may win).
    assert article.headline in ("Алматы метрополитені", "Жаңалықтар")
    assert "\ufffd" not in article.body + (article.lede or "")


def test_str_input_with_nul_characters_is_not_a_crash():
    check_contract("<html><body><h1>x</h1><p>a\x00b</p></body></html>")
    check_contract("\x00" * 10)


def test_no_url_at_all():
    check_contract(PAGES["sample"], None)


# -- truncated fixture pages ---------------------------------------------------------------------

def _cut_points(size: int, count: int = 7) -> list[int]:
    """Evenly spread offsets, plus one byte in, and one byte short of the end."""
    return sorted({1, size - 1, *(size * i // (count + 1) for i in range(1, count + 1))})


@pytest.mark.parametrize("name", sorted(PAGES))
def test_truncated_fixture_page(name):
    data = PAGES[name]
    for cut in _cut_points(len(data)):
        check_contract(data[:cut])
    # Cut inside a multi-byte UTF-8 character (Cyrillic pages, curly quotes).
    multibyte = next((i for i, b in enumerate(data) if b >= 0xC0), None)
    if multibyte is not None:
        check_contract(data[: multibyte + 1])


# -- property tests ------------------------------------------------------------------------------

_TAGS = ["html", "head", "body", "title", "meta", "div", "p", "span", "a", "h1", "h2", "ul", "li", "table", "tr",
         "td", "script", "style", "time", "article", "section", "aside", "br", "img", "figcaption", "noscript"]
_ATTRS = ["class", "id", "href", "src", "charset", "content", "property", "name", "datetime", "rel", "lang", "type"]
_VALUES = st.sampled_from(["", "x", "utf-8", "bogus", "koi8-r", "article", "og:title", "canonical", "2024-01-02",
                           "javascript:x()", "http://[::1", "/rel/path", "https://news.example.com/a-b-c",
                           "related", "newsletter", "application/ld+json", "\u202e", "&amp;", "\"'"])
_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
_ATOMS = st.one_of(
    _TEXT,
    st.sampled_from(["<!--", "-->", "<![CDATA[", "]]>", "&#0;", "&#xD800;", "&nbsp;", "&bogus;", "<", ">", "</",
                     "<?xml version='1.0' encoding='bogus'?>", "<!DOCTYPE html>", '{"@type": "NewsArticle"}',
                     "Saturday, Feb 22, 2025", "Related Articles", "0:00"]),
)


@st.composite
def _element(draw: st.DrawFn, children: st.SearchStrategy[str]) -> str:
    tag = draw(st.sampled_from(_TAGS))
    attrs = draw(st.lists(st.tuples(st.sampled_from(_ATTRS), _VALUES), max_size=3))
    attr_text = "".join(f' {name}="{value}"' for name, value in attrs)
    inner = "".join(draw(st.lists(children, max_size=4)))
    closing = draw(st.sampled_from([f"</{tag}>", f"</{tag}>", "", f"</{draw(st.sampled_from(_TAGS))}>"]))
    return f"<{tag}{attr_text}>{inner}{closing}"


TAG_SOUP = st.recursive(_ATOMS, lambda children: _element(children), max_leaves=40)
FAST_PROPERTIES = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST_PROPERTIES
@given(st.lists(TAG_SOUP, min_size=1, max_size=6), st.sampled_from(["utf-8", "utf-16", "cp1251", "str"]))
def test_generated_tag_soup(parts, encoding):
    html = "".join(parts)
    if encoding == "str":
        check_contract(html)
    else:
        check_contract(html.encode(encoding, errors="replace"))


@st.composite
def _mutated_page(draw: st.DrawFn) -> bytes:
    data = bytearray(PAGES[draw(st.sampled_from(sorted(PAGES)))])
    for _ in range(draw(st.integers(1, 8))):
        op = draw(st.sampled_from(["flip", "delete", "insert", "truncate"]))
        pos = draw(st.integers(0, max(0, len(data) - 1)))
        if op == "flip" and data:
            data[pos] ^= 1 << draw(st.integers(0, 7))
        elif op == "delete":
            del data[pos: pos + draw(st.integers(1, 2000))]
        elif op == "insert":
            data[pos:pos] = draw(st.one_of(st.binary(max_size=64), st.sampled_from(
                [b"<div>" * 50, b"</html>", b"\x00", b"\xff\xfe", b"<script>", b"<!--", b"<meta charset=utf-16>"])))
        elif op == "truncate":
            del data[pos:]
    return bytes(data)


@FAST_PROPERTIES
@given(_mutated_page())
def test_mutated_fixture_pages(data):
    check_contract(data)


# -- no page script ever runs, no resource is ever requested -------------------------------------

class _Beacon:
    """A 127.0.0.1 server that only counts the requests it gets."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        beacon = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - stdlib name
                beacon.paths.append(self.path)
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                """Quiet."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _booby_trapped_page(target: Path, beacon: str) -> bytes:
    js_path = json.dumps(str(target))
    return f"""<!DOCTYPE html><html><head><title>Trap - KazPost</title>
<meta http-equiv="refresh" content="0; url={beacon}/refresh">
<link rel="stylesheet" href="{beacon}/style.css"><script src="{beacon}/remote.js"></script>
<script>require('fs').writeFileSync({js_path}, 'ran'); fetch('{beacon}/fetch');</script>
<script type="text/python">open({js_path}, 'w').write('ran')</script>
<script type="application/ld+json">{{"@type": "NewsArticle", "headline": "Trap", "image": "{beacon}/ld.png"}}</script>
</head><body onload="fetch('{beacon}/onload')"><h1>Trap page</h1>
<img src="{beacon}/img.png" onerror="fetch('{beacon}/onerror')"><iframe src="{beacon}/frame"></iframe>
<p>First paragraph of a page whose scripts must never run, with enough words to count as text.</p>
<p>Second paragraph: <a href="{beacon}/link">a link that extraction must not follow</a>.</p>
<object data="{beacon}/object"></object><video src="{beacon}/video.mp4"></video>
<script>document.write('<img src="{beacon}/written">'); require('fs').writeFileSync({js_path}, 'x');</script>
</body></html>""".encode()


def test_no_page_script_runs_and_nothing_is_requested(tmp_path):
    target = tmp_path / "script-ran.txt"
    beacon = _Beacon()
    try:
        page = _booby_trapped_page(target, beacon.url)
        check_contract(page, URL)
        check_contract(page, beacon.url + "/page")
        trap = tmp_path / "trap.html"
        trap.write_bytes(page)
        result = subprocess.run([sys.executable, "cli.py", "extract", str(trap)], cwd=ROOT, capture_output=True,
                                text=True, timeout=120)
        assert result.returncode in (0, 1), result.stderr
        time.sleep(0.2)  # a request sent asynchronously would have arrived by now
    finally:
        beacon.close()
    assert not target.exists(), "a page script was executed"
    assert beacon.paths == [], f"extraction made requests: {beacon.paths}"


# -- the extract CLI over the whole corpus -------------------------------------------------------

def test_extract_cli_prints_one_line_per_input_and_never_a_traceback(tmp_path):
    # The big generated cases at 5% size: same shapes, and the run stays short.
    cases = {**NASTY.corpus(0.05), **{f"truncated_{k}": v[: len(v) // 3] for k, v in PAGES.items()}}
    files = []
    for name, data in sorted(cases.items()):
        path = tmp_path / f"{name}.html"
        path.write_bytes(data)
        files.append(str(path))
    result = subprocess.run([sys.executable, "cli.py", "extract", *files], cwd=ROOT, capture_output=True,
                            text=True, timeout=600)
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode in (0, 1)
    seen: list[str] = []
    for line in result.stdout.splitlines():
        seen.append(json.loads(line)["source"])
    for line in result.stderr.splitlines():
        assert line.startswith("error: "), f"unexpected stderr line: {line!r}"
        source = next((f for f in files if line.startswith(f"error: {f}: ")), None)
        assert source is not None, f"error line names no input: {line!r}"
        seen.append(source)
    assert sorted(seen) == sorted(files)
    assert result.returncode == (1 if result.stderr else 0)
