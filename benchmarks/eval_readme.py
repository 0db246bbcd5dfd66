"""Regenerate the results table (docs/evaluation.md): ours vs the LangChain tutorial baseline on the seed QA
set and on every QA set given (the dev sets of evalsets/, once assembled, and SQuAD 2.0's
500-question sample).

    python benchmarks/eval_readme.py evalsets/docs-md evalsets/pdf-report evalsets/news \
        evalsets/web ../shared/eval/squad2-500

Runs `assistant eval SET --baseline --json --report artifacts/eval/NAME.md` for each set (the
same command a user runs), keeps each run's JSON and report (with its confidence plot) under
artifacts/eval/, and replaces the text of docs/evaluation.md between the two marker lines

    <!-- eval-results:start -->  and  <!-- eval-results:end -->

(each alone on its line, so a mention of them in prose is left alone) with the table. The
README quotes two of its numbers; update them by hand when they move. ASSISTANT_* variables are cleared for the runs so the table always shows the
default settings; measure other settings with `assistant eval` directly. --limit N is for a
quick look: it prints the table and leaves the page alone. squad2-500 takes ~5 minutes on
2 cores (its 411 paragraphs are ingested by both pipelines).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- eval-results:start -->", "<!-- eval-results:end -->"


def run_set(set_dir: Path, out: Path, k: int, limit: int | None) -> dict:
    name = set_dir.resolve().name
    cmd = [sys.executable, "-m", "assistant", "eval", str(set_dir), "--baseline", "--json",
           "--k", str(k), "--report", str(out / f"{name}.md")]
    if limit:
        cmd += ["--limit", str(limit)]
    env = {key: val for key, val in os.environ.items() if not key.startswith("ASSISTANT_")}
    print(f"$ {' '.join(cmd)}", file=sys.stderr)
    done = subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    if done.returncode not in (0, 1):  # 1: some corpus file failed to ingest; still measured
        raise SystemExit(f"eval of {set_dir} failed (exit {done.returncode}); see above")
    (out / f"{name}.json").write_text(done.stdout, encoding="utf-8")
    return json.loads(done.stdout)


def table_block(results: list[dict], argv: list[str]) -> str:
    from assistant.evaluate.report import sets_table

    counts = "; ".join(
        f"{r['name']}: {r['ours']['metrics']['questions']} questions "
        f"({r['ours']['metrics']['unanswerable']} unanswerable)" for r in results
    )
    command = " ".join(["python benchmarks/eval_readme.py", *argv])
    return (
        f"{sets_table(results)}\n"
        f"{counts}. Measured {datetime.date.today().isoformat()} on {os.cpu_count()} CPU cores "
        f"with `{command}`; ours with default settings, baseline = LangChain RAG tutorial "
        "(1000/200 splits, Chroma top-k, top chunk as the answer). See 'Measuring answers' in the README.\n"
    )


def update_readme(readme: Path, block: str) -> bool:
    text = readme.read_text(encoding="utf-8")
    # markers alone on their lines: a mention of them in a sentence is not the table
    pattern = re.compile(r"(?m)^" + re.escape(START) + r"$.*?^" + re.escape(END) + r"$", re.S)
    if not pattern.search(text):
        return False
    readme.write_text(pattern.sub(lambda _: f"{START}\n{block}{END}", text), encoding="utf-8")
    return True


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument(
        "sets", nargs="*", type=Path,
        help="QA set folders: e.g. the assembled evalsets/* and ../shared/eval/squad2-500",
    )
    p.add_argument("--seed", type=Path, default=ROOT / "tests" / "qa" / "seed")
    p.add_argument("--out", type=Path, default=ROOT / "artifacts" / "eval")
    p.add_argument(
        "--readme", type=Path, default=ROOT / "docs" / "evaluation.md",
        help="the page holding the table (default docs/evaluation.md)",
    )
    p.add_argument("--k", type=int, default=5)
    p.add_argument("--limit", type=int, help="first N questions of each set; the page untouched")
    args = p.parse_args(argv)

    args.out.mkdir(parents=True, exist_ok=True)
    sets = [args.seed, *args.sets]
    results = [run_set(s, args.out, args.k, args.limit) for s in sets]
    block = table_block(results, argv)
    (args.out / "readme-table.md").write_text(block, encoding="utf-8")
    print(block)
    if args.limit:
        print(f"--limit given: {args.readme} left as it was", file=sys.stderr)
    elif update_readme(args.readme, block):
        print(f"updated the results table in {args.readme}", file=sys.stderr)
    else:
        print(f"{args.readme} has no {START} ... {END} markers; add them where the table "
              "goes and run this again", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
