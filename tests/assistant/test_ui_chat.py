"""The browser chat's server side through its named API and chat handler: a real Assistant on
a temporary data dir, a real Gradio server on 127.0.0.1, driven through gradio_client."""

import threading
import time

import pytest

from tests.assistant.conftest import CONCURRENCY
from tests.support import free_port, make_assistant

SEED_NAME = "yonhap-korea-japan-collective-self-defense.txt"


@pytest.fixture(scope="module")
def client(server):
    from gradio_client import Client

    return Client(server.url, verbose=False)


# -- the named API --------------------------------------------------------------------------
def test_api_offers_ask_and_documents_endpoints(client):
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert {"/ask", "/documents"} <= set(endpoints)
    params = [p["parameter_name"] for p in endpoints["/ask"]["parameters"]]
    assert params == ["question", "history", "k", "mode", "sources"]


def test_the_seed_corpus_is_indexed_when_the_index_was_empty(client):
    docs = client.predict(api_name="/documents")
    assert [d["name"] for d in docs] == [SEED_NAME]
    assert docs[0]["chunks"] > 0


def test_ask_returns_the_answer_and_its_citations_as_data(client):
    answer = client.predict("What consent does Seoul require?", api_name="/ask")
    assert answer["found"] is True
    assert "[1]" in answer["text"]
    first = answer["citations"][0]
    assert first["n"] == 1 and first["source"].endswith(SEED_NAME)
    assert "consent" in first["quote"].lower()
    # the quote sits in its passage exactly where its offsets say
    at = first["start"] - first["passage_start"]
    assert first["passage"][at : at + len(first["quote"])] == first["quote"]
    assert set(answer) >= {"confidence", "mode", "flags", "notice", "question"}


def test_a_question_the_documents_cannot_answer_is_refused_with_closest_passages(client):
    answer = client.predict("What is the boiling point of liquid nitrogen?", api_name="/ask")
    assert answer["found"] is False
    assert answer["citations"], "a refusal still shows the closest passages"


def test_an_empty_question_is_an_error_saying_what_to_do(client):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError) as err:
        client.predict("   ", api_name="/ask")
    assert "question" in str(err.value).lower()


@pytest.mark.parametrize(
    "history, k, mode, says",
    [
        ([["a"]], None, None, "history must be a list of (question, answer) pairs"),
        ("not a list", None, None, "history must be a list"),
        (None, "x", None, "k (passages to retrieve) must be a whole number from 1 to 50"),
        (None, 0, None, "from 1 to 50"),
        (None, None, "nonsense", "mode must be 'extractive' or 'llm'"),
    ],
)
def test_bad_api_arguments_are_errors_that_say_what_to_pass(client, history, k, mode, says):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError) as err:
        client.predict("What consent does Seoul require?", history, k, mode, api_name="/ask")
    assert says in str(err.value)


def test_ask_takes_sources_and_names_an_unknown_one(client):
    from gradio_client.exceptions import AppError

    [seed] = client.predict(api_name="/documents")
    answer = client.predict(
        "What consent does Seoul require?", None, None, None, [seed["source"]], api_name="/ask"
    )
    assert answer["found"] and {c["source"] for c in answer["citations"]} == {seed["source"]}
    with pytest.raises(AppError) as err:
        client.predict("What consent?", None, None, None, ["/no/such.txt"], api_name="/ask")
    assert "/no/such.txt" in str(err.value) and "assistant.documents()" in str(err.value)


def test_top_k_limits_the_passages_considered(client):
    answer = client.predict("What consent does Seoul require?", None, 1, None, api_name="/ask")
    assert len(answer["citations"]) <= 1


def test_follow_up_questions_are_resolved_with_the_history(client):
    first = client.predict("What consent does Seoul require?", api_name="/ask")
    follow = client.predict(
        "Who said that?",
        [["What consent does Seoul require?", first["text"]]],
        api_name="/ask",
    )
    assert follow["question"] != "Who said that?", "the follow-up was not resolved"
    assert follow["citations"]


