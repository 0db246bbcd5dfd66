"""Optional LLM answers through LangChain chat models, every citation checked.

One setting picks the backend: ASSISTANT_LLM=openai:MODEL (any OpenAI-compatible server: vLLM,
llama.cpp, LM Studio, Ollama's /v1; with ASSISTANT_LLM_BASE_URL) or ollama:MODEL. When the LLM
fails, the user gets the extractive answer and a notice saying why, never a stack trace.
"""

from __future__ import annotations

import html
from collections.abc import Iterator

from langchain_core.documents import Document

from assistant.answer_types import Answer, Citation
from assistant.extractive import REFUSAL
from assistant.resources import prompt
from assistant.verify import best_sentence, check_answer, is_refusal


class LLMUnavailable(Exception):
    """The configured LLM cannot be used; the message says what to do."""


def make_chat_model(settings):
    provider, _, model = (settings.llm or "").partition(":")
    if not model:
        raise LLMUnavailable(
            f"ASSISTANT_LLM='{settings.llm}' is not PROVIDER:MODEL; use e.g. openai:qwen2.5-7b "
            "or ollama:llama3.2"
        )
    match provider:
        case "openai":
            try:
                from langchain_openai import ChatOpenAI
            except ImportError:
                raise LLMUnavailable("install the LLM extra: pip install 'doc-assistant[llm]'") from None
            return ChatOpenAI(
                model=model,
                base_url=settings.llm_base_url,
                # local servers need no key, but the client insists on one
                api_key=settings.llm_api_key or "not-needed",
                timeout=settings.llm_timeout,
                max_retries=0,
                temperature=0,
                max_tokens=settings.llm_max_tokens,
            )
        case "ollama":
            try:
                from langchain_ollama import ChatOllama
            except ImportError:
                raise LLMUnavailable("install the LLM extra: pip install 'doc-assistant[llm]'") from None
            kwargs = {"base_url": settings.llm_base_url} if settings.llm_base_url else {}
            return ChatOllama(
                model=model, temperature=0, num_predict=settings.llm_max_tokens,
                client_kwargs={"timeout": settings.llm_timeout}, **kwargs,
            )
        case _:
            raise LLMUnavailable(f"unknown LLM provider '{provider}'; use openai:MODEL or ollama:MODEL")


def _messages(system: str, user: str):
    from langchain_core.messages import HumanMessage, SystemMessage

    return [SystemMessage(system), HumanMessage(user)]


def format_passages(docs: list[Document]) -> str:
    """Numbered passages, fenced as data: markup in them is escaped so a document cannot close
    the fence and speak as the user."""
    parts = []
    for n, doc in enumerate(docs, start=1):
        name = html.escape(doc.metadata.get("source", "").rsplit("/", 1)[-1], quote=True)
        parts.append(f'<passage n="{n}" source="{name}">\n{html.escape(doc.page_content, quote=False)}\n</passage>')
    return "\n".join(parts)


def _why(exc: Exception) -> str:
    return f"{type(exc).__name__}: {str(exc)[:200]}" if str(exc) else type(exc).__name__


def condense(assistant, question: str, history: list[tuple[str, str]]) -> tuple[str, str | None]:
    """(standalone question, notice). Falls back to the heuristic when the LLM fails."""
    from assistant.question import condense_heuristic, needs_context

    if not needs_context(question):
        return question, None
    turns = "\n".join(f"User: {u}\nAssistant: {a}" for u, a in history)
    text = prompt("condense").format(history=html.escape(turns, quote=False), question=question)
    try:
        reply = assistant.chat_model.invoke(_messages("You rewrite questions.", text)).content
        rewritten = " ".join(str(reply).split())[:500]
        return (rewritten or question), None
    except Exception as exc:  # any backend failure: keep answering without it
        return condense_heuristic(question, history), f"the LLM could not be used ({_why(exc)})"


def llm_stream(assistant, question: str, docs: list[Document], fallback: Answer) -> Iterator[str | Answer]:
    """Stream the LLM's answer, then yield the checked Answer. Weak evidence is refused without
    asking the LLM; failures yield the extractive `fallback` with a notice."""
    if not fallback.found:
        yield fallback.text
        yield fallback
        return
    user = prompt("answer").format(passages=format_passages(docs), question=question)
    parts: list[str] = []
    try:
        model = assistant.chat_model
        for chunk in model.stream(_messages(prompt("answer_system"), user)):
            piece = chunk.content if isinstance(chunk.content, str) else ""
            if piece:
                parts.append(piece)
                yield piece
    except Exception as exc:  # unreachable server, timeout, HTTP error, bad model name...
        fallback.notice = (
            f"The LLM ({assistant.settings.llm}) could not answer ({_why(exc)}); this is the "
            "extractive answer. Check ASSISTANT_LLM_BASE_URL and that the server is running."
        )
        yield "\n\n"
        yield fallback
        return
    yield llm_answer("".join(parts).strip(), docs, fallback)


def llm_answer(text: str, docs: list[Document], fallback: Answer) -> Answer:
    """Check every sentence's citations; quote, for each cited passage, its sentence that best
    backs the claim."""
    passages = [d.page_content for d in docs]
    checked = check_answer(text, passages)
    if not text or (is_refusal(text) and not any(c.cited for c in checked)):
        return Answer(
            text=REFUSAL, found=False, citations=fallback.citations, confidence=fallback.confidence,
            mode="llm", question=fallback.question, notice=fallback.notice,
        )
    citations: dict[int, Citation] = {}
    for sentence in checked:
        for n in sentence.cited:
            if n in citations:
                continue
            doc = docs[n - 1]
            a, b = best_sentence(sentence.text, doc.page_content)
            start = doc.metadata.get("start", 0)
            citations[n] = Citation(
                n=n, source=doc.metadata.get("source", ""), quote=doc.page_content[a:b],
                start=start + a, end=start + b, score=round(doc.metadata.get("score", 0.0), 4),
                title=doc.metadata.get("title", ""), passage=doc.page_content,
                passage_start=start, page=doc.metadata.get("page"),
            )
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
