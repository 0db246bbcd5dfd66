"""What a question asks for: the answer type and the constraints an answer must meet."""

import pytest

from assistant.asking import (
    DATE, DEFINITION, NUMBER, OTHER, PERSON, PLACE, PROCEDURE, REASON, analyse, negated,
    one_side_questions,
)
from assistant.entities import new_spans, spans_of


@pytest.mark.parametrize(
    "question, kind",
    [
        ("Who won Wimbledon in 2019?", PERSON),
        ("Who is the spokesman?", PERSON),
        ("Who is Noh Kwang-il?", DEFINITION),
        ("Who is South Korea's foreign minister?", PERSON),  # who holds the role
        ("Which U.S. official welcomed the move?", PERSON),
        # after an auxiliary, the noun is who did it, not what is asked for
        ("What did Seoul's defense ministry say about the decision?", OTHER),
        ("When did Abe come to power?", DATE),
        ("Which release dropped Python 3.9?", DATE),
        ("How many justices decided the case?", NUMBER),
        ("HK district council election 2019 turnout", NUMBER),
        ("Greta Thunberg climate strike start date", DATE),
        # a search-style query's noun before the clause it adds
        ("Samoa measles death toll when the state of emergency ended", NUMBER),
        ("Owner of the dive boat that burned off Santa Cruz Island", PERSON),
        ("The street is named after whom?", PERSON),
        ("Trump's physician during his illness", PERSON),
        ("In which city was the stampede?", PLACE),
        ("Where is the harbour?", PLACE),
        ("What is a tropical depression?", DEFINITION),
        ("How do I install the package?", PROCEDURE),
        ("Why did the governor resign?", REASON),
        ("What consent does Seoul require?", OTHER),
    ],
)
def test_the_expected_answer_type(question, kind):
    assert analyse(question).type == kind


def test_constraints_are_the_years_numbers_and_names_asked_about():
    asked = analyse("Which `max_age` did FastAPI 0.24.1 set for Seoul in 2019?")
    assert asked.years == {"2019"}
    assert asked.numbers == {"0.24.1"}
    assert {"max_ag", "fastapi", "seoul"} <= asked.names  # stemmed terms


def test_answer_spans_of_each_type_that_the_question_does_not_already_hold():
    text = "Seoul's foreign ministry said in May 2014 that Noh Kwang-il spoke for 45 minutes."
    assert [text[s.start : s.end] for s in spans_of(text, DATE)] == ["May 2014"]
    assert "45" in [text[s.start : s.end] for s in spans_of(text, NUMBER)]
    names = [text[s.start : s.end] for s in new_spans(text, PERSON, analyse("Who spoke for Seoul?").terms)]
    assert "Noh Kwang-il" in names and "Seoul's" not in names


def test_a_month_written_alone_in_lower_case_is_a_word_not_a_date():
    text = "A future version may enable it. In May the march began, on may 5."
    assert [text[s.start : s.end] for s in spans_of(text, DATE)] == ["May", "may 5"]


def test_a_version_is_a_release_not_a_protocol_or_path():
    text = "Version 2.14.0b1 supports HTTP/1.1 and HTTP/2; see /docs/2.1 for v2.13."
    assert [text[s.start : s.end] for s in spans_of(text, DATE)] == ["2.14.0b1", "v2.13"]


@pytest.mark.parametrize(
    "question, sides",
    [
        ("Which magazine was started first, Arthur's Magazine or First for Women?", ("Arthur's Magazine", "First for Women")),
        ("Who was born first: Kurt Cobain or Dave Grohl?", ("Kurt Cobain", "Dave Grohl")),
        ("Which is older, the Eiffel Tower or the Statue of Liberty?", ("Eiffel Tower", "Statue of Liberty")),
        ("model_copy: shallow or deep copy by default?", ()),  # a choice of words, not of two names
        ("What crops were introduced or popularized in the Yuan?", ()),
    ],
)
def test_a_comparison_names_the_two_things_it_compares(question, sides):
    asked = analyse(question)
    assert asked.alternatives == sides
    if sides:  # the answer is one of them; each quote must give the date or number compared
        assert asked.type == DATE and not asked.wants_short
        assert one_side_questions(question)[1].endswith(f", {sides[1]}?")


@pytest.mark.parametrize(
    "question, kind",
    [
        ("Who died older, Kay Hagan or Elijah Cummings?", NUMBER),
        ("Which city is bigger, Lyon or Marseille?", NUMBER),
        ("Which band was formed first, Blur or Oasis?", DATE),
        ("Which is the capital, Bern or Zurich?", OTHER),
    ],
)
def test_a_comparison_asks_for_the_date_or_number_compared(question, kind):
    assert analyse(question).type == kind


@pytest.mark.parametrize(
    "question, asks_what_is_not",
    [
        ("What does not explain the failure of the vaccines?", True),
        ("Why wouldn't rampant violence keep people from work?", True),
        ("Which fields are not validated?", True),
        # a negation inside a clause is a condition, not what is asked
        ("What are private schools that charge no tuition called?", False),
        ("What period does 1/p have when p is a prime that is not 2?", False),
        ("What explains the failure of the vaccines?", False),
    ],
)
def test_a_question_asking_what_is_not_so(question, asks_what_is_not):
    assert negated(question) == asks_what_is_not
