"""Syndication clusters: the same story archived from several sites.

Each article body is normalised (NFKC, case-folded, words only) and cut into
word 5-shingles; a shingle is hashed to 32 bits from the CRC-32s of its words,
and the body is summarised by a 128-value MinHash (datasketch's ``affine32``
scheme: MurmurHash3 finaliser, then ``a * h + b mod 2**32`` per permutation).

Everything lives in the archive, so memory does not grow with it:

- ``minhashes``: one row per article (url, content_hash, scheme, signature);
- ``minhash_bands``: the LSH band keys (9 bands of 13 values, what datasketch's
  ``MinHashLSH`` picks for threshold 0.8 and 128 permutations), one 64-bit key
  per band, so candidates are found with an index lookup;
- ``cluster_pending``: articles to (re)place, filled by triggers on ``articles``
  (insert, or a changed ``content_hash``) and by :func:`save_signature`.

A candidate pair is linked when its estimated Jaccard similarity reaches the
threshold. A cluster is a connected component of that graph, walked through SQL
lookups from the pending articles and from the old mates of changed ones (a
cluster may split); its id is the smallest member URL, so ids do not depend on
the order of arrival. Bodies under 50 words are never linked.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import unicodedata
import zlib
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Final

import numpy as np
import numpy.typing as npt

from scraper.errors import StoreError, UsageError
from scraper.store.query import store_errors

if TYPE_CHECKING:
    from scraper.store.archive import Archive

__all__ = ["BANDS", "MIN_WORDS", "NUM_PERM", "ROWS", "SCHEME", "SEED", "SHINGLE", "assign_clusters", "band_keys",
           "save_signature", "save_signatures", "shingle_hashes", "shingles", "signature"]

NUM_PERM = 128
SEED = 1
SHINGLE = 5
MIN_WORDS = 50
#: LSH banding: datasketch.lsh._optimal_param(0.8, 128, 0.5, 0.5) == (9, 13).
#: Band keys are stored, so they are fixed; a threshold under 0.8 loses recall.
BANDS, ROWS = 9, 13
#: Stored with each signature: a change of any parameter makes them all stale.
SCHEME: Final = f"w{SHINGLE}-p{NUM_PERM}-s{SEED}-crc32mix-affine32-b{BANDS}r{ROWS}"

_DTYPE: Final = np.dtype("<u4")
_BATCH = 500
_WORD = re.compile(r"\w+")
_U32 = np.uint32


def _constants() -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint32], npt.NDArray[np.uint64]]:
    """Permutations ``(a, b)`` made as datasketch makes them, and the shingle mixing weights."""
    gen = np.random.RandomState(SEED)  # the legacy generator: its stream never changes
    a = gen.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * _U32(2) + _U32(1)  # odd: a bijection
    b = gen.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    # Odd 64-bit weights, one per shingle position, so word order matters.
    mix = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93,
                    0xFF51AFD7ED558CCD], dtype=np.uint64)[:SHINGLE]
    for array in (a, b, mix):
        array.flags.writeable = False
    return a, b, mix


_PERM_A, _PERM_B, _MIX = _constants()


def _words(body: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFKC", body).casefold())


def shingles(body: str) -> list[bytes]:
    """The distinct word 5-shingles of the normalised body (empty under MIN_WORDS words)."""
    words = _words(body)
    if len(words) < MIN_WORDS:
        return []
    return sorted({" ".join(words[i : i + SHINGLE]).encode("utf-8") for i in range(len(words) - SHINGLE + 1)})


def shingle_hashes(body: str) -> npt.NDArray[np.uint32]:
    """32-bit hashes of the body's word 5-shingles (empty under MIN_WORDS words)."""
    words = _words(body)
    if len(words) < MIN_WORDS:
        return np.empty(0, dtype=np.uint32)
    crc = zlib.crc32
    per_word = np.fromiter((crc(word.encode("utf-8")) for word in words), dtype=np.uint64, count=len(words))
    count = len(words) - SHINGLE + 1
    # A weighted sum of the words' CRCs (wrapping mod 2**64), folded to 32 bits:
    # one vector operation per position instead of a string and a hash per shingle.
    total = per_word[:count] * _MIX[0]
    for k in range(1, SHINGLE):
        total += per_word[k : k + count] * _MIX[k]
    folded: npt.NDArray[np.uint32] = ((total >> np.uint64(32)) ^ total).astype(np.uint32)
    return folded


