"""The lexical index follows the chunk store: its files and manifest, catching up with the
store's changes by generation, compaction, and the per-process cache readers load from."""

from __future__ import annotations

import logging
import tempfile
import threading
import time
import uuid
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from assistant.lexical.index import LexicalIndex
from ingest.files import read_json, write_json
from assistant.lexical.segments import PARTS, Segment, chunk_text, segment_from_chunks, write_segment

log = logging.getLogger(__name__)

_SMALL = 50_000  # segments under this many rows are merged once there are too many of them
_MAX_SMALL = 6
_REWRITE_DELETED = 0.3  # a segment with this share of its rows deleted is rewritten
_BUILD_ROWS = 50_000  # a full build writes a segment every this many chunks (bounded memory)


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
    return read_json(folder / "manifest.json")


def _write_manifest(folder: Path, manifest: dict) -> None:
    write_json(folder / "manifest.json", manifest)
    keep = {"manifest.json", ".lock"}
    for seg in manifest["segments"]:
        keep.update(f"{seg['name']}.{p}.npy" for p in PARTS)
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
        yield [(id_, chunk_text(text, meta)) for id_, (text, meta) in got.items()]


def _all_chunks(store) -> Iterable[list[tuple[str, str]]]:
    """Every chunk: the ids first (large pages), then the texts by id (see ingest.records.ID_PAGE)."""
    from ingest.records import all_ids

    return _texts(store, all_ids(store.collection))


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
            name, n = segment_from_chunks(folder, batch)
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
            name, n = segment_from_chunks(folder, batch)
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
    name = write_segment(
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
