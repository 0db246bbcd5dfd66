"""The BM25 side of retrieval: a persisted inverted index that follows the chunk store.

Why not bm25s or SQLite FTS5: bm25s indexes are immutable (any change is a rebuild, which took
52 s at 50k chunks), and FTS5 ranks every matching row through a per-row callback (0.7-1.2 s for
a query with common words at 200k chunks on this machine, so seconds at 1M). This index is a
small log-structured one in numpy:

- **Segments** are immutable sets of chunks: their ids (sorted), lengths, and postings
  (64-bit term hashes, sorted, each with its rows and term frequencies), as .npy files that
  readers memory-map, so loading costs nothing and every process shares the page cache.
- **A change** adds one segment (the chunks the change wrote) and marks the rows it removed
  (a small sorted array per segment); small segments are merged, and a segment that is mostly
  deleted rows is rewritten without them. `manifest.json`, replaced atomically, says which
  files make the index and which store generation it holds.
- **Following the store**: chunks carry the generation that wrote them and removals are noted
  with theirs (ingest.records.Removals), so catching up from generation M reads only what changed
  after M. The writer catches up after each sync; a reader that finds the index behind (its
  writer died, or the store is a Chroma server written by other machines) catches up itself,
  under a file lock, so one process does it and the others load its result.
- **Queries** score postings with numpy: BM25 with k1=1.5, b=0.75 (bm25s's defaults), the same
  idf as before, df and document lengths of live chunks only.

With an embedded store the index lives in `<data dir>/lexical/<collection>`; with a Chroma
server each process keeps its own copy in `<data dir>/lexical/<host>_<port>/<collection>`
(several processes sharing a data dir share the copy), built once from the server and then
brought up to date by the change, whichever machine made it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from langchain_core.documents import Document

from assistant.text import terms

log = logging.getLogger(__name__)

K1, B = 1.5, 0.75
_PARTS = ("ids", "len", "terms", "ptr", "rows", "tf")
_SMALL = 50_000  # segments under this many rows are merged once there are too many of them
_MAX_SMALL = 6
_REWRITE_DELETED = 0.3  # a segment with this share of its rows deleted is rewritten
_BUILD_ROWS = 50_000  # a full build writes a segment every this many chunks (bounded memory)


def _hash(term: str) -> int:
    return int.from_bytes(hashlib.blake2b(term.encode("utf-8"), digest_size=8).digest(), "little")


def _text(text: str, meta: dict) -> str:
    # The heading path is part of what a chunk is about ("Tutorial > CORS > Preflight").
    return f"{meta.get('headings') or ''} {text}"


class Segment:
    def __init__(self, folder: Path, name: str, deleted: str | None) -> None:
        self.name, self.deleted_file = name, deleted
        arrays = {p: np.load(folder / f"{name}.{p}.npy", mmap_mode="r") for p in _PARTS}
        self.ids, self.lens, self.terms = arrays["ids"], arrays["len"], arrays["terms"]
        self.ptr, self.rows, self.tf = arrays["ptr"], arrays["rows"], arrays["tf"]
        self.deleted = np.load(folder / deleted) if deleted else np.zeros(0, dtype=np.int64)
        self.n = len(self.ids)
        self.live = None
        if len(self.deleted):
            self.live = np.ones(self.n, dtype=bool)
            self.live[self.deleted] = False

    @property
    def n_live(self) -> int:
        return self.n - len(self.deleted)

    def live_len(self) -> int:
        total = int(np.asarray(self.lens, dtype=np.int64).sum())
        if len(self.deleted):
            total -= int(np.asarray(self.lens[self.deleted], dtype=np.int64).sum())
        return total

    def postings(self, h: int):
        i = int(np.searchsorted(self.terms, np.uint64(h)))
        if i >= len(self.terms) or int(self.terms[i]) != h:
            return None
        a, b = int(self.ptr[i]), int(self.ptr[i + 1])
        return self.rows[a:b], self.tf[a:b]

    def df(self, h: int) -> int:
        got = self.postings(h)
        if got is None:
            return 0
        return len(got[0]) if self.live is None else int(np.count_nonzero(self.live[got[0]]))

    def find(self, ids: np.ndarray) -> np.ndarray:
        """Rows (live ones) holding these ids (an "S64" array)."""
        if not self.n or not len(ids):
            return np.zeros(0, dtype=np.int64)
        at = np.searchsorted(self.ids, ids)
        ok = at < self.n
        at, ids = at[ok], ids[ok]
        rows = at[np.asarray(self.ids[at]) == ids].astype(np.int64)
        if self.live is not None:
            rows = rows[self.live[rows]]
        return rows

    def postings_table(self):
        """(term hash, row, tf) of every live posting."""
        counts = np.diff(np.asarray(self.ptr))
        hashes = np.repeat(np.asarray(self.terms), counts)
        rows, tf = np.asarray(self.rows), np.asarray(self.tf)
        if self.live is not None:
            keep = self.live[rows]
            hashes, rows, tf = hashes[keep], rows[keep], tf[keep]
        return hashes, rows, tf


def _write_segment(folder: Path, ids: np.ndarray, lens: np.ndarray, hashes: np.ndarray,
                   rows: np.ndarray, tf: np.ndarray) -> str:
    """Write a segment from postings (any order); returns its name."""
    name = f"seg-{uuid.uuid4().hex[:12]}"
    order = np.lexsort((rows, hashes))
    hashes, rows, tf = hashes[order], rows[order], tf[order]
    uniq, starts = np.unique(hashes, return_index=True)
    ptr = np.append(starts, len(hashes)).astype(np.int64)
    parts = {"ids": ids, "len": lens.astype(np.int32), "terms": uniq.astype(np.uint64),
             "ptr": ptr, "rows": rows.astype(np.int32), "tf": np.minimum(tf, 65535).astype(np.uint16)}
    for part, array in parts.items():
        np.save(folder / f"{name}.{part}.npy", array)
    return name


def _segment_from_chunks(folder: Path, chunks: list[tuple[str, str]]) -> tuple[str, int]:
    """(name, rows) of a new segment holding these (id, text) chunks."""
    chunks = sorted(dict(chunks).items())
    vocab: dict[str, int] = {}
    tids: list[int] = []
    rows: list[int] = []
    tfs: list[int] = []
    lens = np.zeros(len(chunks), dtype=np.int32)
    for row, (_, text) in enumerate(chunks):
        toks = terms(text)
        lens[row] = len(toks)
        for term, count in Counter(toks).items():
            tids.append(vocab.setdefault(term, len(vocab)))
            rows.append(row)
            tfs.append(count)
    hashes = np.array([_hash(t) for t in vocab], dtype=np.uint64)
    ids = np.array([i.encode("utf-8") for i, _ in chunks], dtype="S64")
    name = _write_segment(
        folder, ids, lens, hashes[np.array(tids, dtype=np.int64)] if tids else np.zeros(0, np.uint64),
        np.array(rows, dtype=np.int64), np.array(tfs, dtype=np.int64),
    )
    return name, len(chunks)


class DocFreq:
    """term -> number of live chunks holding it (a read-only mapping, computed on demand)."""

    def __init__(self, index: LexicalIndex) -> None:
        self._index = index
        self._cache: dict[str, int] = {}

    def get(self, term: str, default: int = 0) -> int:
        n = self[term]
        return n if n else default

    def __getitem__(self, term: str) -> int:
        n = self._cache.get(term)
        if n is None:
            h = _hash(term)
            n = self._cache[term] = sum(s.df(h) for s in self._index.segments)
        return n

    def __contains__(self, term: str) -> bool:
        return self[term] > 0


@dataclass
class LexicalIndex:
    """One snapshot of the index: `generation` (of the store it holds), `count` (live chunks),
    `empty`, `idf(term)`, `doc_freq` (term -> chunks holding it; `.get(term, 0)`) and
    `search(terms, k)` -> [(Document, score)], best first."""

    generation: int
    segments: list[Segment]
    store: object = None  # the ChunkStore, for the text of hits
    identity: str | None = None  # the store collection it was built from
    count: int = field(init=False, default=0)
    avg_len: float = field(init=False, default=1.0)
    doc_freq: DocFreq = field(init=False)

    def __post_init__(self) -> None:
        self.doc_freq = DocFreq(self)
        self.count = sum(s.n_live for s in self.segments)
        total = sum(s.live_len() for s in self.segments)
        self.avg_len = total / self.count if self.count else 1.0

    @property
    def empty(self) -> bool:
        return self.count == 0

    def idf(self, term: str) -> float:
        # Words the corpus never uses get the most weight, so a question about something the
        # documents never mention scores low (tried smoothing this: refusals got worse).
        n = self.count
        df = self.doc_freq.get(term, 0)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def scores(
        self, query_terms: list[str], k: int, allowed: Iterable[str] | None = None
    ) -> list[tuple[str, float]]:
        """(chunk id, BM25 score) of the k best chunks with a positive score. `allowed`: only
        these chunk ids may be returned (a question scoped to some documents). Chunk ids are
        hashes that include the document's source (ingest.sync.chunk_key), so an id set is an
        exact stand-in for a source set; statistics (idf, lengths) stay corpus-wide."""
        if self.empty or not query_terms or k <= 0:
            return []
        wanted = None
        if allowed is not None:
            wanted = np.array(sorted({i.encode("utf-8") for i in allowed}), dtype="S64")
            if not len(wanted):
                return []
        hashed = [(_hash(t), self.idf(t)) for t in dict.fromkeys(query_terms)]
        best: list[tuple[float, str]] = []
        for seg in self.segments:
            if not seg.n_live:
                continue
            mask = None
            if wanted is not None:
                rows = seg.find(wanted)  # live rows only
                if not len(rows):
                    continue
                mask = np.zeros(seg.n, dtype=bool)
                mask[rows] = True
            scores = np.zeros(seg.n, dtype=np.float32)
            hit = False
            for h, idf in hashed:
                got = seg.postings(h)
                if got is None:
                    continue
                rows, tf = got
                tf = np.asarray(tf, dtype=np.float32)
                norm = K1 * (1 - B + B * np.asarray(seg.lens[rows], dtype=np.float32) / self.avg_len)
                scores[rows] += idf * tf * (K1 + 1) / (tf + norm)
                hit = True
            if not hit:
                continue
            if seg.live is not None:
                scores[~seg.live] = 0
            if mask is not None:
                scores[~mask] = 0
            top = min(k, seg.n)
            idx = np.argpartition(-scores, top - 1)[:top]
            best.extend((float(scores[i]), seg.ids[i].decode("utf-8")) for i in idx if scores[i] > 0)
        best.sort(key=lambda x: -x[0])
        return [(id_, score) for score, id_ in best[:k]]

    def search(
        self, query_terms: list[str], k: int, allowed: Iterable[str] | None = None
    ) -> list[tuple[Document, float]]:
        hits = self.scores(query_terms, k, allowed)
        if not hits or self.store is None:
            return []
        found = self.store.get_chunks([i for i, _ in hits])
        return [
            (Document(page_content=found[i][0], metadata=found[i][1], id=i), score)
            for i, score in hits if i in found
        ]


# -- the files ------------------------------------------------------------------------------
def index_dir(store) -> Path:
    """Where this process keeps the store's lexical index (see the module docstring)."""
    base = Path(store.cache_dir).expanduser() if store.cache_dir else None
    folder = store.embedded_folder
    if folder is not None:
        return (base or Path(folder).parent) / "lexical" / store.collection_name
    settings = store.client.get_settings()
    where = f"{settings.chroma_server_host}_{settings.chroma_server_http_port}"
    if base is None:
        base = Path(_temp_base())
    return base / "lexical" / where / store.collection_name


