import pytest

from ingest.embeddings import SentenceEmbeddings, model_id
from ingest.store import ChunkStore, make_client


class CountingEmbeddings(SentenceEmbeddings):
    """The real bundled model, counting how many texts it runs through the model."""

    embedded = 0

    def encode(self, texts):
        self.embedded += len(texts)
        return super().encode(texts)


@pytest.fixture
def embeddings():
    return CountingEmbeddings()


@pytest.fixture
def store(data_dir, embeddings):
    return ChunkStore(make_client(data_dir), "documents", model_id("all-MiniLM-L6-v2"), embeddings)


def chunk_ids(store):
    return sorted(store.collection.get(include=[])["ids"])


def record_ids(store):
    """Ids of the chunks whose unit vectors are stored: every chunk has them, nothing else does."""
    return sorted(store.vectors.ids())


def documents(store):
    """{source: fingerprint} of the document records."""
    return {s: m.get("fingerprint") for s, m in store.documents.all().items()}
