"""One question, start to finish: check it, resolve follow-ups, retrieve, answer, cite."""

from __future__ import annotations

from collections.abc import Iterator

from assistant.answer_types import Answer
from assistant.asking import one_side_questions
from assistant.extractive import extractive_answer
from assistant.question import (
    clean_history, clean_question, condense_heuristic, needs_context, previous_answer,
)
from assistant.scoring import Query

EMPTY_INDEX = (
    "No documents are indexed yet. Add some with `assistant ingest PATH` (or upload them in the "
    "UI), then ask again."
)


def run(
    assistant, question, history, k: int, mode: str | None, sources: list[str] | None = None
) -> Iterator[str | Answer]:
    """sources: the documents to answer from (checked by Assistant.check_sources; None: all)."""
    settings = assistant.settings
    text, notice = clean_question(question, settings.max_question_chars)
    history = clean_history(history)
    use_llm = (mode or ("llm" if assistant.llm_configured else "extractive")) == "llm"
    deadline = None
    if use_llm and assistant.llm_configured:
        from assistant.llm import Deadline

        deadline = Deadline(settings.llm_timeout)  # one limit for the rewrite and the reply

    if history and deadline:
        from assistant.llm import condense

        query, llm_notice = condense(assistant, text, history, deadline)
        notice = notice or llm_notice
    else:
        query = condense_heuristic(text, history)

    store = assistant.store
    lexical = assistant.retriever.lexical()
    if lexical.empty:
        answer = Answer(text=EMPTY_INDEX, found=False, notice=notice, question=query)
        yield answer.text
        yield answer
        return
    q = make_query(store, lexical, query)
    if history and needs_context(text):
        q.avoid, q.asked = previous_answer(history), text
    docs = assistant.retriever.invoke(query, k=k, prepared=q, sources=sources)
    docs += _other_sides(assistant.retriever, store, lexical, query, docs, sources)
    threshold = assistant.refusal_threshold()
    answer = extractive_answer(q, docs, threshold, settings.max_sentences)
    answer.question, answer.notice = query, notice

    if use_llm and assistant.llm_configured and docs:
        from assistant.llm import llm_stream

        yield from llm_stream(assistant, query, docs, answer, deadline)
        return
    for word in _increments(answer.text):
        yield word
    yield answer


# Passages searched for each side of a comparison ("..., A or B?"), besides the question's own.
SIDE_PASSAGES = 2


def _other_sides(retriever, store, lexical, query: str, docs: list, sources) -> list:
    """The best passages on each side of a comparison question that its own search missed."""
    extra, seen = [], {d.id for d in docs}
    for side in one_side_questions(query):
        prepared = make_query(store, lexical, side)
        found = retriever.invoke(side, k=SIDE_PASSAGES, prepared=prepared, sources=sources)
        for d in found:
            if d.id not in seen:
                seen.add(d.id)
                extra.append(d)
    return extra


def make_query(store, lexical, text: str) -> Query:
    return Query.make(
        text, store.embeddings.embed_query(text), lexical.idf, lambda t: lexical.doc_freq.get(t, 0)
    )


def _increments(text: str) -> Iterator[str]:
    """The extractive answer is ready at once; it is still streamed in word-sized pieces so
    every interface renders answers one way."""
    parts = text.split(" ")
    for i, part in enumerate(parts):
        yield part if i == 0 else " " + part
