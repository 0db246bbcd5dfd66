"""`assistant eval SET --mode llm`: the LLM path measured beside the extractive one, on the same
index, with how often its answers were used and how many of its sentences were flagged. The LLM
is faked at its HTTP boundary and answers each question in a scripted way."""

import json
from types import SimpleNamespace

import pytest

from tests.assistant.evaluate.test_eval_run import make_set, run_cli
from tests.assistant.fake_openai import FakeOpenAI


def scripted(user_message: str) -> str:
    """A backed answer about combustion, an unbacked one about the uprising, none otherwise."""
    if "Question: Who showed that air is necessary for combustion?" in user_message:
        return "Boyle used an air pump to show that air is necessary for combustion [1]."
    if "Question: How many days did the Warsaw Uprising last?" in user_message:
        return "The Warsaw Uprising lasted 90 days [1]. It was a victory for the Home Army [1]."
    return "The documents say a lot about this."


@pytest.fixture(scope="module")
def llm_eval(tmp_path_factory):
    root = tmp_path_factory.mktemp("eval-llm")
    set_dir = make_set(root / "easy")
    fake = FakeOpenAI(scripted)
    try:
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("ASSISTANT_DATA_DIR", str(root / "user-index"))
            mp.delenv("ASSISTANT_LLM", raising=False)
            code, stdout = run_cli(
                set_dir, "--json", "--mode", "llm", "--llm", "openai:test-model",
                "--llm-base-url", fake.url,
            )
    finally:
        fake.close()
    result = json.loads(stdout)
    return SimpleNamespace(code=code, result=result, ours=result["ours"], llm=result["llm"], fake=fake)


def test_the_llm_runs_beside_the_extractive_answers(llm_eval):
    assert llm_eval.code == 0
    assert len(llm_eval.llm["results"]) == len(llm_eval.ours["results"]) == 6
    assert all(r["text"] for r in llm_eval.llm["results"])
    # the extractive run did not ask the LLM: one warm-up plus one request per asked question
    assert len(llm_eval.fake.requests) == 1 + llm_eval.llm["metrics"]["llm_asked"]


def test_the_outcomes_of_the_llm_questions_are_counted(llm_eval):
    m = llm_eval.llm["metrics"]
    asked = m["llm_asked"]
    assert asked >= 3  # the answerable questions that passed the refusal threshold
    assert m["llm_used"] == 1  # only the combustion answer was backed
    assert m["llm_unbacked"] == asked - 1
    assert m["llm_used_rate"] == pytest.approx(1 / asked)
    assert m["llm_failed_rate"] == 0


def test_the_flag_rate_counts_every_sentence_of_an_unbacked_reply(llm_eval):
    m = llm_eval.llm["metrics"]
    # one backed sentence; the uprising reply's two sentences and each one-sentence reply flagged
    assert m["llm_sentences"] == 1 + 2 + (m["llm_asked"] - 2)
    assert m["llm_flagged"] == m["llm_sentences"] - 1
    assert m["flag_rate"] == pytest.approx(m["llm_flagged"] / m["llm_sentences"])


def test_an_unbacked_llm_reply_is_scored_as_the_extractive_answer_it_fell_back_to(llm_eval):
    by_question = {r["question"]: r for r in llm_eval.llm["results"]}
    uprising = by_question["How many days did the Warsaw Uprising last?"]
    assert "63 days" in uprising["text"] and "90 days" not in uprising["text"]
    assert uprising["correct"]


def test_the_markdown_report_has_an_llm_column_and_the_flag_rate(tmp_path):
    from assistant.evaluate.report import markdown_report

    report = markdown_report({
        "name": "s", "k": 5,
        "settings": {"embedding_model": "m", "chunk_size": 600, "chunk_overlap": 120,
                     "answer_k": 5, "refusal_threshold": 0.4, "llm": "openai:x"},
        "ours": {"metrics": {"questions": 2, "answerable": 2, "unanswerable": 0,
                             "answer_accuracy": 1.0}, "ingest": {}},
        "llm": {"metrics": {"answer_accuracy": 0.5, "flag_rate": 0.25}},
        "baseline": None,
    })
    assert "| metric | ours | llm |" in report
    assert "| answer accuracy (answerable) | 1.000 | 0.500 |" in report
    assert "| LLM sentences flagged ↓ | — | 0.250 |" in report


def test_llm_mode_without_an_llm_says_how_to_set_one(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("ASSISTANT_LLM", raising=False)
    code, _ = run_cli(make_set(tmp_path / "s"), "--mode", "llm")
    assert code == 2 and "--mode llm needs an LLM: set ASSISTANT_LLM" in capsys.readouterr().err