def _minhash(hashes: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint32]:
    """datasketch's affine32 MinHash of already hashed values (numpy wraps mod 2**32)."""
    h = hashes ^ (hashes >> _U32(16))  # a new array: the caller's is left alone
    h *= _U32(0x85EBCA6B)
    h ^= h >> _U32(13)
    h *= _U32(0xC2B2AE35)
    h ^= h >> _U32(16)
    return np.asarray((h[:, None] * _PERM_A + _PERM_B).min(axis=0), dtype=np.uint32)


def signature(body: str) -> bytes | None:
    """The stored form of a body's MinHash (NUM_PERM little-endian uint32), or None under MIN_WORDS words."""
    hashes = shingle_hashes(body)
    if not len(hashes):
        return None
    return _minhash(hashes).astype(_DTYPE).tobytes()


def band_keys(sig: bytes) -> list[int]:
    """The signature's LSH keys: one signed 64-bit hash per band, of the band number and its values."""
    width = ROWS * _DTYPE.itemsize
    return [
        int.from_bytes(hashlib.blake2b(bytes([band]) + sig[band * width : (band + 1) * width], digest_size=8)
                       .digest(), "little", signed=True)
        for band in range(BANDS)
    ]


def _values(sig: bytes) -> npt.NDArray[np.uint32]:
    return np.frombuffer(sig, dtype=_DTYPE)


def _check(sig: bytes | None, url: str) -> None:
    if sig is not None and len(sig) != NUM_PERM * _DTYPE.itemsize:
        raise UsageError(f"a signature is {NUM_PERM * _DTYPE.itemsize} bytes, not {len(sig)}", url=url)


# -- tables ---------------------------------------------------------------

_TABLES = (
    ("CREATE TABLE minhashes (id INTEGER PRIMARY KEY, url TEXT NOT NULL UNIQUE, content_hash TEXT,"
     " scheme TEXT NOT NULL, signature BLOB)"),
    "CREATE TABLE minhash_bands (key INTEGER NOT NULL, id INTEGER NOT NULL, PRIMARY KEY (key, id)) WITHOUT ROWID",
    "CREATE TABLE cluster_pending (url TEXT PRIMARY KEY) WITHOUT ROWID",
    # Triggers, so a save by any code path (crawl, re-extraction, WARC import) queues the article.
    ("CREATE TRIGGER cluster_pending_ai AFTER INSERT ON articles"
     " BEGIN INSERT OR IGNORE INTO cluster_pending (url) VALUES (new.url); END"),
    ("CREATE TRIGGER cluster_pending_au AFTER UPDATE OF content_hash ON articles"
     " WHEN new.content_hash IS NOT old.content_hash"
     " BEGIN INSERT OR IGNORE INTO cluster_pending (url) VALUES (new.url); END"),
)
_DROP = (
    "DROP TRIGGER IF EXISTS cluster_pending_ai", "DROP TRIGGER IF EXISTS cluster_pending_au",
    "DROP TABLE IF EXISTS minhashes", "DROP TABLE IF EXISTS minhash_bands", "DROP TABLE IF EXISTS cluster_pending",
)


def _current(archive: Archive) -> bool:
    try:
        row = archive.db.execute("SELECT value FROM cluster_state WHERE key = 'scheme'").fetchone()
    except sqlite3.OperationalError:
        return False  # no such table: an archive never clustered, or clustered before the bands
    return row is not None and row[0] == SCHEME


