"""What a number question measures, and whether a quote gives it: a quote on the right topic
with some other number is a near miss."""

import pytest

from assistant.measure import COUNT, DURATION, LENGTH, MONEY, PERCENT, measure_of


@pytest.mark.parametrize(
    "question, kind",
    [
        ("What percentage of agencies had secure networks?", PERCENT),
        ("Labour vote share in the 2019 UK general election", PERCENT),
        ("How much compensation did Iran pay Ukraine?", MONEY),
        ("total construction cost of the airport", MONEY),
        ("How long did the flight take?", DURATION),
        ("What was Warholm's winning time?", DURATION),
        ("how tall is the tower", LENGTH),
        ("How many seats did the party win?", COUNT),
        ("How many employees does the budget office have?", COUNT),
    ],
)
def test_the_measure_a_number_question_asks_for(question, kind):
    assert measure_of(question).kind == kind


@pytest.mark.parametrize("question", ["How many times faster is it?", "When was it founded?", "Who won?"])
def test_questions_that_name_no_measure_have_none(question):
    assert measure_of(question) is None


@pytest.mark.parametrize(
    "question, answer, near_miss",
    [
        ("How many seats did the Conservatives win?", "The Conservatives won 365 seats.",
         "The Conservatives won a majority in 2019."),
        ("How many points did Bryant score in his career?", "He scored 33,643 points.",
         "Bryant stayed with the Lakers for 20 years."),
        ("What percentage of agencies had secure networks?", "Only 41% of agencies did.",
         "GAO-11-43, Federal Agencies, November 2010."),
        ("How much compensation did Iran pay?", "Iran paid $150,000 per victim.",
         "Iran admitted downing 1 airliner."),
        ("how tall is Mick Jagger", "He is 1.78 m tall.", "He was born in 1943."),
        ("How long did the flight take?", "The flight took 19 hours.", "The flight carried 4 crew."),
        ("What is the population of Seoul?", "Seoul has a population of 9.7 million.",
         "South Korea was a Japanese colony from 1910-45."),
        ("Samoa measles death toll", "In all, 81 people died.", "The emergency began on November 15."),
    ],
)
def test_a_quote_meets_the_measure_only_with_a_number_of_that_kind(question, answer, near_miss):
    measure = measure_of(question)
    assert measure.met_by(answer)
    assert not measure.met_by(near_miss)


def test_the_counted_noun_is_the_head_of_the_phrase_and_the_questions_own_numbers_do_not_count():
    measure = measure_of("how many Fortune 500 companies are headquartered in Madison")
    assert measure.kind == COUNT
    assert not measure.met_by("Stamford has a number of Fortune 500 companies.")
    assert measure.met_by("Madison is home to 3 companies of that list.")


def test_counts_of_people_are_met_by_the_words_that_count_people():
    measure = measure_of("How many people lived in Madison in 1856?")
    assert measure.met_by("Madison incorporated as a city in 1856, with a population of 6,863.")
