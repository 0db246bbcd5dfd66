"""The model on a GPU, where the tokenizer, not the model, sets the pace. On an H100,
sentence-transformers' `encode` spent 6.2 of its 6.5 s on 20,993 units tokenizing them on one
CPU thread (through transformers' tokenizer wrapper): the GPU waited. Here the units are
tokenized at once by the `tokenizers` library (Rust, on every core) from the model's
tokenizer.json, when its ids match the model's own tokenizer's, then sorted by token count,
padded in numpy and run in large batches; otherwise each next batch is tokenized the usual way
on a worker thread while the GPU runs the current one. 6,993 units a second against 3,225 on
the H100 (docs/measured.md)."""

from __future__ import annotations

import contextlib
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ingest.file_tokenizer import padded


def encode_on_gpu(model, texts: list[str], batch_size: int, precision=contextlib.nullcontext,
                  tokenize=None) -> np.ndarray:
    """Unit vectors of `texts`, one row each, as `model.encode(texts, normalize_embeddings=True)`
    gives them. `tokenize(texts)` (a FileTokenizer) gives unpadded ids per text; without it the
    model's own tokenizer is used. `precision()` is the context of the forward pass."""
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    if tokenize is None:
        return _overlapped(model, texts, batch_size, precision)
    import torch

    features = tokenize(texts)
    lengths = [len(ids) for ids in features["input_ids"]]
    order = np.argsort(-np.asarray(lengths), kind="stable")
    out = None
    model.eval()
    for start in range(0, len(order), batch_size):
        idx = order[start : start + batch_size]
        batch = {name: torch.from_numpy(padded(features, name, idx)).to(model.device, non_blocking=True)
                 for name in ("input_ids", "attention_mask", "token_type_ids")}
        vectors = _forward(model, batch, precision)
        if out is None:  # its width is the first batch's
            out = np.empty((len(texts), vectors.shape[1]), dtype=np.float32)
        out[idx] = vectors
    return out


def _overlapped(model, texts: list[str], batch_size: int, precision) -> np.ndarray:
    import torch

    prepare = getattr(model, "preprocess", None) or model.tokenize  # sentence-transformers < 6: tokenize
    order = np.argsort([-len(t) for t in texts], kind="stable")
    batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    out = None
    model.eval()
    with ThreadPoolExecutor(1, thread_name_prefix="tokenize") as pool:
        pending = pool.submit(prepare, [texts[j] for j in batches[0]])
        for k, idx in enumerate(batches):
            features = pending.result()
            if k + 1 < len(batches):  # tokenized while the GPU works on this batch
                pending = pool.submit(prepare, [texts[j] for j in batches[k + 1]])
            features = {n: v.to(model.device, non_blocking=True) if isinstance(v, torch.Tensor) else v
                        for n, v in features.items()}
            vectors = _forward(model, features, precision)
            if out is None:
                out = np.empty((len(texts), vectors.shape[1]), dtype=np.float32)
            out[idx] = vectors
    return out


def _forward(model, features: dict, precision) -> np.ndarray:
    import torch

    with torch.inference_mode(), precision():
        vectors = model(features)["sentence_embedding"]
    return torch.nn.functional.normalize(vectors.float(), p=2, dim=1).cpu().numpy()
