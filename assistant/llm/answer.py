"""An answer written by the LLM from the retrieved passages, every sentence checked.

The user gets the LLM's answer only when at least one of its sentences cites a passage that
backs it; the other sentences are flagged. Otherwise (no citations, only unbacked ones, the LLM
unreachable, slow or refusing) the extractive answer comes back with a notice saying why.
"""

from __future__ import annotations

import html
from collections.abc import Iterator

from langchain_core.documents import Document

from assistant.answer_types import Answer, Citation
from assistant.extractive import REFUSAL
from assistant.llm.errors import LLMUnavailable
from assistant.llm.guard import Deadline
from assistant.resources import prompt
from assistant.verify import best_sentence, check_answer, clean_reply, is_refusal


# The notices' fixed parts (assistant eval counts the outcomes by them).
NOT_USED_FAILED = "was not used:"  # "The LLM (openai:x) was not used: <why>."
NOT_USED_UNBACKED = "The LLM's answer was not used"


def format_passages(docs: list[Document]) -> str:
    """Numbered passages, fenced as data: markup in them is escaped so a document cannot close
    the fence and speak as the user."""
    parts = []
    for n, doc in enumerate(docs, start=1):
        name = html.escape(doc.metadata.get("source", "").rsplit("/", 1)[-1], quote=True)
        parts.append(f'<passage n="{n}" source="{name}">\n{html.escape(doc.page_content, quote=False)}\n</passage>')
    return "\n".join(parts)


def _not_used(assistant, fallback: Answer, why: str) -> Answer:
    note = f"The LLM ({assistant.settings.llm}) {NOT_USED_FAILED} {why}. This is the extractive answer."
    fallback.notice = f"{fallback.notice}; {note}" if fallback.notice else note
    return fallback


def llm_stream(
    assistant, question: str, docs: list[Document], fallback: Answer, deadline: Deadline | None = None
) -> Iterator[str | Answer]:
    """Stream the LLM's answer, then yield the checked Answer. Weak evidence is refused without
    asking the LLM; failures yield the extractive `fallback` with a notice."""
    from assistant.llm.client import client_for

    if not fallback.found:
        yield fallback.text
        yield fallback
        return
    deadline = deadline or Deadline(assistant.settings.llm_timeout)
    user = prompt("answer").format(passages=format_passages(docs), question=html.escape(question, quote=False))
    parts: list[str] = []
    try:
        for piece in client_for(assistant).stream(prompt("answer_system"), user, deadline):
            parts.append(piece)
            yield piece
    except LLMUnavailable as exc:
        yield "\n\n"
        yield _not_used(assistant, fallback, str(exc))
        return
    answer = llm_answer("".join(parts), docs, fallback)
    if answer.mode != "llm":
        yield "\n\n"
    yield answer


def _why_unbacked(checked) -> str:
    if not checked:
        return "its reply had no sentences"
    if not any(c.cited for c in checked):
        return "its reply cited none of the passages"
    return "no sentence of its reply is backed by the passage it cites"


def llm_answer(reply: str, docs: list[Document], fallback: Answer) -> Answer:
    """The checked Answer for an LLM reply: its sentences flagged where their citations don't
    back them, each cited passage quoted at its sentence that best backs the claim."""
    text = clean_reply(reply)
    passages = [d.page_content for d in docs]
    checked = check_answer(text, passages)
    if text and is_refusal(text) and not any(c.cited for c in checked):
        return Answer(
            text=REFUSAL, found=False, citations=fallback.citations, confidence=fallback.confidence,
            mode="llm", question=fallback.question, notice=fallback.notice,
        )
    if not any(c.backed for c in checked):
        why = _why_unbacked(checked)
        note = f"{NOT_USED_UNBACKED}: {why}. This is the extractive answer."
        fallback.notice = f"{fallback.notice}; {note}" if fallback.notice else note
        return fallback
    citations: dict[int, Citation] = {}
    for sentence in checked:
        for n in sentence.cited:
            if n not in citations:
                citations[n] = _citation(n, docs[n - 1], sentence.text)
    return Answer(
        text=text,
        found=True,
        citations=[citations[n] for n in sorted(citations)],
        confidence=fallback.confidence,
        mode="llm",
        flags=[c.flag for c in checked if c.flag],
        notice=fallback.notice,
        question=fallback.question,
    )


def _citation(n: int, doc: Document, claim: str) -> Citation:
    a, b = best_sentence(claim, doc.page_content)
    start = doc.metadata.get("start", 0)
    return Citation(
        n=n, source=doc.metadata.get("source", ""), quote=doc.page_content[a:b],
        start=start + a, end=start + b, score=round(doc.metadata.get("score", 0.0), 4),
        title=doc.metadata.get("title", ""), passage=doc.page_content,
        passage_start=start, page=doc.metadata.get("page"),
        page_label=doc.metadata.get("page_label", ""),
    )
