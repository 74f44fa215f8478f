"""Syndication clusters on real archive files (and, end to end, a crawl of two local hosts)."""

from __future__ import annotations

import random
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from scraper.config import Settings
from scraper.errors import StoreError, UsageError
from scraper.extractor.article import content_hash
from scraper.models import Article
from scraper.store import clusters as cluster
from scraper.store.archive import Archive
from scraper.store.clusters import (
    BANDS,
    MIN_WORDS,
    NUM_PERM,
    ROWS,
    SCHEME,
    SEED,
    assign_clusters,
    band_keys,
    save_signature,
    shingle_hashes,
    shingles,
    signature,
)

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
    from scraper.crawler.runs import run_archive
    from scraper.research.demo_site import StaticSite

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


# -- signatures saved by the crawler, band keys in SQLite, memory ---------------------------------


def save_with_signature(archive: Archive, url: str, body: str) -> str:
    """What the crawler does: save the article, then its signature (computed in a worker)."""
    outcome = save(archive, url, body)
    save_signature(archive, url, content_hash(url, body), signature(body))
    return outcome


def test_saved_signatures_give_the_same_ids_and_are_not_recomputed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Archive(tmp_path / "self.db") as archive:
        for url, body in STORIES.items():
            save(archive, url, body)
        assign_clusters(archive)
        expected = clusters(archive)
        stored = archive.db.execute("SELECT url, content_hash, signature FROM minhashes ORDER BY url").fetchall()
    with Archive(tmp_path / "saved.db") as archive:
        with archive.transaction():
            for url, body in reversed(STORIES.items()):
                save_with_signature(archive, url, body)

        def refuse(body: str) -> bytes | None:
            raise AssertionError("a saved signature was computed again")

        monkeypatch.setattr(cluster, "signature", refuse)
        assert assign_clusters(archive) == len(STORIES)
        assert clusters(archive) == expected
        assert archive.db.execute(
            "SELECT url, content_hash, signature FROM minhashes ORDER BY url").fetchall() == stored


def test_a_changed_article_saved_by_the_crawler_is_placed_again(tmp_path: Path) -> None:
    with Archive(tmp_path / "a.db") as archive:
        for url in ONE:
            save_with_signature(archive, url, STORIES[url])
        assign_clusters(archive)
        assert set(clusters(archive).values()) == {ONE[0]}
        assert save_with_signature(archive, ONE[1], text(77)) == "updated"
        assert assign_clusters(archive) == 1
        got = clusters(archive)
        assert got[ONE[1]] == ONE[1] and got[ONE[0]] == got[ONE[2]] == ONE[0]
        save_with_signature(archive, ONE[1], STORIES[ONE[1]])  # and back again
        assert assign_clusters(archive) == 1
        assert set(clusters(archive).values()) == {ONE[0]}


def test_a_replaced_signature_leaves_no_band_keys_behind(tmp_path: Path) -> None:
    url = ONE[0]
    with Archive(tmp_path / "a.db") as archive:
        save(archive, url, text(1))
        first, second = signature(text(1)), signature(text(2))
        assert first is not None and second is not None
        save_signature(archive, url, "h1", first)
        save_signature(archive, url, "h2", second)
        rows = archive.db.execute(
            "SELECT b.key FROM minhash_bands b JOIN minhashes m ON m.id = b.id WHERE m.url = ?", [url]
        ).fetchall()
        assert sorted(row[0] for row in rows) == sorted(band_keys(second))
        assert archive.db.execute("SELECT count(*) FROM minhash_bands").fetchone()[0] == BANDS
        save_signature(archive, url, "h3", None)  # now too short to be linked
        assert archive.db.execute("SELECT count(*) FROM minhash_bands").fetchone()[0] == 0
        with pytest.raises(UsageError):
            save_signature(archive, url, "h4", b"\x00" * 10)


def test_a_new_scheme_or_an_old_table_recomputes_everything(tmp_path: Path) -> None:
    with Archive(tmp_path / "a.db") as archive:
        # The layout before band keys were stored: replaced, and every article examined.
        archive.db.execute("CREATE TABLE minhashes (url TEXT PRIMARY KEY, content_hash TEXT, scheme TEXT NOT NULL,"
                           " signature BLOB)")
        archive.db.execute("INSERT INTO minhashes VALUES ('https://old.example.com/x', 'h', 'old', x'00')")
        for url, body in STORIES.items():
            save(archive, url, body)
        assert assign_clusters(archive) == len(STORIES)
        expected = clusters(archive)
        with archive.transaction():
            archive.db.execute("UPDATE cluster_state SET value = 'w5-an-older-scheme' WHERE key = 'scheme'")
            archive.db.execute("UPDATE minhashes SET signature = zeroblob(512)")  # what old code would compare
        assert assign_clusters(archive) == 0  # all re-examined, nothing moved
        assert clusters(archive) == expected
        assert archive.db.execute("SELECT count(*) FROM minhashes WHERE scheme = ?", [SCHEME]).fetchone()[0] == len(
            STORIES)


def test_signature_is_datasketch_minhash_and_bands_are_its_lsh_parameters() -> None:
    from datasketch import MinHash
    from datasketch.lsh import _optimal_param

    assert (BANDS, ROWS) == _optimal_param(0.8, NUM_PERM, 0.5, 0.5)
    body = text(8)
    reference = MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=int, scheme="affine32")
    reference.update_batch([int(h) for h in shingle_hashes(body)])
    sig = signature(body)
    assert sig is not None and np.array_equal(np.frombuffer(sig, dtype="<u4"), reference.hashvalues)
    assert len(set(shingle_hashes(body).tolist())) == len(shingles(body))  # no shingle collides here


