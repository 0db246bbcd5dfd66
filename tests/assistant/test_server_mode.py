"""`ASSISTANT_CHROMA_URL` / `--chroma-url`: every command uses the Chroma server, and every
process in front of it sees one index: what one ingests, another answers from (dense search on
the server, BM25 rebuilt from the server's chunks when the generation moves)."""

import json
import os
import subprocess
import sys
import threading
import time

import pytest

from assistant import Assistant
from assistant.lexical import LexicalCache
from ingest.load import load_file

pytestmark = pytest.mark.server

HARBOUR = (
    "The harbour opened in 1890. Ships from three continents docked there.\n\n"
    "In 1920 a fire destroyed the east pier. It was rebuilt within two years."
)
LIGHTHOUSE = "The lighthouse keeper retired in 1975. His daughter ran the light until 1990."


def cli(*args, env=None, timeout=180):
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args], capture_output=True, text=True, timeout=timeout,
        env=env,
    )


@pytest.fixture
def server_assistant(chroma_url, collection_name, data_dir):
    return Assistant(data_dir=data_dir, chroma_url=chroma_url, collection=collection_name)


def assert_quotes_are_verbatim(answer):
    for c in answer.citations:
        assert load_file(c.source).text[c.start : c.end] == c.quote


def test_ingest_answer_list_and_remove_through_the_server(server_assistant, docs, data_dir):
    (docs / "harbour.txt").write_text(HARBOUR)
    (docs / "lighthouse.txt").write_text(LIGHTHOUSE)
    report = server_assistant.ingest(docs)
    assert (report.added, report.chunks, report.failed) == (2, server_assistant.store.count(), [])
    answer = server_assistant.answer("When did the lighthouse keeper retire?")
    assert answer.found and "1975" in answer.text
    assert answer.citations[0].source == str(docs / "lighthouse.txt")
    assert_quotes_are_verbatim(answer)
    assert [d["name"] for d in server_assistant.documents()] == ["harbour.txt", "lighthouse.txt"]
    assert server_assistant.remove(str(docs / "lighthouse.txt"))
    assert not server_assistant.answer("When did the lighthouse keeper retire?").found
    assert not (data_dir / "chroma").exists()  # nothing went to the embedded store


def test_cli_ingest_uses_the_server_from_the_flag_and_from_the_env(chroma_url, collection_name, docs, data_dir):
    (docs / "harbour.txt").write_text(HARBOUR)
    first = cli("ingest", str(docs), "--json", "--chroma-url", chroma_url, "--collection", collection_name,
                "--data-dir", str(data_dir))
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["added"] == 1
    env = {**os.environ, "ASSISTANT_CHROMA_URL": chroma_url, "ASSISTANT_COLLECTION": collection_name,
           "ASSISTANT_DATA_DIR": str(data_dir)}
    second = cli("ingest", str(docs), "--json", env=env)
    assert second.returncode == 0, second.stderr
    report = json.loads(second.stdout)
    assert (report["added"], report["unchanged"]) == (0, 1)
    asked = cli("ask", "When did a fire destroy the east pier?", "--json", env=env)
    assert asked.returncode == 0, asked.stderr
    assert "1920" in json.loads(asked.stdout)["text"]
    assert not (data_dir / "chroma").exists()


def test_a_running_assistant_answers_from_what_another_process_ingested(server_assistant, docs, chroma_url, collection_name):
    (docs / "harbour.txt").write_text(HARBOUR)
    server_assistant.ingest(docs)
    question = "When did the lighthouse keeper retire?"
    assert not server_assistant.answer(question).found
    before = server_assistant.retriever.lexical()

    other = docs.parent / "other"
    other.mkdir()
    (other / "lighthouse.txt").write_text(LIGHTHOUSE)
    done = cli("ingest", str(other), "--json", "--chroma-url", chroma_url, "--collection", collection_name)
    assert done.returncode == 0, done.stderr

    answer = server_assistant.answer(question)
    assert answer.found and "1975" in answer.text
    assert answer.citations[0].source == str(other / "lighthouse.txt")
    lexical = server_assistant.retriever.lexical()
    assert lexical.generation == before.generation + 1  # BM25 caught up with the server's change
    assert lexical.count == server_assistant.store.count()
    hits = lexical.search(["lighthous", "keeper"], 5)
    assert any(d.metadata["source"].endswith("lighthouse.txt") for d, _ in hits)


def test_removal_by_another_instance_is_seen_by_bm25_and_dense_search(server_assistant, docs, chroma_url, collection_name, data_dir):
    (docs / "harbour.txt").write_text(HARBOUR)
    (docs / "lighthouse.txt").write_text(LIGHTHOUSE)
    server_assistant.ingest(docs)
    assert server_assistant.answer("When did the lighthouse keeper retire?").found
    other = Assistant(data_dir=data_dir, chroma_url=chroma_url, collection=collection_name)
    assert other.remove(str(docs / "lighthouse.txt"))
    time.sleep(LexicalCache.CHECK_EVERY + 0.1)  # how often a process looks for others' changes
    answer = server_assistant.answer("When did the lighthouse keeper retire?")
    assert not answer.found
    assert all(c.source.endswith("harbour.txt") for c in answer.citations)
    lexical = server_assistant.retriever.lexical()
    assert lexical.count == server_assistant.store.count()
    hits = lexical.search(["lighthous", "keeper", "harbour"], 5)
    assert hits and all(not d.metadata["source"].endswith("lighthouse.txt") for d, _ in hits)


def test_questions_answered_while_another_instance_ingests_all_succeed(server_assistant, docs, tmp_path, chroma_url, collection_name, data_dir):
    (docs / "harbour.txt").write_text(HARBOUR)
    server_assistant.ingest(docs)
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    for i in range(20):
        (incoming / f"note{i}.txt").write_text(f"Note {i}: the ferry timetable changed in {1950 + i}. " * 3)
    writer = Assistant(data_dir=data_dir, chroma_url=chroma_url, collection=collection_name)
    errors: list[BaseException] = []
    answers = []

    def ask_repeatedly():
        try:
            for _ in range(6):
                answers.append(server_assistant.answer("When did a fire destroy the east pier?"))
        except BaseException as exc:  # noqa: BLE001 - any error fails the test below
            errors.append(exc)

    askers = [threading.Thread(target=ask_repeatedly) for _ in range(3)]
    for t in askers:
        t.start()
    report = writer.ingest(incoming)
    for t in askers:
        t.join(timeout=120)
    assert errors == [] and len(answers) == 18
    assert all(a.found and "1920" in a.text for a in answers)
    assert report.added == 20 and report.chunks == server_assistant.store.count()
