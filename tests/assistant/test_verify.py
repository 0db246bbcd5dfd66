"""The citation check that every LLM answer goes through."""

from assistant.verify import check_answer, support

PASSAGE = (
    "South Korea reaffirmed its stance Tuesday that Japan should seek explicit consent from "
    "Seoul if Tokyo exercises the right to collective self-defense."
)


def test_a_faithful_sentence_is_supported():
    assert support("Japan should seek explicit consent from Seoul.", PASSAGE) > 0.8


def test_reversing_who_consents_is_not_supported():
    # What SmolLM2-135M answered when asked "What consent does Seoul require?"
    assert support("Seoul must obtain consent from Japan.", PASSAGE) < 0.35


def test_a_number_the_passage_lacks_is_not_supported():
    assert support("South Korea reaffirmed its stance in 2015.", PASSAGE) == 0.0


def test_flags_name_what_is_wrong():
    checked = check_answer(
        "Japan should seek explicit consent from Seoul [1]. Seoul must obtain consent from Japan [1]. "
        "The moon is made of cheese. Tokyo agreed [4].",
        [PASSAGE],
    )
    reasons = [c.flag.reason if c.flag else None for c in checked]
    assert reasons == [None, "not supported by [1]", "no citation", "cites [4], which is not one of the passages"]
    assert checked[0].cited == [1] and checked[0].text == "Japan should seek explicit consent from Seoul."


def test_a_refusal_needs_no_citation():
    checked = check_answer("The documents don't contain an answer to this question.", [PASSAGE])
    assert checked[0].flag is None
