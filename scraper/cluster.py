"""Syndication clusters: the same story archived from several sites.

Each article body is normalised (NFKC, case-folded, words only), cut into
word 5-shingles and summarised by a MinHash (datasketch, 128 permutations,
fixed seed). Signatures are kept in a ``minhashes`` table of the archive, so a
run only computes them for new or changed articles; a MinHashLSH index rebuilt
from the stored signatures finds candidates, and a candidate pair is linked
when its estimated Jaccard similarity reaches the threshold.

A cluster is a connected component of that graph and its id is the smallest
member URL. The graph does not depend on the order articles arrived in, so
the ids don't either; when a new member sorts first, the cluster is relabelled.
Bodies under 50 words are never linked: each is a cluster of its own.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

import datasketch
import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

from scraper.errors import StoreError, UsageError

if TYPE_CHECKING:
    from scraper.store import Archive

__all__ = ["assign_clusters", "signature", "shingles", "MIN_WORDS", "NUM_PERM", "SEED", "SHINGLE"]

NUM_PERM = 128
SEED = 1
SHINGLE = 5
MIN_WORDS = 50
_BATCH = 500
_WORD = re.compile(r"\w+")
_TABLE = "minhashes"


def shingles(body: str) -> list[bytes]:
    """The distinct word 5-shingles of the normalised body (empty under MIN_WORDS words)."""
    words = _WORD.findall(unicodedata.normalize("NFKC", body).casefold())
    if len(words) < MIN_WORDS:
        return []
    return sorted({" ".join(words[i : i + SHINGLE]).encode("utf-8") for i in range(len(words) - SHINGLE + 1)})


class _Hasher:
    """MinHash factory sharing one set of permutations (making them is the slow part)."""

    def __init__(self) -> None:
        self.template = MinHash(num_perm=NUM_PERM, seed=SEED)
        self.scheme: str = self.template.scheme
        # Stored signatures are only comparable under the same parameters and library scheme.
        self.tag = f"w{SHINGLE}-p{NUM_PERM}-s{SEED}-{self.scheme}-datasketch{datasketch.__version__.split('.')[0]}"

    def signature(self, body: str) -> bytes | None:
        grams = shingles(body)
        if not grams:
            return None
        minhash = MinHash(num_perm=NUM_PERM, seed=SEED, permutations=self.template.permutations, scheme=self.scheme)
        minhash.update_batch(grams)
        return bytes(minhash.hashvalues.tobytes())

    def load(self, blob: bytes) -> LeanMinHash:
        values = np.frombuffer(blob, dtype=self.template.hashvalues.dtype)
        return LeanMinHash(seed=SEED, hashvalues=values, scheme=self.scheme)


def signature(body: str) -> bytes | None:
    """The stored form of a body's MinHash, or None for a body under MIN_WORDS words."""
    return _Hasher().signature(body)


def _ensure_table(archive: Archive) -> None:
    with archive.transaction():
        archive.db.execute(
            f"CREATE TABLE IF NOT EXISTS {_TABLE} (url TEXT PRIMARY KEY, content_hash TEXT,"
            " scheme TEXT NOT NULL, signature BLOB)"
        )


def _pending(archive: Archive, tag: str) -> list[str]:
    """Articles never clustered, or whose text (or the MinHash scheme) changed since."""
    rows = archive.db.execute(
        f"SELECT a.url FROM articles a LEFT JOIN {_TABLE} m ON m.url = a.url"
        " WHERE a.cluster_id IS NULL OR m.url IS NULL OR m.content_hash IS NOT a.content_hash"
        " OR m.scheme IS NOT ? ORDER BY a.first_archived_at, a.url",
        [tag],
    )
    return [row[0] for row in rows]


def _chunks(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), _BATCH):
        yield items[start : start + _BATCH]


def _store_signatures(archive: Archive, urls: Sequence[str], hasher: _Hasher) -> None:
    """Compute and store the signatures of ``urls``, one batch per transaction."""
    for chunk in _chunks(urls):
        marks = ", ".join("?" for _ in chunk)
        rows = archive.db.execute(
            f"SELECT url, content_hash, body FROM articles WHERE url IN ({marks})", list(chunk)
        ).fetchall()
        missing = set(chunk) - {row[0] for row in rows}
        if missing:
            raise StoreError(f"cannot cluster: {len(missing)} unknown article(s)", url=min(missing))
        with archive.transaction():
            archive.db.conn.executemany(
                f"INSERT OR REPLACE INTO {_TABLE} (url, content_hash, scheme, signature) VALUES (?, ?, ?, ?)",
                [(url, content_hash, hasher.tag, hasher.signature(body or "")) for url, content_hash, body in rows],
            )