_TEMP: list[str] = []


def _temp_base() -> str:
    if not _TEMP:
        _TEMP.append(tempfile.mkdtemp(prefix="assistant-lexical-"))
    return _TEMP[0]


def _read_manifest(folder: Path) -> dict | None:
    try:
        return json.loads((folder / "manifest.json").read_text())
    except (OSError, ValueError):
        return None


def _write_manifest(folder: Path, manifest: dict) -> None:
    tmp = folder / f"manifest.{uuid.uuid4().hex[:8]}.tmp"
    tmp.write_text(json.dumps(manifest))
    os.replace(tmp, folder / "manifest.json")
    keep = {"manifest.json", ".lock"}
    for seg in manifest["segments"]:
        keep.update(f"{seg['name']}.{p}.npy" for p in _PARTS)
        if seg.get("deleted"):
            keep.add(seg["deleted"])
    for path in folder.iterdir():  # readers keep what they memory-mapped (POSIX)
        if path.name not in keep and not path.name.endswith(".tmp"):
            path.unlink(missing_ok=True)


def _store_identity(store) -> str:
    return f"{store.collection.id}"


# -- following the store ------------------------------------------------------------------
def _changed_since(store, generation: int) -> tuple[list[str], list[str]]:
    """(ids removed, ids written) after `generation`, read a page at a time."""
    from ingest.records import all_ids
    from ingest.store import GEN_KEY

    removed = store.removals.since(generation)
    return removed, all_ids(store.collection, where={GEN_KEY: {"$gt": generation}})


