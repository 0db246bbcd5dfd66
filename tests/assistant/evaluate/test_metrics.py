"""The eval's numbers, checked by hand on tiny fixtures."""

import pytest

from assistant.evaluate.metrics import (
    Outcome,
    best_threshold,
    check_citations,
    contains_answer,
    hit_at,
    percentile,
    quote_is_valid,
    reciprocal_rank,
    summarise,
    threshold_for_false_refusals,
    threshold_rates,
)

RANKED = ["b.txt", "a.txt", "c.txt"]


# -- retrieval -------------------------------------------------------------------------------
def test_a_hit_at_k_means_a_gold_source_is_among_the_first_k():
    assert not hit_at(RANKED, ["a.txt"], 1)
    assert hit_at(RANKED, ["a.txt"], 2)
    assert hit_at(RANKED, ["z.txt", "c.txt"], 3)  # any of several gold sources counts
    assert not hit_at(RANKED, ["z.txt"], 3)
    assert not hit_at([], ["a.txt"], 5)


def test_reciprocal_rank_is_one_over_the_rank_of_the_first_gold_source():
    assert reciprocal_rank(RANKED, ["b.txt"]) == 1.0
    assert reciprocal_rank(RANKED, ["a.txt"]) == 0.5
    assert reciprocal_rank(RANKED, ["c.txt", "a.txt"]) == 0.5  # the better-ranked one counts
    assert reciprocal_rank(RANKED, ["z.txt"]) == 0.0


# -- answers ---------------------------------------------------------------------------------
def test_an_answer_is_correct_when_a_gold_string_appears_in_it_ignoring_case():
    assert contains_answer("The uprising lasted 63 days [1].", ["63 days"])
    assert contains_answer("ROBERT BOYLE showed it.", ["Boyle", "Robert Boyle"])
    assert not contains_answer("It lasted two months.", ["63 days"])


def test_line_breaks_in_the_answer_do_not_hide_a_gold_string():
    assert contains_answer("signed by the\nPrime Minister", ["the Prime Minister"])


def test_an_empty_gold_string_matches_nothing():
    assert not contains_answer("anything at all", [""])


# -- citations -------------------------------------------------------------------------------
TEXT = "Seoul requires consent. Tokyo agreed."


def test_a_quote_is_valid_only_when_it_sits_verbatim_at_its_offsets():
    assert quote_is_valid(TEXT, "Tokyo agreed.", 24, 37)
    assert not quote_is_valid(TEXT, "Tokyo agreed.", 23, 36)  # off by one
    assert not quote_is_valid(TEXT, "tokyo agreed.", 24, 37)  # not verbatim
    assert not quote_is_valid(TEXT, "Tokyo agreed.", 24, 99)  # past the end


def test_check_citations_counts_every_quote_and_lists_the_invalid_ones():
    texts = {"/c/a.txt": TEXT}
    checked, bad = check_citations(
        [("/c/a.txt", "Seoul", 0, 5), ("/c/a.txt", "Tokyo", 0, 5)], texts.__getitem__
    )
    assert checked == 2
    assert bad == [{"source": "/c/a.txt", "start": 0, "end": 5, "quote": "Tokyo"}]


def test_a_quote_from_a_source_that_cannot_be_read_is_invalid():
    checked, bad = check_citations([("/gone.txt", "x", 0, 1)], {}.__getitem__)
    assert checked == 1 and len(bad) == 1 and "unreadable" in bad[0]["quote"]


# -- latency ---------------------------------------------------------------------------------
def test_percentiles_interpolate_between_the_closest_ranks():
    assert percentile([4, 1, 3, 2], 50) == 2.5
    assert percentile(list(range(1, 21)), 95) == pytest.approx(19.05)
    assert percentile([7], 95) == 7
    assert percentile([], 50) is None


