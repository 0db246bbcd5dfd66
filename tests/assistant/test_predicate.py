"""The question's main verb: a quote that shares the question's names but never uses the verb
is about the topic, not the asked fact."""

import pytest

from assistant.predicate import predicate_facts, predicate_stems
from assistant.text import terms


@pytest.mark.parametrize(
    "question, verb",
    [
        ("Who replaced John Bolton as national security advisor?", "replaced"),
        ("How many people did Hurricane Humberto kill in Bermuda?", "kill"),
        ("What caused the Notre Dame fire?", "caused"),
        ("Who won the 2019 Nobel Peace Prize?", "won"),
        ("What consent does Seoul require?", "require"),
        ("When did the approval happen?", "happen"),
        ("What does the email extra provide?", "provide"),
        ("How many homes did the storm destroy in Cuba?", "destroy"),
    ],
)
def test_the_main_verb_of_a_question(question, verb):
    assert set(terms(verb)) <= set().union(*predicate_stems(question))


@pytest.mark.parametrize("question", ["What is the default value of str_max_length?", "Who is the spokesman?"])
def test_questions_whose_verb_is_only_be_or_do_have_none(question):
    assert predicate_stems(question) == frozenset()


def test_irregular_verbs_match_their_other_forms():
    facts = predicate_facts("Who won Wimbledon in 2019?", set(terms("Djokovic wins Wimbledon again")))
    assert facts == {"verb_hit": 1.0, "verb_miss": 0.0}


def test_a_quote_without_the_verb_misses_it():
    quote = "Trump asked for Bolton's resignation Monday night."
    facts = predicate_facts("Who replaced John Bolton?", set(terms(quote)))
    assert facts == {"verb_hit": 0.0, "verb_miss": 1.0}