def _texts(store, ids: list[str]) -> Iterable[list[tuple[str, str]]]:
    """(id, text to index) of these chunks, in bounded batches."""
    for i in range(0, len(ids), _BUILD_ROWS):
        got = store.get_chunks(ids[i : i + _BUILD_ROWS])
        yield [(id_, _text(text, meta)) for id_, (text, meta) in got.items()]


def _all_chunks(store) -> Iterable[list[tuple[str, str]]]:
    from ingest.records import pages

    batch: list[tuple[str, str]] = []
    for got in pages(store.collection, include=["documents", "metadatas"], page=1000):
        for i, text, meta in zip(got["ids"], got["documents"], got["metadatas"]):
            batch.append((i, _text(text or "", meta or {})))
        if len(batch) >= _BUILD_ROWS:
            yield batch
            batch = []
    if batch:
        yield batch


def catch_up(store, generation: int | None = None, wait: bool = True) -> bool:
    """Bring the store's lexical index up to `generation` (default: the store's now). False
    when another process holds the index's lock and `wait` is False."""
    from filelock import FileLock, Timeout

    folder = index_dir(store)
    folder.mkdir(parents=True, exist_ok=True)
    target = store.generation if generation is None else generation
    try:
        with FileLock(str(folder / ".lock"), timeout=-1 if wait else 0):
            _catch_up_locked(store, folder, target)
    except Timeout:
        return False
    return True


