"""Questions are cleaned before they are asked; follow-ups are recognised."""

import pytest

from assistant.answer_types import QuestionError
from assistant.question import clean_question, condense_heuristic, needs_context


def test_whitespace_and_control_characters_are_normalised():
    assert clean_question("  What\x00 is\tthis?\n", 100) == ("What is this?", None)


def test_a_long_question_is_cut_with_a_notice():
    text, notice = clean_question("word " * 1000, 50)
    assert len(text) <= 50 and "50 characters" in notice


def test_bytes_are_decoded_and_invalid_utf8_replaced():
    assert clean_question(b"caf\xff?", 100)[0] == "caf ?"


def test_non_text_is_refused():
    with pytest.raises(QuestionError, match="text"):
        clean_question(42, 100)


@pytest.mark.parametrize(
    "q, follow_up",
    [("What did he say about it?", True), ("And then?", True), ("Who is the spokesman?", False)],
)
def test_follow_ups_are_recognised(q, follow_up):
    assert needs_context(q) is follow_up


def test_a_follow_up_is_asked_with_the_previous_question_and_answer():
    assert condense_heuristic("What did he say?", [("Who is Noh?", "A spokesman. [1]")]) == (
        "What did he say? Who is Noh? A spokesman."
    )
