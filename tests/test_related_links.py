"""Related-link URLs: the fast paths for absolute and root-relative hrefs agree with urljoin."""

from __future__ import annotations

from urllib.parse import urldefrag, urljoin

from hypothesis import given, settings
from hypothesis import strategies as st

from scraper.extractor.related import _absolute, _origin

BASES = ["http://127.0.0.1:8765/news/story", "https://127.0.0.1/a/b/c?x=1", "http://127.0.0.1:9/"]
_PIECE = st.text(alphabet="abc/.?#=&%-_ ;:@[]", max_size=12)


def _reference(href: str, base: str) -> str | None:
    try:
        absolute = urldefrag(urljoin(base, href))[0]
    except ValueError:
        return None
    return absolute if absolute.split(":", 1)[0] in ("http", "https") else None


@settings(max_examples=1000)
@given(base=st.sampled_from(BASES),
       href=st.one_of(_PIECE.map(lambda p: "/" + p), _PIECE.map(lambda p: "http://127.0.0.1/" + p),
                      _PIECE.map(lambda p: "https://127.0.0.2" + p), _PIECE))
def test_fast_paths_resolve_like_urljoin(base: str, href: str):
    assert _absolute(href, base, _origin(base)) == _reference(href, base)


def test_dot_segments_and_protocol_relative_links_take_the_slow_path():
    base = "http://127.0.0.1:8765/news/story"
    origin = _origin(base)
    assert _absolute("/a/../b", base, origin) == "http://127.0.0.1:8765/b"
    assert _absolute("//127.0.0.2/x#top", base, origin) == "http://127.0.0.2/x"
    assert _absolute("http://[bad", base, origin) is None
    assert _origin("not a url") == ""
