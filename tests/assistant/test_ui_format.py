"""The chat's HTML and its Markdown export, as pure functions: citations that link to their
source, flags marked by their offsets, quotes without doubled marks, footnotes."""

import re

from assistant.answer_types import Answer, Citation, Flag
from assistant.ui.chat import export_markdown, restore, turn_record
from assistant.ui.format import answer_html, bare, message_html, source_html


def cite(n, quote, name="report.txt", page=None):
    return Citation(
        n=n, source=f"/docs/{name}", quote=quote, start=10, end=10 + len(quote), score=1.0,
        passage=f"Before. {quote} After.", passage_start=2, page=page,
    )


def test_each_marker_links_to_its_source_and_carries_its_quote_for_hovering():
    answer = Answer(
        text="Seoul must consent [1]. Tokyo agreed [2].", found=True,
        citations=[cite(1, "Seoul's consent is needed."), cite(2, "Tokyo <agreed> & signed")],
    )
    html = message_html(answer)
    assert '<a class="da-cite da-cite-1" href="#da-src-1" role="button" title="Seoul\'s consent is needed.">' in html
    assert 'title="Tokyo &lt;agreed&gt; &amp; signed"' in html  # escaped like any document text
    assert 'class="da-source da-src-1"' in html and 'class="da-source da-src-2"' in html
    assert html.startswith('<div class="da-msg">')  # a click opens a source of its own message


def test_a_marker_with_no_such_citation_is_a_link_without_a_quote():
    html = answer_html("Odd [3].", quotes={1: "x"})
    assert 'class="da-cite da-cite-3"' in html and "title=" not in html


def test_while_streaming_markers_are_plain_badges():
    assert "<a " not in answer_html("So [1].", streaming=True)


def test_flagged_sentences_are_marked_where_their_offsets_say_not_searched_for():
    text = "Japan agreed [1]. Japan agreed [1]. It rained."
    second = text.index("Japan agreed [1].", 1)
    # the same words twice: only the offsets can say which sentence was flagged
    flag = Flag("Japan agreed.", "not supported by [1]", second, second + len("Japan agreed [1]."))
    html = answer_html(text, [flag], quotes={1: "q"})
    before, marked = html.split('<span class="da-flagged"', 1)
    assert "Japan agreed" in before  # the first one is not marked
    assert re.search(r"⚠ Japan agreed <a [^>]*>&#91;1&#93;</a>\.</span>", marked)


def test_flags_without_usable_offsets_are_not_marked():
    html = answer_html("Short.", [Flag("Short.", "no citation", 0, 0), Flag("x", "y", 3, 99)])
    assert "da-flagged" not in html


def test_a_quote_that_starts_with_a_quote_mark_is_not_wrapped_twice():
    for quote in ["“The right to self-defence,” he said", '"Plain quotes"', "‘single’"]:
        html = source_html(cite(1, quote))
        assert "““" not in html and "“&quot;" not in html and "“‘" not in html
        assert f"“{bare(quote)}”" in html.replace("&quot;", '"')
    assert bare("“The right,” he said") == "The right,” he said"
    assert bare("“”") == "“”"  # nothing but marks: kept as it is


def test_export_writes_citations_as_footnotes_per_turn():
    first = Answer(
        text="Seoul must consent [1], as the ministry said [2].", found=True,
        citations=[cite(1, "“Consent is required.”", page=3), cite(2, "The ministry said so.")],
    )
    refusal = Answer(text="The documents don't say.", found=False, citations=[cite(1, "Nearby.")])
    md = export_markdown(
        [turn_record("What consent?", first), turn_record("Boiling point?", refusal)], now=0
    )
    assert md.startswith("# Chat with your documents\n")
    assert "## 1. What consent?" in md and "## 2. Boiling point?" in md
    assert "Seoul must consent [^1.1], as the ministry said [^1.2]." in md
    assert "[^1.1]: report.txt (p. 3): “Consent is required.”" in md  # marks not doubled
    assert "[^1.2]: report.txt: “The ministry said so.”" in md
    assert "*The documents don't say.*" in md and "- report.txt: “Nearby.”" in md
    assert "[^2." not in md  # a refusal cites nothing


def test_the_kept_conversation_is_restored_and_anything_malformed_starts_afresh():
    chat = [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]
    turns = [{"question": "q", "text": "a", "citations": []}]
    assert restore({"chat": chat, "pairs": [["q", "a"]], "turns": turns}) == (chat, [("q", "a")], turns)
    for bad in [None, "x", {"chat": "x"}, {"chat": [{"role": "root", "content": "x"}], "pairs": [], "turns": []}]:
        assert restore(bad) == ([], [], [])
