"""Module-level answer(): the default data dir, seeded with the bundled corpus on first use."""

from __future__ import annotations

from assistant.answer_types import Answer

_default = None


def default_assistant():
    global _default
    if _default is None:
        from assistant.core import Assistant

        _default = Assistant()
        _default.ensure_seeded()
    return _default


def answer(
    question: str,
    history: list[tuple[str, str]] | None = None,
    sources: list[str] | None = None,
) -> Answer:
    """Answer from the default index; `sources` limits it to those documents (see
    Assistant.answer)."""
    return default_assistant().answer(question, history=history, sources=sources)
