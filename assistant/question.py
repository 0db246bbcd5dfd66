"""Checking a question before it is asked, and resolving a follow-up against earlier turns."""

from __future__ import annotations

import re
import unicodedata

from assistant.answer_types import QuestionError
from assistant.text import STOPWORDS, words

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Words that point back at something said earlier in the conversation.
_ANAPHORA = frozenset(
    "he him his she her hers it its they them their theirs this that these those there then "
    "former latter same such one ones".split()
)


def clean_question(question: object, max_chars: int) -> tuple[str, str | None]:
    """(the question to ask, a notice when it was changed). Raises QuestionError when there is
    nothing to ask."""
    if isinstance(question, bytes):
        question = question.decode("utf-8", errors="replace")
    if not isinstance(question, str):
        raise QuestionError(f"the question must be text, not {type(question).__name__}")
    text = unicodedata.normalize("NFC", _CONTROL.sub(" ", question))
    text = text.replace("\ufffd", " ")
    text = " ".join(text.split())
    if not text:
        raise QuestionError("the question is empty; type a question about your documents")
    notice = None
    if len(text) > max_chars:
        text = text[:max_chars].rsplit(" ", 1)[0] or text[:max_chars]
        notice = f"the question was cut to its first {max_chars} characters"
    return text, notice


def needs_context(question: str) -> bool:
    """A follow-up: it refers back ("what did he say about it?") or has no subject ("why?")."""
    toks = words(question)
    content = [t for t in toks if t not in STOPWORDS and t not in _ANAPHORA]
    return any(t in _ANAPHORA for t in toks) or not content


def condense_heuristic(question: str, history: list[tuple[str, str]] | None) -> str:
    """Without an LLM: a follow-up is asked together with the previous question, whose words
    carry what "he" or "it" refers to."""
    if not history or not needs_context(question):
        return question
    previous_user, _ = history[-1]
    return f"{previous_user} {question}"
