"""Ingesting a folder is a sync: added, updated, unchanged, removed; never half-written."""

import pytest
from langchain_core.documents import Document

from ingest.sync import sync
from tests.ingest.conftest import chunk_ids, documents, record_ids

ARTICLE = (
    "The harbour opened in 1890. Ships from three continents docked there.\n\n"
    "In 1920 a fire destroyed the east pier. It was rebuilt within two years."
)


def texts_of(store, source):
    got = store.collection.get(where={"source": str(source)}, include=["documents"])
    return got["documents"]


def test_first_ingest_adds_every_document(docs, store):
    (docs / "a.txt").write_text(ARTICLE)
    (docs / "b.md").write_text("# Lighthouse\n\nThe lighthouse keeper retired in 1975.")
    report = sync([docs], store)
    assert (report.added, report.updated, report.unchanged, report.removed) == (2, 0, 0, 0)
    assert report.chunks == store.count() > 0
    assert report.failed == []


def test_second_ingest_is_all_unchanged_and_embeds_nothing(docs, store, embeddings):
    (docs / "a.txt").write_text(ARTICLE)
    sync([docs], store, chunk_size=80, chunk_overlap=0)
    before, embedded = chunk_ids(store), embeddings.embedded
    report = sync([docs], store, chunk_size=80, chunk_overlap=0)
    assert (report.added, report.updated, report.unchanged, report.removed) == (0, 0, 1, 0)
    assert embeddings.embedded == embedded
    assert chunk_ids(store) == before


def test_an_edited_document_is_replaced_not_duplicated(docs, store):
    f = docs / "a.txt"
    f.write_text(ARTICLE)
    sync([docs], store, chunk_size=80, chunk_overlap=0)
    f.write_text(ARTICLE.replace("1920", "1921"))
    report = sync([docs], store, chunk_size=80, chunk_overlap=0)
    assert (report.added, report.updated, report.unchanged) == (0, 1, 0)
    texts = texts_of(store, f)
    assert any("1921" in t for t in texts)
    assert not any("1920" in t for t in texts)
    assert chunk_ids(store) == record_ids(store)


def test_deleted_and_new_files_are_reflected(docs, store):
    (docs / "a.txt").write_text(ARTICLE)
    (docs / "b.txt").write_text("The ferry runs hourly.")
    sync([docs], store)
    (docs / "b.txt").unlink()
    (docs / "c.txt").write_text("The museum closes on Mondays.")
    report = sync([docs], store)
    assert (report.added, report.unchanged, report.removed) == (1, 1, 1)
    assert texts_of(store, docs / "b.txt") == []
    assert chunk_ids(store) == record_ids(store)


def test_syncing_one_folder_leaves_other_folders_alone(tmp_path, store):
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir(), two.mkdir()
    (one / "a.txt").write_text("Alpha document text.")
    (two / "b.txt").write_text("Beta document text.")
    sync([one], store)
    report = sync([two], store)
    assert (report.added, report.removed) == (1, 0)
    assert texts_of(store, one / "a.txt")


def test_bad_files_are_reported_and_the_rest_ingested(docs, store):
    (docs / "good.txt").write_text(ARTICLE)
    (docs / "empty.txt").write_text("")
    (docs / "blob.txt").write_bytes(b"GIF89a\x00\x01\x00")
    (docs / "sheet.xlsx").write_bytes(b"PK\x03\x04")
    (docs / ".DS_Store").write_bytes(b"\x00\x00")  # hidden files are not documents
    report = sync([docs, docs / "missing.txt"], store)
    assert report.added == 1
    reasons = {name.rsplit("/", 1)[-1]: why for name, why in report.failed}
    assert set(reasons) == {"empty.txt", "blob.txt", "sheet.xlsx", "missing.txt"}
    assert "empty" in reasons["empty.txt"]
    assert "binary" in reasons["blob.txt"]
    assert "unsupported" in reasons["sheet.xlsx"]
    assert "no such file" in reasons["missing.txt"]


def test_a_document_that_turns_bad_keeps_its_last_good_version(docs, store):
    f = docs / "a.txt"
    f.write_text(ARTICLE)
    sync([docs], store)
    f.write_bytes(b"\x00\x01 corrupted")
    report = sync([docs], store)
    assert report.removed == 0 and len(report.failed) == 1
    assert texts_of(store, f)


class Crash(Exception):
    pass


def test_an_interrupted_ingest_is_repaired_by_the_next_run(docs, store, monkeypatch):
    import ingest.writer

    for i in range(4):
        (docs / f"d{i}.txt").write_text(f"Document {i} says the tide is {i} metres. " * 5)
    real_finish = ingest.writer.ChunkWriter._finish
    # Crash right after the chunks are written and before their documents are marked done.
    monkeypatch.setattr(ingest.writer.ChunkWriter, "_finish", lambda *a, **k: (_ for _ in ()).throw(Crash()))
    with pytest.raises(Crash):
        sync([docs], store)
    assert store.count() > 0 and set(documents(store).values()) == {""}  # all still pending
    monkeypatch.setattr(ingest.writer.ChunkWriter, "_finish", real_finish)

    (docs / "d3.txt").unlink()  # and a file vanished while we were down
    report = sync([docs], store)
    assert report.added + report.updated == 3 and report.failed == []
    assert chunk_ids(store) == record_ids(store)  # no duplicates, no orphans
    assert texts_of(store, docs / "d3.txt") == []
    assert report.chunks == store.count()
    assert sorted(documents(store)) == sorted(str(docs / f"d{i}.txt") for i in range(3))
    assert all(documents(store).values())  # each with its fingerprint


