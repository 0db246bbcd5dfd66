"""Ingest's embedding step on one device: sentences (units) per second, chunks per second and MB
of text per minute, for each precision and batch size asked for, through the same call ingest
makes (`attach_unit_vectors`: split each chunk into units, embed each distinct unit once, pool).

    python benchmarks/embed_device.py FOLDER... [--device cuda] [--model DIR] [--repeat 8] [--plain]

Text files (.txt, .md) under the folders are cut into ~600-character chunks at sentence ends.
`--repeat N` embeds N copies of the corpus, each sentence marked with its copy's number, so no
copy is answered from the memo of an earlier one. Each configuration gets a fresh embedder and
one warm-up batch. The first configuration's vectors are the reference the others' cosines are
taken against. Made for the GPU check of issue 11 (one prepared run); runs anywhere.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from langchain_core.documents import Document  # noqa: E402

from ingest.embeddings import SentenceEmbeddings, attach_unit_vectors, chunk_units  # noqa: E402
from ingest.model_runtime import resolve_device, resolve_precision  # noqa: E402
from ingest.sentences import sentence_spans  # noqa: E402

CHUNK_CHARS = 600


def chunks_of(folders: list[Path], repeat: int) -> list[Document]:
    texts = [p.read_text(errors="replace") for f in folders for p in sorted(f.rglob("*"))
             if p.suffix in {".txt", ".md"} and p.is_file()]
    out = []
    for copy in range(repeat):
        for text in texts:
            current = ""
            for a, b in sentence_spans(text):
                sentence = f"{text[a:b]} ({copy})" if copy else text[a:b]
                if current and len(current) + len(sentence) > CHUNK_CHARS:
                    out.append(Document(page_content=current))
                    current = ""
                current = f"{current} {sentence}".strip()
            if current:
                out.append(Document(page_content=current))
    return out


def run(chunks: list[Document], model: str, device: str, precision: str, batch: int,
        plain: bool = False) -> tuple[dict, np.ndarray]:
    emb = SentenceEmbeddings(model, device=device, batch_size=batch, precision=precision, backend="torch")
    if plain:  # sentence-transformers' own encode, as ingest called it on a GPU before
        emb.encode = lambda texts: np.asarray(emb.model.encode(
            texts, batch_size=batch, normalize_embeddings=True, convert_to_numpy=True,
            show_progress_bar=False), dtype=np.float32)
    # weights saved in half precision (to travel light) run in float32, like the bundled ones
    emb.model.float()
    emb.encode([c.page_content for c in chunks[:batch]])  # load, warm up
    fresh = [Document(page_content=c.page_content) for c in chunks]
    if device.startswith("cuda"):
        import torch

        torch.cuda.synchronize()
    t = time.perf_counter()
    vectors = attach_unit_vectors(fresh, emb)
    seconds = time.perf_counter() - t
    units = len({c.page_content[a:b] for c in chunks for a, b, _ in chunk_units(c)})
    mb = sum(len(c.page_content.encode()) for c in chunks) / 1e6
    row = {"call": "sentence-transformers encode" if plain else "ours", "device": device, "precision": resolve_precision(precision, device, model), "batch": batch,
           "weights": str(next(emb.model.parameters()).dtype), "seconds": round(seconds, 2), "units": units, "units_per_s": round(units / seconds),
           "chunks_per_s": round(len(chunks) / seconds), "mb_per_min": round(60 * mb / seconds, 1)}
    return row, vectors


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("folders", nargs="+", type=Path)
    p.add_argument("--model", default="all-MiniLM-L6-v2", help="the bundled model, or a model directory")
    p.add_argument("--device", default="auto")
    p.add_argument("--precisions", nargs="+", default=["auto", "float32", "bfloat16"])
    p.add_argument("--batches", nargs="+", type=int, default=[256])
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--plain", action="store_true",
                   help="also time sentence-transformers' own encode (first, as the reference)")
    args = p.parse_args()
    device = resolve_device(args.device)
    chunks = chunks_of(args.folders, args.repeat)
    mb = sum(len(c.page_content.encode()) for c in chunks) / 1e6
    print(f"{len(chunks)} chunks, {mb:.1f} MB, device {device}", flush=True)
    units = list(dict.fromkeys(c.page_content[a:b] for c in chunks for a, b, _ in chunk_units(c)))
    tokenizer = SentenceEmbeddings(args.model, device="cpu", backend="torch").model.tokenizer
    t = time.perf_counter()
    for i in range(0, len(units), args.batches[0]):
        tokenizer(units[i : i + args.batches[0]], padding=True, truncation=True, return_tensors="pt")
    print(f"tokenizing the {len(units)} units alone, transformers' tokenizer in batches: "
          f"{time.perf_counter() - t:.2f} s", flush=True)
    emb = SentenceEmbeddings(args.model, device="cpu", backend="torch")
    tokenize = emb._file_tokenizer(emb.model)
    if tokenize is not None:
        t = time.perf_counter()
        tokenize(units)
        print(f"the same with the tokenizer file (tokenizers, all cores): {time.perf_counter() - t:.2f} s", flush=True)
    if device.startswith("cuda"):
        import torch

        print(f"GPU: {torch.cuda.get_device_name()}, torch {torch.__version__}", flush=True)
    reference = None
    configs = [(p, b, False) for p in args.precisions for b in args.batches]
    if args.plain:
        configs.insert(0, (args.precisions[0], args.batches[0], True))
    for precision, batch, plain in configs:
        row, vectors = run(chunks, args.model, device, precision, batch, plain)
        if reference is None:
            reference = vectors
        cos = np.sum(reference * vectors, axis=1)
        row["cosine_to_first_min"] = round(float(cos.min()), 5)
        print(json.dumps(row), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
