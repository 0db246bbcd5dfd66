"""The embedding model through ONNX Runtime: the same float32 arithmetic as torch, fused, or
with int8 weights. The model files (ingest.onnx_export) are cached per user in
~/.cache/doc-assistant/onnx/<model>/<fingerprint>/.

Before it is used, a model is checked against torch on a fixed set of varied texts: every vector
must be within cosine 0.999 of torch's in float32 (they agree to ~1e-6), 0.95 with int8 weights,
and the three are timed (ingest.model_runtime picks by these). Anything that goes wrong
(onnxruntime or onnx missing, a model this cannot export, a check that fails) is raised as
Unavailable with its reason, which the caller logs before using the next choice.

Once a model is checked on this CPU, later processes open its ONNX file with the tokenizer read
from the model's tokenizer.json (ingest.file_tokenizer; its ids were compared with the model's
own tokenizer's in the check), without loading torch or sentence-transformers at all."""

from __future__ import annotations

import contextlib
import logging
import os
import time
from pathlib import Path

import numpy as np

from ingest.file_tokenizer import FileTokenizer, agreeing_file_tokenizer, model_tokenizer, padded
from ingest.files import read_json, user_cache_dir, write_json
from ingest.onnx_export import Unavailable, check_structure, export, fingerprint, quantize, safe_name

log = logging.getLogger(__name__)

CHECK = 4  # bumped when the check changes: checks of an older kind are made again
MIN_COSINE = 0.999
# Weights in int8 (dynamic quantization, one scale per output channel) move vectors a little:
# cosine 0.99 to float32 on sentences, 0.967 on "" and "Yes." (the check texts' lowest). The
# answerer's accuracy and refusals on the dev sets stayed within a question of float32's (see
# docs/measured.md); less than this means a broken quantization.
QUANTIZED_MIN_COSINE = 0.95

CHECK_TEXTS = [
    "The harbour opened in 1890, and ships from three continents docked there.",
    "In 1920 a fire destroyed the east pier; it was rebuilt within two years.",
    "Seoul's foreign ministry said Japan should seek consent before exercising the right.",
    "Install the package, then run the command with the path of the folder to index.",
    "Photosynthesis converts light energy into chemical energy.",
    "Yes.",
    "",
    "Überprüfen Sie die Einstellungen, bevor Sie fortfahren — danke!",
    "東京は日本の首都です。",
    "- a list item with `inline code` and a [link](https://example.org/path?q=1)",
    "| name | type | default |\n| timeout | float | 30.0 |",
    "def validate(cls, value: int) -> int:\n    if value < 0:\n        raise ValueError('negative')\n"
    "    return value * 2",
    "Models > Validators > Field validators",
    "pip install 'pydantic[email]>=2.0'",
    "The quick brown fox jumps over the lazy dog. " * 40,  # past the 256-token limit
    "E = mc^2, where c ≈ 299,792,458 m/s.",
]


def cache_root() -> Path:
    return user_cache_dir() / "onnx"


