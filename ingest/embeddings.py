"""The embedding model (any sentence-transformers model; the bundled MiniLM by default) and the
unit vectors each chunk carries.

Chunks are embedded unit by unit (sentences, list items, code blocks, table rows; see
ingest.units): the chunk's vector is the normalised mean of its units' vectors and its heading
path's, and the unit vectors travel with the chunk. One model pass over the text gives both, so
ingest costs no more than embedding chunks whole, and answering can score every unit of a
retrieved chunk without running the model again.

On a CPU the model runs on whichever of torch, ONNX Runtime and ONNX Runtime with int8 weights
measured fastest at its first load (ingest.onnx_backend: exported once from the local weights,
checked against torch's vectors); torch runs it on a GPU (ingest.gpu_encode: float32, fed by a tokenizer
that keeps up) and wherever ONNX cannot.
"""

from __future__ import annotations

import base64
import contextlib
import logging
from collections import OrderedDict

import numpy as np
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings

# model_id and resolve_model_path are imported from here by the code that names a model
from ingest.model_runtime import (  # noqa: F401
    BACKENDS, PRECISIONS, load_model, model_id, resolve_backend, resolve_device, resolve_model_path,
    resolve_precision,
)
from ingest.sentences import sentence_spans
from ingest.units import decode_units

log = logging.getLogger(__name__)

VECTORS_KEY = "unit_vectors"  # chunk metadata fields
CONTEXT_VECTOR_KEY = "context_vector"  # the heading path's vector
_MEMO_SIZE = 50_000  # texts whose vectors are remembered during one ingest


class SentenceEmbeddings(Embeddings):
    """LangChain Embeddings over a sentence-transformers model, loaded on first use (so a sync
    with nothing to embed never imports torch). Documents are embedded as the mean of their
    units (see attach_unit_vectors), whose vectors are remembered."""

    def __init__(
        self, name: str = "all-MiniLM-L6-v2", device: str = "auto", batch_size: int = 64,
        precision: str = "auto", backend: str = "auto",
    ):
        self.name, self.device, self.batch_size = name, device, batch_size
        self.precision, self.backend = precision, backend
        if backend not in BACKENDS:
            raise ValueError(f"embedding backend must be one of {', '.join(BACKENDS)}, not {backend!r}")
        self._memo: OrderedDict[str, np.ndarray] = OrderedDict()
        self._gpu_tokenize: tuple | None = None  # (tokenizer or None,) once looked for

    @property
    def model(self):
        return load_model(self.name, self.device)

    def _precision_context(self):
        # Autocast, not model.to(bfloat16): matmuls run in bfloat16 while layer norms and
        # softmax stay float32, which is what keeps the vectors this close to float32 ones.
        if resolve_precision(self.precision, self.device, self.name) != "bfloat16":
            return contextlib.nullcontext()
        import torch

        device_type = torch.device(resolve_device(self.device)).type
        return torch.autocast(device_type=device_type, dtype=torch.bfloat16)

    @property
    def onnx(self):
        """The ONNX Runtime encoder in use, or None (torch)."""
        return resolve_backend(self.backend, self.device, self.precision, self.name)

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        encoder = self.onnx
        if encoder is not None:
            return encoder.encode(texts)
        model = self.model
        if resolve_device(self.device) != "cpu":  # large batches, and a tokenizer that keeps up
            from ingest.gpu_encode import encode_on_gpu

            return encode_on_gpu(model, texts, max(self.batch_size, 256), self._precision_context,
                                 self._file_tokenizer(model))
        with self._precision_context():
            vectors = model.encode(
                texts, batch_size=self.batch_size, normalize_embeddings=True,
                convert_to_numpy=True, show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)

    def _file_tokenizer(self, model):
        """The model's tokenizer.json read by `tokenizers` alone, where it gives the model's own
        tokenizer's ids on the check texts; else None."""
        if self._gpu_tokenize is None:
            from ingest.file_tokenizer import agreeing_file_tokenizer
            from ingest.onnx_backend import CHECK_TEXTS

            self._gpu_tokenize = (agreeing_file_tokenizer(model, resolve_model_path(self.name), CHECK_TEXTS),)
        return self._gpu_tokenize[0]

    def sentence_vectors(self, sentences: list[str]) -> list[np.ndarray]:
        """Vectors of short texts, each distinct text encoded once per ingest (overlapping
        chunks and repeated lines share them). The memo is bounded, but never below what this
        call needs: its vectors are looked up before anything is trimmed."""
        found = {s: self._memo[s] for s in dict.fromkeys(sentences) if s in self._memo}
        todo = [s for s in dict.fromkeys(sentences) if s not in found]
        for sentence, vector in zip(todo, self.encode(todo)):
            found[sentence] = vector
        out = [found[s] for s in sentences]
        for s, vector in found.items():  # just used: keep them longest
            self._memo[s] = vector
            self._memo.move_to_end(s)
        while len(self._memo) > _MEMO_SIZE:  # bounded: ingest of a huge folder must not grow RAM
            self._memo.popitem(last=False)
        return out

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


