"""Crash safety on the embedded store, with real processes: `assistant ingest` killed with
SIGKILL half-way through a large folder is completed by the next run, leaving exactly the
folder's chunks (no duplicates, no orphans, counts as reported, every vector findable); two
processes on one data dir take turns (a file lock), and one kept waiting too long gets a clear
"in use" error; a process reading the index sees what another process ingested."""

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ingest.errors import IndexBusy
from ingest.load import load_file
from ingest.split import split_document
from ingest.store import ChunkStore, make_client, reopen_client
from ingest.sync import chunk_key

N_FILES = 300
LINES = 3
CHUNK = ["--chunk-size", "60", "--chunk-overlap", "0"]  # one sentence a chunk: 900 chunks
PLACES = "harbour pier lighthouse ferry museum bridge canal market tower archive".split()


def make_folder(folder: Path, n: int, tag: str) -> None:
    folder.mkdir(parents=True)
    rng = random.Random(tag)
    for i in range(n):
        lines = [
            f"{tag} {i} line {j}: the {rng.choice(PLACES)} dates from {1700 + rng.randrange(300)}."
            for j in range(LINES)
        ]
        (folder / f"{tag}-{i:03d}.txt").write_text(" ".join(lines))


def expected_chunks(folder: Path, chunk_size=60, overlap=0) -> dict[str, str]:
    """{chunk id: source} of every chunk the folder should leave in the index."""
    out = {}
    for path in sorted(folder.iterdir()):
        for c in split_document(load_file(path), str(path), chunk_size, overlap):
            out[chunk_key(c)] = str(path)
    return out


def ingest(*paths: Path, data_dir: Path, extra=(), **kw) -> subprocess.Popen:
    # the waiting process must outlast the repairing one even on a loaded CI machine
    env = {**os.environ, "ASSISTANT_LOCK_TIMEOUT": "240", **kw.pop("env", {})}
    return subprocess.Popen(
        [sys.executable, "-m", "assistant", "ingest", *map(str, paths), "--data-dir", str(data_dir),
         "--json", *CHUNK, *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, **kw,
    )


def finish(proc: subprocess.Popen, timeout=240) -> dict:
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, err[-3000:]
    return json.loads(out)


def queued_writes(data_dir: Path) -> int:
    """Writes in Chroma's log so far, read without taking any lock (the writer is never
    blocked; a torn read just counts as 0)."""
    db = data_dir / "chroma" / "chroma.sqlite3"
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro&immutable=1", uri=True, timeout=0.1) as con:
            return con.execute("SELECT count(*) FROM embeddings_queue").fetchone()[0]
    except sqlite3.Error:
        return 0


def kill_after(proc: subprocess.Popen, data_dir: Path, writes: int, delay: float) -> float:
    """SIGKILL proc once `writes` more writes reached Chroma's log (and `delay` s more)."""
    started = time.monotonic()
    baseline = queued_writes(data_dir)
    while queued_writes(data_dir) < baseline + writes:
        assert proc.poll() is None, f"ingest ended before it was killed: {proc.communicate()}"
        assert time.monotonic() - started < 180, "ingest made no progress"
        time.sleep(0.02)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    return time.monotonic() - started


def open_store(data_dir: Path) -> ChunkStore:
    """The index as it is on disk now (this process's cached Chroma would show an old view)."""
    from ingest.embeddings import model_id

    return ChunkStore(reopen_client(make_client(data_dir)), "documents", model_id("all-MiniLM-L6-v2"))


def assert_index_holds_exactly(store: ChunkStore, expected: dict[str, str]) -> None:
    got = store.collection.get(include=["metadatas", "embeddings"])
    ids = got["ids"]
    assert len(ids) == len(set(ids)) == len(expected)  # no duplicates
    assert set(ids) == set(expected)  # no orphans, nothing missing
    assert all(expected[i] == m["source"] for i, m in zip(ids, got["metadatas"]))
    assert sorted(store.vectors.ids()) == sorted(ids)  # unit vectors for every chunk, none without one
    docs = store.documents.all()
    assert set(docs) == set(expected.values())  # a record for every document, each complete
    assert all(d["fingerprint"] and d["chunks"] for d in docs.values())
    # The vector index survived too: dense search finds every chunk by its own vector (among
    # the first few: chunks with the same text in several files tie).
    found = store.collection.query(query_embeddings=got["embeddings"], n_results=5, include=[])
    assert all(id_ in hits for id_, hits in zip(ids, found["ids"]))


def test_a_killed_ingest_is_completed_by_the_next_run_and_a_second_process_waits(tmp_path):
    big, small, data_dir = tmp_path / "big", tmp_path / "small", tmp_path / "data"
    make_folder(big, N_FILES, "big")
    make_folder(small, 5, "small")
    want_big, want_small = expected_chunks(big), expected_chunks(small)
    total = len(want_big)
    assert total == N_FILES * LINES

    # 1. Kill an ingest at its very first write (inside Chroma's first write or just after
    #    it, before the records), then kill the next run part-way through, after some groups.
    started = time.monotonic()
    for writes, delay in ((1, 0.0), (600, random.uniform(0, 0.3))):
        killed = kill_after(ingest(big, data_dir=data_dir), data_dir, writes, delay)
        store = open_store(data_dir)
        print(f"killed after {killed:.1f}s: {store.count()}/{total} chunks, "
              f"{store.vectors.count()} unit-vector records written")
    assert 0 < open_store(data_dir).count() < total

    # 2. Run it again, and at the same time ingest another folder into the same data dir: the
    #    two processes take turns on the lock; the first completes the killed run.
    repair = ingest(big, data_dir=data_dir)
    other = ingest(small, data_dir=data_dir)
    report, other_report = finish(repair), finish(other)
    assert report["failed"] == [] and report["removed"] == 0
    assert report["added"] + report["updated"] + report["unchanged"] == N_FILES
    assert report["chunks"] in (total, total + len(want_small))  # whichever got the lock first
    assert other_report["added"] == 5 and other_report["failed"] == []

    store = open_store(data_dir)
    assert_index_holds_exactly(store, {**want_big, **want_small})

    # 3. A third run finds everything in place, and reports what the index holds.
    final = finish(ingest(big, small, data_dir=data_dir))
    assert (final["added"], final["updated"], final["removed"]) == (0, 0, 0)
    assert final["unchanged"] == N_FILES + 5
    assert final["chunks"] == total + len(want_small) == open_store(data_dir).count()
    print(f"crash test: {time.monotonic() - started:.1f}s in all")


def test_a_writer_kept_waiting_gets_a_clear_in_use_error(tmp_path, docs):
    """The lock is held by another process (here: this test); a second writer waits, then gives
    up with IndexBusy naming the data dir, which the CLI prints as `error: ...`, exit 2."""

    from assistant import Assistant

    (docs / "a.txt").write_text("The ferry runs hourly.")
    data_dir = tmp_path / "data"
    data_dir.mkdir()

    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time, filelock; l = filelock.FileLock(sys.argv[1]); l.acquire(); "
         "print('locked', flush=True); time.sleep(60)", str(data_dir / "ingest.lock")],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(IndexBusy) as err:
            Assistant(data_dir=data_dir, lock_timeout=0.5).ingest(docs)
        assert "another process" in str(err.value) and str(data_dir) in str(err.value)
        assert not (data_dir / "chroma").exists()  # gave up before touching the index
    finally:
        holder.kill()
        holder.wait()