def test_a_touched_file_is_read_again_but_not_embedded(docs, store, embeddings):
    import os

    f = docs / "a.txt"
    f.write_text(ARTICLE)
    sync([docs], store)
    embedded = embeddings.embedded
    os.utime(f, ns=(f.stat().st_atime_ns, f.stat().st_mtime_ns + 10**9))
    report = sync([docs], store)
    assert (report.added, report.updated, report.unchanged) == (0, 0, 1)
    assert embeddings.embedded == embedded


def test_a_file_that_breaks_the_splitter_is_that_files_failure(docs, store, monkeypatch):
    import ingest.sync

    (docs / "a.txt").write_text(ARTICLE)
    (docs / "b.txt").write_text("The ferry runs hourly.")
    real = ingest.sync.split_document

    def split(doc, source, *args):
        if source.endswith("a.txt"):
            raise RecursionError("maximum recursion depth exceeded")
        return real(doc, source, *args)

    monkeypatch.setattr(ingest.sync, "split_document", split)
    report = sync([docs], store)
    assert report.added == 1 and [p.rsplit("/", 1)[-1] for p, _ in report.failed] == ["a.txt"]
    assert "RecursionError" in report.failed[0][1]


def test_chunks_store_offsets_and_metadata(docs, store):
    (docs / "a.txt").write_text(ARTICLE)
    sync([docs], store, chunk_size=80, chunk_overlap=0)
    got = store.collection.get(include=["documents", "metadatas"])
    text = (docs / "a.txt").read_text()
    for content, meta in zip(got["documents"], got["metadatas"]):
        assert text[meta["start"] : meta["end"]] == content
        assert {"source", "title", "doc_hash", "chunk", "start", "end"} <= set(meta)


def test_each_chunk_carries_its_unit_vectors(docs, store):
    import numpy as np

    from ingest.embeddings import chunk_units, read_unit_vectors

    (docs / "a.txt").write_text(ARTICLE)
    sync([docs], store, chunk_size=200, chunk_overlap=0)
    got = store.collection.get(include=["documents", "metadatas", "embeddings"])
    assert all("unit_vectors" not in meta for meta in got["metadatas"])  # not in bulk reads
    found = [Document(page_content=t, metadata=dict(m), id=i)
             for i, t, m in zip(got["ids"], got["documents"], got["metadatas"])]
    store.attach_vectors(found)
    for doc, vector in zip(found, got["embeddings"]):
        text, meta = doc.page_content, doc.metadata
        units = chunk_units(doc)
        vectors = read_unit_vectors(meta, len(units))
        assert len(units) >= 2 and vectors.shape[0] == len(units)
        direct = store.embeddings.encode([text[a:b] for a, b, _ in units])
        assert np.allclose(vectors, direct, atol=2e-3)  # float16 storage
        rows = [direct]
        if meta.get("headings"):  # the heading path counts in the chunk's own vector
            rows.append(store.embeddings.encode([meta["headings"]]))
        mean = np.concatenate(rows).mean(axis=0)
        assert np.allclose(vector, mean / np.linalg.norm(mean), atol=1e-3)


def long_text(n: int) -> str:
    return " ".join(f"Entry {i} records that the tide reached {i % 7} metres on day {i}." for i in range(n))


def test_a_large_file_is_written_in_bounded_batches_and_a_killed_run_resumes(docs, store, embeddings, monkeypatch):
    import ingest.store
    import ingest.writer

    monkeypatch.setattr(ingest.writer, "BATCH_CHUNKS", 8)
    monkeypatch.setattr(ingest.writer, "PUBLISH_CHUNKS", 16)
    (docs / "log.txt").write_text(long_text(60))
    writes = []
    real_write = ingest.store.ChunkStore.write_chunks

    def write(self, ids, *a, **k):
        writes.append(len(ids))
        if len(writes) == 3:
            raise Crash()
        return real_write(self, ids, *a, **k)

    monkeypatch.setattr(ingest.store.ChunkStore, "write_chunks", write)
    with pytest.raises(Crash):
        sync([docs], store, chunk_size=120, chunk_overlap=0)
    assert writes == [8, 8, 8] and store.count() == 16 and store.generation >= 1  # published
    embedded_before = embeddings.embedded

    monkeypatch.setattr(ingest.store.ChunkStore, "write_chunks", real_write)
    report = sync([docs], store, chunk_size=120, chunk_overlap=0)
    assert report.added == 1 and report.failed == []
    total = store.count()
    assert total > 24 and chunk_ids(store) == record_ids(store)
    # only what the killed run had not written was embedded: 16 chunks were kept
    assert embeddings.embedded - embedded_before < total


def test_long_work_is_announced_with_an_estimate(docs, store, monkeypatch, capsys):
    import ingest.sync

    (docs / "a.txt").write_text(long_text(30))
    monkeypatch.setattr(ingest.sync, "_CHUNKS_PER_SECOND", 0.01)
    sync([docs], store, progress=True)
    err = capsys.readouterr().err
    assert "about to ingest 1 files" in err and "chunks" in err and "min" in err
    estimate = ingest.sync.estimate_work([docs / "a.txt"], 600, 120)
    assert estimate.files == 1 and estimate.chunks >= 4
