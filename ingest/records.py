"""The collections a chunk store keeps beside its chunks, all in the same Chroma (so an embedded
store and a Chroma server behave the same, and several processes in front of one server share
one truth):

- `<name>-documents`: one record per ingested document (its source, a fingerprint of the file
  it came from, its chunk count): what a sync compares a folder with, without reading chunks;
- each chunk's unit vectors and heading-path vector, keyed by chunk id, so bulk reads of chunks
  stay proportional to their text: in `<name>-vectors` on a Chroma server (shared by every
  process), and for an embedded store in a SQLite file beside it (raw float16, no index but
  the key: a quarter of the space Chroma's metadata takes, which stores and indexes strings);
- `<name>-removed`: the ids of removed chunks with the generation that removed them, so a
  process following the store (the lexical index) applies a change in time proportional to it.

Every read is paged or scoped by ids: chromadb 1.5 fails a `get()` of more than 32,766 records
with metadata ("too many SQL variables").
"""

from __future__ import annotations

import base64
import sqlite3
import threading
import time
import zlib
from pathlib import Path
from collections.abc import Iterable, Iterator, Sequence

PAGE = 1000  # records per read or write: far below Chroma's caps
PENDING = ""  # a document record's fingerprint while its chunks are being written
MIGRATED = "migrated"  # ... after a migration, until the next sync reads the file once


def placeholder(key: str) -> list[float]:
    """These records have no meaning to search; Chroma still wants a vector for each. A spread
    one-dimensional value keeps its HNSW index from degenerating on identical points."""
    return [zlib.crc32(key.encode("utf-8")) / 2**32]


def pages(collection, *, where=None, include: Sequence[str] = (), page: int = PAGE) -> Iterator[dict]:
    """`collection.get(...)` in pages of `page` records (never one unbounded read)."""
    offset = 0
    while True:
        got = collection.get(where=where, include=list(include), limit=page, offset=offset)
        if got["ids"]:
            yield got
        if len(got["ids"]) < page:
            return
        offset += page


def by_ids(collection, ids: Sequence[str], *, include: Sequence[str] = (), page: int = PAGE) -> Iterator[dict]:
    """`collection.get(ids=...)` for any number of ids, a page at a time."""
    ids = list(ids)
    for i in range(0, len(ids), page):
        got = collection.get(ids=ids[i : i + page], include=list(include))
        if got["ids"]:
            yield got


# Ids alone are read in the largest pages Chroma takes: a paged read costs, per call, time in
# proportion to its offset (3 s a call at offset 600k on a Chroma server), so 1,000-record pages
# made reading a million chunks quadratic (about half an hour); by id, records come fast.
ID_PAGE = 30_000


def all_ids(collection, where=None) -> list[str]:
    out: list[str] = []
    for got in pages(collection, where=where, page=ID_PAGE):
        out.extend(got["ids"])
    return out


def delete_ids(collection, ids: Iterable[str]) -> None:
    ids = list(ids)
    for i in range(0, len(ids), PAGE):
        collection.delete(ids=ids[i : i + PAGE])


class _Side:
    """A Chroma collection of records without meaningful vectors."""

    kind = ""

    def __init__(self, client, name: str) -> None:
        self.client, self.name = client, name
        self._collection = None

    @property
    def collection(self):
        if self._collection is None:
            self._collection = self.client.get_or_create_collection(
                self.name, embedding_function=None, metadata={"kind": self.kind}
            )
        return self._collection

    def _upsert(self, ids: list[str], metadatas: list[dict]) -> None:
        for i in range(0, len(ids), PAGE):
            part = ids[i : i + PAGE]
            self.collection.upsert(
                ids=part, embeddings=[placeholder(k) for k in part], metadatas=metadatas[i : i + PAGE]
            )

    def delete(self, ids: Iterable[str]) -> None:
        delete_ids(self.collection, ids)

    def count(self) -> int:
        return self.collection.count()


