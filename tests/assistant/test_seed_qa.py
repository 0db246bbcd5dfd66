"""The project's own QA set on the seed article (tests/qa/seed): accuracy bars, real model."""

import json
from pathlib import Path

import pytest

from tests.assistant.conftest import seed_text

QA = Path(__file__).resolve().parents[1] / "qa" / "seed" / "questions.jsonl"
ITEMS = [json.loads(line) for line in QA.read_text(encoding="utf-8").splitlines() if line.strip()]
ANSWERABLE = [i for i in ITEMS if i["answers"]]
OUT_OF_SCOPE = [i for i in ITEMS if not i["answers"] and i.get("kind") != "near-miss"]
NEAR_MISSES = [i for i in ITEMS if i.get("kind") == "near-miss"]


def test_the_set_is_big_enough():
    assert len(ANSWERABLE) >= 25 and len(OUT_OF_SCOPE) >= 8 and len(NEAR_MISSES) >= 8


@pytest.fixture(scope="module")
def results(seeded_dir):
    from assistant.core import Assistant

    a = Assistant(data_dir=seeded_dir)
    return [(item, a.answer(item["question"])) for item in ITEMS]


def test_at_least_90_percent_of_answerable_questions_are_answered_correctly(results):
    correct = [
        item["question"]
        for item, ans in results
        if item["answers"] and ans.found and any(g.lower() in ans.text.lower() for g in item["answers"])
    ]
    assert len(correct) / len(ANSWERABLE) >= 0.90, sorted(
        i["question"] for i in ANSWERABLE if i["question"] not in correct
    )


def test_out_of_scope_questions_are_refused(results):
    # The answer model's confidence is fitted across corpora (benchmarks/fit_answer_model.py), not
    # on this article: it refuses 8 of these 10 today, and the bar keeps it from getting worse.
    scope = {i["question"] for i in OUT_OF_SCOPE}
    answered = [item["question"] for item, ans in results if item["question"] in scope and ans.found]
    assert len(answered) <= 2, answered


def test_every_citation_quote_is_verbatim_at_its_offsets(results):
    text = seed_text()
    for _, ans in results:
        for c in ans.citations:
            assert text[c.start : c.end] == c.quote
