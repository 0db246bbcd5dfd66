"""Splitting: sentence-aware chunks whose offsets point back into the extracted text."""

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.load import LoadedDocument, load_file
from ingest.sentences import sentence_spans
from ingest.split import split_document

SEED = Path(__file__).resolve().parents[2] / "seeds" / "yonhap-korea-japan-collective-self-defense.txt"


def test_every_chunk_is_its_slice_of_the_extracted_text():
    doc = load_file(SEED)
    chunks = split_document(doc, str(SEED), chunk_size=400, chunk_overlap=100)
    assert len(chunks) > 3
    for i, chunk in enumerate(chunks):
        m = chunk.metadata
        assert doc.text[m["start"] : m["end"]] == chunk.page_content
        assert m["chunk"] == i
        assert m["source"] == str(SEED)
        assert m["title"] == doc.title
        assert m["doc_hash"] == doc.hash


def test_chunks_hold_whole_sentences():
    doc = load_file(SEED)
    starts = {s for s, _ in sentence_spans(doc.text)}
    ends = {e for _, e in sentence_spans(doc.text)}
    for chunk in split_document(doc, "x", chunk_size=500, chunk_overlap=0):
        assert chunk.metadata["start"] in starts
        assert chunk.metadata["end"] in ends


def test_chunks_cover_the_whole_document_in_order():
    doc = load_file(SEED)
    chunks = split_document(doc, "x", chunk_size=300, chunk_overlap=0)
    covered = " ".join(c.page_content for c in chunks).split()
    assert covered == doc.text.split()


def test_overlap_repeats_whole_sentences():
    text = " ".join(f"Sentence number {i} is short." for i in range(30))
    doc = LoadedDocument(Path("s.txt"), text, "s")
    chunks = split_document(doc, "s", chunk_size=200, chunk_overlap=60)
    for a, b in zip(chunks, chunks[1:]):
        assert b.metadata["start"] < a.metadata["end"]  # they overlap
        shared = text[b.metadata["start"] : a.metadata["end"]]
        assert shared.strip().endswith(".") and shared.strip()[0] == "S"


def test_pdf_chunks_carry_their_page():
    text = "Tides rise twice a day.\n\nWinds come from the west."
    doc = LoadedDocument(Path("r.pdf"), text, "r", pages=[(0, 1), (25, 2)])
    chunks = split_document(doc, "r.pdf", chunk_size=30, chunk_overlap=0)
    assert [c.metadata["page"] for c in chunks] == [1, 2]


def test_a_sentence_longer_than_a_chunk_is_cut_at_spaces():
    text = "word " * 300
    doc = LoadedDocument(Path("w.txt"), text.strip(), "w")
    chunks = split_document(doc, "w", chunk_size=100, chunk_overlap=0)
    assert all(len(c.page_content) <= 100 for c in chunks)
    assert all(doc.text[c.metadata["start"] : c.metadata["end"]] == c.page_content for c in chunks)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(list("abc XYZ.!?\n\"'") + ["Mr. ", "U.S. ", "\n\n", "\u00a0"]), max_size=300).map("".join),
    st.integers(min_value=20, max_value=200),
    st.integers(min_value=0, max_value=60),
)
def test_offsets_hold_for_any_text(text, size, overlap):
    doc = LoadedDocument(Path("t.txt"), text, "t")
    for chunk in split_document(doc, "t", chunk_size=size, chunk_overlap=min(overlap, size - 1)):
        m = chunk.metadata
        assert text[m["start"] : m["end"]] == chunk.page_content
        assert chunk.page_content.strip()
