"""Regression corpus: small hand-written pages in ``tests/pages/``, one pattern each.

Every ``<name>.html`` has a ``<name>.json`` with the fields the extractor must
produce (``fields``), body facts (``paragraph_count``, ``first_paragraph``,
``last_paragraph``), snippets that must / must not appear in lede + body, and
the related links in page order (``related_urls``).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from scraper.extractor.article import extract
from scraper.models import Article

PAGES = Path(__file__).parent / "pages"
NAMES = sorted(p.stem for p in PAGES.glob("*.json"))


def _spec(name: str) -> dict[str, Any]:
    spec: dict[str, Any] = json.loads(
        (PAGES / f"{name}.json").read_text(encoding="utf-8")
    )
    return spec


@cache
def _article(name: str) -> Article:
    spec = _spec(name)
    data = (PAGES / f"{name}.html").read_bytes()
    return extract(data, spec["url"], content_type=spec.get("content_type"))


FIELD_CASES = [(name, field) for name in NAMES for field in _spec(name)["fields"]]


def test_corpus_is_not_empty() -> None:
    assert len(NAMES) >= 8
    for name in NAMES:
        assert (PAGES / f"{name}.html").is_file(), name


@pytest.mark.parametrize(
    ("name", "field"), FIELD_CASES, ids=[f"{n}-{f}" for n, f in FIELD_CASES]
)
def test_field(name: str, field: str) -> None:
    spec = _spec(name)
    got = getattr(_article(name), field)
    if field == "language" and got:
        got = got.split("-")[0]  # "en-GB" counts as "en"
    assert got == spec["fields"][field]


@pytest.mark.parametrize("name", NAMES)
def test_body(name: str) -> None:
    spec, article = _spec(name), _article(name)
    paragraphs = article.paragraphs
    if "paragraph_count" in spec:
        assert len(paragraphs) == spec["paragraph_count"], paragraphs
    if "first_paragraph" in spec:
        assert paragraphs[0] == spec["first_paragraph"]
    if "last_paragraph" in spec:
        assert paragraphs[-1] == spec["last_paragraph"]
    text = (article.lede or "") + "\n\n" + article.body
    for snippet in spec.get("must_contain", []):
        assert snippet in text, snippet
    for snippet in spec.get("must_not_contain", []):
        assert snippet not in article.body, snippet
        if snippet not in (spec["fields"].get("lede") or ""):
            assert snippet not in (article.lede or ""), snippet


@pytest.mark.parametrize("name", [n for n in NAMES if "related_urls" in _spec(n)])
def test_related(name: str) -> None:
    article = _article(name)
    assert [link["url"] for link in article.related] == _spec(name)["related_urls"]
    assert all(link["title"] for link in article.related)


@pytest.mark.parametrize("name", NAMES)
def test_record_is_consistent(name: str) -> None:
    article = _article(name)
    assert article.url == _spec(name)["url"]
    assert article.extractor_version
    assert len(article.content_hash) == 64
    assert article.word_count >= len(article.body.split()) // 2
