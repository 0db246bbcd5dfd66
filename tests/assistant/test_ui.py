"""The browser chat's server side, end to end: a real Assistant on a temporary data dir (with
the bundled embedding model), a real Gradio server on 127.0.0.1, driven through gradio_client
and through `assistant ui` itself. What a person sees in the browser is in test_ui_browser.py."""

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

SEED_NAME = "yonhap-korea-japan-collective-self-defense.txt"
CONCURRENCY = 2


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_assistant(data_dir, **overrides):
    from assistant import Assistant

    # built outside the per-test env isolation (module scope), so clear it here too
    with pytest.MonkeyPatch.context() as mp:
        for var in ("ASSISTANT_LLM", "ASSISTANT_CHROMA_URL", "ASSISTANT_UI_AUTH", "ASSISTANT_EMBEDDING_MODEL"):
            mp.delenv(var, raising=False)
        return Assistant(data_dir=data_dir, **overrides)


@dataclass
class Server:
    assistant: object
    url: str
    warmup: object  # makes the index ready in the background; handlers wait for it


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from assistant.ui import Warmup, build_app, serve

    assistant = make_assistant(tmp_path_factory.mktemp("ui") / "data", ui_concurrency=CONCURRENCY)
    warmup = Warmup(assistant).start()  # seeds the empty index
    app = build_app(assistant, warmup)
    url = serve(app, assistant.settings, "127.0.0.1", free_port(), block=False)
    yield Server(assistant, url, warmup)
    app.close()


@pytest.fixture(scope="module")
def client(server):
    from gradio_client import Client

    return Client(server.url, verbose=False)


# -- the named API --------------------------------------------------------------------------
def test_api_offers_ask_and_documents_endpoints(client):
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert {"/ask", "/documents"} <= set(endpoints)
    params = [p["parameter_name"] for p in endpoints["/ask"]["parameters"]]
    assert params == ["question", "history", "k", "mode"]


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
    from assistant.ui_app import chat_turn

    assistant = server.assistant
    question = "What consent does Seoul require?"

    first, *streaming, (chat, pairs, box) = chat_turn(
        assistant, server.warmup.wait, question, [], [], 5, None
    )

    assert [m["role"] for m in first[0]] == ["user", "assistant"]
    assert "Searching your documents" in first[0][-1]["content"]
    assert streaming and all("da-cursor" in step[0][-1]["content"] for step in streaming)
    final = chat[-1]["content"]
    assert 'class="da-source"' in final and "<mark>" in final and "score " in final
    assert pairs == [(question, assistant.answer(question).text)]  # history for follow-ups
    assert box == ""


def test_an_empty_chat_question_asks_nothing_and_keeps_the_text(server):
    from assistant.ui_app import chat_turn

    *_, last = chat_turn(server.assistant, server.warmup.wait, "   ", [], [("q", "a")], 5, None)
    assert last == ([], [("q", "a")], "   ")


@pytest.mark.parametrize("llm, offered", [(None, False), ("openai:some-model", True)])
def test_the_answer_mode_choice_is_offered_only_when_an_llm_is_configured(tmp_path, llm, offered):
    from assistant.ui import Warmup, build_app

    assistant = make_assistant(tmp_path / "data", llm=llm)
    app = build_app(assistant, Warmup(assistant))  # not started: nothing is loaded
    [radio] = [c for c in app.config["components"] if c["props"].get("label") == "Answer mode"]
    assert radio["props"]["visible"] is offered
    assert radio["props"]["value"] == ("llm" if offered else "extractive")


def test_llm_sentences_not_backed_by_their_citations_are_shown_flagged(seeded_dir):
    from assistant.ui_app import chat_turn
    from tests.assistant.fake_openai import FakeOpenAI

    fake = FakeOpenAI("Seoul must obtain consent from Japan [1]. The treaty was signed in 1951.")
    try:
        assistant = make_assistant(seeded_dir, llm="openai:test-model", llm_base_url=fake.url)
        *_, (chat, _, _) = chat_turn(
            assistant, lambda: None, "What consent does Seoul require?", [], [], 5, "llm"
        )
    finally:
        fake.close()
    final = chat[-1]["content"]
    assert final.count('class="da-flagged"') == 2
    assert "The treaty was signed in 1951.</span>" in final
    assert "not backed by the cited passages" in final
    assert "llm answer" in final