def _catch_up_locked(store, folder: Path, target: int) -> None:
    manifest = _read_manifest(folder)
    identity = _store_identity(store)
    if manifest is not None and manifest.get("store") == identity and manifest["generation"] == target:
        return
    started = time.monotonic()
    if manifest is None or manifest.get("store") != identity or manifest["generation"] > target:
        manifest = {"store": identity, "generation": target, "segments": []}
        for batch in _all_chunks(store):
            name, n = _segment_from_chunks(folder, batch)
            manifest["segments"].append({"name": name, "n": n, "deleted": None})
        _write_manifest(folder, manifest)
        log.info("lexical index built: %d segments in %.1fs", len(manifest["segments"]),
                 time.monotonic() - started)
        return
    removed, written = _changed_since(store, manifest["generation"])
    # A chunk written again replaces its earlier row: remove the old row too.
    gone = np.array(sorted(set(removed) | set(written)), dtype="S64")
    segments = []
    for entry in manifest["segments"]:
        seg = Segment(folder, entry["name"], entry.get("deleted"))
        rows = seg.find(gone)
        if len(rows):
            deleted = np.union1d(seg.deleted, rows).astype(np.int64)
            entry = {**entry, "deleted": f"{seg.name}.del-{uuid.uuid4().hex[:8]}.npy"}
            np.save(folder / entry["deleted"], deleted)
        segments.append(entry)
    for batch in _texts(store, written):
        if batch:
            name, n = _segment_from_chunks(folder, batch)
            segments.append({"name": name, "n": n, "deleted": None})
    manifest = {"store": identity, "generation": target, "segments": _compact(folder, segments)}
    _write_manifest(folder, manifest)
    log.info("lexical index: -%d +%d chunks in %.2fs", len(removed), len(written),
             time.monotonic() - started)


