"""Scale: indexes of 10k / 100k / 1M chunks built through the real write path (Assistant.ingest:
load, split, units, the store, the lexical index), with synthetic text and a hashing embedding
(bag of hashed words, 384 dimensions like the bundled model) so building is not the model's
time. Each measurement runs in a fresh process:

    python benchmarks/scale.py --sizes 10000 100000 [--chroma-url http://127.0.0.1:8000] [--out DIR]

Reports, per size: build time, disk size (Chroma, lexical index), a reader process's RSS and
warm answer() p50/p95, the time to sync one changed file (in a fresh writer process: the sync
call, and the whole command with imports), the time until another, already running process
answers from the change, and RSS over 100 refreshes of a reader whose store another client
keeps changing (flat = no leak from reopening the embedded store).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ingest.embeddings import SentenceEmbeddings  # noqa: E402

DIM = 384
MODEL_NAME = "bench-hash-384"
CHUNKS_PER_FILE = 100
_SYLLABLES = "ka lo mi ne ru ta vi so pe da gu ri fo ze ba ku li mo na te".split()


class HashEmbeddings(SentenceEmbeddings):
    """Bag of hashed words: texts sharing words get close vectors, at no model cost."""

    def __init__(self) -> None:
        super().__init__(MODEL_NAME)

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in text.lower().split():
                h = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")
                out[i, h % DIM] += 1.0 if (h >> 20) & 1 else -1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1, norms)


def assistant(data: Path, chroma_url: str | None, collection: str):
    from assistant.core import Assistant

    a = Assistant(data_dir=data, chroma_url=chroma_url, collection=collection,
                  embedding_model=MODEL_NAME)
    a._embeddings = HashEmbeddings()  # the benchmark's stand-in for the model
    return a


def rss_mb() -> tuple[float, float]:
    """(current RSS, peak RSS) of this process, MB."""
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def make_corpus(folder: Path, chunks: int, seed: int = 0) -> list[str]:
    """Files of synthetic sentences, about CHUNKS_PER_FILE chunks each; returns questions."""
    rng = random.Random(seed)
    vocab = ["".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(30000)]
    cum = list(__import__("itertools").accumulate(1 / (r + 1) for r in range(len(vocab))))
    folder.mkdir(parents=True, exist_ok=True)
    questions = []
    n_files = max(1, chunks // CHUNKS_PER_FILE)
    for f in range(n_files):
        sentences = []
        size = 0
        while size < CHUNKS_PER_FILE * 480:  # 600-char chunks with 120 of overlap
            words = rng.choices(vocab, cum_weights=cum, k=rng.randint(8, 16))
            sentence = " ".join(words).capitalize() + f" in {rng.randint(1000, 2999)}."
            sentences.append(sentence)
            size += len(sentence) + 1
        if f % max(1, n_files // 100) == 0:
            questions.append(" ".join(rng.choice(sentences).split()[:6]) + "?")
        (folder / f"doc-{f:06d}.txt").write_text(" ".join(sentences) + "\n")
    return questions


def du_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6 if path.exists() else 0.0


# -- children ---------------------------------------------------------------------------------
def child_build(args) -> dict:
    a = assistant(args.data, args.chroma_url, args.collection)
    a.store.collection
    t = time.perf_counter()
    report = a.ingest([args.corpus])
    return {"seconds": time.perf_counter() - t, "chunks": report.chunks, "failed": len(report.failed),
            "rss_mb": rss_mb()[1]}


def child_reader(args) -> dict:
    questions = json.loads(Path(args.questions).read_text())
    t = time.perf_counter()
    a = assistant(args.data, args.chroma_url, args.collection)
    a.answer("warm up")
    first = time.perf_counter() - t
    times = []
    for q in questions * 2:
        t = time.perf_counter()
        a.answer(q)
        times.append(time.perf_counter() - t)
    times.sort()
    rss, peak = rss_mb()
    return {"first_answer_s": first, "p50_ms": 1000 * statistics.median(times),
            "p95_ms": 1000 * times[int(0.95 * (len(times) - 1))], "rss_mb": rss, "peak_rss_mb": peak,
            "questions": len(times)}


def child_sync(args) -> dict:
    a = assistant(args.data, args.chroma_url, args.collection)
    a.store.collection
    t = time.perf_counter()
    report = a.ingest([args.corpus])
    return {"sync_s": time.perf_counter() - t, "updated": report.updated, "unchanged": report.unchanged}


def child_watch(args) -> dict:
    """Answers once, says it is ready, then after "go" asks until the change is seen."""
    a = assistant(args.data, args.chroma_url, args.collection)
    a.answer("warm up")
    print("ready", flush=True)
    sys.stdin.readline()
    t = time.perf_counter()
    while True:
        docs = a.retrieve(args.token, k=1)
        if docs and args.token in docs[0].page_content:
            return {"seen_after_s": time.perf_counter() - t}
        if time.perf_counter() - t > 120:
            return {"seen_after_s": None}
        time.sleep(0.01)


def child_refresh(args) -> dict:
    """RSS of a reader over 100 refreshes: another client changes the generation each time."""
    from ingest.store import ChunkStore, make_client

    a = assistant(args.data, args.chroma_url, args.collection)
    a.answer("warm up")
    client = make_client(args.data, args.chroma_url)
    other = ChunkStore(client, args.collection, MODEL_NAME)
    samples = {}
    took = []
    for i in range(101):
        other.bump_generation()
        t = time.perf_counter()
        a.retriever.invalidate()
        a.answer("refresh")
        took.append(time.perf_counter() - t)
        if i in (0, 1, 10, 25, 50, 75, 100):
            samples[i] = round(rss_mb()[0], 1)
    return {"rss_mb_at_refresh": samples, "refresh_answer_p50_ms": 1000 * statistics.median(took)}


CHILDREN = {"build": child_build, "reader": child_reader, "sync": child_sync, "watch": child_watch,
            "refresh": child_refresh}


def run_child(kind: str, args, **extra) -> dict:
    cmd = [sys.executable, __file__, "--child", kind, "--data", str(args.data), "--corpus", str(args.corpus),
           "--collection", args.collection, "--questions", str(args.questions)]
    if args.chroma_url:
        cmd += ["--chroma-url", args.chroma_url]
    for k, v in extra.items():
        cmd += [f"--{k}", str(v)]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"{kind} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def one_size(size: int, args) -> dict:
    base = args.out / str(size)
    args.data, args.corpus, args.questions = base / "data", base / "corpus", base / "questions.json"
    args.collection = f"scale-{size}"
    if not args.corpus.exists():
        args.questions.parent.mkdir(parents=True, exist_ok=True)
        args.questions.write_text(json.dumps(make_corpus(args.corpus, size)))
    row: dict = {"size": size}
    t = time.perf_counter()
    row["build"] = run_child("build", args)
    row["build_wall_s"] = time.perf_counter() - t
    row["disk_mb"] = {"chroma": du_mb(args.data / "chroma"), "lexical": du_mb(args.data / "lexical"),
                      "unit_vectors": du_mb(args.data / "unit-vectors"), "text": du_mb(args.corpus)}
    row["reader"] = run_child("reader", args)
    # one changed file, seen by a process that is already answering
    token = f"zyxq{int(time.time())}"
    cmd = [sys.executable, __file__, "--child", "watch", "--data", str(args.data), "--corpus",
           str(args.corpus), "--collection", args.collection, "--questions", str(args.questions),
           "--token", token] + (["--chroma-url", args.chroma_url] if args.chroma_url else [])
    watcher = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert watcher.stdout.readline().strip() == "ready"
    target = sorted(args.corpus.iterdir())[len(list(args.corpus.iterdir())) // 2]
    target.write_text(target.read_text().replace(" in ", f" {token} in ", 1))
    t = time.perf_counter()
    row["sync"] = run_child("sync", args)
    row["sync"]["command_s"] = time.perf_counter() - t
    watcher.stdin.write("go\n")
    watcher.stdin.flush()
    row["watch"] = json.loads(watcher.stdout.read().strip().splitlines()[-1])
    watcher.wait()
    row["refresh"] = run_child("refresh", args)
    return row


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--sizes", nargs="*", type=int, default=[10_000, 100_000])
    p.add_argument("--chroma-url")
    p.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "assistant-scale")
    p.add_argument("--keep", action="store_true", help="keep the indexes (default: deleted)")
    p.add_argument("--child")
    p.add_argument("--data", type=Path)
    p.add_argument("--corpus", type=Path)
    p.add_argument("--collection")
    p.add_argument("--questions")
    p.add_argument("--token")
    args = p.parse_args()
    if args.child:
        print(json.dumps(CHILDREN[args.child](args)))
        return 0
    print(f"load average before: {os.getloadavg()}", flush=True)
    for size in args.sizes:
        row = one_size(size, args)
        print(json.dumps(row), flush=True)
        if not args.keep:
            shutil.rmtree(args.out / str(size), ignore_errors=True)
    print(f"load average after: {os.getloadavg()}; peak RSS of this driver "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
