"""The Chroma side: a client (embedded or server), the chunk store, its model check."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from langchain_core.embeddings import Embeddings

from ingest.errors import EmbeddingModelMismatch, IndexProblem
from ingest.records import ChromaRecordManager

_PAGE = 1000  # chunks per read: each carries its sentence vectors, so pages stay small


def make_client(data_dir: Path | str | None = None, chroma_url: str | None = None):
    """An embedded PersistentClient under data_dir/chroma, or an HttpClient for chroma_url.
    Telemetry is off either way."""
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False)
    if chroma_url:
        url = urlparse(chroma_url if "://" in chroma_url else f"http://{chroma_url}")
        if not url.hostname:
            raise IndexProblem(f"bad Chroma URL '{chroma_url}'; use http://host:port")
        try:
            return chromadb.HttpClient(
                host=url.hostname,
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=settings,
            )
        except Exception as exc:
            raise IndexProblem(
                f"cannot reach the Chroma server at {chroma_url} ({exc}); start it with "
                "`chroma run --path DIR --host 127.0.0.1 --port N` or unset ASSISTANT_CHROMA_URL"
            ) from exc
    if data_dir is None:
        raise IndexProblem("no data dir given; pass data_dir or set ASSISTANT_DATA_DIR")
    path = Path(data_dir).expanduser() / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=settings)


def reopen_client(client):
    """A fresh embedded client on the same folder, or `client` itself for a Chroma server.

    An embedded Chroma keeps its vector index in this process's memory and reloads it only when
    it is opened (or when this process writes). Another process ingesting into the same data dir
    (`assistant ingest` while `assistant ui` runs) is therefore invisible to dense search here
    until the folder is opened again; chromadb hands out one shared instance per folder, so it is
    taken out of that cache first. Handles to the old instance keep working (on the old view)."""
    settings = client.get_settings()
    if not settings.is_persistent or not settings.persist_directory:
        return client
    import chromadb
    from chromadb.api.shared_system_client import SharedSystemClient
    from chromadb.config import Settings as ChromaSettings

    SharedSystemClient._identifier_to_system.pop(settings.persist_directory, None)
    return chromadb.PersistentClient(
        path=settings.persist_directory, settings=ChromaSettings(anonymized_telemetry=False)
    )


@dataclass
class ChunkStore:
    """The chunk collection (through LangChain's Chroma), its sync records and identity."""

    client: object
    collection_name: str
    model: str  # model_id() of the embedding model the caller uses
    embeddings: Embeddings | None = None  # loaded lazily by the caller when needed

    def __post_init__(self) -> None:
        self._vectorstore = None
        self._collection = None
        self._seen_generation: int | None = None  # the generation this process's view holds
        self._lock = threading.RLock()  # opening/reopening: one thread at a time
        self.records = ChromaRecordManager(self.client, f"{self.collection_name}-records")

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
                metadata={"embedding_model": self.model, "generation": 0},
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

    @property
    def generation(self) -> int:
        """Bumped by every sync that changes the chunks, so caches (BM25) know to rebuild. Read
        fresh each time; when another process moved it, an embedded store is reopened so dense
        search sees what that process wrote (a Chroma server is always current)."""
        self.collection  # created, and the generation this view starts from noted
        fresh = self.client.get_collection(self.collection_name, embedding_function=None)
        generation = int((fresh.metadata or {}).get("generation", 0))
        if generation != self._seen_generation:
            with self._lock:
                if generation != self._seen_generation:
                    self.refresh()
                    self._seen_generation = generation
        return generation

    def refresh(self) -> None:
        """Drop cached handles; an embedded store is reopened from disk (see reopen_client)."""
        client = reopen_client(self.client)
        if client is self.client:
            return
        self.client = client
        self._collection = None
        self._vectorstore = None
        self.records = ChromaRecordManager(client, f"{self.collection_name}-records")

    def bump_generation(self) -> None:
        with self._lock:  # readers in this process wait, rather than reopen for our own write
            meta = dict(self.client.get_collection(self.collection_name, embedding_function=None).metadata or {})
            meta["generation"] = int(meta.get("generation", 0)) + 1
            meta.pop("hnsw:space", None)  # configuration, not metadata, in Chroma 1.x
            self.collection.modify(metadata=meta)
            self._seen_generation = meta["generation"]  # our own write: this view holds it

    def ids_by_source(self) -> dict[str, set[str]]:
        """{source: ids of its chunks} for every chunk in the collection (read in pages)."""
        out: dict[str, set[str]] = {}
        offset = 0
        while True:
            got = self.collection.get(include=["metadatas"], limit=_PAGE, offset=offset)
            for id_, meta in zip(got["ids"], got["metadatas"] or []):
                out.setdefault((meta or {}).get("source", ""), set()).add(id_)
            if len(got["ids"]) < _PAGE:
                return out
            offset += _PAGE

    def sources(self) -> set[str]:
        return set(self.ids_by_source()) - {""}

    def count(self) -> int:
        return self.collection.count()