def _deleted_count(folder: Path, entry: dict) -> int:
    if not entry.get("deleted"):
        return 0
    return len(np.load(folder / entry["deleted"], mmap_mode="r"))


def _compact(folder: Path, segments: list[dict]) -> list[dict]:
    """Merge small segments once there are too many; rewrite mostly-deleted ones."""
    out, small = [], []
    for entry in segments:
        dead = _deleted_count(folder, entry)
        if entry["n"] - dead == 0:
            continue
        if entry["n"] < _SMALL:
            small.append(entry)
        elif dead > _REWRITE_DELETED * entry["n"]:
            out.append(_merge(folder, [entry]))
        else:
            out.append(entry)
    if len(small) > _MAX_SMALL:
        small = [_merge(folder, small)]
    return out + small


def _merge(folder: Path, entries: list[dict]) -> dict:
    segs = [Segment(folder, e["name"], e.get("deleted")) for e in entries]
    ids, lens, tables = [], [], []
    for seg in segs:
        live = np.arange(seg.n) if seg.live is None else np.flatnonzero(seg.live)
        ids.append(np.asarray(seg.ids)[live])
        lens.append(np.asarray(seg.lens)[live])
        tables.append((seg, live))
    all_ids = np.concatenate(ids) if ids else np.zeros(0, dtype="S64")
    order = np.argsort(all_ids, kind="stable")
    new_row_of = np.empty(len(order), dtype=np.int64)
    new_row_of[order] = np.arange(len(order))
    hashes, rows, tf = [], [], []
    offset = 0
    for seg, live in tables:
        h, r, t = seg.postings_table()
        old_to_new = np.full(seg.n, -1, dtype=np.int64)
        old_to_new[live] = new_row_of[offset : offset + len(live)]
        offset += len(live)
        hashes.append(h)
        rows.append(old_to_new[r])
        tf.append(t.astype(np.int64))
    name = _write_segment(
        folder, all_ids[order], np.concatenate(lens)[order], np.concatenate(hashes),
        np.concatenate(rows), np.concatenate(tf),
    )
    return {"name": name, "n": len(order), "deleted": None}


def load(store) -> LexicalIndex | None:
    """The index as its manifest says now (memory-mapped); None when there is none yet."""
    folder = index_dir(store)
    for _ in range(3):  # a writer may replace files between reading the manifest and them
        manifest = _read_manifest(folder)
        if manifest is None:
            return None
        try:
            segments = [Segment(folder, e["name"], e.get("deleted")) for e in manifest["segments"]]
        except (OSError, ValueError):
            time.sleep(0.05)
            continue
        return LexicalIndex(manifest["generation"], segments, store, manifest.get("store"))
    return None


class LexicalCache:
    """This process's view of the store's lexical index: reloaded (memory-mapped, no reading of
    the collection) when the store's generation moves, after catching the files up if no other
    process has. The generation is read at most every CHECK_EVERY seconds: one question asks
    several times, and a read costs a Chroma call."""

    CHECK_EVERY = 0.2

    def __init__(self) -> None:
        self._index: LexicalIndex | None = None
        self._checked = 0.0
        self._lock = threading.Lock()

    def get(self, store) -> LexicalIndex:
        current = self._index
        if current is not None and time.monotonic() - self._checked < self.CHECK_EVERY:
            return current
        generation = store.generation
        self._checked = time.monotonic()
        if current is not None and current.generation == generation and current.store is store:
            return current
        with self._lock:
            current = self._index
            if current is None or current.generation != generation or current.store is not store:
                index = load(store)
                if index is None or index.generation != generation or (
                    index.identity != _store_identity(store)
                ):
                    catch_up(store, generation)
                    index = load(store)
                self._index = index
            return self._index

    def invalidate(self) -> None:
        """Our own sync changed the store: look again on the next question."""
        self._checked = 0.0
