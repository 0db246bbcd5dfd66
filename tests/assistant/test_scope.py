"""Questions scoped to chosen documents: answer(sources=[...]) and retrieve(sources=[...]) take
passages from those documents only, in the dense (Chroma) and the lexical (BM25) ranking alike."""

import pytest

from assistant import Assistant, QuestionError
from assistant.text import terms

# Both documents answer "who keeps the lighthouse?", so an unscoped question finds both.
NORTH = (
    "The keeper of the North Point lighthouse is Marta Ilves. She climbs the lighthouse tower "
    "every evening to light the lamp."
)
SOUTH = (
    "The keeper of the South Point lighthouse is Olav Brenn. He has kept the lighthouse since "
    "1998 and paints the tower each spring."
)


@pytest.fixture
def two(docs, data_dir):
    (docs / "north.txt").write_text(NORTH)
    (docs / "south.txt").write_text(SOUTH)
    a = Assistant(data_dir=data_dir)
    a.ingest(docs)
    sources = {d["name"]: d["source"] for d in a.documents()}
    return a, sources


def names(documents):
    return {d.metadata["source"].rsplit("/", 1)[-1] for d in documents}


def test_unscoped_retrieval_finds_both_documents(two):
    a, _ = two
    assert names(a.retrieve("Who keeps the lighthouse?", k=5)) == {"north.txt", "south.txt"}


@pytest.mark.parametrize("only", ["north.txt", "south.txt"])
def test_a_scoped_question_retrieves_and_cites_only_the_chosen_document(two, only):
    a, sources = two
    assert names(a.retrieve("Who keeps the lighthouse?", k=5, sources=[sources[only]])) == {only}
    answer = a.answer("Who is the keeper of the lighthouse?", sources=[sources[only]])
    assert answer.citations and {c.name for c in answer.citations} == {only}
    keeper = "Marta Ilves" if only == "north.txt" else "Olav Brenn"
    assert keeper in answer.text


def test_each_ranking_is_filtered_on_its_own(two):
    a, sources = two
    north = sources["north.txt"]
    # the lexical index: an id set standing for the source, exact
    lexical = a.retriever.lexical()
    allowed = a.store.chunk_ids(north)
    hits = lexical.search(terms("South Point Olav Brenn keeper"), 5, allowed)
    assert hits and {d.metadata["source"] for d, _ in hits} == {north}
    assert lexical.search(terms("keeper"), 5, set()) == []
    # the dense ranking: a Chroma metadata filter
    vector = a.store.embeddings.embed_query("Olav Brenn South Point")
    dense = a.store.vectorstore.similarity_search_by_vector_with_relevance_scores(
        vector, k=5, filter={"source": {"$in": [north]}}
    )
    assert dense and {d.metadata["source"] for d, _ in dense} == {north}


def test_a_source_may_be_given_as_a_relative_path(two, docs, monkeypatch):
    a, _ = two
    monkeypatch.chdir(docs.parent)
    answer = a.answer("Who keeps the lighthouse?", sources=["docs/south.txt"])
    assert {c.name for c in answer.citations} == {"south.txt"}


def test_an_unknown_source_is_an_error_naming_it_and_how_to_list_sources(two):
    a, sources = two
    with pytest.raises(QuestionError) as err:
        a.answer("Who keeps the lighthouse?", sources=[sources["north.txt"], "/nowhere/x.txt"])
    message = str(err.value)
    assert "/nowhere/x.txt" in message and "assistant.documents()" in message
    assert sources["north.txt"] not in message


@pytest.mark.parametrize("bad", [[], [""], [3], 7])
def test_malformed_sources_are_errors_saying_what_to_pass(two, bad):
    a, _ = two
    with pytest.raises(QuestionError, match="assistant.documents()"):
        a.stream("Who keeps the lighthouse?", sources=bad)
