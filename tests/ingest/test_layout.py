"""An index written by the previous layout (unit vectors inside chunk metadata, LangChain's
per-chunk sync records) is migrated in place on opening, without embedding anything again;
the embedding memo never loses what the current batch needs."""

import numpy as np

from assistant import Assistant
from ingest import embeddings as emb_module
from ingest.embeddings import SentenceEmbeddings, attach_unit_vectors, model_id
from ingest.load import load_file
from ingest.split import split_document
from ingest.store import STORE_LAYOUT, make_client
from ingest.sync import chunk_key

MODEL = model_id("all-MiniLM-L6-v2")
HARBOUR = (
    "The harbour opened in 1890. Ships from three continents docked there.\n\n"
    "In 1920 a fire destroyed the east pier. It was rebuilt within two years."
)


def write_layout_3(data_dir, folder, embeddings):
    """What the previous version wrote: vectors in chunk metadata, records per chunk."""
    client = make_client(data_dir)
    chunks_col = client.create_collection(
        "documents", embedding_function=None, metadata={"embedding_model": MODEL, "generation": 1},
        configuration={"hnsw": {"space": "cosine"}},
    )
    records = client.create_collection("documents-records", embedding_function=None,
                                       metadata={"kind": "sync-records"})
    for path in sorted(folder.iterdir()):
        chunks = split_document(load_file(path), str(path), 600, 120)
        vectors = attach_unit_vectors(chunks, embeddings)
        ids = [chunk_key(c) for c in chunks]
        chunks_col.add(ids=ids, embeddings=vectors, documents=[c.page_content for c in chunks],
                       metadatas=[c.metadata for c in chunks])
        records.add(ids=ids, embeddings=[[0.0]] * len(ids),
                    metadatas=[{"group_id": str(path), "updated_at": 1.0}] * len(ids))
    client.close()


def test_an_old_index_is_migrated_on_opening_and_nothing_is_embedded_again(docs, data_dir):
    (docs / "harbour.txt").write_text(HARBOUR)
    (docs / "ferry.txt").write_text("The ferry runs hourly. The museum closes on Mondays.")
    write_layout_3(data_dir, docs, SentenceEmbeddings())

    a = Assistant(data_dir=data_dir)
    assert a.store.layout == STORE_LAYOUT
    got = a.store.collection.get(include=["metadatas"])
    assert all("unit_vectors" not in m and m["gen"] for m in got["metadatas"])
    assert sorted(a.store.vectors.ids()) == sorted(got["ids"])
    assert "documents-records" not in [c.name for c in a.store.client.list_collections()]
    assert [d["name"] for d in a.documents()] == ["ferry.txt", "harbour.txt"]
    answer = a.answer("When did a fire destroy the east pier?")
    assert answer.found and "1920" in answer.text

    calls = []
    real = a.embeddings.encode
    a.embeddings.encode = lambda texts: calls.append(len(texts)) or real(texts)
    report = a.ingest(docs)
    assert (report.added, report.updated, report.unchanged, report.removed) == (0, 0, 2, 0)
    assert calls == []  # the chunks were found in place: nothing embedded
    assert a.store.count() == len(got["ids"])


def test_an_old_index_can_be_synced_first_thing(docs, data_dir):
    """Opening migrates under the writer's lock: a sync that opens the store must not wait
    for its own lock."""
    (docs / "harbour.txt").write_text(HARBOUR)
    write_layout_3(data_dir, docs, SentenceEmbeddings())

    a = Assistant(data_dir=data_dir, lock_timeout=5)
    report = a.ingest(docs)

    assert (report.added, report.unchanged, report.chunks) == (0, 1, a.store.count())
    assert Assistant(data_dir=data_dir, lock_timeout=5).remove(str(docs / "harbour.txt"))


def test_the_memo_never_drops_what_the_batch_needs(monkeypatch):
    monkeypatch.setattr(emb_module, "_MEMO_SIZE", 3)
    e = SentenceEmbeddings()
    texts = [f"Sentence number {i} is about the harbour." for i in range(8)]
    first = e.sentence_vectors(texts + texts[:2])  # more distinct texts than the memo holds
    direct = e.encode(texts)
    assert np.allclose(np.array(first[:8]), direct, atol=1e-5)
    assert np.allclose(first[8], direct[0], atol=1e-5)
    again = e.sentence_vectors(texts[5:] + ["A new one."])  # some remembered, some not
    assert np.allclose(np.array(again[:3]), direct[5:], atol=1e-5)
    assert len(e._memo) == 3
