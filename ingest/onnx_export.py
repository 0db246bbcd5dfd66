"""Making the ONNX model files: the local torch weights exported once with torch.onnx (never
downloaded: it reads the model directory on disk), BERT's attention, GELU and layer norms fused
by onnxruntime's own transformer optimizer, and optionally a copy with int8 weights. Each file
is written under a temporary name, then renamed: a killed export leaves nothing half-written.

sentence-transformers' own ONNX backend needs optimum-onnx, which pins transformers < 4.58 and
so cannot be installed beside the transformers 5 that sentence-transformers 6 uses; this does
what that backend does, with what is already here."""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path

FORMAT = 1  # bumped when the export or the optimisation changes: old caches are not reused


class Unavailable(Exception):
    """Why the ONNX path cannot be used; the caller logs it and keeps torch."""


def fingerprint(model_dir: Path) -> str:
    """What the exported file depends on: the weights and configs (by size and content hash of
    the small files, size and mtime of the weights), torch and onnxruntime versions."""
    from importlib.metadata import PackageNotFoundError, version

    try:  # versions from the installed metadata: importing torch would cost seconds
        versions = f"{version('torch')}|{version('onnxruntime')}"
    except PackageNotFoundError as exc:
        raise Unavailable(f"{exc.name} is not installed") from exc
    h = hashlib.sha256(f"{FORMAT}|{versions}".encode())
    for path in sorted(model_dir.iterdir()):
        if path.is_file():
            st = path.stat()
            h.update(f"{path.name}|{st.st_size}".encode())
            if st.st_size < 2_000_000:
                h.update(path.read_bytes())
            else:
                h.update(str(st.st_mtime_ns).encode())
    return h.hexdigest()[:16]


def safe_name(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)


def check_structure(model) -> str:
    """The pooling the ONNX path reproduces ('mean' or 'cls'), or Unavailable."""
    names = [type(m).__name__ for m in model]
    if len(names) < 2 or names[0] != "Transformer" or names[1] != "Pooling" or any(
        n != "Normalize" for n in names[2:]
    ):
        raise Unavailable(f"modules {names} (only Transformer, Pooling[, Normalize] is exported)")
    config = model[1].get_config_dict()
    mode = config.get("pooling_mode")  # sentence-transformers >= 6: a name (or a list of them)
    if mode is None:  # older: one flag per mode
        mode = [k for k, v in config.items() if k.startswith("pooling_mode") and v is True]
    modes = [mode] if isinstance(mode, str) else list(mode)
    if modes in (["mean"], ["pooling_mode_mean_tokens"]):
        return "mean"
    if modes in (["cls"], ["pooling_mode_cls_token"]):
        return "cls"
    raise Unavailable(f"pooling {modes} (only mean or cls pooling is reproduced)")


def export(model, model_dir: Path, target: Path) -> None:
    """Exports the transformer of `model` (a local directory) to `target`, fused and atomic."""
    import warnings

    import torch
    from transformers import AutoModel

    try:
        import onnx  # noqa: F401 - torch.onnx needs it
        from onnxruntime.transformers import optimizer
    except ImportError as exc:
        raise Unavailable(f"{exc.name} is not installed") from exc
    # eager attention: the pattern onnxruntime's optimizer fuses into one Attention op
    auto = AutoModel.from_pretrained(str(model_dir), attn_implementation="eager").eval()
    inputs = model.tokenize(["a short one", "and a somewhat longer second text"])
    names = [n for n in ("input_ids", "attention_mask", "token_type_ids") if n in inputs]

    class Hidden(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, *args):
            return self.inner(**dict(zip(names, args))).last_hidden_state

    target.parent.mkdir(parents=True, exist_ok=True)
    raw = target.with_name(f".raw-{os.getpid()}.onnx")
    tmp = target.with_name(f".tmp-{os.getpid()}.onnx")
    try:
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                Hidden(auto), tuple(inputs[n] for n in names), str(raw),
                input_names=names, output_names=["last_hidden_state"],
                dynamic_axes={n: {0: "batch", 1: "sequence"} for n in [*names, "last_hidden_state"]},
                opset_version=17, dynamo=False,
            )
        config = auto.config
        model_type = config.model_type if config.model_type in ("bert", "roberta") else "bert"
        fused = optimizer.optimize_model(
            str(raw), model_type=model_type, num_heads=getattr(config, "num_attention_heads", 0),
            hidden_size=getattr(config, "hidden_size", 0), opt_level=0, use_gpu=False,
        )
        fused.save_model_to_file(str(tmp))
        os.replace(tmp, target)
    finally:
        for path in (raw, tmp):
            with contextlib.suppress(OSError):
                path.unlink()


def quantize(source: Path, target: Path) -> None:
    """`source` with its weights in int8 (onnxruntime's dynamic quantization, per channel:
    per-tensor scales cost MiniLM 4% cosine), atomic."""
    try:
        import onnx
        from onnxruntime.quantization import QuantType, quantize_dynamic
    except ImportError as exc:
        raise Unavailable(f"{exc.name} is not installed") from exc
    tmp = target.with_name(f".tmp-{os.getpid()}.int8.onnx")
    try:
        quantize_dynamic(
            str(source), str(tmp), weight_type=QuantType.QInt8, per_channel=True,
            # the fused Attention op has no type the quantizer can infer: it is float
            extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
        )
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
