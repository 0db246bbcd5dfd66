"""The Chroma side: the configured model only, Chroma's own model never, no telemetry."""

import pytest

from ingest.errors import EmbeddingModelMismatch
from ingest.store import ChunkStore, make_client
from ingest.sync import sync


def test_an_index_refuses_another_embedding_model(docs, data_dir, store):
    (docs / "a.txt").write_text("Some text to index.")
    sync([docs], store)
    other = ChunkStore(make_client(data_dir), "documents", "BAAI/bge-small-en-v1.5")
    with pytest.raises(EmbeddingModelMismatch) as err:
        other.collection
    message = str(err.value)
    assert "sentence-transformers/all-MiniLM-L6-v2" in message
    assert "ASSISTANT_EMBEDDING_MODEL" in message and "--data-dir" in message


def test_chroma_default_embedding_function_is_never_attached(store):
    assert store.collection._embedding_function is None
    assert store.vectorstore._chroma_collection._embedding_function is None


def test_telemetry_is_off(data_dir):
    assert make_client(data_dir).get_settings().anonymized_telemetry is False


def test_generation_moves_only_when_chunks_change(docs, store):
    (docs / "a.txt").write_text("Some text to index.")
    sync([docs], store)
    g = store.generation
    sync([docs], store)
    assert store.generation == g
    (docs / "a.txt").write_text("Other text now.")
    sync([docs], store)
    assert store.generation == g + 1