def _load_index(archive: Archive, hasher: _Hasher, threshold: float) -> tuple[MinHashLSH, dict[str, LeanMinHash]]:
    """The LSH index and signatures of every article long enough to be linked."""
    index = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    signatures: dict[str, LeanMinHash] = {}
    rows = archive.db.execute(
        f"SELECT m.url, m.signature FROM {_TABLE} m JOIN articles a ON a.url = m.url"
        " WHERE m.signature IS NOT NULL AND m.scheme = ? ORDER BY m.url",
        [hasher.tag],
    )
    with index.insertion_session() as session:
        for url, blob in rows:
            signatures[url] = hasher.load(blob)
            session.insert(url, signatures[url])
    return index, signatures


def _component(start: str, index: MinHashLSH, signatures: dict[str, LeanMinHash], threshold: float) -> set[str]:
    """Every article linked to ``start`` through pairs at or above the threshold."""
    seen, todo = {start}, [start]
    while todo:
        url = todo.pop()
        if url not in signatures:
            continue  # a short body: linked to nothing
        for other in index.query(signatures[url]):
            if other not in seen and signatures[url].jaccard(signatures[other]) >= threshold:
                seen.add(other)
                todo.append(other)
    return seen


def _old_mates(archive: Archive, urls: Sequence[str]) -> list[str]:
    """Members of the clusters ``urls`` belonged to (they may have to be split or relabelled)."""
    mates: set[str] = set()
    for chunk in _chunks(urls):
        marks = ", ".join("?" for _ in chunk)
        mates.update(row[0] for row in archive.db.execute(
            "SELECT url FROM articles WHERE cluster_id IN"
            f" (SELECT cluster_id FROM articles WHERE url IN ({marks}) AND cluster_id IS NOT NULL)",
            list(chunk),
        ))
    return sorted(mates - set(urls))


def _relabel(archive: Archive, seeds: Iterable[str], index: MinHashLSH, signatures: dict[str, LeanMinHash],
             threshold: float) -> int:
    """Give each component reached from ``seeds`` its id; return how many articles changed."""
    done: set[str] = set()
    changed = 0
    with archive.transaction():
        for seed in seeds:
            if seed in done:
                continue
            members = _component(seed, index, signatures, threshold)
            done |= members
            label = min(members)
            ordered = sorted(members)
            for chunk in _chunks(ordered):
                marks = ", ".join("?" for _ in chunk)
                current = dict(archive.db.execute(
                    f"SELECT url, cluster_id FROM articles WHERE url IN ({marks})", list(chunk)
                ).fetchall())
                for url in chunk:
                    if url in current and current[url] != label:
                        archive.set_cluster(url, label)
                        changed += 1
    return changed


def assign_clusters(archive: Archive, urls: Sequence[str] | None = None, *, threshold: float = 0.8) -> int:
    """Put new or changed articles (or just ``urls``) into syndication clusters.

    Incremental: only articles without a cluster id, without a stored signature,
    or whose ``content_hash`` changed since their signature was stored are
    (re)examined, unless ``urls`` names the ones to examine. Deterministic: the
    same archive gives the same ids whatever the order of arrival.

    Returns:
        How many articles got a new or different ``cluster_id``.

    Raises:
        UsageError: ``threshold`` is not in (0, 1].
        StoreError: a url in ``urls`` is not an archived article, or SQLite failed.
    """
    if not 0 < threshold <= 1:
        raise UsageError(f"threshold must be in (0, 1], not {threshold}")
    hasher = _Hasher()
    _ensure_table(archive)
    pending = _pending(archive, hasher.tag) if urls is None else sorted(set(urls))
    if not pending:
        return 0
    _store_signatures(archive, pending, hasher)
    index, signatures = _load_index(archive, hasher, threshold)
    return _relabel(archive, [*pending, *_old_mates(archive, pending)], index, signatures, threshold)