def test_an_unreachable_llm_still_answers_and_says_why(seeded_dir):
    from assistant.ui_app import chat_turn

    assistant = make_assistant(
        seeded_dir, llm="openai:test-model", llm_base_url=f"http://127.0.0.1:{free_port()}/v1",
        llm_timeout=5,
    )
    *_, (chat, _, _) = chat_turn(
        assistant, lambda: None, "What consent does Seoul require?", [], [], 5, "llm"
    )
    final = chat[-1]["content"]
    assert 'class="da-notice"' in final and 'class="da-source"' in final


# -- uploads and removals (the functions behind the documents panel) ----------------------------
@pytest.mark.parametrize(
    "uploaded, stored",
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("/abs/path/notes.md", "notes.md"),
        ("C:\\Users\\me\\report.PDF", "report.pdf"),
        (".hidden.txt", "hidden.txt"),
        ("<img src=x onerror=alert(1)>.html", "img src_x onerror_alert_1.html"),
        ("Résumé 2024.md", "Resume 2024.md"),
        ("...", "document"),
    ],
)
def test_uploaded_file_names_are_sanitised(uploaded, stored):
    from assistant.ui_documents import safe_name

    assert safe_name(uploaded) == stored


def test_uploads_are_stored_under_the_data_dir_and_ingested_with_a_result_per_file(server, tmp_path):
    from assistant.ui_documents import ingest_uploads, remove_document, uploads_dir

    assistant = server.assistant
    server.warmup.wait()
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    good = incoming / "harbour notes.md"
    good.write_text("# Harbour\nThe Quillport harbour master is Ada Brennock.\n")
    binary = incoming / "tool.exe"
    binary.write_bytes(b"MZ\x00\x00")
    empty = incoming / "empty.txt"
    empty.write_text("")
    steps = []

    results = ingest_uploads(assistant, [str(good), str(binary), str(empty)], lambda *s: steps.append(s))

    assert results[0] == ("harbour notes.md", "added", True)
    assert results[1][0] == "tool.exe" and not results[1][2] and ".txt" in results[1][1]
    assert results[2][0] == "empty.txt" and not results[2][2] and "empty" in results[2][1]
    stored = uploads_dir(assistant.settings.data_dir) / "harbour notes.md"
    assert stored.read_text() == good.read_text()
    assert not (uploads_dir(assistant.settings.data_dir) / "empty.txt").exists()
    assert [s[:2] for s in steps] == [(0, 3), (1, 3), (2, 3), (3, 3)]
    assert str(stored) in {d["source"] for d in assistant.documents()}

    # the same name again replaces that document instead of adding a copy
    good.write_text("# Harbour\nThe Quillport harbour master is Ivo Brennock.\n")
    assert ingest_uploads(assistant, [str(good)])[0][1].startswith("updated")

    assert remove_document(assistant, str(stored)) == "Removed 'harbour notes.md'."
    assert not stored.exists()
    assert str(stored) not in {d["source"] for d in assistant.documents()}


def test_files_over_the_size_limit_are_refused_naming_the_limit(tmp_path):
    from assistant.ui_documents import ingest_uploads

    assistant = make_assistant(tmp_path / "data", max_upload_mb=0.001)
    big = tmp_path / "big.txt"
    big.write_text("All work and no play. " * 100)
    [(name, why, ok)] = ingest_uploads(assistant, [str(big)])
    assert (name, ok) == ("big.txt", False)
    assert "too large" in why and "ASSISTANT_MAX_UPLOAD_MB" in why