def test_clusters_are_the_components_datasketch_lsh_finds(tmp_path: Path) -> None:
    from datasketch import LeanMinHash, MinHashLSH

    rng = random.Random(3)
    bodies: dict[str, str] = {}
    for story in range(12):
        base = text(100 + story, words=300).split()
        for copy in range(4):  # copies edited more and more: some pairs fall on either side of 0.8
            words = list(base)
            for _ in range(copy * rng.randint(1, 6)):
                words[rng.randrange(len(words))] = rng.choice(_VOCAB)
            bodies[f"https://site{copy}.example.com/story-{story}"] = " ".join(words)
    with Archive(tmp_path / "a.db") as archive:
        for url, body in bodies.items():
            save(archive, url, body)
        assign_clusters(archive)
        got = clusters(archive)
    hashes = {url: LeanMinHash(seed=SEED, hashvalues=np.frombuffer(signature(body) or b"", dtype="<u4"),
                               scheme="affine32") for url, body in bodies.items()}
    index = MinHashLSH(threshold=0.8, num_perm=NUM_PERM)
    for url, minhash in hashes.items():
        index.insert(url, minhash)
    expected: dict[str, str] = {}
    for url in sorted(bodies):  # the components of the graph as the code before stored band keys built it
        if url in expected:
            continue
        seen, todo = {url}, [url]
        while todo:
            mine = hashes[todo.pop()]
            for other in index.query(mine):
                if other not in seen and mine.jaccard(hashes[other]) >= 0.8:
                    seen.add(other)
                    todo.append(other)
        expected.update({member: min(seen) for member in seen})
    assert got == expected
    assert 1 < len(set(got.values())) < len(bodies)  # some copies joined, some fell out


def _fill(archive: Archive, count: int) -> list[tuple[str, str]]:
    """``count`` short unrelated articles, each already alone in its cluster, and their signatures."""
    rows = [(f"https://stored{i % 50}.example.com/story-{i}", text(10_000 + i, words=60)) for i in range(count)]
    with archive.transaction():
        archive.db.conn.executemany(
            "INSERT INTO articles (url, headline, body, word_count, content_hash, version, cluster_id)"
            " VALUES (?, ?, ?, ?, ?, 1, ?)",
            [(url, "h", body, 60, content_hash(url, body), url) for url, body in rows],
        )
        for url, body in rows:
            save_signature(archive, url, content_hash(url, body), signature(body))
    return rows


@pytest.mark.slow  # about 15 s, mostly filling the archive (20,000 rows, their FTS text and band keys)
def test_placing_200_new_articles_among_20000_is_quick_and_small(tmp_path: Path) -> None:
    with Archive(tmp_path / "a.db") as archive:
        stored = _fill(archive, 20_000)
        assert assign_clusters(archive) == 0  # every stored article examined once, all alone already
        rng = random.Random(5)
        copied = rng.sample(stored, 50)
        arrivals = [(url.replace("stored", "copy"), body.upper() + "\n\nShared.") for url, body in copied]
        arrivals += [(f"https://new.example.com/story-{i}", text(50_000 + i, words=400)) for i in range(150)]
        with archive.transaction():
            for url, body in arrivals:
                save_with_signature(archive, url, body)
        tracemalloc.start()
        started = time.perf_counter()
        changed = assign_clusters(archive)
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        got = clusters(archive)
    assert peak < 20 * 2**20, f"peak {peak / 2**20:.1f} MB"
    assert elapsed < 3, f"{elapsed:.2f} s"
    # Copies sort before their originals ("copy" < "stored"): both change, the rest are alone.
    assert changed == 200 + 50
    assert all(got[url] == got[copy] == min(url, copy) for (url, _), (copy, _) in zip(copied, arrivals))
    assert all(got[url] == url for url, _ in arrivals[50:])


def test_many_identical_copies_are_one_cluster_looked_up_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lookups: list[bytes] = []
    real = cluster._candidates

    def counted(archive: Archive, sig: bytes) -> list[tuple[str, bytes]]:
        lookups.append(sig)
        return real(archive, sig)

    monkeypatch.setattr(cluster, "_candidates", counted)
    urls = [f"https://host{i:03}.example.com/page-not-found" for i in range(300)]
    with Archive(tmp_path / "a.db") as archive:
        with archive.transaction():
            for i, url in enumerate(urls):
                save(archive, url, text(4) + (" Read more." if i % 2 else ""))  # two texts, 150 copies each
        assert assign_clusters(archive) == len(urls)
        assert set(clusters(archive).values()) == {urls[0]}
    assert len(lookups) == len(set(lookups)) == 2


def test_an_article_saved_while_signatures_are_computed_is_placed_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = cluster._compute
    late = ONE[0]

    def meanwhile(archive: Archive, urls: list[str]) -> None:
        real(archive, urls)
        if archive.get_article(late) is None:  # another writer, between the unlocked part and the locked one
            save_with_signature(archive, late, STORIES[late])

    monkeypatch.setattr(cluster, "_compute", meanwhile)
    with Archive(tmp_path / "a.db") as archive:
        for url in ONE[1:]:
            save(archive, url, STORIES[url])
        assert assign_clusters(archive) == 3
        assert set(clusters(archive).values()) == {late}
        assert archive.db.execute("SELECT count(*) FROM cluster_pending").fetchone()[0] == 0
