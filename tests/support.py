"""Shared by the tests: a free loopback port, an Assistant built outside per-test isolation."""

import socket

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_assistant(data_dir, **overrides):
    from assistant import Assistant

    # built outside the per-test env isolation (module scope), so clear it here too
    with pytest.MonkeyPatch.context() as mp:
        for var in ("ASSISTANT_LLM", "ASSISTANT_CHROMA_URL", "ASSISTANT_UI_AUTH", "ASSISTANT_EMBEDDING_MODEL"):
            mp.delenv(var, raising=False)
        return Assistant(data_dir=data_dir, **overrides)
