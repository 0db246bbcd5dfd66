"""Shared by the tests: a free loopback port, an Assistant built outside per-test isolation."""

import contextlib
import os
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


NOBODY = 65534


@contextlib.contextmanager
def as_another_user():
    """The block runs without root's power over file modes, so "permission denied" is real:
    as user nobody when the tests run as root (effective ids only, restored after; modules the
    block needs must already be imported, since nobody cannot read root's interpreter), as the
    same user otherwise (file modes already bind a normal user)."""
    if os.geteuid() != 0:
        yield
        return
    groups = os.getgroups()
    os.setgroups([])
    os.setegid(NOBODY)
    os.seteuid(NOBODY)
    try:
        yield
    finally:
        os.seteuid(0)
        os.setegid(0)
        os.setgroups(groups)