def test_the_cli_reports_an_index_in_use(tmp_path, docs):
    import filelock

    (docs / "a.txt").write_text("The ferry runs hourly.")
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    with filelock.FileLock(str(data_dir / "ingest.lock")):
        proc = ingest(docs, data_dir=data_dir, env={**os.environ, "ASSISTANT_LOCK_TIMEOUT": "1"})
        out, err = proc.communicate(timeout=120)
    assert proc.returncode == 2
    assert err.startswith("error: the index in") and "is in use" in err and "Traceback" not in err


def test_a_reader_sees_what_another_process_ingested_into_the_same_data_dir(tmp_path, docs):
    """`assistant ui` open while `assistant ingest` runs in another terminal: the reader's
    dense search, not just BM25, finds the new document, and updates/removals leave no stale
    passages behind."""
    from assistant import Assistant

    (docs / "harbour.txt").write_text("The harbour opened in 1890. Ships from three continents docked there.")
    data_dir = tmp_path / "data"
    reader = Assistant(data_dir=data_dir)
    reader.ingest(docs)
    question = "When was the funicular railway closed?"
    assert not reader.answer(question).found

    (docs / "funicular.txt").write_text("The funicular railway was closed in 1971 because of landslides.")
    finish(ingest(docs, data_dir=data_dir, extra=["--chunk-size", "600"]), timeout=180)
    answer = reader.answer(question)
    assert answer.found and "1971" in answer.text
    vector = reader.embeddings.embed_query("funicular railway closed landslides")
    dense = reader.store.vectorstore.similarity_search_by_vector_with_relevance_scores(vector, k=1)
    assert dense[0][0].metadata["source"].endswith("funicular.txt")

    (docs / "funicular.txt").write_text("The funicular railway reopened in 2004 after repairs.")
    finish(ingest(docs, data_dir=data_dir, extra=["--chunk-size", "600"]), timeout=180)
    answer = reader.answer("When did the funicular railway reopen?")
    assert answer.found and "2004" in answer.text
    assert all("1971" not in c.quote for c in answer.citations)


class Crash(Exception):
    pass


@pytest.mark.parametrize("crash_in", ["ChunkWriter._finish", "ChunkStore.delete_chunks"])
def test_a_crash_followed_by_an_edit_back_leaves_no_stale_chunks(docs, store, monkeypatch, crash_in):
    """Version 2 of a file is half-written when the process dies (new chunks in, the document
    not marked done; or new chunks in, the old ones not yet deleted), then the file is put back
    to version 1: the next run must notice the index does not hold version 1 exactly, and fix
    it."""
    import ingest.store
    import ingest.writer
    from ingest.sync import sync
    from tests.ingest.conftest import chunk_ids, record_ids

    f = docs / "a.txt"
    v1 = "The harbour opened in 1890. Ships from three continents docked there."
    f.write_text(v1)
    sync([docs], store)
    want = chunk_ids(store)
    f.write_text("The harbour opened in 1901. Only local boats docked there.")
    owner, method = crash_in.split(".")
    cls = ingest.writer.ChunkWriter if owner == "ChunkWriter" else ingest.store.ChunkStore
    monkeypatch.setattr(cls, method, lambda *a, **k: (_ for _ in ()).throw(Crash()))
    with pytest.raises(Crash):
        sync([docs], store)
    monkeypatch.undo()

    f.write_text(v1)
    report = sync([docs], store)
    assert report.failed == [] and report.added + report.updated + report.unchanged == 1
    assert chunk_ids(store) == record_ids(store) == want
    got = store.collection.get(include=["documents"])["documents"]
    assert all("1901" not in text for text in got)
