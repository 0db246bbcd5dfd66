"""A model's tokenizer read from its `tokenizer.json` with the `tokenizers` library alone: what
the ONNX path needs to embed text without loading torch and sentence-transformers (about ten
seconds of imports on a small CPU, most of a fresh `assistant ask`). It is used only after the
check in ingest.onnx_backend found its token ids equal to the model's own tokenizer's."""

from __future__ import annotations

from pathlib import Path

import numpy as np


class FileTokenizer:
    """Tokenizes like sentence-transformers' Transformer.preprocess, unpadded: special tokens
    added, each text truncated to `max_length` tokens."""

    def __init__(self, model_dir: str | Path, max_length: int) -> None:
        from tokenizers import Tokenizer

        path = Path(model_dir) / "tokenizer.json"
        if not path.is_file():
            raise FileNotFoundError(f"{path} is missing")
        self.tokenizer = Tokenizer.from_file(str(path))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=max_length, strategy="longest_first")

    def __call__(self, texts: list[str]) -> dict[str, list[list[int]]]:
        encodings = self.tokenizer.encode_batch(list(texts))
        return {
            "input_ids": [e.ids for e in encodings],
            "attention_mask": [e.attention_mask for e in encodings],
            "token_type_ids": [e.type_ids for e in encodings],
        }


def model_tokenizer(model):
    """The loaded SentenceTransformer's own tokenizer, called the same way."""

    def tokenize(texts: list[str]) -> dict[str, list[list[int]]]:
        return dict(model.tokenizer(
            list(texts), padding=False, truncation="longest_first", max_length=model.max_seq_length,
        ))

    return tokenize


def agreeing_file_tokenizer(model, model_dir: str | Path, texts: list[str]) -> FileTokenizer | None:
    """The model's tokenizer file, where it gives the model's own tokenizer's input on `texts`;
    None where it does not, or there is none (or one `tokenizers` cannot read)."""
    try:
        tokenize = FileTokenizer(model_dir, model.max_seq_length)
    except Exception:  # noqa: BLE001 - no tokenizer.json, or one it cannot read
        return None
    return tokenize if same_tokens(tokenize(texts), model_tokenizer(model)(texts)) else None


def padded(features: dict, name: str, idx) -> np.ndarray:
    """Rows `idx` of one unpadded feature ("input_ids", ...) as an int64 array padded with 0 to
    the longest of them (all zeros where the tokenizer gave no such feature)."""
    width = max(len(features["input_ids"][j]) for j in idx)
    array = np.zeros((len(idx), width), dtype=np.int64)
    rows = features.get(name)
    if rows is not None:
        for r, j in enumerate(idx):
            array[r, : len(rows[j])] = rows[j]
    return array


def same_tokens(a: dict, b: dict) -> bool:
    """Whether two tokenizations give the model the same input (ids, mask and token types)."""
    return all(a.get(k) == b.get(k) for k in ("input_ids", "attention_mask")) and (
        "token_type_ids" not in a or "token_type_ids" not in b or a["token_type_ids"] == b["token_type_ids"]
    )
