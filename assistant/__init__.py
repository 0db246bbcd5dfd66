"""Ask questions of your documents; get short answers citing the exact passages.

    from assistant import answer
    print(answer("What consent does Seoul require?").text)
"""

__all__ = [
    "Answer", "Assistant", "Citation", "IngestReport", "PathError", "QuestionError", "Settings",
    "SettingsError", "answer",
]


def __getattr__(name: str):
    # Lazy exports: `import assistant` loads nothing heavy and touches no files.
    if name == "Assistant":
        from assistant.core import Assistant

        return Assistant
    if name == "Settings":
        from assistant.settings import Settings

        return Settings
    if name == "IngestReport":
        from ingest.sync import IngestReport

        return IngestReport
    if name == "SettingsError":
        from assistant.settings import SettingsError

        return SettingsError
    if name == "PathError":
        from ingest.errors import PathError

        return PathError
    if name in ("Answer", "Citation", "QuestionError"):
        from assistant import answer_types

        return getattr(answer_types, name)
    if name == "answer":
        from assistant.default import answer

        return answer
    raise AttributeError(f"module 'assistant' has no attribute {name!r}")
