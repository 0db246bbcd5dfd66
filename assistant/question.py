"""Checking a question before it is asked, and resolving a follow-up against earlier turns."""

from __future__ import annotations

import re
import unicodedata

from assistant.answer_types import QuestionError
from assistant.text import STOPWORDS, words

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Lone surrogates (e.g. from JSON "\\ud800") cannot be encoded; the tokenizer would raise on them.
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# Earlier turns are context, not the question: a turn longer than this is cut.
MAX_TURN_CHARS = 2000
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
    text = unicodedata.normalize("NFC", _SURROGATE.sub(" ", _CONTROL.sub(" ", question)))
    text = text.replace("\ufffd", " ")
    text = " ".join(text.split())
    if not text:
        raise QuestionError("the question is empty; type a question about your documents")
    notice = None
    if len(text) > max_chars:
        text = text[:max_chars].rsplit(" ", 1)[0] or text[:max_chars]
        notice = f"the question was cut to its first {max_chars} characters"
    return text, notice


def clean_history(history: object, max_turns: int = 6) -> list[tuple[str, str]]:
    """The last max_turns (user, assistant) pairs, each side cleaned like a question and cut to
    MAX_TURN_CHARS; empty turns dropped. Raises QuestionError when history is not a list of
    pairs."""
    if history is None:
        return []
    if isinstance(history, (str, bytes)) or not hasattr(history, "__iter__"):
        raise QuestionError("history must be a list of (question, answer) pairs")
    pairs = []
    for turn in history:
        if isinstance(turn, (str, bytes)) or not hasattr(turn, "__len__") or len(turn) != 2:
            raise QuestionError("history must be a list of (question, answer) pairs")
        pairs.append(tuple(_clean_turn(side) for side in turn))
    return [(u, a) for u, a in pairs if u or a][-max_turns:]


MAX_K = 50  # passages one question may retrieve (the k setting has the same bound)
MODES = ("extractive", "llm")


def check_k(k: object) -> int | None:
    """k as given (None: the setting), or QuestionError unless it is a whole number 1..MAX_K."""
    if k is None:
        return None
    if isinstance(k, float) and k.is_integer():
        k = int(k)  # a slider or JSON may send 5.0
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= MAX_K:
        raise QuestionError(
            f"k (passages to retrieve) must be a whole number from 1 to {MAX_K}, not {k!r}"
        )
    return k


def check_mode(mode: object) -> str | None:
    """mode as given (None: llm when one is configured), or QuestionError."""
    if mode is None or mode == "":
        return None
    if mode not in MODES:
        raise QuestionError(
            f"mode must be 'extractive' or 'llm' (or None for the default), not {mode!r}"
        )
    return mode


def _clean_turn(text: object) -> str:
    try:
        return clean_question(text if isinstance(text, (str, bytes)) else str(text), MAX_TURN_CHARS)[0]
    except QuestionError:
        return ""


def needs_context(question: str) -> bool:
    """A follow-up: it refers back ("what did he say about it?") or has no subject ("why?")."""
    toks = words(question)
    content = [t for t in toks if t not in STOPWORDS and t not in _ANAPHORA]
    return any(t in _ANAPHORA for t in toks) or not content


_MARKERS = re.compile(r"\s*\[\d+\]")
# How much of the previous answer a follow-up carries into retrieval: its first quote or so.
PREVIOUS_ANSWER_CHARS = 300


def previous_answer(history: list[tuple[str, str]] | None) -> str:
    """The last answer's text without its [n] markers ("" when there is none)."""
    if not history:
        return ""
    return _MARKERS.sub("", _clean_turn(history[-1][1])).strip()


def condense_heuristic(question: str, history: list[tuple[str, str]] | None) -> str:
    """Without an LLM: a follow-up is asked together with the previous question and the start
    of the previous answer, whose words carry what "he", "it" or "that" refers to ("Who said
    that?" is about what the last answer quoted)."""
    if not history or not needs_context(question):
        return question
    previous_user = _clean_turn(history[-1][0])  # may come straight from a caller: clean it
    said = previous_answer(history)
    if len(said) > PREVIOUS_ANSWER_CHARS:
        said = said[:PREVIOUS_ANSWER_CHARS].rsplit(" ", 1)[0]
    return " ".join(part for part in (question, previous_user, said) if part)
