"""The chunk store on Chroma: chunks, their unit vectors and document records, generations,
migration from older layouts, and the embedding model check. Clients: ingest.clients."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

# make_client and reopen_client are imported from here by callers that open a store
from ingest.clients import _folder, _open_fresh, close_client, make_client, reopen_client  # noqa: F401
from ingest.errors import EmbeddingModelMismatch
from ingest.records import (
    MIGRATED, DocumentTable, Removals, SqliteVectors, UnitVectors, all_ids, delete_ids, pages,
)

log = logging.getLogger(__name__)

# What a chunk store holds (bumped when that changes; an older store is migrated on opening).
# 4: unit vectors in `<name>-vectors` instead of chunk metadata, one record per document in
# `<name>-documents` instead of LangChain's per-chunk records, a "gen" label on every chunk.
STORE_LAYOUT = 4
GEN_KEY = "gen"  # chunk metadata: the generation that wrote the chunk
_OLD_VECTOR_KEYS = ("unit_vectors", "context_vector")


@dataclass
class ChunkStore:
    """The chunk collection, its side collections (see ingest.records) and identity."""

    client: object
    collection_name: str
    model: str  # model_id() of the embedding model the caller uses
    embeddings: Embeddings | None = None  # loaded lazily by the caller when needed
    # Where this process keeps its caches of the store (the lexical index): the data dir. None:
    # beside the embedded folder, or a temporary folder for a server.
    cache_dir: Path | None = None

    def __post_init__(self) -> None:
        self._vectorstore = None
        self._collection = None
        self._seen_generation: int | None = None  # the generation this process's view holds
        self._lock = threading.RLock()  # opening/reopening: one thread at a time
        self._retired = None  # the client replaced by the last refresh, closed by the next one
        self._side()

    def _side(self) -> None:
        name = self.collection_name
        self.documents = DocumentTable(self.client, f"{name}-documents")
        self.removals = Removals(self.client, f"{name}-removed")
        folder = _folder(self.client)
        if folder is None:
            self.vectors = UnitVectors(self.client, f"{name}-vectors")
        elif not isinstance(getattr(self, "vectors", None), SqliteVectors):
            self.vectors = SqliteVectors(Path(folder).parent / "unit-vectors" / f"{name}.sqlite3")

    @property
    def embedded_folder(self) -> str | None:
        return _folder(self.client)

    @property
    def collection(self):
        """The raw Chroma collection, created (with this model's name) on first use."""
        with self._lock:
            return self._open_collection() if self._collection is None else self._collection

    def _open_collection(self):
        if self._collection is None:
            self._collection = self.client.get_or_create_collection(
                self.collection_name,
                embedding_function=None,  # never Chroma's default model: it downloads weights
                metadata={"embedding_model": self.model, "generation": 0, "layout": STORE_LAYOUT},
                configuration={"hnsw": {"space": "cosine"}},
            )
            self.check_model()
            if self._seen_generation is None:
                self._seen_generation = int((self._collection.metadata or {}).get("generation", 0))
        return self._collection

    def check_model(self) -> None:
        built_with = (self._collection.metadata or {}).get("embedding_model")
        if built_with and built_with != self.model:
            raise EmbeddingModelMismatch(
                f"the index '{self.collection_name}' was built with embedding model "
                f"'{built_with}', but '{self.model}' is configured. Set "
                f"ASSISTANT_EMBEDDING_MODEL={built_with} (or --embedding-model) to use it, or "
                "point --data-dir / ASSISTANT_COLLECTION at a new index and ingest again."
            )

    # -- layout ---------------------------------------------------------------------------
    @property
    def layout(self) -> int:
        return int((self._fresh_metadata()).get("layout", 3))

    @property
    def needs_migration(self) -> bool:
        return self.layout < STORE_LAYOUT

    def migrate(self, progress: bool = False) -> int:
        """Bring an index written by an older version (layout 3: unit vectors inside chunk
        metadata, per-chunk sync records) to this layout, in place and without embedding
        anything again: the vectors move to `<name>-vectors`, each document gets its record.
        Returns the number of chunks migrated."""
        if not self.needs_migration:
            return 0
        total = self.collection.count()
        log.warning(
            "migrating the index '%s' (%d chunks) to layout %d: unit vectors move out of chunk "
            "metadata; nothing is embedded again", self.collection_name, total, STORE_LAYOUT,
        )
        generation = self.next_generation()
        per_source: dict[str, int] = {}
        done = 0
        # Pages of ids first: updating while paging by offset is safe (nothing is deleted).
        for got in pages(self.collection, include=["metadatas"], page=500):
            ids, metas = got["ids"], got["metadatas"] or []
            units = [(m or {}).get(_OLD_VECTOR_KEYS[0]) or "" for m in metas]
            contexts = [(m or {}).get(_OLD_VECTOR_KEYS[1]) for m in metas]
            self.vectors.put(ids, units, contexts)
            self.collection.update(
                ids=ids, metadatas=[{_OLD_VECTOR_KEYS[0]: None, _OLD_VECTOR_KEYS[1]: None,
                                     GEN_KEY: generation} for _ in ids],
            )
            for m in metas:
                source = (m or {}).get("source", "")
                per_source[source] = per_source.get(source, 0) + 1
            done += len(ids)
        # No fingerprints: the next sync reads each file once, finds its chunks in place (same
        # ids), and records the fingerprint.
        self.documents.put({s: (MIGRATED, n) for s, n in per_source.items() if s})
        try:
            self.client.delete_collection(f"{self.collection_name}-records")
        except Exception:  # noqa: BLE001 - an older store that never had records
            pass
        self._set_metadata(layout=STORE_LAYOUT, generation=generation)
        return done

    # -- generations ------------------------------------------------------------------------
    def _fresh_metadata(self) -> dict:
        self.collection  # created, and the generation this view starts from noted
        fresh = self.client.get_collection(self.collection_name, embedding_function=None)
        return dict(fresh.metadata or {})

    @property
    def generation(self) -> int:
        """Moved by every sync that changes the chunks, so caches (the lexical index) catch up.
        Read fresh each time; when another process moved it, an embedded store is reopened so
        dense search sees what that process wrote (a Chroma server is always current)."""
        generation = int(self._fresh_metadata().get("generation", 0))
        if generation != self._seen_generation:
            with self._lock:
                if generation != self._seen_generation:
                    self.refresh()
                    self._seen_generation = generation
        return generation

    def next_generation(self) -> int:
        """The label of the next change: chunks written by it carry it (metadata "gen")."""
        return int(self._fresh_metadata().get("generation", 0)) + 1

    def publish(self, generation: int) -> None:
        """Make a change visible: readers see the generation move and catch up."""
        with self._lock:  # readers in this process wait, rather than reopen for our own write
            current = int(self._fresh_metadata().get("generation", 0))
            self._set_metadata(generation=max(generation, current + 1))

    def bump_generation(self) -> None:
        self.publish(self.next_generation())

    def _set_metadata(self, **values) -> None:
        meta = self._fresh_metadata()
        meta.update(values)
        meta.pop("hnsw:space", None)  # configuration, not metadata, in Chroma 1.x
        self.collection.modify(metadata=meta)
        if "generation" in values:
            self._seen_generation = int(meta["generation"])  # our own write: this view holds it

    def refresh(self) -> None:
        """Drop cached handles; an embedded store is reopened from disk (see reopen_client).
        The client it replaces is closed at the next refresh, so a question in flight on it
        finishes, and at most two instances are ever open."""
        folder = _folder(self.client)
        if folder is None:
            return
        if self._retired is not None:
            close_client(self._retired)
        self._retired = self.client
        self.client = _open_fresh(folder)
        self._collection = None
        self._vectorstore = None
        self._side()

    def close(self) -> None:
        if isinstance(self.vectors, SqliteVectors):
            self.vectors.close()
        for client in (self._retired, self.client):
            if client is not None and _folder(client) is not None:
                close_client(client)
        self._retired = None

    # -- reading ------------------------------------------------------------------------------
    @property
    def vectorstore(self):
        with self._lock:
            if self._vectorstore is None:
                from langchain_chroma import Chroma

                self.collection  # creates it and checks the model first
                self._vectorstore = Chroma(
                    client=self.client,
                    collection_name=self.collection_name,
                    embedding_function=self.embeddings,
                )
            return self._vectorstore

    def chunk_ids(self, source: str) -> set[str]:
        """Ids of one document's chunks (a scoped read)."""
        return set(all_ids(self.collection, where={"source": source}))

    def sources(self) -> set[str]:
        return set(self.documents.all())

    def count(self) -> int:
        return self.collection.count()

    def get_chunks(self, ids) -> dict[str, tuple[str, dict]]:
        """{id: (text, metadata)} of the given chunks (missing ones left out)."""
        from ingest.records import by_ids

        out: dict[str, tuple[str, dict]] = {}
        for got in by_ids(self.collection, ids, include=["documents", "metadatas"], page=2000):
            for id_, text, meta in zip(got["ids"], got["documents"], got["metadatas"]):
                out[id_] = (text or "", meta or {})
        return out

    def attach_vectors(self, docs) -> None:
        """Put each Document's unit vectors and heading-path vector (from `<name>-vectors`, one
        read for all) into its metadata, where ingest.embeddings.read_unit_vectors and
        read_context_vector find them. Documents that already carry them are left alone."""
        from ingest.embeddings import CONTEXT_VECTOR_KEY, VECTORS_KEY

        want = [d.id for d in docs if d.id and VECTORS_KEY not in d.metadata]
        if not want:
            return
        found = self.vectors.get(list(dict.fromkeys(want)))
        for d in docs:
            got = found.get(d.id) if d.id else None
            if got and VECTORS_KEY not in d.metadata:
                d.metadata[VECTORS_KEY] = got.get("u", "")
                if got.get("c"):
                    d.metadata[CONTEXT_VECTOR_KEY] = got["c"]

    # -- writing ------------------------------------------------------------------------------
    def write_chunks(self, ids: list[str], docs, vectors, generation: int) -> None:
        """Write chunks (text, metadata without vectors, labelled with `generation`) and their
        unit vectors. The unit vectors go first: a chunk is never found without them."""
        from ingest.embeddings import CONTEXT_VECTOR_KEY, VECTORS_KEY

        metas, units, contexts = [], [], []
        for d in docs:
            meta = {k: v for k, v in d.metadata.items() if k not in (VECTORS_KEY, CONTEXT_VECTOR_KEY)}
            meta[GEN_KEY] = generation
            metas.append(meta)
            units.append(d.metadata.get(VECTORS_KEY) or "")
            contexts.append(d.metadata.get(CONTEXT_VECTOR_KEY))
        self.vectors.put(ids, units, contexts)
        step = 500
        for i in range(0, len(ids), step):
            self.collection.upsert(
                ids=ids[i : i + step],
                embeddings=np.asarray(vectors[i : i + step], dtype=np.float32),
                documents=[d.page_content for d in docs[i : i + step]],
                metadatas=metas[i : i + step],
            )

    def delete_chunks(self, ids, generation: int) -> None:
        """Remove chunks, noting each removal (with `generation`) for processes that follow."""
        ids = list(ids)
        if not ids:
            return
        self.removals.add(ids, generation)
        delete_ids(self.collection, ids)
        self.vectors.delete(ids)
