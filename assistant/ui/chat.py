"""One chat turn, what the browser keeps of the conversation, and its Markdown export.

No gradio at the top: chat_turn() takes the two gradio pieces it needs (how to warn, which
error is the page's) from its caller, so the rest is plain to test.
"""

from __future__ import annotations

import logging
import re
import time

from assistant.answer_types import Answer, QuestionError
from assistant.ui.format import answer_html, bare, error_html, message_html, notice_html, text

log = logging.getLogger(__name__)

KEEP_TURNS = 50  # the conversation kept in the browser (localStorage is a few MB)
EMPTY = {"chat": [], "pairs": [], "turns": []}


def turn_record(question: str, answer: Answer) -> dict:
    """What the export needs of one answered question (plain data, JSON for the browser)."""
    return {
        "question": question,
        "text": answer.text,
        "found": answer.found,
        "mode": answer.mode,
        "citations": [
            {"n": int(c.n), "name": c.name, "source": c.source, "where": c.where,
             "headings": c.headings, "quote": c.quote}
            for c in answer.citations
        ],
    }


def chat_turn(
    assistant, ready, question, chat, pairs, turns, k, mode, sources=None, *,
    warn=log.warning, page_error=(),
):
    """One question in the chat, streamed: yields (chat messages, history pairs, turn records,
    text for the question box) after each piece. `pairs` (question, answer text) is the plain
    history the assistant resolves follow-ups with (the chat itself holds HTML); `sources` the
    documents chosen to ask within (none: all). warn(message) shows a warning; page_error is
    the exception type whose .message the page shows as it is (gr.Error; () catches none)."""
    question = question or ""
    turns = list(turns or [])
    chat = list(chat or []) + [
        {"role": "user", "content": text(question)},
        {"role": "assistant", "content": notice_html("Searching your documents…")},
    ]
    yield list(chat), pairs, turns, ""
    streamed = ""
    try:
        ready()
        stream = assistant.stream(
            question, history=list(pairs), k=int(k), mode=mode or None, sources=list(sources or []) or None
        )
        for item in stream:
            if isinstance(item, Answer):
                chat[-1] = {"role": "assistant", "content": message_html(item, question)}
                kept = (turns + [turn_record(question, item)])[-KEEP_TURNS:]
                yield list(chat), list(pairs) + [(question, item.text)], kept, ""
                return
            streamed += item
            chat[-1] = {"role": "assistant", "content": answer_html(streamed, streaming=True)}
            yield list(chat), pairs, turns, ""  # a new list each time: each yield is its own state
    except QuestionError as exc:
        warn(str(exc))
        yield chat[:-2], pairs, turns, question  # nothing was asked: give the text back to edit
    except page_error as exc:
        chat[-1] = {"role": "assistant", "content": error_html(exc.message)}
        yield chat, pairs, turns, ""
    except Exception as exc:
        log.exception("answering failed")
        message = (
            f"Could not answer ({type(exc).__name__}: {exc}). Try again; if it keeps failing, "
            "see the terminal running `assistant ui`."
        )
        chat[-1] = {"role": "assistant", "content": error_html(message)}
        yield chat, pairs, turns, ""


def restore(saved) -> tuple[list, list, list]:
    """(chat, pairs, turns) from what the browser kept; anything malformed (an older version's
    state, a hand-edited store) starts a new chat rather than breaking the page."""
    if not isinstance(saved, dict):
        return [], [], []
    chat, pairs, turns = saved.get("chat"), saved.get("pairs"), saved.get("turns")
    ok = all(isinstance(x, list) for x in (chat, pairs, turns)) and all(
        # gradio hands the chat back with each content as a list of parts, and takes that too
        isinstance(m, dict) and m.get("role") in ("user", "assistant")
        and isinstance(m.get("content"), (str, list))
        for m in chat
    ) and all(isinstance(p, (list, tuple)) and len(p) == 2 for p in pairs)
    if not ok:
        return [], [], []
    return chat, [tuple(p) for p in pairs], [t for t in turns if isinstance(t, dict)]


_MARK = re.compile(r"\[(\d+)\]")


def export_markdown(turns: list[dict], now: float | None = None) -> str:
    """The conversation as Markdown: each question, its answer with every [n] as a footnote,
    the footnote giving the document, its page or heading, and the quote. Footnote labels
    carry the turn ([^2.1]), so they stay distinct across answers."""
    stamp = time.strftime("%Y-%m-%d %H:%M", time.localtime(now or time.time()))
    out = [
        "# Chat with your documents",
        "",
        f"Exported {stamp}. Every answer comes from the documents cited under it.",
    ]
    for t, turn in enumerate(turns, 1):
        citations = {int(c["n"]): c for c in turn.get("citations", [])}
        answer = _one_line(turn.get("text", ""))
        out += ["", f"## {t}. {_one_line(turn.get('question', ''))}", ""]
        if turn.get("found", True):
            used = [n for n in dict.fromkeys(int(m) for m in _MARK.findall(answer)) if n in citations]
            out.append(_MARK.sub(lambda m: _label(t, m, citations), answer))
            if used:
                out.append("")
                out += [f"[^{t}.{n}]: {_where(citations[n])}" for n in used]
        else:
            out.append(f"*{answer}*")
            if citations:
                out += ["", "Closest passages (they do not answer the question):", ""]
                out += [f"- {_where(c)}" for c in citations.values()]
    return "\n".join(out) + "\n"


def _label(t: int, m: re.Match, citations: dict) -> str:
    n = int(m.group(1))
    return f"[^{t}.{n}]" if n in citations else m.group(0)


def _where(c: dict) -> str:
    place = ", ".join(x for x in (c.get("where"), c.get("headings")) if x)
    return f"{c.get('name', '')}{f' ({place})' if place else ''}: “{_one_line(bare(c.get('quote', '')))}”"


def _one_line(value: str) -> str:
    return " ".join(str(value).split())
