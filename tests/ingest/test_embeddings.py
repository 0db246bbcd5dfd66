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
    from ingest import model_runtime

    monkeypatch.setattr(model_runtime, "native_bfloat16", lambda: False)
    resolve_precision.cache_clear()
    assert resolve_precision("auto", "cpu") == "float32"
    resolve_precision.cache_clear()


@pytest.mark.parametrize("bf16_seconds, expected", [(0.5, "bfloat16"), (0.95, "float32"), (1.6, "float32")])
def test_auto_precision_is_bfloat16_only_where_it_measures_faster(monkeypatch, tmp_path, bf16_seconds, expected):
    from ingest import model_runtime

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(model_runtime, "native_bfloat16", lambda: True)
    timed = []
    monkeypatch.setattr(model_runtime, "time_precisions",
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
    fp32 = SentenceEmbeddings(precision="float32", backend="torch").encode(SENTENCES)
    bf16 = SentenceEmbeddings(precision="bfloat16", backend="torch").encode(SENTENCES)
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


# -- ONNX Runtime ------------------------------------------------------------------------------

VARIED = SENTENCES + [
    "Yes.",
    "",
    "   leading and trailing spaces   ",
    "Überprüfen Sie die Einstellungen, bevor Sie fortfahren.",
    "東京は日本の首都です。",
    "Москва — столица России.",
    "- a list item with `inline code` and a [link](https://example.org/a?b=1)",
    "| name | type | default |",
    "timeout: float = 30.0 (seconds before the request is abandoned)",
    "def validate(cls, value: int) -> int:\n    if value < 0:\n        raise ValueError('no')\n    return value",
    "pip install 'pydantic[email]>=2.0'",
    "Models > Validators > Field validators",
    "The quick brown fox jumps over the lazy dog. " * 60,  # truncated at 256 tokens
    "E = mc², where c ≈ 299,792,458 m/s.",
    "In 1920 a fire destroyed the east pier; it was rebuilt within two years.",
    "Who wrote the report, and when was it published?",
    "The committee approved the budget by a vote of 7 to 2 on 14 March 2019.",
    "GET /api/v2/items?limit=50&offset=100 HTTP/1.1",
    "🙂 emoji and symbols ™ © ®",
    "A" * 300,
    "Note",
    "1. First, install the package.",
    "The mitochondria is the powerhouse of the cell.",
    "SELECT name, count(*) FROM users GROUP BY name HAVING count(*) > 1;",
    "Le chat est sur la table, et le chien dort dans le jardin.",
    "Revenue rose 12% year over year, driven by services.",
    "@field_validator('name')",
    "x",
    "Chapter 3 > Section 2 > Results",
    "Press Ctrl+C to stop; the next run resumes where this one left off.",
]


def test_onnx_vectors_match_torch_ones():
    from ingest.model_runtime import onnx_encoder

    onnx = SentenceEmbeddings(backend="onnx", precision="float32")
    assert onnx.onnx is not None, onnx_encoder("all-MiniLM-L6-v2", "auto")[1]  # the reason
    fast = onnx.encode(VARIED)
    reference = SentenceEmbeddings(backend="torch", precision="float32").encode(VARIED)
    assert fast.dtype == np.float32 and fast.shape == reference.shape
    assert np.allclose(np.linalg.norm(fast, axis=1), 1.0, atol=1e-4)
    cosines = (fast * reference).sum(axis=1)
    assert cosines.min() >= 0.999, cosines
    # order does not matter (batches are sorted by length and run on several threads)
    assert np.allclose(onnx.encode(VARIED[::-1])[::-1], fast, atol=1e-5)
    assert onnx.encode([]).shape[0] == 0


def test_int8_onnx_vectors_stay_close_to_torch_ones_and_find_the_same_neighbours():
    from ingest.model_runtime import onnx_encoder

    small = SentenceEmbeddings(backend="onnx-int8", precision="float32")
    small_encoder, check = onnx_encoder("all-MiniLM-L6-v2", "auto", True)
    assert small.onnx is not None and small.onnx is small_encoder
    assert {"torch_s", "onnx_s", "float_s"} <= set(check)  # timed side by side
    fast = small.encode(VARIED)
    reference = SentenceEmbeddings(backend="torch", precision="float32").encode(VARIED)
    cosines = (fast * reference).sum(axis=1)
    assert cosines.min() >= 0.95 and np.median(cosines) >= 0.98, cosines
    # what retrieval needs: each text's nearest other text is the same in both
    def nearest(vectors):
        sims = vectors @ vectors.T
        np.fill_diagonal(sims, -1)
        return sims.argmax(axis=1)
    assert (nearest(fast) == nearest(reference)).mean() >= 0.9


def test_without_onnxruntime_torch_is_used_and_the_reason_logged(monkeypatch, caplog):
    import logging
    import sys

    from ingest.model_runtime import onnx_encoder

    onnx_encoder.cache_clear()
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import fails as if not installed
    try:
        with caplog.at_level(logging.WARNING, logger="ingest.model_runtime"):
            e = SentenceEmbeddings(backend="onnx")
            assert e.onnx is None
            vectors = e.encode(SENTENCES)
        assert "onnxruntime is not installed" in caplog.text
        reference = SentenceEmbeddings(backend="torch").encode(SENTENCES)
        assert np.allclose(vectors, reference, atol=1e-6)
    finally:
        onnx_encoder.cache_clear()


def test_a_failed_export_falls_back_to_torch(monkeypatch, tmp_path, caplog):
    import logging

    from ingest import onnx_backend
    from ingest.model_runtime import onnx_encoder

    def broken(*args):
        raise RuntimeError("exporter crashed")

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(onnx_backend, "export", broken)
    onnx_encoder.cache_clear()
    try:
        with caplog.at_level(logging.WARNING, logger="ingest.model_runtime"):
            assert SentenceEmbeddings(backend="auto").onnx is None
        assert "export failed (RuntimeError: exporter crashed)" in caplog.text
        assert not list(tmp_path.rglob("*.onnx"))  # nothing half-written is left
    finally:
        onnx_encoder.cache_clear()


@pytest.mark.parametrize("onnx_s, backend, device, used", [
    (0.5, "auto", "cpu", True),
    (1.5, "auto", "cpu", False),  # measured slower: auto keeps torch
    (1.5, "onnx", "cpu", True),  # asked for
    (0.5, "torch", "cpu", False),
    (0.5, "auto", "cuda", False),  # a GPU runs torch
])
def test_auto_backend_is_onnx_only_where_it_measured_faster(monkeypatch, onnx_s, backend, device, used):
    from ingest import model_runtime

    encoder = object()
    monkeypatch.setattr(model_runtime, "onnx_encoder",
                        lambda *a: (encoder, {"min_cosine": 1.0, "torch_s": 1.0, "onnx_s": onnx_s}))
    assert (model_runtime.resolve_backend(backend, device, "float32") is encoder) == used


@pytest.mark.parametrize("float_s, int8_s, int8_ok, backend, picked", [
    (0.5, 0.3, True, "auto", "int8"),  # the fastest that matches torch
    (0.5, 0.7, True, "auto", "float"),  # int8 measured slower than float32 ONNX
    (0.5, 0.3, False, "auto", "float"),  # int8 unusable here (its reason is logged)
    (1.5, 1.2, True, "auto", "torch"),  # both measured slower than torch
    (0.5, 0.7, True, "onnx-int8", "int8"),  # asked for
    (0.5, 0.3, False, "onnx-int8", "float"),  # asked for, unusable: the next choice
    (0.5, 0.3, True, "onnx", "float"),
])
def test_auto_backend_picks_the_fastest_encoder_measured_on_this_cpu(
    monkeypatch, float_s, int8_s, int8_ok, backend, picked,
):
    from ingest import model_runtime

    encoders = {"float": object(), "int8": object()}

    def fake(name, device="auto", quantized=False):
        if quantized and not int8_ok:
            return None, "vectors differ"
        if quantized:  # timed beside float32 ONNX
            return encoders["int8"], {"min_cosine": 0.99, "torch_s": 1.0, "onnx_s": int8_s, "float_s": float_s}
        return encoders["float"], {"min_cosine": 1.0, "torch_s": 1.0, "onnx_s": float_s}

    monkeypatch.setattr(model_runtime, "onnx_encoder", fake)
    chosen = model_runtime.resolve_backend(backend, "cpu", "float32")
    assert chosen is encoders.get(picked)


def test_bfloat16_runs_on_torch_and_a_wrong_backend_names_the_choices():
    from ingest.model_runtime import resolve_backend

    assert resolve_backend("onnx", "cpu", "bfloat16") is None
    with pytest.raises(ValueError, match="auto, onnx, onnx-int8, torch"):
        SentenceEmbeddings(backend="tensorrt")


def test_the_backend_setting_reaches_the_model(monkeypatch, tmp_path):
    monkeypatch.setenv("ASSISTANT_EMBEDDING_BACKEND", "torch")
    assert Assistant(data_dir=tmp_path).embeddings.backend == "torch"
    assert Assistant(data_dir=tmp_path, embedding_backend="onnx").embeddings.backend == "onnx"


_FRESH_PROCESS = """
import json, sys
from ingest.embeddings import SentenceEmbeddings
e = SentenceEmbeddings(backend=sys.argv[1], device="cpu", precision="float32")
vectors = e.embed_documents(["Seoul requires consent. Tokyo disagrees."]) + [e.embed_query("What consent?")]
print(json.dumps({"loaded": sorted(m for m in ("torch", "sentence_transformers", "transformers")
                                   if m in sys.modules), "vectors": vectors}))
"""


@pytest.mark.parametrize("backend", ["onnx", "onnx-int8"])
def test_a_model_checked_on_this_cpu_embeds_in_a_new_process_without_torch(backend):
    import json
    import subprocess
    import sys
    from pathlib import Path

    here = SentenceEmbeddings(backend=backend, device="cpu", precision="float32")
    assert here.onnx is not None  # exported and checked (once per CPU), in this process
    expected = here.embed_documents(["Seoul requires consent. Tokyo disagrees."]) + [here.embed_query("What consent?")]
    out = subprocess.run([sys.executable, "-c", _FRESH_PROCESS, backend], capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parents[2], timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["loaded"] == []  # seconds of imports saved
    assert np.allclose(result["vectors"], expected, atol=1e-5)


def test_auto_device_asks_torch_only_where_a_gpu_driver_is_present(monkeypatch):
    from ingest import model_runtime

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(model_runtime, "gpu_possible", lambda: False)
    assert model_runtime.resolve_device("auto") == "cpu"  # torch is not asked
    monkeypatch.setattr(model_runtime, "gpu_possible", lambda: True)
    assert model_runtime.resolve_device("auto") == "cuda"
    assert model_runtime.resolve_device("cpu") == "cpu"


def test_native_bfloat16_is_read_from_the_cpu_flags_before_asking_torch(monkeypatch):
    from ingest import model_runtime

    monkeypatch.setattr(torch.ops.mkldnn, "_is_mkldnn_bf16_supported", lambda: True)
    monkeypatch.setattr(model_runtime, "_x86_flags", lambda: {"avx2", "avx512f"})
    assert model_runtime.native_bfloat16() is False  # no bf16 flag: torch is not asked
    monkeypatch.setattr(model_runtime, "_x86_flags", lambda: {"avx512f", "avx512_bf16"})
    assert model_runtime.native_bfloat16() is True
    monkeypatch.setattr(model_runtime, "_x86_flags", lambda: None)  # not x86 Linux: torch decides
    assert model_runtime.native_bfloat16() is True