# -- the summary -------------------------------------------------------------------------------
def _set():
    """Four questions, worked out by hand:
    q1 answerable, source ranked 1st, answered with the gold string;
    q2 answerable, source ranked 2nd, answered but wrong;
    q3 answerable, source not retrieved, refused (a false refusal);
    q4 unanswerable, refused (right)."""
    return [
        Outcome("q1", ["Boyle"], ["a.txt"], "Robert Boyle [1]", True, 0.9, ["a.txt", "b.txt"],
                0.010, citations=1),
        Outcome("q2", ["63"], ["b.txt"], "sixty [1]", True, 0.6, ["a.txt", "b.txt"], 0.020,
                citations=2, bad_citations=[{"quote": "x"}]),
        Outcome("q3", ["Open"], ["c.txt"], "The documents don't say.", False, 0.2,
                ["a.txt", "b.txt"], 0.030),
        Outcome("q4", [], ["a.txt"], "The documents don't say.", False, 0.1, ["a.txt"], 0.040),
    ]


def test_summary_of_a_hand_worked_set():
    m = summarise(_set(), k=2)
    assert (m["questions"], m["answerable"], m["unanswerable"]) == (4, 3, 1)
    assert m["recall_at_1"] == pytest.approx(1 / 3)  # only q1 (q4 is unanswerable: not counted)
    assert m["recall_at_k"] == pytest.approx(2 / 3)  # q1, q2
    assert m["mrr"] == pytest.approx((1 + 0.5 + 0) / 3)
    assert m["answer_accuracy"] == pytest.approx(1 / 3)  # q1
    assert m["false_refusal_rate"] == pytest.approx(1 / 3)  # q3
    assert m["refusal_rate"] == 1.0  # q4
    assert m["overall_accuracy"] == pytest.approx(2 / 4)  # q1 right, q4 rightly refused
    assert m["citations"] == 3
    assert m["citation_validity"] == pytest.approx(2 / 3)
    assert m["answer_chars"] == pytest.approx((16 + 9) / 2)  # answered ones only
    assert m["latency_p50_ms"] == pytest.approx(25.0)
    assert m["latency_p95_ms"] == pytest.approx(38.5)


def test_a_refusal_is_never_a_correct_answer_even_if_it_quotes_the_gold_string():
    refused = Outcome("q", ["Boyle"], [], "Closest passage: Boyle ...", found=False)
    assert not refused.correct


def test_metrics_with_nothing_to_measure_are_none_not_zero():
    m = summarise([Outcome("q", ["x"], [], "x", True)], k=5)
    assert m["recall_at_k"] is None and m["mrr"] is None  # no gold sources given
    assert m["refusal_rate"] is None  # no unanswerable questions
    assert m["citation_validity"] is None  # nothing cited
    assert m["answer_accuracy"] == 1.0


def test_per_question_results_carry_what_is_needed_to_inspect_a_miss():
    row = _set()[1].to_dict(k=2)
    assert row["correct"] is False and row["answerable"] is True
    assert (row["hit_at_1"], row["hit_at_k"], row["reciprocal_rank"]) == (False, True, 0.5)
    assert row["retrieved"] == ["a.txt", "b.txt"] and row["answers"] == ["63"]


# -- the refusal threshold -----------------------------------------------------------------------
def test_threshold_rates_say_what_a_threshold_would_refuse():
    r = threshold_rates(answerable=[0.5, 0.8], unanswerable=[0.1, 0.6], threshold=0.55)
    assert r["refusal_rate"] == 0.5  # 0.1 refused, 0.6 answered
    assert r["false_refusal_rate"] == 0.5  # 0.5 refused


def test_best_threshold_separates_the_groups_at_a_midpoint():
    best = best_threshold(answerable=[0.6, 0.7, 0.9], unanswerable=[0.1, 0.3])
    assert best["threshold"] == pytest.approx(0.45)
    assert (best["refusal_rate"], best["false_refusal_rate"]) == (1.0, 0.0)
    assert best["balanced_accuracy"] == 1.0


def test_best_threshold_needs_both_groups():
    assert best_threshold([0.5], []) is None


def test_a_threshold_can_be_chosen_for_a_tolerated_false_refusal_rate():
    answerable = [0.2, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3]  # 10: 10% = one refusal
    r = threshold_for_false_refusals(answerable, [0.1, 0.3, 0.55], max_false_refusal=0.1)
    assert r["threshold"] == pytest.approx(0.35)  # refuses 0.2 only
    assert r["false_refusal_rate"] == pytest.approx(0.1)
    assert r["refusal_rate"] == pytest.approx(2 / 3)  # 0.1 and 0.3
    assert threshold_for_false_refusals(answerable, [0.1], 0.0)["false_refusal_rate"] == 0.0
