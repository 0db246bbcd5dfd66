"""The hybrid retriever: LangChain's standard retriever suite, and what fusion adds."""

import time
from pathlib import Path

import pytest
from langchain_tests.integration_tests import RetrieversIntegrationTests

from assistant.lexical import LexicalCache
from assistant.core import Assistant
from assistant.retrieve import HybridRetriever


class TestHybridRetrieverStandard(RetrieversIntegrationTests):
    """The peer suite every LangChain retriever is held to."""

    @pytest.fixture(autouse=True)
    def _store(self, seeded_dir):
        self._seeded = Assistant(data_dir=seeded_dir)

    @property
    def retriever_constructor(self):
        return HybridRetriever

    @property
    def retriever_constructor_params(self):
        return {"store": self._seeded.store, "k": 4}

    @property
    def retriever_query_example(self):
        return "What consent does Seoul require?"


def test_results_are_ranked_chunks_with_scores(seeded):
    docs = seeded.retriever.invoke("Who is the foreign ministry spokesman?", k=3)
    assert len(docs) == 3
    assert "Noh Kwang-il" in docs[0].page_content
    scores = [d.metadata["score"] for d in docs]
    assert scores == sorted(scores, reverse=True)
    for d in docs:
        assert {"source", "start", "end", "id", "rrf", "sentence_score"} <= set(d.metadata)


def test_k_from_the_constructor_and_per_call(seeded):
    r = HybridRetriever(store=seeded.store, k=2)
    assert len(r.invoke("Japan")) == 2
    assert len(r.invoke("Japan", k=5)) == 5


def test_exact_rare_terms_are_found_by_the_bm25_side(docs, data_dir):
    (docs / "codes.txt").write_text(
        "Error XK-4471 means the pump overheated.\n\nThe blue valve is closed on Sundays."
    )
    (docs / "other.txt").write_text("Pumps move water. Valves control flow. Engines burn fuel.")
    a = Assistant(data_dir=data_dir, chunk_size=60, chunk_overlap=0)
    a.ingest([docs])
    top = a.retriever.invoke("XK-4471", k=1)[0]
    assert "XK-4471" in top.page_content


def test_identical_copies_come_back_once(docs, data_dir):
    text = "The lighthouse keeper retired in 1975 after forty years of service."
    (docs / "a.txt").write_text(text)
    (docs / "copy-of-a.txt").write_text(text)
    (docs / "b.txt").write_text("The harbour master lives on the hill.")
    a = Assistant(data_dir=data_dir)
    a.ingest([docs])
    got = a.retriever.invoke("When did the lighthouse keeper retire?", k=3)
    assert sum(text in d.page_content for d in got) == 1


def test_bm25_follows_every_sync(docs, data_dir):
    a = Assistant(data_dir=data_dir)
    (docs / "a.txt").write_text("Zanzibar cloves are harvested in August.")
    a.ingest([docs])
    assert "Zanzibar" in a.retriever.invoke("Zanzibar", k=1)[0].page_content
    (docs / "a.txt").unlink()
    (docs / "b.txt").write_text("Madagascar vanilla is cured for months.")
    a.ingest([docs])
    sources = {Path(d.metadata["source"]).name for d in a.retriever.invoke("Zanzibar cloves", k=5)}
    assert sources == {"b.txt"}


def test_another_process_ingesting_is_seen(docs, data_dir):
    reader = Assistant(data_dir=data_dir)
    (docs / "a.txt").write_text("Kelp forests grow fast.")
    reader.ingest([docs])
    reader.retriever.invoke("kelp")
    (docs / "b.txt").write_text("Sea otters eat urchins.")
    Assistant(data_dir=data_dir).ingest([docs])  # a second Assistant, as another process would
    time.sleep(LexicalCache.CHECK_EVERY)  # the reader looks for changes at most this often
    top = reader.retriever.invoke("What do sea otters eat?", k=1)[0]
    assert "otters" in top.page_content


def test_a_version_asked_about_finds_its_own_entry_not_its_neighbours(docs, data_dir):
    # BM25 sees "2.0" in every "v2.0.x" heading: only the exact number tells them apart
    entries = [
        ("v2.0.2 (2023-07-05)", "Second patch release of the library's V2, fixing serialization."),
        ("v2.0.1 (2023-07-04)", "First patch release of the library's V2, fixing validation."),
        ("v2.0 (2023-06-30)", "The library's V2 is here, rewritten for speed."),
        ("v2.0b3 (2023-06-16)", "Third beta pre-release of the library's V2."),
        ("v2.0b1 (2023-06-01)", "First beta pre-release of the library's V2."),
    ]
    (docs / "HISTORY.md").write_text(
        "# Changelog\n\n" + "".join(f"## {h}\n\n{body}\n\n" for h, body in entries)
    )
    a = Assistant(data_dir=data_dir, chunk_size=120, chunk_overlap=0)
    a.ingest([docs])
    top = a.retriever.invoke("Release date of V2.0", k=1)[0]
    assert top.metadata["headings"].endswith("v2.0 (2023-06-30)")


def test_an_identifier_spelled_as_words_in_the_question_is_searched_for_as_written():
    from assistant.scoring import identifiers_written_apart

    corpus = {"base_url", "raise_for_status", "max_ag"}  # stemmed terms the documents hold
    found = identifiers_written_apart(
        "How do I set a base URL? What does raise for status do? How many max age", corpus.__contains__
    )
    assert found == corpus  # and not "how_many", which no document holds anyway


def test_a_question_about_a_base_url_finds_the_passage_on_base_url(docs, data_dir):
    (docs / "client.md").write_text(
        "# Client options\n\n`base_url` prepends its value to every outgoing request.\n"
    )
    for name, text in {
        "requests.md": "The client sends each request to the URL you give it.",
        "timeouts.md": "The client waits five seconds for a URL to answer.",
        "redirects.md": "A client follows a redirect to the new URL only when asked to.",
    }.items():
        (docs / name).write_text(f"# {name[:-3].title()}\n\n{text}\n")
    a = Assistant(data_dir=data_dir)
    a.ingest([docs])
    top = a.retriever.invoke("How do I set a base URL for a client?", k=1)[0]
    assert "base_url" in top.page_content
