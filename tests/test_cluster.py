"""Syndication clusters on real archive files (and, end to end, a crawl of two local hosts)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from scraper.cluster import MIN_WORDS, assign_clusters, shingles, signature
from scraper.config import Settings
from scraper.errors import StoreError, UsageError
from scraper.extract import content_hash
from scraper.models import Article
from scraper.store import Archive

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
_VOCAB = [f"w{i}" for i in range(400)]


def text(seed: int, words: int = 240) -> str:
    """A body of ``words`` words in paragraphs of 40, reproducible from ``seed``."""
    rng = random.Random(seed)
    tokens = [rng.choice(_VOCAB) for _ in range(words)]
    return "\n\n".join(" ".join(tokens[i : i + 40]) for i in range(0, words, 40))


def republished(body: str) -> str:
    """The same story as another site prints it: a changed word, a closing paragraph, other case."""
    paragraphs = body.split("\n\n")
    paragraphs[0] = paragraphs[0].replace(paragraphs[0].split()[3], "Changed", 1).upper()
    return "\n\n".join([*paragraphs, "This story was first published by a partner outlet."])


def save(archive: Archive, url: str, body: str) -> str:
    article = Article(url=url, headline=url.rsplit("/", 1)[1], body=body, word_count=len(body.split()),
                      content_hash=content_hash(url, body))
    return archive.save_article(article)


def clusters(archive: Archive) -> dict[str, str]:
    return dict(archive.db.execute("SELECT url, cluster_id FROM articles").fetchall())


STORIES = {
    "https://kazpost.example.com/story-one-here": text(1),
    "https://mocten.example.com/story-one-here": republished(text(1)),
    "https://londondaily.example.com/story-one-here": republished(text(1)).replace("\n\nThis story", " Also"),
    "https://kazpost.example.com/story-two-here": text(2),
    "https://kazpost.example.com/short-one-here": text(3, words=30),
    "https://mocten.example.com/short-one-here": text(3, words=30),
}
ONE = sorted(u for u in STORIES if u.endswith("story-one-here"))


def test_copies_share_a_cluster_and_others_do_not(tmp_path: Path) -> None:
    with Archive(tmp_path / "a.db") as archive:
        for url, body in STORIES.items():
            save(archive, url, body)
        assert assign_clusters(archive) == len(STORIES)
        got = clusters(archive)
    assert {got[u] for u in ONE} == {ONE[0]}  # smallest member url
    others = [u for u in STORIES if u not in ONE]
    assert all(got[u] == u for u in others)  # unrelated and short bodies: alone


def test_ids_do_not_depend_on_insertion_order_and_rerun_is_a_no_op(tmp_path: Path) -> None:
    results = []
    for name, order in (("fwd.db", list(STORIES)), ("rev.db", list(reversed(STORIES)))):
        with Archive(tmp_path / name) as archive:
            for url in order:
                save(archive, url, STORIES[url])
                assign_clusters(archive)  # incremental, one arrival at a time
            first = clusters(archive)
            assert assign_clusters(archive) == 0
            assert clusters(archive) == first
            results.append(first)
    assert results[0] == results[1]


def test_a_new_member_that_sorts_first_relabels_the_cluster(tmp_path: Path) -> None:
    with Archive(tmp_path / "a.db") as archive:
        save(archive, ONE[2], STORIES[ONE[2]])
        save(archive, ONE[1], STORIES[ONE[1]])
        assert assign_clusters(archive) == 2
        assert set(clusters(archive).values()) == {ONE[1]}
        save(archive, ONE[0], STORIES[ONE[0]])
        assert assign_clusters(archive) == 3  # the newcomer and both relabelled members
        assert set(clusters(archive).values()) == {ONE[0]}
        assert archive.db.execute("SELECT count(*) FROM minhashes").fetchone()[0] == 3


def test_a_rewritten_member_leaves_its_cluster(tmp_path: Path) -> None:
    with Archive(tmp_path / "a.db") as archive:
        for url in ONE:
            save(archive, url, STORIES[url])
        assign_clusters(archive)
        assert save(archive, ONE[0], text(99)) == "updated"
        assert assign_clusters(archive) == 2  # found via content_hash; it keeps its own url as id, the others move
        got = clusters(archive)
    assert got[ONE[0]] == ONE[0] and got[ONE[1]] == got[ONE[2]] == ONE[1]


def test_given_urls_are_reexamined_and_unknown_ones_refused(tmp_path: Path) -> None:
    with Archive(tmp_path / "a.db") as archive:
        for url in ONE:
            save(archive, url, STORIES[url])
        assign_clusters(archive)
        assert assign_clusters(archive, [ONE[1]]) == 0  # examined again, nothing to change
        with pytest.raises(StoreError):
            assign_clusters(archive, ["https://nowhere.example.com/no-such-story"])
        with pytest.raises(UsageError):
            assign_clusters(archive, threshold=1.5)


def test_shingles_normalise_and_short_bodies_have_no_signature() -> None:
    body = text(5)
    assert shingles(body) == shingles(body.upper().replace(" ", "  ,"))
    assert signature(text(5, words=MIN_WORDS - 1)) is None
    assert signature(body) == signature(body) and signature(body) != signature(text(6))


def _built(folder: str) -> bool:
    return (FIXTURES / folder / "index.html").is_file()


@pytest.mark.skipif(not (_built("site") and _built("sibling")), reason="fixture site not built")
def test_crawl_of_two_hosts_clusters_the_syndicated_story(tmp_path: Path) -> None:
    from scraper.runner import run_archive
    from scraper.serve import StaticSite

    path = "/kyrgyzstan-issyk-kul-water-level-falls-to-decade-low-scientists-warn"
    db = tmp_path / "a.db"
    with StaticSite(FIXTURES / "site") as site, StaticSite(FIXTURES / "sibling") as sibling:
        run_archive(db, [site.url("/"), sibling.url("/")], Settings(delay=0, concurrency=4, workers=0))
        copies = {site.url(path), sibling.url(path)}
    with Archive(db) as archive:
        assign_clusters(archive)
        got = clusters(archive)
    assert copies <= set(got)
    assert {got[u] for u in copies} == {min(copies)}
    assert sum(1 for u, c in got.items() if c == min(copies)) == 2  # nothing else joined
