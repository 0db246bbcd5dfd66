"""The lexical index: persisted, caught up by the change, loaded without reading the
collection, BM25 over live chunks only."""

import math
from collections import Counter

import numpy as np
import pytest

from assistant import Assistant
from assistant.lexical import follow, segments
from assistant.text import terms

HARBOUR = "The harbour opened in 1890. Ships from three continents docked there."
LIGHTHOUSE = "The lighthouse keeper retired in 1975. His daughter ran the light until 1990."
FERRY = "The ferry to the island runs hourly. The harbour master sets the timetable."


def manifest(a):
    return follow._read_manifest(follow.index_dir(a.store))


def test_the_writer_persists_the_index_and_a_change_adds_only_what_changed(docs, data_dir):
    a = Assistant(data_dir=data_dir)
    (docs / "harbour.txt").write_text(HARBOUR)
    a.ingest(docs)
    first = manifest(a)
    assert first["generation"] == a.store.generation and len(first["segments"]) == 1
    assert (data_dir / "lexical" / "documents" / "manifest.json").exists()

    (docs / "lighthouse.txt").write_text(LIGHTHOUSE)
    a.ingest(docs)
    second = manifest(a)
    assert second["segments"][0] == first["segments"][0]  # untouched: nothing re-read
    assert [s["n"] for s in second["segments"]] == [1, 1]  # one new chunk, one new segment
    lexical = a.retriever.lexical()
    assert lexical.count == 2
    assert lexical.search(terms("lighthouse keeper"), 5)[0][0].metadata["source"].endswith("lighthouse.txt")

    (docs / "harbour.txt").unlink()
    a.ingest(docs)
    lexical = a.retriever.lexical()
    assert lexical.count == 1 and lexical.doc_freq.get("harbour", 0) == 0
    assert lexical.search(terms("harbour ships"), 5) == []
    assert lexical.idf("harbour") == math.log(1 + 1.5 / 0.5)  # unseen: the most weight


def test_a_reader_loads_the_index_without_reading_the_collection(docs, data_dir, monkeypatch):
    (docs / "harbour.txt").write_text(HARBOUR)
    (docs / "ferry.txt").write_text(FERRY)
    Assistant(data_dir=data_dir).ingest(docs)

    reader = Assistant(data_dir=data_dir)
    collection = type(reader.store.collection)
    real_get = collection.get

    def scoped_only(self, ids=None, where=None, limit=None, offset=None, **kw):
        assert ids is not None, "the reader read the collection in bulk"
        return real_get(self, ids=ids, where=where, limit=limit, offset=offset, **kw)

    monkeypatch.setattr(collection, "get", scoped_only)
    lexical = reader.retriever.lexical()
    assert lexical.count == 2
    hits = lexical.search(terms("harbour master timetable"), 5)
    assert hits[0][0].metadata["source"].endswith("ferry.txt")


def test_a_replaced_snapshot_and_its_memory_maps_are_freed_at_once(docs, data_dir):
    import gc
    import weakref

    (docs / "harbour.txt").write_text(HARBOUR)
    a = Assistant(data_dir=data_dir)
    a.ingest(docs)
    old = weakref.ref(a.retriever.lexical())
    (docs / "ferry.txt").write_text(FERRY)
    gc.disable()  # without the cycle collector: nothing may keep the old snapshot alive
    try:
        a.ingest(docs)
        assert a.retriever.lexical().count == 2
        assert old() is None, "the replaced snapshot (and its memory maps) is still alive"
    finally:
        gc.enable()


def test_scores_are_bm25_over_live_chunks(docs, data_dir):
    texts = {
        "a.txt": "Apples and pears grow in the orchard.",
        "b.txt": "The orchard keeper sells apples at the market every week.",
        "c.txt": "Pears ripen late. The market opens early.",
    }
    for name, text in texts.items():
        (docs / name).write_text(text)
    a = Assistant(data_dir=data_dir)
    a.ingest(docs)
    lexical = a.retriever.lexical()
    tokenized = {name: terms(f" {t}") for name, t in texts.items()}
    n = len(tokenized)
    avg = sum(map(len, tokenized.values())) / n
    query = terms("apples market")

    def expected(toks):
        tf = Counter(toks)
        total = 0.0
        for q in query:
            df = sum(q in t for t in tokenized.values())
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            f = tf[q]
            total += idf * f * 2.5 / (f + 1.5 * (1 - 0.75 + 0.75 * len(toks) / avg))
        return total

    got = {d.metadata["source"].rsplit("/", 1)[-1]: s for d, s in lexical.search(query, 5)}
    want = {name: expected(toks) for name, toks in tokenized.items() if expected(toks) > 0}
    assert got.keys() == want.keys()
    for name in want:
        assert got[name] == pytest.approx(want[name], rel=1e-5)


def test_many_small_changes_keep_few_segments(docs, data_dir, monkeypatch):
    monkeypatch.setattr(follow, "_MAX_SMALL", 3)
    a = Assistant(data_dir=data_dir)
    for i in range(8):
        (docs / f"note{i}.txt").write_text(f"Note {i}: the tide table for week {i} was printed.")
        a.ingest(docs)
    (docs / "note0.txt").unlink()
    a.ingest(docs)
    segments = manifest(a)["segments"]
    assert len(segments) <= 4
    lexical = a.retriever.lexical()
    assert lexical.count == 7 == a.store.count()
    assert lexical.search(terms("week 5"), 1)[0][0].metadata["source"].endswith("note5.txt")


def test_a_lost_index_is_rebuilt_from_the_store(docs, data_dir):
    import shutil

    (docs / "harbour.txt").write_text(HARBOUR)
    Assistant(data_dir=data_dir).ingest(docs)
    shutil.rmtree(data_dir / "lexical")
    lexical = Assistant(data_dir=data_dir).retriever.lexical()
    assert lexical.count == 1 and lexical.doc_freq["harbour"] == 1


def test_segment_find_returns_live_rows_only(tmp_path):
    ids = np.array([b"a", b"c", b"e"], dtype="S64")
    name = segments.write_segment(tmp_path, ids, np.array([1, 1, 1]), np.array([5, 5, 6], dtype=np.uint64),
                               np.array([0, 2, 1]), np.array([1, 1, 1]))
    np.save(tmp_path / "del.npy", np.array([2]))
    seg = segments.Segment(tmp_path, name, "del.npy")
    assert seg.find(np.array([b"a", b"b", b"e", b"z"], dtype="S64")).tolist() == [0]
    assert seg.df(5) == 1 and seg.df(6) == 1 and seg.df(7) == 0
