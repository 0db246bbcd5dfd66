"""Ingesting paths is a sync: new documents added, changed ones replaced, unchanged ones skipped
without reading them, deleted ones removed. The work is proportional to the change:

- each document has a record (ingest.records.DocumentTable) with a fingerprint of its file
  (size, modification time, the chunking settings); a file whose fingerprint matches is not
  read at all;
- a changed file is read, split and keyed; only chunks the index does not hold are embedded
  (chunk ids are content hashes), in bounded batches, and its stale chunks go once its new ones
  are all in;
- a document's record says "pending" while its chunks change, so a run killed at any point is
  resumed by the next one: what was written is kept, the rest is written, nothing is left
  stale or duplicated.

Every chunk written carries the generation of its change ("gen"), and every removal is noted
with its generation, so the lexical index (and any other follower) catches up with a change in
time proportional to it. Any failure while reading, splitting or keying one file is that file's
failure; the rest of the folder goes on."""

from __future__ import annotations

import hashlib
import json
import sys
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from langchain_core.documents import Document

from ingest.discover import _is_under, discover
from ingest.embeddings import CONTEXT_VECTOR_KEY, VECTORS_KEY, attach_unit_vectors
from ingest.errors import LoadError
from ingest.load import SUPPORTED, LoadLimits, load_file
from ingest.split import split_document
from ingest.records import PENDING
from ingest.store import GEN_KEY, ChunkStore

# Bumped whenever what ingest stores for a chunk changes (its text extraction, units, vectors):
# it is part of every chunk key, so the next sync of an older index re-embeds every document.
LAYOUT = 4
# Chunks are embedded and written in batches of about this many: big enough for efficient
# embedding batches, small enough that memory stays bounded and the progress bar moves.
_BATCH_CHUNKS = 256
# A change is published (readers see it) at least every this many chunks written.
_PUBLISH_CHUNKS = 4096
# Before work estimated longer than this, a sync with progress on prints its estimate.
_ANNOUNCE_SECONDS = 60
_CHUNKS_PER_SECOND = 40.0  # CPU, bundled model: for the estimate only
_NOT_IN_KEY = (VECTORS_KEY, CONTEXT_VECTOR_KEY, GEN_KEY)


@dataclass
class IngestReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    chunks: int = 0  # chunks in the index after the sync
    failed: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)

    @property
    def ok(self) -> bool:
        return not self.failed

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Estimate:
    """What a sync is about to do, before it reads anything."""

    files: int  # files to read (new or changed)
    mb: float
    chunks: int  # about
    minutes: float  # about, on a CPU

    def __str__(self) -> str:
        return (
            f"about to ingest {self.files} files ({self.mb:.1f} MB): about {self.chunks:,} chunks, "
            f"~{self.minutes:.0f} min on a CPU. Ctrl+C is safe: the next run resumes."
        )


def chunk_key(chunk: Document) -> str:
    """Chunk id: changes whenever the text, its place or its document changes. Computed before
    embedding (that is how unchanged chunks are skipped), so it leaves the vectors out."""
    meta = {k: v for k, v in chunk.metadata.items() if k not in _NOT_IN_KEY}
    payload = json.dumps([LAYOUT, chunk.page_content, meta], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:40]


