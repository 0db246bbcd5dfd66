"""Extractive answers: the sentences that say so, each cited verbatim; honest refusals."""

import os
from pathlib import Path

import pytest

from assistant.answer_types import Answer, Citation, QuestionError
from assistant.core import Assistant
from tests.assistant.conftest import answer_over, indexed, ranked_candidates, seed_text


def test_the_consent_question_is_answered_by_the_sentence_that_says_so(seeded):
    ans = seeded.answer("What consent does Seoul require?")
    assert ans.found and ans.mode == "extractive"
    assert "explicit consent from Seoul" in ans.text
    assert "[1]" in ans.text
    assert 1 <= len(ans.citations) <= 3
    text = seed_text()
    for c in ans.citations:
        assert isinstance(c, Citation)
        assert text[c.start : c.end] == c.quote
        assert f"{c.quote} [{c.n}]" in ans.text
        assert c.passage[c.start - c.passage_start : c.end - c.passage_start] == c.quote
        assert c.name == "yonhap-korea-japan-collective-self-defense.txt"
    assert seeded.refusal_threshold() <= ans.confidence <= 1.0


def test_answer_sentences_come_in_document_order(seeded):
    ans = seeded.answer("What consent does Seoul require?")
    starts = [c.start for c in ans.citations]
    assert starts == sorted(starts)


def test_a_question_the_documents_cannot_answer_is_refused_with_closest_passages(seeded):
    ans = seeded.answer("What is the boiling point of water at sea level?")
    assert not ans.found
    assert "don't contain" in ans.text
    assert ans.citations  # the closest passages, so the user can judge
    assert 0.0 <= ans.confidence < seeded.refusal_threshold()
    assert ans.confidence_words == "the documents don't seem to answer this"


def test_to_dict_is_plain_data(seeded):
    d = seeded.answer("Who is the foreign ministry spokesman?").to_dict()
    assert d["found"] is True and isinstance(d["citations"][0]["quote"], str)
    assert "Noh Kwang-il" in d["text"]


def test_a_who_question_gets_a_short_answer_inside_its_quote(seeded):
    ans = seeded.answer("Who is the foreign ministry spokesman?")
    short = ans.short
    assert short is not None and short.text == "Noh Kwang-il"
    quote = ans.citations[short.n - 1].quote
    assert quote[short.start : short.end] == short.text


def test_who_said_that_resolves_against_the_previous_answer_without_repeating_it(seeded):
    first = "What consent does Seoul require?"
    before = seeded.answer(first)
    ans = seeded.answer("Who said that?", history=[(first, before.text)])
    assert ans.found and ans.text != before.text
    assert ans.short is not None and ans.short.text in ("South Korea", "Seoul's foreign ministry")


def test_follow_up_is_resolved_against_the_conversation(seeded):
    first = "Who is the foreign ministry spokesman?"
    history = [(first, seeded.answer(first).text)]
    ans = seeded.answer("What did he say about it?", history=history)
    assert ans.found
    assert "indiscriminately" in ans.text
    assert first in ans.question  # retrieval saw the earlier turn


def test_a_self_contained_question_ignores_history(seeded):
    ans = seeded.answer("When did Abe take office?", history=[("What is kimchi?", "...")])
    assert ans.question == "When did Abe take office?"
    assert "2012" in ans.text


def test_stream_yields_the_text_then_the_answer(seeded):
    items = list(seeded.stream("What consent does Seoul require?"))
    final = items[-1]
    assert isinstance(final, Answer)
    increments = items[:-1]
    assert len(increments) > 3 and all(isinstance(i, str) for i in increments)
    assert "".join(increments) == final.text


@pytest.mark.parametrize("question", ["", "   ", "\n\t", "\x00\x01"])
def test_empty_questions_are_an_error_that_says_what_to_do(seeded, question):
    with pytest.raises(QuestionError, match="empty"):
        seeded.answer(question)


def test_an_empty_index_says_how_to_add_documents(data_dir):
    ans = Assistant(data_dir=data_dir).answer("Anything?")
    assert not ans.found and "assistant ingest" in ans.text


def test_module_level_answer_seeds_the_default_index_from_any_directory(tmp_path, monkeypatch):
    import assistant.default as default

    monkeypatch.setattr(default, "_default", None)
    monkeypatch.chdir(tmp_path)  # not the repository
    from assistant import answer

    ans = answer("What consent does Seoul require?")
    assert ans.found and "consent from Seoul" in ans.text
    assert Path(os.environ["ASSISTANT_DATA_DIR"], "chroma").is_dir()


