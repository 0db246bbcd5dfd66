"""Follow-up questions rewritten by the LLM, and checked before they are used.

A small model asked to rewrite "What did he say?" may answer it instead, invent the answer, or
echo the rewrite prompt; any of those, searched for, gives a wrong answer or a false refusal.
A rewrite is used only when it is one short question made of the conversation's words;
otherwise the offline resolver (assistant.question.condense_heuristic) is used.
"""

from __future__ import annotations

import html
import re

from assistant.llm.errors import LLMUnavailable
from assistant.llm.guard import Deadline
from assistant.resources import prompt
from assistant.text import terms

MAX_WORDS = 40
MIN_FROM_CONVERSATION = 0.75  # share of the rewrite's content words found in the conversation
_LABEL = re.compile(r"^\s*(?:rewritten|standalone)?\s*question\s*:\s*", re.IGNORECASE)
_PROMPT_ECHO = ("rewrite", "conversation", "last question", "<", ">")


def _tidy(reply: str) -> str:
    first = next((line for line in reply.splitlines() if line.strip()), "")
    return _LABEL.sub("", " ".join(first.split())).strip().strip("\"'\u201c\u201d`").strip()


def rejection(rewrite: str, question: str, history: list[tuple[str, str]]) -> str | None:
    """Why a rewrite cannot be used, or None when it can."""
    if not rewrite:
        return "it is empty"
    if not rewrite.endswith("?"):
        return "it is not a question"
    if len(rewrite.split()) > MAX_WORDS:
        return "it is too long"
    low = rewrite.lower()
    if any(marker in low for marker in _PROMPT_ECHO):
        return "it repeats the instructions"
    words = terms(rewrite)
    if not words:
        return "it has no content words"
    known = set(terms(question + " " + " ".join(f"{u} {a}" for u, a in history)))
    if sum(w in known for w in words) / len(words) < MIN_FROM_CONVERSATION:
        return "it brings in words the conversation does not have"
    own = set(terms(question))
    if own and not own & set(words):
        return "it drops the question's own words"
    return None


def condense(assistant, question: str, history: list[tuple[str, str]], deadline: Deadline | None = None) -> tuple[str, str | None]:
    """(the standalone question, a notice or None). The offline resolver is used when the LLM
    fails, is paused, or rewrites badly."""
    from assistant.llm.client import client_for
    from assistant.question import condense_heuristic, needs_context

    if not needs_context(question):
        return question, None
    deadline = deadline or Deadline(assistant.settings.llm_timeout)
    turns = "\n".join(f"User: {u}\nAssistant: {a}" for u, a in history)
    text = prompt("condense").format(
        history=html.escape(turns, quote=False), question=html.escape(question, quote=False)
    )
    try:
        reply = "".join(client_for(assistant).stream("You rewrite questions.", text, deadline, "rewrite"))
    except LLMUnavailable:
        # The answer step will meet the same failure and say so; one notice is enough.
        return condense_heuristic(question, history), None
    rewrite = _tidy(reply)
    if rejection(rewrite, question, history):
        return condense_heuristic(question, history), None
    return rewrite, None
