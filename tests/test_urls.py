"""URL canonical form, the archive key and the article-or-listing guess (pure functions)."""

from __future__ import annotations

import pytest

from scraper.config import SiteConfig
from scraper.crawler.urls import archive_key, canonicalize, is_asset, looks_like_article


@pytest.mark.parametrize(
    ("given", "canonical"),
    [
        ("HTTP://KazPost.COM:80/some-story-slug", "http://kazpost.com/some-story-slug"),
        ("https://kazpost.com:443/some-story-slug#comments", "https://kazpost.com/some-story-slug"),
        ("https://kazpost.com/some-story-slug?utm_source=x&utm_medium=y", "https://kazpost.com/some-story-slug"),
        ("https://kazpost.com/some-story-slug?fbclid=abc&gclid=def", "https://kazpost.com/some-story-slug"),
        ("https://kazpost.com/list?b=2&a=1", "https://kazpost.com/list?a=1&b=2"),
        ("http://127.0.0.1:8765/x-y-z", "http://127.0.0.1:8765/x-y-z"),
    ],
)
def test_canonical_form(given, canonical):
    assert canonicalize(given) == canonical


def test_one_story_is_one_key_whatever_link_led_to_it():
    links = ["https://kazpost.com/a-b-c", "https://KAZPOST.com/a-b-c?utm_campaign=z", "https://kazpost.com/a-b-c#top"]
    assert len({canonicalize(u) for u in links}) == 1


def test_archive_key_follows_same_host_canonical_only():
    final = "https://kazpost.com/a-b-c?utm_source=feed"
    assert archive_key(final, "https://www.kazpost.com/a-b-c") == "https://www.kazpost.com/a-b-c"
    # A syndicated copy pointing at the original outlet keeps its own address.
    assert archive_key(final, "https://eurasianet.org/a-b-c") == "https://kazpost.com/a-b-c"
    assert archive_key(final, None) == "https://kazpost.com/a-b-c"
    assert archive_key(final, "javascript:void(0)") == "https://kazpost.com/a-b-c"


@pytest.mark.parametrize(
    ("url", "verdict"),
    [
        ("https://kazpost.com/", False),
        ("https://kazpost.com/page/2", False),
        ("https://kazpost.com/tag/central-asia", False),
        ("https://kazpost.com/?page=3", False),
        ("https://kazpost.com/about", False),
        ("https://kazpost.com/kazakhstan-chinese-kazakhs-arrested-face-trial", True),
        ("https://kazpost.com/ru/2021/01/22/slug", True),
        ("https://kazpost.com/news/a-long-story-slug-here", True),
        ("https://kazpost.com/kazakhstan/", None),
        ("https://kazpost.com/logo.png", False),
    ],
)
def test_article_guess_from_the_url(url, verdict):
    assert looks_like_article(url) is verdict


def test_site_pattern_decides_when_given():
    site = SiteConfig(host="kazpost.com", article_pattern=r"^/stories/")
    assert looks_like_article("https://kazpost.com/stories/x", site) is True
    assert looks_like_article("https://kazpost.com/a-long-story-slug-here", site) is False


def test_assets_are_not_pages():
    assert is_asset("https://kazpost.com/img/photo.JPG")
    assert not is_asset("https://kazpost.com/a-b-c")
