import pytest
from langchain_core.embeddings import Embeddings

from ingest.embeddings import load_embeddings, model_id
from ingest.store import ChunkStore, make_client


class CountingEmbeddings(Embeddings):
    """The real bundled model, counting how many texts it embeds."""

    def __init__(self):
        self.model = load_embeddings("all-MiniLM-L6-v2")
        self.embedded = 0

    def embed_documents(self, texts):
        self.embedded += len(texts)
        return self.model.embed_documents(texts)

    def embed_query(self, text):
        return self.model.embed_query(text)


@pytest.fixture
def embeddings():
    return CountingEmbeddings()


@pytest.fixture
def store(data_dir, embeddings):
    return ChunkStore(make_client(data_dir), "documents", model_id("all-MiniLM-L6-v2"), embeddings)


def chunk_ids(store):
    return sorted(store.collection.get(include=[])["ids"])


def record_ids(store):
    return sorted(store.records.collection.get(include=[])["ids"])
