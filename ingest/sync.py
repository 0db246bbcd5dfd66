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
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from langchain_core.documents import Document

from ingest.discover import _is_under, discover
from ingest.embeddings import CONTEXT_VECTOR_KEY, VECTORS_KEY
from ingest.errors import LoadError
from ingest.load import SUPPORTED, LoadLimits, load_file
from ingest.split import split_document
from ingest.writer import ChunkWriter, file_size
from ingest.records import PENDING
from ingest.store import GEN_KEY, ChunkStore

# Bumped whenever what ingest stores for a chunk changes (its text extraction, units, vectors):
# it is part of every chunk key, so the next sync of an older index re-embeds every document.
LAYOUT = 4
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

    writer = ChunkWriter(store, progress, sum(file_size(p) for p, _ in todo), len(todo))
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
    size = sum(file_size(p) for p in paths)
    chunks = int(size / max(chunk_size - chunk_overlap, 50)) + len(paths)
    return Estimate(len(paths), size / 1e6, chunks, chunks / _CHUNKS_PER_SECOND / 60)


def fingerprint(path: Path, chunk_size: int, chunk_overlap: int) -> str:
    """What must stay the same for a file to be skipped unread; "" when it cannot be told."""
    try:
        st = path.stat()
    except OSError:
        return ""
    return f"{st.st_size}:{st.st_mtime_ns}:{chunk_size}:{chunk_overlap}:{LAYOUT}"


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


