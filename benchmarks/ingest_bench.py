"""Ingest throughput and peak memory: ours beside the LangChain tutorial pipeline.

    python benchmarks/ingest_bench.py seeds ../shared/eval/squad2-500/corpus [--repeat 3]
    python benchmarks/ingest_bench.py --paragraphs OUT FOLDER...   # one file per paragraph

The machine's load average is printed before and after (other jobs skew every number: compare
ours and the baseline of one run only), and the precision check: the embedding step timed in
float32 and bfloat16 on this CPU, beside what `embedding_precision=auto` picks.

Each pipeline runs in its own fresh process on a fresh index (so peak memory is its own); the
model is loaded before the clock starts in both. Prints MB/min of source files, chunks/s and
peak RSS, and the ratio ours/baseline. "ours" runs with the default precision ('auto':
bfloat16 on a CPU with native bfloat16); "ours-float32" forces float32, the baseline's precision,
so the gain from the pipeline and the gain from the arithmetic can be told apart.
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

        precision = "float32" if pipeline == "ours-float32" else "auto"
        a = Assistant(data_dir=data, embedding_precision=precision)
        a.embeddings.model  # load the model before timing
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
    from ingest.embeddings import native_bfloat16, resolve_precision, time_precisions

    t = time_precisions("all-MiniLM-L6-v2", "cpu")
    return (f"precision check: 64 sentences in {t['float32'] * 1000:.0f} ms float32, "
            f"{t['bfloat16'] * 1000:.0f} ms bfloat16 (native bfloat16: {native_bfloat16()}); "
            f"auto picks {resolve_precision('auto', 'cpu')}")


def main() -> int:
    import os

    p = argparse.ArgumentParser()
    p.add_argument("folders", nargs="*", type=Path)
    p.add_argument("--paragraphs", type=Path, help="write a one-paragraph-a-file corpus here from the folders")
    p.add_argument("--no-precision-check", action="store_true")
    p.add_argument("--repeat", type=int, default=1, help="runs per pipeline; the best is kept")
    p.add_argument("--child", nargs=2, metavar=("PIPELINE", "FOLDER"), help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        print(json.dumps(child(args.child[0], Path(args.child[1]))))
        return 0
    if args.paragraphs:
        print(f"{paragraph_corpus(args.paragraphs, args.folders)} paragraphs in {args.paragraphs}")
        return 0
    print(f"load average before: {os.getloadavg()}")
    if not args.no_precision_check:
        print(precision_check())
    print("| corpus | pipeline | MB | chunks | seconds | MB/min | chunks/s | peak RSS MB |")
    print("|---|---|---|---|---|---|---|---|")
    for folder in args.folders:
        mb = sum(f.stat().st_size for f in _files(folder)) / 1e6
        rows = {}
        for pipeline in ("ours", "ours-float32", "baseline"):
            runs = [measure(pipeline, folder) for _ in range(args.repeat)]
            best = min(runs, key=lambda r: r["seconds"])
            rows[pipeline] = best
            print(
                f"| {folder.name} | {pipeline} | {mb:.3f} | {best['chunks']} | {best['seconds']:.2f} "
                f"| {mb / best['seconds'] * 60:.2f} | {best['chunks'] / best['seconds']:.1f} "
                f"| {best['peak_mb']:.0f} |",
                flush=True,
            )
        for ours in ("ours", "ours-float32"):
            ratio = rows["baseline"]["seconds"] / rows[ours]["seconds"]
            print(f"| {folder.name} | {ours}/baseline MB/min | | | | {ratio:.2f}x | | |")
    print(f"load average after: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