def _ensure_tables(archive: Archive) -> None:
    """Create the tables, or rebuild them (every article queued) when the scheme changed."""
    if _current(archive):
        return
    with archive.transaction(), store_errors("cannot create cluster tables", str(archive.path)):
        if _current(archive):
            return  # another writer got there first
        for sql in (*_DROP, *_TABLES):
            archive.db.execute(sql)
        archive.db.execute("CREATE TABLE IF NOT EXISTS cluster_state (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        archive.db.execute("INSERT OR REPLACE INTO cluster_state (key, value) VALUES ('scheme', ?)", [SCHEME])
        archive.db.execute("INSERT INTO cluster_pending (url) SELECT url FROM articles")


def _store(archive: Archive, url: str, content_hash: str | None, sig: bytes | None) -> None:
    """Replace the url's signature and band keys and queue it (caller holds a transaction)."""
    db = archive.db
    old = db.execute("SELECT id, content_hash, scheme, signature FROM minhashes WHERE url = ?", [url]).fetchone()
    if old is not None and (old[1], old[2], old[3]) == (content_hash, SCHEME, sig):
        return
    if old is None:
        row_id = db.execute(
            "INSERT INTO minhashes (url, content_hash, scheme, signature) VALUES (?, ?, ?, ?)",
            [url, content_hash, SCHEME, sig],
        ).lastrowid
    else:
        row_id = old[0]
        if old[3] is not None:
            db.conn.executemany("DELETE FROM minhash_bands WHERE key = ? AND id = ?",
                                [(key, row_id) for key in band_keys(old[3])])
        db.execute("UPDATE minhashes SET content_hash = ?, scheme = ?, signature = ? WHERE id = ?",
                   [content_hash, SCHEME, sig, row_id])
    if sig is not None:
        db.conn.executemany("INSERT OR IGNORE INTO minhash_bands (key, id) VALUES (?, ?)",
                            [(key, row_id) for key in band_keys(sig)])
    db.execute("INSERT OR IGNORE INTO cluster_pending (url) VALUES (?)", [url])


def save_signature(archive: Archive, url: str, content_hash: str, signature: bytes | None) -> None:
    """Store ``signature`` (from :func:`signature`) for the article at ``url`` and queue it for placing.

    Cheap (a few inserts), meant for the crawler's write transaction; replaces the
    url's older signature and band keys. :func:`assign_clusters` places it later.

    Raises:
        UsageError: ``signature`` is not a signature.
        StoreError: SQLite failed.
    """
    save_signatures(archive, [(url, content_hash, signature)])


def save_signatures(archive: Archive, items: Sequence[tuple[str, str, bytes | None]]) -> None:
    """:func:`save_signature` for each (url, content_hash, signature), in one transaction (for loaders)."""
    for url, _hash, sig in items:
        _check(sig, url)
    _ensure_tables(archive)
    with archive.transaction(), store_errors("cannot save signatures", items[0][0] if len(items) == 1 else None):
        for url, content_hash, sig in items:
            _store(archive, url, content_hash, sig)


# -- placing --------------------------------------------------------------


def _chunks(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), _BATCH):
        yield items[start : start + _BATCH]


def _marks(items: Sequence[object]) -> str:
    return ", ".join("?" for _ in items)


def _examine(archive: Archive, urls: Sequence[str], *, strict: bool) -> tuple[list[str], list[str]]:
    """Those of ``urls`` that are articles, and those whose signature is missing or stale."""
    found: list[str] = []
    stale: list[str] = []
    for chunk in _chunks(urls):
        rows = archive.db.execute(
            "SELECT a.url, a.content_hash IS m.content_hash AND m.scheme IS ? FROM articles a"
            f" LEFT JOIN minhashes m ON m.url = a.url WHERE a.url IN ({_marks(chunk)})", [SCHEME, *chunk]
        ).fetchall()
        missing = set(chunk) - {row[0] for row in rows}
        if missing and strict:
            raise StoreError(f"cannot cluster: {len(missing)} unknown article(s)", url=min(missing))
        found.extend(url for url, _ in rows)
        stale.extend(url for url, fresh in rows if not fresh)
    return sorted(found), stale


def _compute(archive: Archive, urls: Sequence[str]) -> None:
    """Compute and store the signatures of ``urls``, one transaction per batch."""
    for chunk in _chunks(urls):
        rows = archive.db.execute(
            f"SELECT url, content_hash, body FROM articles WHERE url IN ({_marks(chunk)})", list(chunk)
        ).fetchall()
        signed = [(url, content_hash, signature(body or "")) for url, content_hash, body in rows]
        with archive.transaction():
            for url, content_hash, sig in signed:
                _store(archive, url, content_hash, sig)


def _old_mates(archive: Archive, urls: Sequence[str]) -> list[str]:
    """Members of the clusters ``urls`` belonged to (they may have to be split or relabelled)."""
    mates: set[str] = set()
    for chunk in _chunks(urls):
        mates.update(row[0] for row in archive.db.execute(
            "SELECT url FROM articles WHERE cluster_id IN"
            f" (SELECT cluster_id FROM articles WHERE url IN ({_marks(chunk)}) AND cluster_id IS NOT NULL)",
            list(chunk),
        ))
    return sorted(mates - set(urls))


