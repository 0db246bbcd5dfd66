"""The Chroma side: a client (embedded or server), the chunk store, its model check."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from langchain_core.embeddings import Embeddings

from ingest.errors import EmbeddingModelMismatch, IndexProblem
from ingest.records import ChromaRecordManager


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
        self.records = ChromaRecordManager(self.client, f"{self.collection_name}-records")

    @property
    def collection(self):
        """The raw Chroma collection, created (with this model's name) on first use."""
        if self._collection is None:
            self._collection = self.client.get_or_create_collection(
                self.collection_name,
                embedding_function=None,  # never Chroma's default model: it downloads weights
                metadata={"embedding_model": self.model, "generation": 0},
                configuration={"hnsw": {"space": "cosine"}},
            )
            self.check_model()
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
        """Bumped by every sync that changes the chunks, so caches (BM25) know to rebuild."""
        fresh = self.client.get_collection(self.collection_name, embedding_function=None)
        return int((fresh.metadata or {}).get("generation", 0))

    def bump_generation(self) -> None:
        meta = dict(self.client.get_collection(self.collection_name, embedding_function=None).metadata or {})
        meta["generation"] = int(meta.get("generation", 0)) + 1
        meta.pop("hnsw:space", None)  # configuration, not metadata, in Chroma 1.x
        self.collection.modify(metadata=meta)

    def sources(self) -> set[str]:
        metas = self.collection.get(include=["metadatas"])["metadatas"] or []
        return {m["source"] for m in metas if m and "source" in m}

    def count(self) -> int:
        return self.collection.count()
