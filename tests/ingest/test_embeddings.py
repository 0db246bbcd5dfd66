"""The embedding model's arithmetic: bfloat16 where the CPU has it, never at the cost of the
vectors."""

import numpy as np
import pytest
import torch

from assistant.core import Assistant
from ingest.embeddings import SentenceEmbeddings, resolve_precision

SENTENCES = [
    "Seoul requires Japan to obtain its consent before exercising collective self-defense.",
    "The ministry said the issue concerns the security of the Korean Peninsula.",
    "Tokyo reinterpreted its pacifist constitution last year.",
    "Photosynthesis converts light energy into chemical energy.",
]


def test_auto_precision_is_bfloat16_exactly_when_the_cpu_computes_it_natively():
    native = bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    assert resolve_precision("auto", "cpu") == ("bfloat16" if native else "float32")


def test_an_explicit_precision_is_kept_and_a_wrong_one_names_the_choices():
    assert resolve_precision("float32", "cpu") == "float32"
    assert resolve_precision("bfloat16", "cpu") == "bfloat16"
    with pytest.raises(ValueError, match="auto, float32, bfloat16"):
        resolve_precision("int4", "cpu")


def test_bfloat16_vectors_match_float32_ones_so_an_index_works_with_either():
    fp32 = SentenceEmbeddings(precision="float32").encode(SENTENCES)
    bf16 = SentenceEmbeddings(precision="bfloat16").encode(SENTENCES)
    assert bf16.dtype == np.float32
    assert np.allclose(np.linalg.norm(bf16, axis=1), 1.0, atol=1e-4)
    cosines = (fp32 * bf16).sum(axis=1)
    assert cosines.min() > 0.999, cosines
    # ... and bfloat16 really ran: not bit-identical to float32.
    assert not np.array_equal(fp32, bf16)


def test_the_precision_setting_reaches_the_model(monkeypatch, tmp_path):
    monkeypatch.setenv("ASSISTANT_EMBEDDING_PRECISION", "float32")
    assert Assistant(data_dir=tmp_path).embeddings.precision == "float32"
    assert Assistant(data_dir=tmp_path, embedding_precision="bfloat16").embeddings.precision == (
        "bfloat16"
    )


def test_the_settings_offer_exactly_the_precisions_ingest_knows():
    from typing import get_args

    from assistant.settings import Precision
    from ingest.embeddings import PRECISIONS

    assert get_args(Precision) == PRECISIONS