def test_no_more_questions_are_answered_at_once_than_the_concurrency_limit(server, client):
    from gradio_client import Client

    assistant, url = server.assistant, server.url
    running, peak, lock = [0], [0], threading.Lock()
    real_answer = assistant.answer

    def counting_answer(*args, **kwargs):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        try:
            time.sleep(0.5)  # long enough for the requests to overlap if the queue lets them
            return real_answer(*args, **kwargs)
        finally:
            with lock:
                running[0] -= 1

    assistant.answer = counting_answer
    try:
        jobs = [
            Client(url, verbose=False).submit("What consent does Seoul require?", api_name="/ask")
            for _ in range(CONCURRENCY + 2)
        ]
        assert all(job.result(timeout=120)["found"] for job in jobs)
    finally:
        del assistant.answer
    assert peak[0] == CONCURRENCY


def test_the_chat_streams_the_answer_then_shows_it_with_its_sources(server):
    from assistant.ui.chat import chat_turn

    assistant = server.assistant
    question = "What consent does Seoul require?"

    first, *streaming, (chat, pairs, turns, box) = chat_turn(
        assistant, server.warmup.wait, question, [], [], [], 5, None
    )

    assert [m["role"] for m in first[0]] == ["user", "assistant"]
    assert "Searching your documents" in first[0][-1]["content"]
    assert streaming and all("da-cursor" in step[0][-1]["content"] for step in streaming)
    final = chat[-1]["content"]
    assert 'class="da-source da-src-1"' in final and "<mark>" in final and "confidence (" in final
    assert pairs == [(question, assistant.answer(question).text)]  # history for follow-ups
    assert [t["question"] for t in turns] == [question]  # what the export is made of
    assert turns[0]["citations"][0]["n"] == 1 and turns[0]["citations"][0]["quote"]
    assert box == ""


def test_an_empty_chat_question_asks_nothing_and_keeps_the_text(server):
    from assistant.ui.chat import chat_turn

    warned = []
    *_, last = chat_turn(
        server.assistant, server.warmup.wait, "   ", [], [("q", "a")], [], 5, None, warn=warned.append
    )
    assert last == ([], [("q", "a")], [], "   ")
    assert warned and "empty" in warned[0]


@pytest.mark.parametrize("llm, offered", [(None, False), ("openai:some-model", True)])
def test_the_answer_mode_choice_is_offered_only_when_an_llm_is_configured(tmp_path, llm, offered):
    from assistant.ui import Warmup, build_app

    assistant = make_assistant(tmp_path / "data", llm=llm)
    app = build_app(assistant, Warmup(assistant))  # not started: nothing is loaded
    [radio] = [c for c in app.config["components"] if c["props"].get("label") == "Answer mode"]
    assert radio["props"]["visible"] is offered
    assert radio["props"]["value"] == ("llm" if offered else "extractive")


def test_llm_sentences_not_backed_by_their_citations_are_shown_flagged(seeded_dir):
    from assistant.ui.chat import chat_turn
    from tests.assistant.fake_openai import FakeOpenAI

    # one backed sentence, or the LLM's answer is replaced by the extractive one
    fake = FakeOpenAI(
        "Japan should seek consent from Seoul [1]. Seoul must obtain consent from Japan [1]. "
        "The treaty was signed in 1951."
    )
    try:
        assistant = make_assistant(seeded_dir, llm="openai:test-model", llm_base_url=fake.url)
        *_, (chat, _, _, _) = chat_turn(
            assistant, lambda: None, "What consent does Seoul require?", [], [], [], 5, "llm"
        )
    finally:
        fake.close()
    final = chat[-1]["content"]
    assert final.count('class="da-flagged"') == 2
    assert "The treaty was signed in 1951.</span>" in final
    assert "not backed by the cited passages" in final
    assert "llm answer" in final


def test_an_unreachable_llm_still_answers_and_says_why(seeded_dir):
    from assistant.ui.chat import chat_turn

    assistant = make_assistant(
        seeded_dir, llm="openai:test-model", llm_base_url=f"http://127.0.0.1:{free_port()}/v1",
        llm_timeout=5,
    )
    *_, (chat, _, _, _) = chat_turn(
        assistant, lambda: None, "What consent does Seoul require?", [], [], [], 5, "llm"
    )
    final = chat[-1]["content"]
    assert 'class="da-notice"' in final and 'class="da-source da-src-1"' in final
