"""Ingesting paths is a sync: new documents added, changed ones replaced, unchanged ones skipped
without embedding, deleted ones removed. LangChain's indexing API does the add/replace with our
ChromaRecordManager; this module decides what each document is and reports it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from langchain_core.documents import Document
from langchain_core.indexing import index

from ingest.discover import _is_under, discover
from ingest.embeddings import CONTEXT_VECTOR_KEY, VECTORS_KEY, attach_unit_vectors
from ingest.errors import LoadError
from ingest.load import LoadLimits, load_file
from ingest.split import split_document
from ingest.store import ChunkStore

# Bumped whenever what ingest stores for a chunk changes (its text extraction, units, vectors):
# it is part of every chunk key, so the next sync of an older index re-embeds every document.
LAYOUT = 3
# Documents are indexed in groups of about this many chunks: big enough for efficient embedding
# batches, small enough that the progress bar moves. A document is never split across groups,
# so each one goes into the index whole.
_GROUP_CHUNKS = 256


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


def chunk_key(chunk: Document) -> str:
    """Chunk id: changes whenever the text, its place or its document changes. Computed before
    embedding (that is how unchanged chunks are skipped), so it leaves the vectors out."""
    meta = {k: v for k, v in chunk.metadata.items() if k not in (VECTORS_KEY, CONTEXT_VECTOR_KEY)}
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

    prepared: list[tuple[str, list[Document]]] = []
    for path in _progress(files, progress, "reading", "file"):
        try:
            doc = load_file(path, limits=limits)
        except LoadError as exc:
            report.failed.append((str(path), str(exc)))
            continue
        prepared.append((str(path), split_document(doc, str(path), chunk_size, chunk_overlap)))

    indexed = store.records.keys_by_group()
    # What the chunk collection holds, by source: a crash can leave chunks without records
    # (killed between writing the two) and records without chunks (killed while deleting).
    stored = store.ids_by_source()
    changed: list[tuple[str, list[Document]]] = []
    stray: list[str] = []  # chunks no current document has: to delete once the new ones are in
    for source, chunks in prepared:
        keys = {chunk_key(c) for c in chunks}
        old, held = indexed.get(source, set()), stored.get(source, set())
        if old == keys == held:
            report.unchanged += 1
            continue
        changed.append((source, chunks))
        stray.extend(held - keys - old)  # the records' own cleanup removes old & held
        if old - held:
            # Records of chunks that are gone would make index() skip writing them again.
            store.records.delete_keys(sorted(old - held))
        if old:
            report.updated += 1
        else:
            report.added += 1

    present = {str(f) for f in files}
    # Sources seen in the chunks too: a crash between writing chunks and writing their
    # records leaves chunks no record knows about.
    known = set(indexed) | set(stored)
    gone = sorted(
        source
        for source in known
        if source not in present and any(_is_under(source, folder) for folder in folders)
    )
    _index_documents(changed, store, progress)
    for i in range(0, len(stray), 1000):  # Chroma caps the size of one call
        store.collection.delete(ids=stray[i : i + 1000])
    for source in gone:
        _remove_document(source, indexed.get(source, set()), store)
    report.removed = len(gone)
    if changed or gone:
        store.bump_generation()
    report.chunks = store.count()
    return report


def _index_documents(changed, store: ChunkStore, progress: bool) -> None:
    total = sum(len(chunks) for _, chunks in changed)
    bar = _progress(None, progress, "embedding", "chunk", total=total)
    group: list[Document] = []
    for i, (_, chunks) in enumerate(changed):
        group.extend(chunks)
        if len(group) >= _GROUP_CHUNKS or i == len(changed) - 1:
            attach_unit_vectors(group, store.embeddings)
            # incremental cleanup: after a document's new chunks are in, its old ones go
            index(
                group,
                store.records,
                store.vectorstore,
                cleanup="incremental",
                source_id_key="source",
                key_encoder=chunk_key,
                batch_size=len(group),
            )
            if bar is not None:
                bar.update(len(group))
            group = []
    if bar is not None:
        bar.close()


def _remove_document(source: str, keys: set[str], store: ChunkStore) -> None:
    store.collection.delete(where={"source": source})
    store.records.delete_keys(list(keys))


def remove_document(source: str, store: ChunkStore) -> bool:
    """Remove one document by its source path; False when the index does not hold it."""
    keys = set(store.records.list_keys(group_ids=[source]))
    if not keys and not store.collection.get(where={"source": source}, limit=1, include=[])["ids"]:
        return False
    _remove_document(source, keys, store)
    store.bump_generation()
    return True


def _progress(items, enabled: bool, desc: str, unit: str, total: int | None = None):
    if not enabled:
        return items
    from tqdm import tqdm

    return tqdm(items, total=total, desc=desc, unit=unit, leave=False, disable=None)
