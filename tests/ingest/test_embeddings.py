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


def test_auto_precision_is_float32_without_native_bfloat16(monkeypatch):
    from ingest import embeddings

    monkeypatch.setattr(embeddings, "native_bfloat16", lambda: False)
    resolve_precision.cache_clear()
    assert resolve_precision("auto", "cpu") == "float32"
    resolve_precision.cache_clear()


@pytest.mark.parametrize("bf16_seconds, expected", [(0.5, "bfloat16"), (0.95, "float32"), (1.6, "float32")])
def test_auto_precision_is_bfloat16_only_where_it_measures_faster(monkeypatch, tmp_path, bf16_seconds, expected):
    from ingest import embeddings

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(embeddings, "native_bfloat16", lambda: True)
    timed = []
    monkeypatch.setattr(embeddings, "time_precisions",
                        lambda *a: timed.append(1) or {"float32": 1.0, "bfloat16": bf16_seconds})
    resolve_precision.cache_clear()
    assert resolve_precision("auto", "cpu") == expected
    resolve_precision.cache_clear()
    assert resolve_precision("auto", "cpu") == expected and timed == [1]  # measured once a machine
    assert (tmp_path / "doc-assistant" / "precision.json").exists()
    resolve_precision.cache_clear()


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
