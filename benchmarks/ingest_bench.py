"""Ingest throughput and peak memory: ours beside the LangChain tutorial pipeline.

    python benchmarks/ingest_bench.py seeds ../shared/eval/squad2-500/corpus [--repeat 3]
    python benchmarks/ingest_bench.py --paragraphs OUT FOLDER...   # one file per paragraph

The machine's load average is printed before and after (other jobs skew every number: compare
ours and the baseline of one run only), then the precision check (the embedding step timed in
float32 and bfloat16 on this CPU, beside what `embedding_precision=auto` picks) and the ONNX
checks (ONNX Runtime's vectors, float32 and int8, against torch's on a few dozen varied texts,
which must agree to cosine >= 0.999 and >= 0.95, each timed at its first load; beside what
`embedding_backend=auto` picks).

Each pipeline runs in its own fresh process on a fresh index (so peak memory is its own); the
model is loaded (and, the first time on a machine, exported to ONNX) before the clock starts.
Prints MB/min of source files, chunks/s and peak RSS, and the ratio ours/baseline. "ours" runs
with the defaults (on a CPU: whichever of torch, ONNX Runtime and ONNX Runtime with int8
weights measured fastest at its first load);
"ours-torch" forces torch in float32, the baseline's runtime and precision, so the gain from
the pipeline and the gain from the runtime can be told apart; "ours-onnx" and "ours-int8" force
ONNX Runtime in float32 and with int8 weights. The baseline always runs torch
in float32, as the tutorial's HuggingFaceEmbeddings does.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))


def child(pipeline: str, folder: Path) -> dict:
    """Runs inside the measured process."""
    data = tempfile.mkdtemp(prefix=f"bench-{pipeline}-")
    if pipeline.startswith("ours"):
        from assistant.core import Assistant

        # ours-torch / ours-onnx / ours-int8: that backend in float32, whatever auto would pick
        backend = {"ours-torch": "torch", "ours-onnx": "onnx", "ours-int8": "onnx-int8"}.get(pipeline)
        forced = {"embedding_precision": "float32", "embedding_backend": backend} if backend else {}
        a = Assistant(data_dir=data, **forced)
        a.embeddings.model  # load the model before timing
        a.embeddings.onnx  # ... and its ONNX export, where it is used
        a.store.vectorstore  # set up like the baseline's Chroma(...), which is built untimed
        t = time.perf_counter()
        report = a.ingest([folder])
        seconds, chunks = time.perf_counter() - t, report.chunks
    else:
        from assistant.evaluate.baseline import TutorialPipeline
        from ingest.embeddings import SentenceEmbeddings

        emb = SentenceEmbeddings()
        emb.model
        pipe = TutorialPipeline(emb, data)
        t = time.perf_counter()
        chunks, _ = pipe.ingest(_files(folder))
        seconds = time.perf_counter() - t
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "chunks": chunks, "peak_mb": peak_mb}


def measure(pipeline: str, folder: Path) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", pipeline, str(folder)],
        capture_output=True, text=True, check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def paragraph_corpus(out: Path, folders: list[Path]) -> int:
    """Each paragraph (a blank-line-separated block of over 80 characters) of the files in
    `folders` as a file of its own: a corpus of many short documents."""
    out.mkdir(parents=True, exist_ok=True)
    n = 0
    for folder in folders:
        for path in _files(folder):
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            for para in text.replace("\r\n", "\n").split("\n\n"):
                if len(para.strip()) > 80:
                    (out / f"p{n:05d}.txt").write_text(para.strip() + "\n")
                    n += 1
    return n


def precision_check() -> str:
    from ingest.model_runtime import native_bfloat16, resolve_precision, time_precisions

    t = time_precisions("all-MiniLM-L6-v2", "cpu")
    return (f"precision check: 64 sentences in {t['float32'] * 1000:.0f} ms float32, "
            f"{t['bfloat16'] * 1000:.0f} ms bfloat16 (native bfloat16: {native_bfloat16()}); "
            f"auto picks {resolve_precision('auto', 'cpu')}")


def onnx_check() -> str:
    """ONNX Runtime's vectors (float32 and int8 weights) against torch's (cosine over varied
    texts), each timed at its first load, and what `auto` picks from them."""
    import numpy as np

    from ingest.embeddings import SentenceEmbeddings
    from ingest.model_runtime import onnx_encoder, resolve_backend
    from ingest.onnx_backend import CHECK_TEXTS

    texts = CHECK_TEXTS + _check_sentences()
    reference = SentenceEmbeddings(backend="torch", precision="float32").encode(texts)
    lines, names = [], {}
    for quantized, label in ((False, "ONNX Runtime float32"), (True, "ONNX Runtime int8")):
        encoder, check = onnx_encoder("all-MiniLM-L6-v2", "cpu", quantized)
        if encoder is None:
            lines.append(f"{label} check: unavailable ({check})")
            continue
        names[id(encoder)] = label
        cosines = (encoder.encode(texts) * reference).sum(axis=1)
        lines.append(
            f"{label} check: {len(texts)} texts, cosine to torch min {cosines.min():.6f} "
            f"mean {np.mean(cosines):.6f}; the check's texts in {check['torch_s'] * 1000:.0f} ms torch, "
            f"{check['onnx_s'] * 1000:.0f} ms {label} (at its first load)"
        )
    picked = resolve_backend("auto", "cpu", "auto")
    lines.append(f"auto picks {names.get(id(picked), 'torch')}")
    return "\n\n".join(lines)


def _check_sentences() -> list[str]:
    """Units of a few seed documents: real sentences, list items and headings."""
    from ingest.embeddings import chunk_units
    from ingest.load import load_file
    from ingest.split import split_document

    seeds = Path(__file__).resolve().parent.parent / "seeds"
    out = []
    for path in _files(seeds)[:3]:
        for chunk in split_document(load_file(path), str(path), 600, 120):
            out += [chunk.page_content[a:b] for a, b, _ in chunk_units(chunk)]
    return out[:60]


def main() -> int:
    import os

    p = argparse.ArgumentParser()
    p.add_argument("folders", nargs="*", type=Path)
    p.add_argument("--paragraphs", type=Path, help="write a one-paragraph-a-file corpus here from the folders")
    p.add_argument("--no-precision-check", action="store_true")
    p.add_argument("--pipelines", default="ours,ours-torch,baseline",
                   help="comma-separated, of ours, ours-torch, ours-onnx, ours-int8, baseline")
    p.add_argument("--repeat", type=int, default=1, help="runs per pipeline; the best is kept")
    p.add_argument("--checks", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--child", nargs=2, metavar=("PIPELINE", "FOLDER"), help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.checks:
        print(precision_check())
        print(onnx_check())
        return 0
    if args.child:
        print(json.dumps(child(args.child[0], Path(args.child[1]))))
        return 0
    if args.paragraphs:
        print(f"{paragraph_corpus(args.paragraphs, args.folders)} paragraphs in {args.paragraphs}")
        return 0
    print(f"load average before: {os.getloadavg()}")
    if not args.no_precision_check:  # in a child: the parent stays small, as ru_maxrss
        # survives fork and exec, and the pipelines' peak RSS would start from the checks'
        checks = subprocess.run([sys.executable, __file__, "--checks"], capture_output=True,
                                text=True, check=True)
        print(checks.stdout.strip())
    print("| corpus | pipeline | MB | chunks | seconds | MB/min | chunks/s | peak RSS MB | load 1 min |")
    print("|---|---|---|---|---|---|---|---|---|")
    for folder in args.folders:
        mb = sum(f.stat().st_size for f in _files(folder)) / 1e6
        rows = {}
        pipelines = args.pipelines.split(",")
        for pipeline in pipelines:
            runs = [measure(pipeline, folder) for _ in range(args.repeat)]
            best = min(runs, key=lambda r: r["seconds"])
            rows[pipeline] = best
            print(
                f"| {folder.name} | {pipeline} | {mb:.3f} | {best['chunks']} | {best['seconds']:.2f} "
                f"| {mb / best['seconds'] * 60:.2f} | {best['chunks'] / best['seconds']:.1f} "
                f"| {best['peak_mb']:.0f} | {os.getloadavg()[0]:.1f} |",
                flush=True,
            )
        for ours in [p for p in pipelines if p.startswith("ours") and "baseline" in rows]:
            ratio = rows["baseline"]["seconds"] / rows[ours]["seconds"]
            print(f"| {folder.name} | {ours}/baseline MB/min | | | | {ratio:.2f}x | | | |")
    print(f"load average after: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
