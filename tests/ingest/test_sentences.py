"""Sentence boundaries: what the extractive answerer quotes and chunks are built from."""

from ingest.sentences import sentence_pieces, sentence_spans


def sentences(text):
    return [text[s:e] for s, e in sentence_spans(text)]


def test_splits_on_terminal_punctuation():
    assert sentences("One fish. Two fish! Red fish? Blue fish.") == [
        "One fish.", "Two fish!", "Red fish?", "Blue fish.",
    ]


def test_initials_abbreviations_and_acronyms_do_not_end_sentences():
    text = "S. Korea and the U.S. met Dr. Kim on Jan. 5 in Seoul. Mr. Abe said no."
    assert sentences(text) == [
        "S. Korea and the U.S. met Dr. Kim on Jan. 5 in Seoul.",
        "Mr. Abe said no.",
    ]


def test_quotes_stay_with_their_sentence():
    assert sentences('He said "stop." Then he left.') == ['He said "stop."', "Then he left."]


def test_paragraph_breaks_and_markdown_blocks_end_sentences():
    text = "A heading with no period\n\nBody text here\n- item one\n- item two"
    assert sentences(text) == ["A heading with no period", "Body text here", "- item one", "- item two"]


def test_lowercase_continuation_is_not_a_new_sentence():
    assert sentences("It costs approx. 5 dollars. ok then.") == ["It costs approx. 5 dollars. ok then."]


def test_pieces_reassemble_the_exact_text():
    text = "  First one.  Second one.\n\nThird  "
    assert "".join(sentence_pieces(text)) == text


def test_a_run_of_punctuation_is_one_candidate_end():
    # scanned once, not from each of its dots (that was quadratic: 40k dots took 72 s)
    text = "a" + "." * 50_000 + "b ends here. Next one."
    assert sentences(text) == [text[:-10], "Next one."]