def attach_unit_vectors(chunks: list[Document], embeddings: SentenceEmbeddings) -> np.ndarray:
    """Store each chunk's unit vectors (float16, base64, in the order of its `units`) in its
    metadata (the store moves them to its vectors collection when it writes the chunk), and
    return the chunks' own vectors, one row each: the normalised mean of its unit vectors and
    its heading path's, so the path counts in dense retrieval."""
    spans = [chunk_units(c) for c in chunks]
    paths = [str(c.metadata.get("headings") or "") for c in chunks]
    flat = [c.page_content[a:b] for c, sp in zip(chunks, spans) for a, b, _ in sp]
    vectors = embeddings.sentence_vectors(flat + [p for p in paths if p])
    out = []
    i, j = 0, len(flat)
    for chunk, sp, path in zip(chunks, spans, paths):
        block = np.asarray(vectors[i : i + len(sp)], dtype=np.float32)
        i += len(sp)
        chunk.metadata[VECTORS_KEY] = _pack(block)
        rows = [block]
        if path:
            context = np.asarray(vectors[j : j + 1], dtype=np.float32)
            j += 1
            rows.append(context)
            chunk.metadata[CONTEXT_VECTOR_KEY] = _pack(context[0])
        mean = np.concatenate(rows).mean(axis=0)
        out.append(mean / (np.linalg.norm(mean) or 1.0))
    return np.asarray(out, dtype=np.float32).reshape(len(chunks), -1)


def _pack(vectors: np.ndarray) -> str:
    return base64.b64encode(np.asarray(vectors, dtype=np.float16).tobytes()).decode("ascii")


def read_context_vector(metadata: dict) -> np.ndarray | None:
    raw = metadata.get(CONTEXT_VECTOR_KEY)
    if not raw:
        return None
    return np.frombuffer(base64.b64decode(raw), dtype=np.float16).astype(np.float32)


def chunk_units(chunk: Document) -> list[tuple[int, int, str]]:
    """(start, end, kind) of the chunk's units, relative to the chunk."""
    units = decode_units(chunk.metadata.get("units", ""))
    if units:
        return units
    return [(a, b, "s") for a, b in sentence_spans(chunk.page_content)] or [(0, len(chunk.page_content), "s")]


def read_unit_vectors(metadata: dict, count: int) -> np.ndarray | None:
    """The vectors of a chunk's `count` units, as rows; None when the chunk has none."""
    raw = metadata.get(VECTORS_KEY)
    if not raw:
        return None
    block = np.frombuffer(base64.b64decode(raw), dtype=np.float16)
    if count == 0 or block.size % count:
        return None
    return block.reshape(count, -1).astype(np.float32)
