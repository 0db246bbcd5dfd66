"""The model on a GPU: the same vectors as sentence-transformers' encode, fed by the tokenizer
file in large batches (run here on the CPU: the arithmetic is the same)."""

import numpy as np

from ingest.embeddings import SentenceEmbeddings
from ingest.onnx_backend import CHECK_TEXTS


def test_the_gpu_path_gives_the_vectors_of_sentence_transformers_encode():
    """Tokenizing with the tokenizer file, or the next batch while the model runs the current
    one, changes nothing but the time (run here on the CPU: the arithmetic is the same)."""
    from ingest.file_tokenizer import FileTokenizer
    from ingest.gpu_encode import encode_on_gpu
    from ingest.model_runtime import load_model, resolve_model_path

    model = load_model("all-MiniLM-L6-v2", "cpu")
    texts = [f"Sentence {i} about the harbour and " + "word " * (i % 40) for i in range(300)] + CHECK_TEXTS
    expected = model.encode(texts, batch_size=64, normalize_embeddings=True, convert_to_numpy=True)
    tokenize = FileTokenizer(resolve_model_path("all-MiniLM-L6-v2"), model.max_seq_length)
    for ours in (encode_on_gpu(model, texts, 64), encode_on_gpu(model, texts, 64, tokenize=tokenize)):
        assert ours.shape == expected.shape
        assert np.allclose(ours, expected, atol=1e-5)
    assert encode_on_gpu(model, [], 64).shape[0] == 0
    assert SentenceEmbeddings(device="cpu")._file_tokenizer(model) is not None  # the bundled model has one


def test_on_a_gpu_ingest_embeds_through_the_tokenizer_file_in_large_batches(monkeypatch):
    from ingest import embeddings, gpu_encode

    seen = []
    real = gpu_encode.encode_on_gpu

    def spy(model, texts, batch_size, precision, tokenize):
        seen.append((batch_size, tokenize))
        return real(model, texts, batch_size, precision, tokenize)

    monkeypatch.setattr(gpu_encode, "encode_on_gpu", spy)
    monkeypatch.setattr(embeddings, "resolve_device", lambda device: "cuda")  # the model stays on the CPU
    e = SentenceEmbeddings(device="cpu", backend="torch", precision="float32")
    vectors = e.encode(CHECK_TEXTS)
    assert len(seen) == 1 and seen[0][0] == 256 and seen[0][1] is not None
    expected = e.model.encode(CHECK_TEXTS, normalize_embeddings=True, convert_to_numpy=True)
    assert np.allclose(vectors, expected, atol=1e-5)