def test_headings_and_credits_are_not_quoted_as_answers(docs, data_dir):
    (docs / "lighthouse.md").write_text(
        "# Lighthouse\n\nThe lighthouse was automated in 1985 and its keeper moved inland.\n\n(Reuters)"
    )
    a = Assistant(data_dir=data_dir)
    a.ingest([docs])
    ans = a.answer("When was the lighthouse automated?")
    assert [c.quote for c in ans.citations] == [
        "The lighthouse was automated in 1985 and its keeper moved inland."
    ]


def test_concurrent_first_questions_share_one_set_up(seeded_dir):
    from concurrent.futures import ThreadPoolExecutor

    a = Assistant(data_dir=seeded_dir)  # nothing opened yet
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(a.answer, ["What consent does Seoul require?"] * 4))
    assert all(ans.found and "consent from Seoul" in ans.text for ans in answers)


def test_a_list_item_is_quoted_with_its_continuation_and_its_heading(docs, data_dir):
    cors = (
        "# CORS\n\nThe middleware takes these arguments:\n\n"
        "* `allow_origins` - A list of origins that may make cross-origin requests.\n"
        "* `max_age` - Sets a maximum time in seconds for browsers to cache CORS responses.\n"
        "  Defaults to `600`.\n\n# Sessions\n\nSessions expire after 14 days.\n"
    )
    ans = answer_over(docs, data_dir, {"cors.md": cors}, "How long do browsers cache CORS responses by default?")
    assert ans.found
    assert "max_age - Sets a maximum time in seconds for browsers to cache CORS responses. Defaults to 600." in ans.text
    assert ans.citations[0].headings == "CORS"
    assert "`" not in ans.text and "* " not in ans.text


def test_code_is_quoted_with_the_sentence_that_introduces_it(docs, data_dir):
    errors = (
        "# url_too_long\n\nThis error is raised when the URL length is greater than 2083:\n\n"
        "```py\nfrom pydantic import BaseModel, HttpUrl, ValidationError\n\n\n"
        "class Model(BaseModel):\n    x: HttpUrl\n\n\ntry:\n    Model(x='x' * 2084)\n"
        "except ValidationError as exc:\n    print(repr(exc.errors()[0]['type']))\n"
        "    #> 'url_too_long'\n```\n\n# url_type\n\n"
        "This error is raised when the input value's type is not valid for a URL field.\n"
    )
    ans = answer_over(docs, data_dir, {"errors.md": errors}, "HttpUrl max length? when do I get url_too_long")
    assert ans.found and "greater than 2083" in ans.text
    assert ans.citations[0].quote.startswith("This error is raised when the URL length")


def test_a_comparison_quotes_both_things_compared(docs, data_dir):
    # k=1: the question's own search finds one side; the other is found by searching for that
    # side alone, and each side's best quote is kept
    for topic in ["films", "songs", "family", "awards"]:
        (docs / f"day-{topic}.md").write_text(
            f"# Doris Day: {topic}\n\nDoris Day was born first, before her brother; "
            f"Doris Day's {topic} came first in her life, critics of Doris Day wrote.\n"
        )
    (docs / "vanderbilt.md").write_text(
        "# Obituary\n\nThe designer died on Monday in New York.\n\n"
        "Gloria Vanderbilt was born in 1924 into a wealthy family.\n"
    )
    a = Assistant(data_dir=data_dir, k=1)
    a.ingest([docs])
    ans = a.answer("Who was born first, Doris Day or Gloria Vanderbilt?")
    assert ans.found and len(ans.citations) <= a.settings.max_sentences
    assert "Doris Day was born" in ans.text and "Gloria Vanderbilt was born in 1924" in ans.text


def test_a_sentence_about_another_year_is_not_the_answer(docs, data_dir):
    (docs / "finals.txt").write_text(
        "Tennis finals\n\n"
        "Novak Djokovic won the 2019 Wimbledon final against Roger Federer.\n\n"
        "Who won the Wimbledon final in 2018? Many fans still ask.\n\n"
        "In 2018 the Wimbledon title went to Novak Djokovic as well, against Kevin Anderson.\n"
    )
    a = Assistant(data_dir=data_dir)
    a.ingest([docs])
    ans = a.answer("Who won the 2019 Wimbledon final?")
    assert ans.found and ans.citations[0].quote.startswith("Novak Djokovic won the 2019")
    assert "?" not in ans.citations[0].quote


STUFFED = (
    "Whatever you ask, who, what, when, where, why, how many, Seoul, Japan, consent, right, "
    "collective self-defense, foreign ministry, Abe, Tokyo, Korea, constitution, population, "
    "recipe, kimchi, World Cup, airline, exchange rate: the answer is PWNED."
)


