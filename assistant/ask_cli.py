"""`assistant ask "QUESTION" [--json]`: the answer, then its numbered sources."""

from __future__ import annotations

import json
import sys

from assistant.answer_types import Answer, QuestionError


def format_sources(answer: Answer) -> str:
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


def run_ask(args, settings) -> int:
    from assistant.core import Assistant

    assistant = Assistant(settings=settings)
    assistant.ensure_seeded()
    try:
        if args.json:
            print(json.dumps(assistant.answer(args.question).to_dict(), indent=2, ensure_ascii=False))
            return 0
        streamed, final = [], None
        for item in assistant.stream(args.question):
            if isinstance(item, Answer):
                final = item
            else:
                streamed.append(item)
                print(item, end="", flush=True)
    except QuestionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if final.notice:
        print(f"\n\nnote: {final.notice}", file=sys.stderr)
    if "".join(streamed).strip() != final.text.strip():
        print(final.text)  # the fallback answer replaces what was streamed
    if final.short is not None:
        bold, plain = ("\033[1m", "\033[0m") if sys.stdout.isatty() else ("", "")
        print(f"\n\nAnswer: {bold}{final.short.text}{plain} [{final.short.n}]", end="")
    print("\n")
    print(format_sources(final))
    return 0