def sync(
    paths: Iterable[str | Path],
    store: ChunkStore,
    chunk_size: int = 600,
    chunk_overlap: int = 120,
    progress: bool = False,
    limits: LoadLimits | None = None,
    allow_symlinks: bool = False,
) -> IngestReport:
    files, folders, failed = discover(paths, allow_symlinks=allow_symlinks)
    report = IngestReport(failed=failed)
    if store.needs_migration:
        store.migrate()

    known = store.documents.all()  # one record per document: proportional to documents
    present = {str(f) for f in files}
    todo: list[tuple[Path, str]] = []
    for path in files:
        fp = fingerprint(path, chunk_size, chunk_overlap)
        entry = known.get(str(path))
        if fp and entry is not None and entry.get("fingerprint") == fp:
            report.unchanged += 1
        else:
            todo.append((path, fp))
    gone = sorted(
        source
        for source in known
        if source not in present and any(_is_under(source, folder) for folder in folders)
    )

    estimate = estimate_work([p for p, _ in todo], chunk_size, chunk_overlap)
    if progress and estimate.minutes * 60 >= _ANNOUNCE_SECONDS:
        print(estimate, file=sys.stderr, flush=True)

    writer = _Writer(store, progress, sum(_size(p) for p, _ in todo), len(todo))
    for path, fp in todo:
        source = str(path)
        try:
            chunks = split_document(load_file(path, limits=limits), source, chunk_size, chunk_overlap)
            keys = [chunk_key(c) for c in chunks]
        except LoadError as exc:
            report.failed.append((source, str(exc)))
            writer.skipped(path)
            continue
        except Exception as exc:  # noqa: BLE001 - one file's failure, never the folder's
            report.failed.append((source, f"could not be read ({type(exc).__name__}: {exc}); "
                                          "check the file, or leave it out"))
            writer.skipped(path)
            continue
        entry = known.get(source)
        # every document with chunks has a record (a new one is recorded before its chunks)
        held = store.chunk_ids(source) if entry is not None else set()
        if entry is not None and set(keys) == held:  # only touched, or completed by a crash
            store.documents.put({source: (fp, len(keys))})
            if entry.get("fingerprint") == PENDING:  # a killed run wrote it all: now it counts
                if entry.get("chunks"):
                    report.updated += 1
                else:
                    report.added += 1
            else:
                report.unchanged += 1
            writer.skipped(path)
            continue
        # a document first written by a killed run (pending, no chunks before it) is added
        if entry is not None and (entry.get("fingerprint") != PENDING or entry.get("chunks")):
            report.updated += 1
        else:
            report.added += 1
        writer.add(source, chunks, keys, held, fp, path, new_doc=entry is None)
    writer.finish()

    for source in gone:
        store.delete_chunks(store.chunk_ids(source), writer.generation)
        store.documents.delete([source])
        writer.changed = True
    report.removed = len(gone)
    if writer.changed:
        store.publish(writer.generation)
    report.chunks = store.count()
    return report


def estimate_work(paths: list[Path], chunk_size: int, chunk_overlap: int) -> Estimate:
    """Files of a supported type only: a folder such as /usr is mostly files that fail at once."""
    paths = [p for p in paths if p.suffix.lower() in SUPPORTED]
    size = sum(_size(p) for p in paths)
    chunks = int(size / max(chunk_size - chunk_overlap, 50)) + len(paths)
    return Estimate(len(paths), size / 1e6, chunks, chunks / _CHUNKS_PER_SECOND / 60)


def fingerprint(path: Path, chunk_size: int, chunk_overlap: int) -> str:
    """What must stay the same for a file to be skipped unread; "" when it cannot be told."""
    try:
        st = path.stat()
    except OSError:
        return ""
    return f"{st.st_size}:{st.st_mtime_ns}:{chunk_size}:{chunk_overlap}:{LAYOUT}"


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