class DocumentTable(_Side):
    """One record per document, keyed by its source path: {"source", "fingerprint" (of the file
    and the settings that chunked it; "" while its chunks are being written), "chunks",
    "updated_at"}. A document whose fingerprint still matches its file is unchanged, and a sync
    skips it without reading it."""

    kind = "documents"

    def all(self) -> dict[str, dict]:
        out: dict[str, dict] = {}
        for got in pages(self.collection, include=["metadatas"]):
            for id_, meta in zip(got["ids"], got["metadatas"] or []):
                out[id_] = meta or {}
        return out

    def get(self, sources: Sequence[str]) -> dict[str, dict]:
        out: dict[str, dict] = {}
        for got in by_ids(self.collection, sources, include=["metadatas"]):
            for id_, meta in zip(got["ids"], got["metadatas"] or []):
                out[id_] = meta or {}
        return out

    def put(self, entries: dict[str, tuple[str, int]]) -> None:
        """{source: (fingerprint, chunks)}."""
        now = time.time()
        ids = list(entries)
        self._upsert(
            ids,
            [{"source": s, "fingerprint": entries[s][0], "chunks": entries[s][1], "updated_at": now}
             for s in ids],
        )


class UnitVectors(_Side):
    """{chunk id: {"u": unit vectors, "c": heading-path vector}} (float16, base64)."""

    kind = "unit-vectors"

    def put(self, ids: list[str], units: list[str], contexts: list[str | None]) -> None:
        metas = [{"u": u, **({"c": c} if c else {})} for u, c in zip(units, contexts)]
        self._upsert(ids, metas)

    def get(self, ids: Sequence[str]) -> dict[str, dict]:
        out: dict[str, dict] = {}
        for got in by_ids(self.collection, ids, include=["metadatas"], page=500):
            for id_, meta in zip(got["ids"], got["metadatas"] or []):
                out[id_] = meta or {}
        return out

    def ids(self) -> list[str]:
        return all_ids(self.collection)


class SqliteVectors:
    """UnitVectors for an embedded store: `<data dir>/unit-vectors/<collection>.sqlite3`. Written
    before the chunks they belong to and deleted after them, so a chunk is never without its
    vectors (a crash can leave vectors without a chunk: harmless, and reused if it comes back)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._con = sqlite3.connect(str(path), timeout=60, check_same_thread=False,
                                    isolation_level=None)
        with self._lock:
            self._con.execute("PRAGMA journal_mode=WAL")
            self._con.execute("PRAGMA synchronous=NORMAL")
            self._con.execute(
                "CREATE TABLE IF NOT EXISTS unit_vectors (id TEXT PRIMARY KEY, u BLOB, c BLOB)"
                " WITHOUT ROWID"
            )

    def put(self, ids: list[str], units: list[str], contexts: list[str | None]) -> None:
        rows = [(i, base64.b64decode(u or ""), base64.b64decode(c) if c else None)
                for i, u, c in zip(ids, units, contexts)]
        with self._lock:
            self._con.execute("BEGIN")
            self._con.executemany("INSERT OR REPLACE INTO unit_vectors VALUES (?, ?, ?)", rows)
            self._con.execute("COMMIT")

    def get(self, ids: Sequence[str]) -> dict[str, dict]:
        out: dict[str, dict] = {}
        ids = list(ids)
        with self._lock:
            for i in range(0, len(ids), 500):
                part = ids[i : i + 500]
                marks = ",".join("?" * len(part))
                for id_, u, c in self._con.execute(
                    f"SELECT id, u, c FROM unit_vectors WHERE id IN ({marks})", part
                ):
                    out[id_] = {"u": base64.b64encode(u).decode("ascii"),
                                **({"c": base64.b64encode(c).decode("ascii")} if c else {})}
        return out

    def delete(self, ids: Iterable[str]) -> None:
        with self._lock:
            self._con.execute("BEGIN")
            self._con.executemany("DELETE FROM unit_vectors WHERE id = ?", [(i,) for i in ids])
            self._con.execute("COMMIT")

    def count(self) -> int:
        with self._lock:
            return self._con.execute("SELECT count(*) FROM unit_vectors").fetchone()[0]

    def ids(self) -> list[str]:
        with self._lock:
            return [r[0] for r in self._con.execute("SELECT id FROM unit_vectors")]

    def close(self) -> None:
        with self._lock:
            self._con.close()


class Removals(_Side):
    """Ids of removed chunks, each with the generation that removed it."""

    kind = "removed-chunks"

    def add(self, ids: Sequence[str], generation: int) -> None:
        ids = list(ids)
        self._upsert(ids, [{"gen": generation}] * len(ids))

    def since(self, generation: int) -> list[str]:
        return all_ids(self.collection, where={"gen": {"$gt": generation}})
