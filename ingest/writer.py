"""Writing a sync's changed documents: chunks embedded and written in bounded batches, each
document finished (stale chunks removed, record written) once all its new chunks are in, the
change published as it goes, and the progress shown (a bar on a terminal, lines elsewhere)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from langchain_core.documents import Document

from ingest.embeddings import attach_unit_vectors
from ingest.records import PENDING
from ingest.store import ChunkStore

# Chunks are embedded and written in batches of about this many: big enough for efficient
# embedding batches, small enough that memory stays bounded and the progress bar moves.
BATCH_CHUNKS = 256
# A change is published (readers see it) at least every this many chunks written.
PUBLISH_CHUNKS = 4096


def file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


class ChunkWriter:
    """Embeds and writes the chunks of changed documents in bounded batches. A document is
    finished (its stale chunks removed, its record given its fingerprint) once all its new
    chunks are in; the change is published every PUBLISH_CHUNKS chunks and at the end.
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
                progress_bar(None, progress, "ingesting", "B", total=total_bytes)
                if sys.stderr.isatty() else LineProgress(files, total_bytes)
            )

    def skipped(self, path: Path) -> None:
        if self._bar is not None:
            self._bar.update(file_size(path))

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
            if len(self._batch) >= BATCH_CHUNKS:
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
        if self._since_publish >= PUBLISH_CHUNKS:
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


class LineProgress:
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


def progress_bar(items, enabled: bool, desc: str, unit: str, total: int | None = None):
    if not enabled:
        return items
    from tqdm import tqdm

    return tqdm(items, total=total, desc=desc, unit=unit, leave=False, disable=None)