# -- document text is always shown as text --------------------------------------------------
def test_document_text_becomes_inert_html():
    from assistant.answer_types import Answer, Citation
    from assistant.ui_format import message_html

    hostile = '<script>window.__xss=1</script><img src=x onerror="alert(1)"> ${alert(2)} **b**'
    cite = Citation(
        n=1, source="/d/<b>x</b>.txt", quote=hostile, start=10, end=10 + len(hostile), score=0.9,
        passage="Before. " + hostile + " After.", passage_start=2,
    )
    html = message_html(Answer(text=hostile + " [1]", found=True, citations=[cite]))
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert "${" not in html and "**" not in html
    assert "&lt;script&gt;" in html and "<mark>" in html


# -- safety of the server itself ------------------------------------------------------------
def test_login_is_required_when_ui_auth_is_set(tmp_path):
    from gradio_client import Client

    from assistant.ui import build_app, serve

    assistant = make_assistant(tmp_path / "data", ui_auth="alice:s3cret")
    app = build_app(assistant)
    url = serve(app, assistant.settings, "127.0.0.1", free_port(), block=False)
    try:
        with pytest.raises(Exception):
            Client(url, verbose=False)
        docs = Client(url, auth=("alice", "s3cret"), verbose=False).predict(api_name="/documents")
        assert [d["name"] for d in docs] == [SEED_NAME]
    finally:
        app.close()


def test_a_malformed_ui_auth_is_an_error_saying_how_to_fix_it():
    from assistant.ui import parse_auth

    assert parse_auth("alice:s3:cret") == ("alice", "s3:cret")
    assert parse_auth(None) is None
    with pytest.raises(ValueError, match="user:password"):
        parse_auth("alice")


def _start_cli(tmp_path, *args, env=None):
    port = free_port()
    cmd = [sys.executable, "-m", "assistant", "ui", "--port", str(port), *args]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "ASSISTANT_DATA_DIR": str(tmp_path / "data"), **(env or {})},
    )
    return proc, port


def _wait_for_page(url, proc, limit):
    start = time.monotonic()
    while time.monotonic() - start < limit:
        assert proc.poll() is None, proc.stderr.read()
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return time.monotonic() - start
        except OSError:
            time.sleep(0.1)
    return None


def test_assistant_ui_serves_the_page_quickly_on_loopback_and_answers_from_the_seeded_index(tmp_path):
    from gradio_client import Client

    started = time.monotonic()
    proc, port = _start_cli(tmp_path)
    try:
        url = f"http://127.0.0.1:{port}/"
        assert _wait_for_page(url, proc, 60) is not None
        served_after = time.monotonic() - started
        print(f"page served {served_after:.1f} s after `assistant ui` started")
        assert served_after < 12
        # asked the moment the page is up: waits for the seeds, never answers from an empty index
        answer = Client(url, verbose=False).predict("What consent does Seoul require?", api_name="/ask")
        assert answer["found"] and answer["citations"][0]["source"].endswith(SEED_NAME)
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=30)
    assert f"http://127.0.0.1:{port}" in out
    assert "warning" not in err.lower()


def test_binding_a_public_address_without_login_prints_a_warning(tmp_path):
    proc, port = _start_cli(tmp_path, "--host", "0.0.0.0")
    try:
        assert _wait_for_page(f"http://127.0.0.1:{port}/", proc, 60) is not None
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert "warning" in err and "ASSISTANT_UI_AUTH" in err


def test_launch_never_shares_and_caps_uploads_at_the_server():
    from assistant.settings import Settings
    from assistant.ui import launch_kwargs

    kwargs = launch_kwargs(Settings(max_upload_mb=2), "127.0.0.1", 7860)
    assert kwargs["share"] is False
    assert kwargs["max_file_size"] == 2 * 1024 * 1024
    assert kwargs["server_name"] == "127.0.0.1"


def test_gradio_is_not_imported_by_the_package_or_the_cli():
    code = "import assistant, assistant.cli, assistant.ui, sys; print('gradio' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_uploads_dir_is_inside_the_data_dir(tmp_path):
    from assistant.ui_documents import store_upload, uploads_dir

    src = tmp_path / "x.txt"
    src.write_text("hello")
    target = store_upload(src, "../../../../tmp/evil.txt", tmp_path / "data")
    assert target == uploads_dir(tmp_path / "data") / "evil.txt"
    assert Path(target).read_text() == "hello"
