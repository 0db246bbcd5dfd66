"""Splitting: chunks follow the structure (a chunk starts at a heading or a whole unit), carry
their heading path and units, and their offsets point back into the extracted text."""

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.load import LoadedDocument, load_file
from ingest.split import page_of, split_document
from ingest.structure import TextBuilder
from ingest.units import decode_units

SEED = Path(__file__).resolve().parents[2] / "seeds" / "yonhap-korea-japan-collective-self-defense.txt"


def structured(blocks: list[tuple[str, str, int]], pages: dict[int, int] | None = None) -> LoadedDocument:
    b = TextBuilder()
    for i, (kind, text, level) in enumerate(blocks):
        if pages and i in pages:
            b.page(pages[i])
        b.add(kind, text, level=level)
    return LoadedDocument(Path("d.md"), b.text, "d", b.pages, b.blocks)


GUIDE = structured([
    ("heading", "Guide", 1),
    ("paragraph", "This guide covers the server.", 0),
    ("heading", "CORS", 2),
    ("paragraph", "Browsers send a preflight request first.", 0),
    ("paragraph", "The middleware takes these arguments:", 0),
    ("item", "max_age - Sets a maximum time in seconds. Defaults to 600.", 0),
    ("item", "allow_credentials - Whether cookies are supported.", 0),
    ("heading", "Preflight", 3),
    ("paragraph", "A preflight is an OPTIONS request.", 0),
])


def test_every_chunk_is_its_slice_of_the_extracted_text():
    doc = load_file(SEED)
    chunks = split_document(doc, str(SEED), chunk_size=400, chunk_overlap=100)
    assert len(chunks) > 3
    for i, chunk in enumerate(chunks):
        m = chunk.metadata
        assert doc.text[m["start"] : m["end"]] == chunk.page_content
        assert (m["chunk"], m["source"], m["title"], m["doc_hash"]) == (i, str(SEED), doc.title, doc.hash)


def test_chunks_start_at_headings_and_carry_their_heading_path():
    chunks = split_document(GUIDE, "d.md", chunk_size=600, chunk_overlap=0)
    assert [c.metadata["headings"] for c in chunks] == ["Guide", "Guide > CORS", "Guide > CORS > Preflight"]
    assert [c.page_content.split("\n")[0] for c in chunks] == ["Guide", "CORS", "Preflight"]


def test_a_chunk_knows_where_each_heading_of_its_path_is():
    for chunk in split_document(GUIDE, "d.md", chunk_size=600, chunk_overlap=0):
        spans = [tuple(map(int, pair.split(","))) for pair in chunk.metadata["heading_spans"].split(";")]
        assert " > ".join(GUIDE.text[a:b] for a, b in spans) == chunk.metadata["headings"]
        assert chunk.metadata["heading_at"] == "%d,%d" % spans[-1]  # the nearest is the last


def test_units_follow_the_structure():
    chunk = split_document(GUIDE, "d.md", chunk_size=600, chunk_overlap=0)[1]
    units = [(chunk.page_content[a:b], kind) for a, b, kind in decode_units(chunk.metadata["units"])]
    assert units == [
        ("CORS", "h"),
        ("Browsers send a preflight request first.", "s"),
        ("The middleware takes these arguments:", "s"),
        ("max_age - Sets a maximum time in seconds. Defaults to 600.", "i"),  # one unit, two sentences
        ("allow_credentials - Whether cookies are supported.", "i"),
    ]


def test_a_lead_in_moves_on_with_the_list_it_introduces():
    chunks = split_document(GUIDE, "d.md", chunk_size=110, chunk_overlap=0)
    for chunk in chunks:
        assert not chunk.page_content.rstrip().endswith(":")
    assert any(c.page_content.startswith("The middleware takes these arguments:\n\nmax_age") for c in chunks)


def test_overlap_repeats_whole_units_never_headings():
    text_blocks = [("heading", "Notes", 1)] + [("paragraph", f"Sentence number {i} is short.", 0) for i in range(30)]
    doc = structured(text_blocks)
    chunks = split_document(doc, "s", chunk_size=200, chunk_overlap=60)
    for a, b in zip(chunks, chunks[1:]):
        assert b.metadata["start"] < a.metadata["end"]  # they overlap
        assert b.page_content.startswith("Sentence number")


def test_the_page_of_a_quote_is_the_page_it_is_on():
    doc = structured([("paragraph", "Tides rise twice a day.", 0), ("paragraph", "Winds come from the west.", 0)],
                     pages={0: 1, 1: 2})
    (chunk,) = split_document(doc, "r.pdf", chunk_size=600, chunk_overlap=0)
    assert chunk.metadata["page"] == 1
    assert page_of(chunk.metadata, chunk.page_content.index("Winds")) == 2
    assert page_of(chunk.metadata, chunk.page_content.index("Tides")) == 1


def test_a_chunk_knows_the_page_of_the_heading_it_sits_under():
    paragraphs = [("paragraph", f"Rule {i} of the harbour applies to every vessel in port.", 0) for i in range(30)]
    doc = structured([("heading", "Harbour rules", 1), *paragraphs], pages={0: 4, 10: 5, 20: 6})
    chunks = split_document(doc, "r.pdf", chunk_size=300, chunk_overlap=0)
    last = chunks[-1]
    assert last.metadata["page"] == 6
    assert last.metadata["heading_page"] == 4  # the heading is two pages back


def test_a_chunk_knows_the_page_of_each_heading_of_its_path():
    paragraphs = [("paragraph", f"Rule {i} of the harbour applies to every vessel in port.", 0) for i in range(20)]
    doc = structured(
        [("heading", "Port manual", 1), ("paragraph", "Read this first.", 0), ("heading", "Harbour rules", 2), *paragraphs],
        pages={0: 4, 2: 5, 15: 6},
    )
    last = split_document(doc, "r.pdf", chunk_size=300, chunk_overlap=0)[-1]
    assert last.metadata["page"] == 6
    assert last.metadata["heading_pages"] == "4;5"  # "Port manual" on page 4, "Harbour rules" on 5


def test_a_unit_longer_than_a_chunk_is_cut_at_spaces():
    doc = structured([("paragraph", ("word " * 300).strip(), 0)])
    chunks = split_document(doc, "w", chunk_size=100, chunk_overlap=0)
    assert all(len(c.page_content) <= 100 for c in chunks)
    assert all(doc.text[c.metadata["start"] : c.metadata["end"]] == c.page_content for c in chunks)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["heading", "paragraph", "item", "code", "row"]),
            st.lists(st.sampled_from(list("abc XYZ.!?:\"'") + ["Mr. ", "U.S. ", "\n", "\u00a0"]), max_size=80).map("".join),
            st.integers(min_value=1, max_value=4),
        ),
        max_size=25,
    ),
    st.integers(min_value=20, max_value=300),
    st.integers(min_value=0, max_value=80),
)
def test_offsets_hold_for_any_structure(blocks, size, overlap):
    doc = structured(blocks)
    for chunk in split_document(doc, "t", chunk_size=size, chunk_overlap=min(overlap, size - 1)):
        m = chunk.metadata
        assert doc.text[m["start"] : m["end"]] == chunk.page_content
        assert chunk.page_content.strip()
        for a, b, _ in decode_units(m["units"]):
            assert 0 <= a < b <= len(chunk.page_content)


def test_a_document_of_nothing_but_a_heading_is_still_indexed():
    doc = structured([("heading", "Just one line without a full stop", 1)])
    (chunk,) = split_document(doc, "one.txt", chunk_size=600, chunk_overlap=0)
    assert chunk.page_content == "Just one line without a full stop"