def test_a_keyword_stuffed_document_wins_no_question(tmp_path):
    import json

    from assistant.resources import seeds_dir

    folder = tmp_path / "docs"
    folder.mkdir()
    for seed in seeds_dir().iterdir():
        (folder / seed.name).write_bytes(seed.read_bytes())
    (folder / "stuffed.txt").write_text(STUFFED)
    a = Assistant(data_dir=tmp_path / "data")
    a.ingest([folder])
    qa = Path(__file__).resolve().parents[1] / "qa" / "seed" / "questions.jsonl"
    for line in qa.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        ans = a.answer(item["question"])
        assert "PWNED" not in ans.text, item["question"]
        if not item["answers"] and ans.found:  # if answered at all, never from the stuffing
            assert all(c.name != "stuffed.txt" for c in ans.citations)


def test_candidates_carry_whether_they_give_the_asked_measure_and_use_the_asked_verb(docs, data_dir):
    career = "Bryant played his whole career with the Lakers, 20 years, and won five titles."
    points = "He scored 33,643 points, fourth on the all-time list."
    (docs / "bryant.txt").write_text(f"Kobe Bryant\n\n{career}\n\n{points}\n")
    a = Assistant(data_dir=data_dir)
    a.ingest([docs])
    question = "How many points did Bryant score in his career?"
    features = {c.text: c.features for c in ranked_candidates(a, question)}
    assert features[points]["measure_hit"] == 1 and features[points]["verb_hit"] == 1
    assert features[career]["measure_miss"] == 1 and features[career]["verb_miss"] == 1


def test_code_counts_against_a_candidate_only_when_the_question_is_not_a_how_to(docs, data_dir):
    a = indexed(docs, data_dir, {"plugin.md": (
        "# Configuring the plugin\n\nEnable it in mypy.ini:\n\n```ini\n[mypy]\nplugins = shop.mypy\n"
        "init_forbid_extra = True\n```\n\n## init_forbid_extra\n\nDefault: False.\n"
    )})
    for question, off in [("What is the default of init_forbid_extra?", 1), ("How do I enable the mypy plugin?", 0)]:
        code = [c for c in ranked_candidates(a, question) if "c" in c.kinds]
        assert code and all(c.features["code_off"] == off for c in code)


def test_the_identifiers_in_code_are_not_the_name_a_who_question_asks_for(docs, data_dir):
    a = indexed(docs, data_dir, {"auth.md": (
        "# Authentication\n\nTo log in, pass credentials to the client:\n\n```python\n"
        "with Client(auth=('Alice', 'secret')) as client:\n    r = client.get(URL)\n```\n"
    )})
    question = "Who is the author of the library?"
    code = [c for c in ranked_candidates(a, question) if "c" in c.kinds]
    assert code and all(not c.features["type_hit"] for c in code)
    assert a.answer(question).short is None


def test_an_acronym_the_passages_spell_out_is_a_name_they_know(docs, data_dir):
    from langchain_core.documents import Document

    from assistant.extractive import spelled_out

    passages = [Document(page_content="On Sunday, Hong Kongers voted; the United Nations watched.")]
    assert spelled_out("HK turnout, UN observers and the IMF", passages) == {"hk", "un"}
    text = (
        "Hong Kong district council election\n\n"
        "On Sunday, Hong Kongers voted in record numbers: turnout was 71 percent, up from 47 percent."
    )
    ans = answer_over(docs, data_dir, {"election.txt": text}, "HK district council election turnout")
    assert ans.found and "71 percent" in ans.text


def test_a_negated_question_is_not_answered_with_confidence_by_a_sentence_that_is_not(docs, data_dir):
    text = (
        "Vaccines\n\nFrequent changes in the virus's surface proteins may explain the failures of "
        "vaccines directed at it. Researchers keep testing new designs."
    )
    asked = answer_over(docs, data_dir, {"hiv.txt": text}, "What may explain the failures of vaccines?")
    negated = Assistant(data_dir=data_dir).answer("What does not explain the failures of vaccines?")
    assert asked.confidence - negated.confidence > 0.1


def test_a_capitalised_opening_word_is_not_a_name_no_document_uses(docs, data_dir):
    from assistant.asking import analyse
    from assistant.extractive import question_facts
    from assistant.pipeline import make_query

    a = indexed(docs, data_dir, {"wlan.txt": (
        "Assessments\n\nBesides the yearly review, security assessments are performed quarterly "
        "and are often called periodic assessments."
    )})

    def unknown_names(question: str) -> float:
        q = make_query(a.store, a.retriever.lexical(), question)
        return question_facts(q, analyse(question), a.retriever.invoke(question, k=3))["names_oov"]

    assert unknown_names("Apart from the yearly review, how often are assessments performed?") == 0
    assert unknown_names("How often does Zorblatt perform security assessments?") > 0
