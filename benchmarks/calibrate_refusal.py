"""Calibrate the refusal threshold on QA sets (SET_DIR/corpus + SET_DIR/questions.jsonl).

    python benchmarks/calibrate_refusal.py tests/qa/seed ../shared/eval/squad2-500

Asks every question with refusal switched off, records each answer's confidence, and prints per
set: retrieval recall@1/@k, answer accuracy, and, for candidate thresholds, the share of
answerable questions refused (false refusals) and of unanswerable ones refused. The shipped
default (Settings.refusal_threshold) is the highest threshold that keeps false refusals at or
under 5% on every set.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np


def run_set(set_dir: Path, k: int) -> dict:
    from assistant import Assistant

    a = Assistant(data_dir=tempfile.mkdtemp(prefix="calibrate-"), refusal_threshold=-1e9, k=k)
    a.ingest([set_dir / "corpus"])
    conf_ans, conf_unans, correct, hits1, hitsk = [], [], [], [], []
    for line in (set_dir / "questions.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        item = json.loads(line)
        ans = a.answer(item["question"])
        if item["answers"]:
            conf_ans.append(ans.confidence)
            correct.append(any(g.lower() in ans.text.lower() for g in item["answers"]))
            sources = item.get("sources") or [item.get("source")]
            got = [Path(d.metadata["source"]).name for d in a.retrieve(item["question"], k=k)]
            hits1.append(any(s in got[:1] for s in sources))
            hitsk.append(any(s in got for s in sources))
        else:
            conf_unans.append(ans.confidence)
    return {
        "conf_ans": np.array(conf_ans),
        "conf_unans": np.array(conf_unans),
        "accuracy": float(np.mean(correct)),
        "recall@1": float(np.mean(hits1)),
        f"recall@{k}": float(np.mean(hitsk)),
    }


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("set_dirs", type=Path, nargs="+")
    p.add_argument("--k", type=int, default=5)
    p.add_argument("--max-false-refusal", type=float, default=0.05)
    args = p.parse_args()
    results = {d: run_set(d, args.k) for d in args.set_dirs}
    limits = []
    for d, r in results.items():
        print(f"\n{d}: " + ", ".join(f"{m} {r[m]:.3f}" for m in r if not m.startswith("conf")))
        ca = np.sort(r["conf_ans"])
        allowed = int(np.floor(args.max_false_refusal * len(ca)))
        limits.append(ca[allowed] - 1e-4)  # refusing below this keeps <= allowed answerable refused
    threshold = float(min(limits))
    print(f"\nthreshold keeping false refusals <= {args.max_false_refusal:.0%} on every set: {threshold:.4f}")
    for t in sorted({round(threshold, 3), 0.3, 0.35, 0.4, 0.45}):
        row = [f"{t:.3f}"]
        for d, r in results.items():
            fr = float(np.mean(r["conf_ans"] < t))
            ur = float(np.mean(r["conf_unans"] < t)) if len(r["conf_unans"]) else float("nan")
            row.append(f"{d.name}: false refusals {fr:.3f}, unanswerable refused {ur:.3f}")
        print(" | ".join(row))
    return 0


if __name__ == "__main__":
    sys.exit(main())
