"""`assistant ask "QUESTION" [--json]`: the answer, then its numbered sources."""

from __future__ import annotations

import json
import sys

from assistant.answer_types import Answer, QuestionError
from assistant.terminal import for_terminal, json_for_terminal


def format_sources(answer: Answer) -> str:
    """The sources block, as printed: terminal-safe (names and quotes come from documents)."""
    return for_terminal(_sources(answer))


def _sources(answer: Answer) -> str:
    lines = [f"({answer.confidence_words}, {answer.confidence:.2f})"]
    if answer.citations:
        lines.append("Sources:" if answer.found else "Closest passages:")
    for c in answer.citations:
        page = f", {c.where}" if c.where else ""
        where = f" \u203a {c.headings}" if c.headings else ""
        lines.append(f"  [{c.n}] {c.name}{page}{where} (chars {c.start}-{c.end})")
        lines.append(f"      \u201c{c.quote}\u201d")
    for flag in answer.flags:
        lines.append(f"  ! unsupported ({flag.reason}): {flag.sentence}")
    return "\n".join(lines)


class _Status:
    """A passing line on a terminal's stderr ("Loading the model…"), erased by clear(); say()
    prints a line that stays, on a terminal or not (a log should show a first run's ingest)."""

    def __init__(self, stream) -> None:
        self.stream, self.tty, self.shown = stream, stream.isatty(), False

    def show(self, message: str) -> None:
        if self.tty:
            print(message, end="", file=self.stream, flush=True)
            self.shown = True

    def say(self, message: str) -> None:
        self.clear()
        print(message, file=self.stream, flush=True)

    def clear(self) -> None:
        if self.shown:
            print("\r\033[K", end="", file=self.stream, flush=True)
            self.shown = False


def run_ask(args, settings) -> int:
    from assistant.core import Assistant

    assistant = Assistant(settings=settings)
    # Loading the model and (on a first run) ingesting take seconds in silence otherwise. On
    # stderr, so stdout (--json) stays clean; on a terminal the line goes once output comes.
    status = _Status(sys.stderr)
    status.show("Loading the model…")
    sources = getattr(args, "sources", None)
    try:
        assistant.ensure_seeded(announce=status.say)
        if args.json:
            data = assistant.answer(args.question, sources=sources).to_dict()
            status.clear()
            print(json_for_terminal(json.dumps(data, indent=2, ensure_ascii=False)))
            return 0
        streamed, final = [], None
        for item in assistant.stream(args.question, sources=sources):
            if isinstance(item, Answer):
                final = item
            else:
                status.clear()
                streamed.append(item)
                print(for_terminal(item), end="", flush=True)
    except QuestionError as exc:
        status.clear()
        print(f"error: {for_terminal(exc)}", file=sys.stderr)
        return 2
    finally:
        status.clear()  # before main() prints any other error
    if final.notice:
        print(f"\n\nnote: {for_terminal(final.notice)}", file=sys.stderr)
    if "".join(streamed).strip() != final.text.strip():
        print(for_terminal(final.text))  # the fallback answer replaces what was streamed
    if final.short is not None:
        bold, plain = ("\033[1m", "\033[0m") if sys.stdout.isatty() else ("", "")
        short = for_terminal(final.short.text)
        print(f"\n\nAnswer: {bold}{short}{plain} [{final.short.n}]", end="")
    print("\n")
    print(format_sources(final))
    return 0
