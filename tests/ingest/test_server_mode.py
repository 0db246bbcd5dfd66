"""Against a Chroma server, ingesting behaves exactly as on the embedded store: the sync tests of
test_sync.py (and the generation test of test_store.py) run here again with `store` on a real
`chroma run` server (ASSISTANT_TEST_CHROMA_URL, or one started for the session)."""

import pytest

from ingest.embeddings import model_id
from ingest.errors import EmbeddingModelMismatch, IndexProblem
from ingest.store import ChunkStore, make_client
from ingest.sync import remove_document, sync
from tests.ingest import test_store as _store_tests
from tests.ingest import test_sync as _sync_tests
from tests.ingest.conftest import chunk_ids, record_ids
from tests.server_conftest import free_port

pytestmark = pytest.mark.server

# The embedded-store tests, collected again in this module, where `store` is a server store.
globals().update({n: f for n, f in vars(_sync_tests).items() if n.startswith("test_")})
test_generation_moves_only_when_chunks_change = _store_tests.test_generation_moves_only_when_chunks_change
test_chroma_default_embedding_function_is_never_attached = (
    _store_tests.test_chroma_default_embedding_function_is_never_attached
)

MODEL = model_id("all-MiniLM-L6-v2")


@pytest.fixture
def store(chroma_url, collection_name, embeddings):
    return ChunkStore(make_client(chroma_url=chroma_url), collection_name, MODEL, embeddings)


def test_the_store_is_the_server_and_nothing_is_written_locally(store, docs, data_dir):
    (docs / "a.txt").write_text("The ferry runs hourly.")
    sync([docs], store)
    settings = store.client.get_settings()
    assert settings.chroma_api_impl.endswith("FastAPI") and not settings.is_persistent
    assert not data_dir.exists()


def test_a_second_client_sees_the_same_chunks_records_and_generation(store, docs, chroma_url, collection_name):
    (docs / "a.txt").write_text("The ferry runs hourly. The museum closes on Mondays.")
    sync([docs], store)
    other = ChunkStore(make_client(chroma_url=chroma_url), collection_name, MODEL)
    assert chunk_ids(other) == chunk_ids(store) == record_ids(other)
    assert other.generation == store.generation == 1
    assert remove_document(str(docs / "a.txt"), other)
    assert store.count() == 0 and record_ids(store) == []
    assert store.generation == 2


def test_the_server_refuses_another_embedding_model(store, docs, chroma_url, collection_name):
    (docs / "a.txt").write_text("Some text to index.")
    sync([docs], store)
    other = ChunkStore(make_client(chroma_url=chroma_url), collection_name, "BAAI/bge-small-en-v1.5")
    with pytest.raises(EmbeddingModelMismatch, match="ASSISTANT_EMBEDDING_MODEL"):
        other.collection


def test_an_unreachable_server_is_a_clear_error():
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    with pytest.raises(IndexProblem) as err:
        make_client(chroma_url=url)
    assert "cannot reach the Chroma server" in str(err.value) and "chroma run" in str(err.value)


def test_a_bad_url_is_a_clear_error():
    with pytest.raises(IndexProblem, match="bad Chroma URL"):
        make_client(chroma_url="http://")
