"""Past chromadb's 32,766-record cliff (a `get()` of more records with metadata fails with "too
many SQL variables"): an index of more than 33k chunks is ingested, listed, answered from,
changed by one file and shrunk, all through the public API. A tiny real model (tests/support.py)
keeps it fast; the chunks, the store and the lexical index are the real ones."""

import time

import pytest

from assistant import Assistant
from tests.support import make_tiny_model

FILES, LINES = 168, 200  # one sentence a chunk: 33,600 chunks
CLIFF = 32_766
PLACES = "harbour pier lighthouse ferry museum bridge canal market tower archive".split()


def year(i: int, j: int) -> int:
    return 1000 + i * LINES + j


@pytest.fixture(scope="module")
def big_index(tmp_path_factory):
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # a model this small only loses time to thread hand-offs
    yield from _big_index(tmp_path_factory)
    torch.set_num_threads(threads)


def _big_index(tmp_path_factory):
    model = make_tiny_model(tmp_path_factory.mktemp("tiny-model"))
    folder = tmp_path_factory.mktemp("corpus")
    for i in range(FILES):
        lines = [
            f"R{i}-{j}: the {PLACES[(i + j) % len(PLACES)]} of ward {i} was rebuilt in "
            f"{year(i, j)}."
            for j in range(LINES)
        ]
        (folder / f"registry-{i:03d}.txt").write_text("\n".join(lines) + "\n")
    data = tmp_path_factory.mktemp("data")
    a = Assistant(data_dir=data, embedding_model=model, chunk_size=60, chunk_overlap=0)
    started = time.monotonic()
    report = a.ingest(folder)
    print(f"ingested {report.chunks} chunks in {time.monotonic() - started:.0f}s")
    yield a, folder, report, model, data


def test_more_chunks_than_the_cliff_are_ingested_listed_and_answered(big_index):
    a, folder, report, _, _ = big_index
    assert report.failed == [] and report.added == FILES
    assert report.chunks == FILES * LINES > CLIFF + 800
    docs = a.documents()
    assert len(docs) == FILES and sum(d["chunks"] for d in docs) == report.chunks
    lexical = a.retriever.lexical()
    assert lexical.count == report.chunks
    answer = a.answer(f"Which place of ward 97 was rebuilt in {year(97, 12)}?")
    assert any(str(year(97, 12)) in c.quote for c in answer.citations)
    assert a.retrieve(f"rebuilt in {year(164, 199)}")[0].page_content.startswith("R164-199:")


def test_one_changed_file_is_synced_by_the_change_and_seen_by_another_process(big_index):
    a, folder, _, model, data = big_index
    reader = Assistant(data_dir=data, embedding_model=model, chunk_size=60, chunk_overlap=0)
    assert reader.retriever.lexical().count == FILES * LINES
    f = folder / "registry-007.txt"
    f.write_text(f.read_text().replace(f"{year(7, 0)}.", "99999."))
    started = time.monotonic()
    report = a.ingest(folder)
    took = time.monotonic() - started
    assert (report.added, report.updated, report.unchanged, report.removed) == (0, 1, FILES - 1, 0)
    print(f"one changed file synced in {took:.1f}s")
    assert reader.retrieve("rebuilt in 99999")[0].page_content.startswith("R7-0:")
    old = f"{year(7, 0)}."
    assert not any(old in d.page_content for d in reader.retrieve(f"rebuilt in {old}"))


def test_removing_files_shrinks_the_index_below_the_cliff(big_index):
    a, folder, _, _, _ = big_index
    for i in range(10):
        (folder / f"registry-{i:03d}.txt").unlink()
    report = a.ingest(folder)
    assert report.removed == 10 and report.chunks == (FILES - 10) * LINES
    assert a.retriever.lexical().count == report.chunks
    assert len(a.documents()) == FILES - 10
    assert a.remove(str(folder / "registry-010.txt"))
    assert a.store.count() == (FILES - 11) * LINES
