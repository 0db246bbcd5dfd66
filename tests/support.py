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


def make_tiny_model(folder) -> str:
    """A real sentence-transformers model, tiny and untrained (one BERT layer of width 32 over
    the bundled model's vocabulary), saved to `folder`: fast enough to embed tens of thousands
    of chunks in a test or a benchmark, through exactly the code path of the real one."""
    from pathlib import Path

    folder = Path(folder)
    if (folder / "modules.json").exists():
        return str(folder)
    import torch
    from sentence_transformers import SentenceTransformer, models
    from transformers import AutoTokenizer, BertConfig, BertModel

    from ingest.embeddings import resolve_model_path

    torch.manual_seed(0)
    tokenizer = AutoTokenizer.from_pretrained(resolve_model_path("all-MiniLM-L6-v2"))
    config = BertConfig(
        vocab_size=tokenizer.vocab_size, hidden_size=32, num_hidden_layers=1,
        num_attention_heads=2, intermediate_size=64, max_position_embeddings=256,
    )
    bert_dir = folder / "bert"
    BertModel(config).save_pretrained(bert_dir)
    tokenizer.save_pretrained(bert_dir)
    word = models.Transformer(str(bert_dir), max_seq_length=128)
    model = SentenceTransformer(modules=[word, models.Pooling(32, "mean"), models.Normalize()], device="cpu")
    model.save(str(folder))
    return str(folder)