class OnnxEncoder:
    """Encodes like `model.encode(..., normalize_embeddings=True)`, through onnxruntime:
    sentence-transformers' tokenizer settings, the exported transformer, the model's pooling.

    Texts are tokenized once, sorted by token count and cut into batches of about
    `TOKENS_PER_BATCH` padded tokens (many short sentences, few long code blocks), so padding
    stays near 3% of the tokens, where fixed batches of 64 sorted texts padded 30% more.
    Batches run on `workers` threads of one session, each single-threaded: on a shared machine
    an operator split over threads waits for the slowest of them at every step, while
    independent batches do not wait for each other."""

    TOKENS_PER_BATCH = 4096

    def __init__(self, tokenize, path: Path, pooling: str, workers: int | None = None) -> None:
        """`tokenize(texts)` gives unpadded ids, attention masks [and token types] per text."""
        import onnxruntime as ort

        self.tokenize, self.pooling = tokenize, pooling
        self.workers = workers or physical_cores()
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.inputs = [i.name for i in self.session.get_inputs()]
        self._pool = None

    def batches(self, lengths: list[int], max_texts: int = 256, tokens: int | None = None) -> list[np.ndarray]:
        """Indices of the texts in each batch: longest first, at most `tokens` (default
        TOKENS_PER_BATCH) padded tokens (and `max_texts` texts) a batch."""
        budget = tokens or self.TOKENS_PER_BATCH
        order = np.argsort(-np.asarray(lengths), kind="stable")
        out, start = [], 0
        while start < len(order):
            longest = max(lengths[order[start]], 1)
            n = max(1, min(max_texts, budget // longest))
            out.append(order[start : start + n])
            start += n
        return out

    def _run(self, features: dict, idx: np.ndarray) -> np.ndarray:
        feed = {name: padded(features, name, idx) for name in self.inputs}
        hidden = self.session.run(None, feed)[0]
        if self.pooling == "cls":
            pooled = hidden[:, 0]
        else:
            mask = feed["attention_mask"][..., None].astype(np.float32)
            pooled = (hidden * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)

    def encode(self, texts: list[str], tokens_per_batch: int | None = None) -> np.ndarray:
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        features = self.tokenize(list(texts))
        if "attention_mask" not in features:
            features["attention_mask"] = [[1] * len(ids) for ids in features["input_ids"]]
        batches = self.batches([len(ids) for ids in features["input_ids"]], tokens=tokens_per_batch)
        if self.workers > 1 and len(batches) > 1:
            if self._pool is None:
                from concurrent.futures import ThreadPoolExecutor

                self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="onnx-embed")
            results = list(self._pool.map(lambda idx: self._run(features, idx), batches))
        else:
            results = [self._run(features, idx) for idx in batches]
        out = np.empty((len(texts), results[0].shape[1]), dtype=np.float32)
        for idx, vectors in zip(batches, results):
            out[idx] = vectors
        return out


def physical_cores() -> int:
    """Physical cores this process may run on (hyperthreads share one core's arithmetic)."""
    try:
        allowed = os.sched_getaffinity(0)
    except AttributeError:
        return os.cpu_count() or 1
    cores = set()
    for cpu in allowed:
        try:
            base = Path(f"/sys/devices/system/cpu/cpu{cpu}/topology")
            cores.add(((base / "physical_package_id").read_text().strip(),
                       (base / "core_id").read_text().strip()))
        except OSError:
            return len(allowed)
    return max(1, len(cores))


def load_encoder(
    model, model_dir: str | Path, model_name: str, quantized: bool = False,
) -> tuple[OnnxEncoder, dict]:
    """The checked ONNX encoder of `model` (loaded from the local `model_dir`), exporting it
    the first time (and quantizing the export to int8 weights when `quantized`); and what its
    check found: {"min_cosine", "torch_s", "onnx_s"}. Raises Unavailable with the reason when
    it cannot be used."""
    try:
        import onnxruntime  # noqa: F401
    except ImportError as exc:
        raise Unavailable("onnxruntime is not installed") from exc
    model_dir = Path(model_dir)
    if not model_dir.is_dir():
        raise Unavailable(f"{model_dir} is not a local model directory")
    pooling = check_structure(model)
    folder = cache_root() / safe_name(model_name) / fingerprint(model_dir)
    exported = folder / "model.onnx"
    target = folder / "model.int8.onnx" if quantized else exported
    checked = folder / ("check.int8.json" if quantized else "check.json")
    from filelock import FileLock

    folder.mkdir(parents=True, exist_ok=True)
    with FileLock(str(folder / ".lock")):  # two processes starting at once export once
        missing = not target.exists()
        if not exported.exists():
            _make("export", exported, lambda p: export(model, model_dir, p))
        if quantized and not target.exists():
            _make("int8 quantization", target, lambda p: quantize(exported, p))
        if missing:  # a new file: its check is made again
            with contextlib.suppress(OSError):
                checked.unlink()
        encoder = OnnxEncoder(model_tokenizer(model), target, pooling)
        known = read_json(checked) or {}  # checked once per CPU (the timings are the CPU's)
        check = known.get(_cpu())
        if check is None or check.get("check") != CHECK:
            # int8 is timed beside float32 ONNX in the same run: timings taken minutes apart
            # on a busy machine differ more than the two encoders do
            rival = OnnxEncoder(model_tokenizer(model), exported, pooling) if quantized else None
            check = known[_cpu()] = {**compare(model, encoder, rival=rival), "pooling": pooling,
                                     "max_seq_length": model.max_seq_length,
                                     "file_tokenizer": agreeing_file_tokenizer(model, model_dir, CHECK_TEXTS) is not None}
            write_json(checked, known, indent=1)
    if check["min_cosine"] < (QUANTIZED_MIN_COSINE if quantized else MIN_COSINE):
        raise Unavailable(f"its vectors differ from torch's (cosine {check['min_cosine']:.5f})")
    return encoder, check


def load_checked(model_dir: str | Path, model_name: str, quantized: bool = False):
    """(encoder, check) of a model already exported and checked on this CPU, opened with its
    tokenizer file alone (no torch, no sentence-transformers); None when there is no such check
    (the caller then loads the model and goes through load_encoder)."""
    try:
        import onnxruntime  # noqa: F401
    except ImportError as exc:
        raise Unavailable("onnxruntime is not installed") from exc
    model_dir = Path(model_dir)
    if not model_dir.is_dir():
        return None
    try:
        folder = cache_root() / safe_name(model_name) / fingerprint(model_dir)
    except Unavailable:
        return None
    target = folder / ("model.int8.onnx" if quantized else "model.onnx")
    check = (read_json(folder / ("check.int8.json" if quantized else "check.json")) or {}).get(_cpu())
    if not target.exists() or not check or check.get("check") != CHECK or not check.get("file_tokenizer"):
        return None
    if check["min_cosine"] < (QUANTIZED_MIN_COSINE if quantized else MIN_COSINE):
        raise Unavailable(f"its vectors differ from torch's (cosine {check['min_cosine']:.5f})")
    try:
        tokenize = FileTokenizer(model_dir, check["max_seq_length"])
    except Exception:  # noqa: BLE001 - changed since the check: take the long way
        return None
    return OnnxEncoder(tokenize, target, check["pooling"]), check


def _make(what: str, path: Path, build) -> None:
    """build(path), timed and logged; any failure is Unavailable, naming `what` failed."""
    t = time.perf_counter()
    try:
        build(path)
    except Unavailable:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure here means: the next choice
        raise Unavailable(f"{what} failed ({type(exc).__name__}: {exc})") from exc
    log.info("ONNX %s in %.1f s: %s", what, time.perf_counter() - t, path)


def _cpu() -> str:
    import platform

    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return f"{line.split(':', 1)[1].strip()}|{os.cpu_count()}"
    return f"{platform.processor()}|{os.cpu_count()}"


def compare(model, encoder: OnnxEncoder, repeats: int = 2, rival: OnnxEncoder | None = None) -> dict:
    """Cosine of the ONNX vectors to torch's on CHECK_TEXTS, and seconds to embed some of
    them many times over in each (best of `repeats`, after a warm-up); with `rival` (the float32
    export, when checking int8), its seconds too, as "float_s"."""
    reference = model.encode(CHECK_TEXTS, normalize_embeddings=True, convert_to_numpy=True,
                             show_progress_bar=False)
    ours = encoder.encode(CHECK_TEXTS)
    cosines = (np.asarray(reference, dtype=np.float32) * ours).sum(axis=1)
    # sentences, as ingest embeds, cut into two batches for each worker thread as ingest's many
    # batches are (one small batch would time one thread of ONNX against all of torch's)
    batch = [t for t in CHECK_TEXTS[:5] for _ in range(16 * encoder.workers)]
    tokens = sum(len(ids) for ids in encoder.tokenize(batch)["input_ids"])
    per_batch = max(64, tokens // (2 * encoder.workers))
    runs = {
        "torch_s": lambda: model.encode(batch, batch_size=64, show_progress_bar=False),
        "onnx_s": lambda: encoder.encode(batch, per_batch),
    }
    if rival is not None:
        runs["float_s"] = lambda: rival.encode(batch, per_batch)
    timings = {}
    for name, run in runs.items():
        run()  # warm-up
        best = float("inf")
        for _ in range(repeats):
            t = time.perf_counter()
            run()
            best = min(best, time.perf_counter() - t)
        timings[name] = best
    return {"check": CHECK, "min_cosine": float(cosines.min()), **timings}