class _Writer:
    """Embeds and writes the chunks of changed documents in bounded batches. A document is
    finished (its stale chunks removed, its record given its fingerprint) once all its new
    chunks are in; the change is published every _PUBLISH_CHUNKS chunks and at the end.
    Document records are written a batch at a time, not a document at a time: a folder of
    thousands of short files costs two record writes per batch, not two per file."""

    def __init__(self, store: ChunkStore, progress: bool, total_bytes: int, files: int = 0) -> None:
        self.store = store
        self.generation = store.next_generation()
        self.changed = False
        self._batch: list[tuple[str, Document]] = []  # (key, chunk)
        self._open: dict[str, list] = {}  # source -> [chunks left to write, stale ids, fp, n]
        self._pending: list[str] = []  # new documents: recorded as pending before their chunks
        self._done: dict[str, tuple[str, int]] = {}  # finished: their records, to write
        self._since_publish = 0
        self._bar = None
        if progress:
            # a bar on a terminal; in a log or a pipe (tqdm shows nothing there) a line now and then
            self._bar = (
                _progress(None, progress, "ingesting", "B", total=total_bytes)
                if sys.stderr.isatty() else _LineProgress(files, total_bytes)
            )

    def skipped(self, path: Path) -> None:
        if self._bar is not None:
            self._bar.update(_size(path))

    def add(self, source, chunks, keys, held: set[str], fp: str, path: Path, new_doc: bool) -> None:
        """A changed document. A new one is recorded as pending before any of its chunks is
        written (so a killed run's chunks always belong to a record, and a file deleted
        meanwhile is still found); a known one keeps its old fingerprint until it is done, which
        no longer matches its file, so a killed run leaves it to be compared again."""
        self.changed = True
        new = [(k, c) for k, c in zip(keys, chunks) if k not in held]
        self._open[source] = [len(new), held - set(keys), fp, len(keys)]
        if new and new_doc:
            self._pending.append(source)
        if not new:
            self._finish(source)
        for item in new:
            self._batch.append(item)
            if len(self._batch) >= _BATCH_CHUNKS:
                self._flush()
        self.skipped(path)

    def _flush(self) -> None:
        if self._pending:
            self.store.documents.put({s: (PENDING, 0) for s in self._pending})
            self._pending = []
        if self._batch:
            keys = [k for k, _ in self._batch]
            docs = [c for _, c in self._batch]
            vectors = attach_unit_vectors(docs, self.store.embeddings)
            self.store.write_chunks(keys, docs, vectors, self.generation)
            self._batch = []
            done = []
            for doc in docs:
                entry = self._open[doc.metadata["source"]]
                entry[0] -= 1
                if entry[0] == 0:
                    done.append(doc.metadata["source"])
            for source in done:
                self._finish(source)
            self._since_publish += len(docs)
        if self._done:
            self.store.documents.put(self._done)
            self._done = {}
        if self._since_publish >= _PUBLISH_CHUNKS:
            self.store.publish(self.generation)
            self.generation = self.store.next_generation()
            self._since_publish = 0

    def _finish(self, source: str) -> None:
        _, stale, fp, n = self._open.pop(source)
        if stale:
            self.store.delete_chunks(sorted(stale), self.generation)
        self._done[source] = (fp, n)

    def finish(self) -> None:
        self._flush()
        if self._bar is not None:
            self._bar.close()


def remove_document(source: str, store: ChunkStore) -> bool:
    """Remove one document by its source path; False when the index does not hold it."""
    if store.needs_migration:
        store.migrate()
    ids = store.chunk_ids(source)
    if not ids and not store.documents.get([source]):
        return False
    generation = store.next_generation()
    store.delete_chunks(sorted(ids), generation)
    store.documents.delete([source])
    store.publish(generation)
    return True


class _LineProgress:
    """Progress for stderr that is not a terminal (CI logs, `2> log`, nohup): a plain line
    "ingested 120/800 files (12.0 of 40.0 MB)" at most every EVERY seconds, and at the end,
    so a long run in a log is seen to move without flooding it."""

    EVERY = 5.0

    def __init__(self, files: int, total_bytes: int, stream=None) -> None:
        self.files, self.total = files, total_bytes
        self.done_files = self.done_bytes = 0
        self.stream = stream or sys.stderr
        self._last = time.monotonic()

    def update(self, n_bytes: int) -> None:
        self.done_files += 1
        self.done_bytes += n_bytes
        if time.monotonic() - self._last >= self.EVERY:
            self._print()

    def close(self) -> None:
        if self.files:
            self._print()

    def _print(self) -> None:
        self._last = time.monotonic()
        print(
            f"ingested {self.done_files}/{self.files} files "
            f"({self.done_bytes / 1e6:.1f} of {self.total / 1e6:.1f} MB)",
            file=self.stream, flush=True,
        )


def _progress(items, enabled: bool, desc: str, unit: str, total: int | None = None):
    if not enabled:
        return items
    from tqdm import tqdm

    return tqdm(items, total=total, desc=desc, unit=unit, leave=False, disable=None)