def _signature_of(archive: Archive, url: str) -> bytes | None:
    row = archive.db.execute(
        "SELECT signature FROM minhashes WHERE url = ? AND scheme = ?", [url, SCHEME]
    ).fetchone()
    return None if row is None else row[0]


def _candidates(archive: Archive, sig: bytes) -> list[tuple[str, bytes]]:
    """Articles sharing at least one band key with ``sig`` (itself included)."""
    keys = band_keys(sig)
    return archive.db.execute(
        "SELECT m.url, m.signature FROM minhashes m"
        f" WHERE m.id IN (SELECT id FROM minhash_bands WHERE key IN ({_marks(keys)}))"
        " AND m.scheme = ? AND m.signature IS NOT NULL"
        " AND EXISTS (SELECT 1 FROM articles a WHERE a.url = m.url)",
        [*keys, SCHEME],
    ).fetchall()


def _component(archive: Archive, start: str, threshold: float) -> set[str]:
    """Every article linked to ``start`` through pairs at or above the threshold."""
    first = _signature_of(archive, start)
    if first is None:
        return {start}  # a short body: linked to nothing
    # Identical signatures have identical neighbours: each is looked up once, so
    # a thousand copies of one boilerplate text cost one lookup, not a thousand.
    seen, todo, walked = {start}, [first], {first}
    while todo:
        mine = todo.pop()
        values = _values(mine)
        for other, theirs in _candidates(archive, mine):
            if other in seen or np.count_nonzero(values == _values(theirs)) / NUM_PERM < threshold:
                continue
            seen.add(other)
            if theirs not in walked:
                walked.add(theirs)
                todo.append(theirs)
    return seen


def _relabel(archive: Archive, seeds: Sequence[str], threshold: float) -> int:
    """Give each component reached from ``seeds`` its id; return how many articles changed."""
    done: set[str] = set()
    changed = 0
    for seed in seeds:
        if seed in done:
            continue
        members = _component(archive, seed, threshold)
        done |= members
        label = min(members)
        cursor = archive.db.conn.executemany(
            "UPDATE articles SET cluster_id = ? WHERE url = ? AND cluster_id IS NOT ?",
            [(label, url, label) for url in sorted(members)],
        )
        changed += max(cursor.rowcount, 0)
    return changed


def _queued(archive: Archive) -> list[str]:
    """Queued articles and any without a cluster id (e.g. saved before the tables existed)."""
    rows = archive.db.execute(
        "SELECT url FROM cluster_pending UNION SELECT url FROM articles WHERE cluster_id IS NULL"
    )
    return sorted(row[0] for row in rows)


def assign_clusters(archive: Archive, urls: Sequence[str] | None = None, *, threshold: float = 0.8) -> int:
    """Put new or changed articles (or just ``urls``) into syndication clusters.

    Incremental: only articles queued since the last run (new, or a changed
    ``content_hash``, or a signature saved by :func:`save_signature`) and
    articles without a cluster id are examined, unless ``urls`` names the ones
    to examine. Missing or stale signatures are computed. Deterministic: the
    same archive gives the same ids whatever the order of arrival. Memory
    depends on the number of examined articles and their clusters, not on the
    archive's size. The stored band keys are tuned for a threshold of 0.8: a
    lower ``threshold`` misses some of its pairs, a higher one none.

    Returns:
        How many articles got a new or different ``cluster_id``.

    Raises:
        UsageError: ``threshold`` is not in (0, 1].
        StoreError: a url in ``urls`` is not an archived article, or SQLite failed.
    """
    if not 0 < threshold <= 1:
        raise UsageError(f"threshold must be in (0, 1], not {threshold}")
    _ensure_tables(archive)
    with store_errors("cannot assign clusters", str(archive.path)):
        queued = _queued(archive) if urls is None else sorted(set(urls))
        if not queued:
            return 0
        _compute(archive, _examine(archive, queued, strict=urls is not None)[1])  # the slow part, unlocked
        with archive.transaction():
            # Again under the write lock: what was saved meanwhile is placed (and dequeued) now.
            queued = _queued(archive) if urls is None else queued
            pending, stale = _examine(archive, queued, strict=urls is not None)
            _compute(archive, stale)
            changed = _relabel(archive, [*pending, *_old_mates(archive, pending)], threshold)
            for chunk in _chunks(queued):
                archive.db.execute(f"DELETE FROM cluster_pending WHERE url IN ({_marks(chunk)})", list(chunk))
        return changed
