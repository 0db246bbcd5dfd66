"""The check every LLM answer goes through: which sentence each [n] belongs to, and whether the
cited passage backs it (numbers, names, words, roles, negation)."""

import sys
from pathlib import Path

import pytest

from assistant.verify import check_answer, claims, clean_reply, verdict

PASSAGE = (
    "South Korea reaffirmed its stance Tuesday that Japan should seek explicit consent from "
    "Seoul if Tokyo exercises the right to collective self-defense. The foreign ministry here "
    'also censured Abe for picking North Korea as a potential target. "The right is not '
    'something that can be exercised indiscriminately in another country," the spokesman said. '
    "Japan's push to exercise the right had support from the U.S."
)
OTHER = "The harbour of Port Elwyn opens at six in the morning."


# -- citations ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "reply, expected",
    [
        ("Japan must ask Seoul [1]. Seoul agrees [2].", [("Japan must ask Seoul.", [1]), ("Seoul agrees.", [2])]),
        ("Japan must ask Seoul. [1] Seoul agrees. [2]", [("Japan must ask Seoul.", [1]), ("Seoul agrees.", [2])]),
        ("A is true. [2] B is true. [1]", [("A is true.", [2]), ("B is true.", [1])]),
        ("A is true.[2] B is true.[1]", [("A is true.", [2]), ("B is true.", [1])]),
        ("A is true [1][2]. B is true [1, 3].", [("A is true.", [1, 2]), ("B is true.", [1, 3])]),
        ("A is true. B is true [1].", [("A is true.", []), ("B is true.", [1])]),
        ("[1]", []),
        ("[2] A is true.", [("A is true.", [2])]),  # a leading marker with nothing before it
    ],
)
def test_each_marker_belongs_to_the_sentence_it_follows(reply, expected):
    text = clean_reply(reply)
    assert [(c.text, c.cited) for c in claims(text)] == expected


def test_claim_offsets_cover_the_sentence_and_its_markers():
    text = clean_reply("Japan must ask Seoul. [1] Seoul agrees [2].")
    first, second = claims(text)
    assert text[first.start : first.end] == "Japan must ask Seoul. [1]"
    assert text[second.start : second.end] == "Seoul agrees [2]."


def test_echoed_prompt_markup_is_stripped():
    reply = '<passages>\n<passage n="1" source="a.txt">Japan must ask Seoul [1].</passage>\n&lt;/passage&gt;'
    assert clean_reply(reply) == "Japan must ask Seoul [1]."


# -- support ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "claim",
    [
        "Japan should seek explicit consent from Seoul.",  # near verbatim
        "Seoul must give its consent before Tokyo exercises the right.",  # the converse verb
        "Japan needs Seoul's explicit consent to exercise the right.",  # possessive giver
        "Abe was censured by the foreign ministry for picking North Korea as a target.",  # passive
        "The spokesman said the right cannot be exercised indiscriminately in another country.",
        "S. Korea reaffirmed its stance on Tuesday.",
        "The U.S. supported Japan's push to exercise the right.",
    ],
)
def test_faithful_sentences_are_backed(claim):
    v = verdict(claim, PASSAGE)
    assert v.backed, v.why


@pytest.mark.parametrize(
    "claim, why",
    [
        # What SmolLM2-135M answered when asked "What consent does Seoul require?"
        ("Seoul must obtain consent from Japan.", "the roles of Seoul and Japan are swapped"),
        ("South Korea should seek explicit consent from Tokyo.", "are swapped"),
        ("Abe censured the foreign ministry for picking North Korea.", "are swapped"),
        ("The right can be exercised indiscriminately in another country.", "the passage negates it"),
        ("Japan should not seek consent from Seoul.", "it negates what the passage says"),
        ("Japan's push to exercise the right had no support from the U.S.", "negates"),
        ("South Korea reaffirmed its stance in 2015.", "the passage has no 2015"),
        ("China censured Abe for picking North Korea as a target.", "does not mention China"),
        ("The foreign ministry called for sanctions against Tokyo.", 'the passage does not say "called"'),
        ("The ministry demanded sanctions and an apology from Tokyo.", "most of its words are not in the passage"),
        ("The spokesman resigned after he censured Abe.", 'the passage does not say "resigned"'),
        ("South Korea reaffirmed its stance last week.", 'no "last"'),
    ],
)
def test_unbacked_sentences_are_flagged_with_the_reason(claim, why):
    v = verdict(claim, PASSAGE)
    assert not v.backed and why in v.why, v.why


def test_flags_name_what_is_wrong():
    checked = check_answer(
        "Japan should seek explicit consent from Seoul [1]. Seoul must obtain consent from Japan [1]. "
        "The moon is made of cheese. Tokyo agreed [4]. The harbour opens at six [1][2].",
        [PASSAGE, OTHER],
    )
    reasons = [c.flag.reason if c.flag else None for c in checked]
    assert reasons == [
        None,
        "not supported by [1]: the roles of Seoul and Japan are swapped",
        "no citation",
        "cites [4], which is not one of the passages",
        None,  # [2] backs it although [1] does not
    ]
    assert checked[0].cited == [1] and checked[0].text == "Japan should seek explicit consent from Seoul."
    assert [c.backed for c in checked] == [True, False, False, False, True]


def test_a_refusal_needs_no_citation():
    checked = check_answer("The documents don't contain an answer to this question.", [PASSAGE])
    assert checked[0].flag is None


# -- the labelled set (benchmarks/verify_bench.py prints the full table) ----------------------


def test_flags_on_the_labelled_set_stay_precise_and_complete():
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    import verify_bench

    rows = verify_bench.run()
    assert len(rows) >= 60
    s = verify_bench.scores(rows)
    assert s["precision"] >= 0.9 and s["recall"] >= 0.9, s
