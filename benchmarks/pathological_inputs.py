"""Text processing must take time linear in the input, whatever the input looks like.

    python benchmarks/pathological_inputs.py [--sizes 0.5,1,2] [--timeout 120]

Feeds inputs built to trip up regular expressions, parsers and splitters (punctuation runs,
deep HTML nesting, deeply nested Markdown lists and quotes, one very long line, megabytes
without a single break) through ingest.load.load_file + ingest.split.split_document (no
embedding, no index) at several sizes, and prints the seconds per MB for each. Linear means the
s/MB column stays flat as the size grows; a quadratic step doubles it with every doubling of
the size. Each run is a fresh process with a time limit, so a runaway case is reported, not
waited for. Time bounds are kept out of the unit tests on purpose: they would be flaky on a
loaded machine; this script is the check.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import tempfile
import time
from pathlib import Path

SENTENCE = "The harbour opened in 1890 and ships from three continents docked there. "


def _repeat(unit: str, size: int) -> str:
    return unit * max(1, size // len(unit))


# name -> (file suffix, text of about `size` bytes)
CASES = {
    "dot run ('a....b')": (".txt", lambda n: "a" + "." * (n - 2) + "b"),
    "mixed punctuation runs": (".txt", lambda n: _repeat("Wait?!...;:--!!?..'\")] ", n)),
    "one long line of sentences": (".txt", lambda n: _repeat(SENTENCE, n)),
    "no whitespace at all": (".txt", lambda n: _repeat("abcdefghij", n)),
    "no whitespace, Markdown": (".md", lambda n: _repeat("abcdefghij", n)),
    "many tiny lines": (".txt", lambda n: _repeat("Ok.\n", n)),
    "deep HTML nesting (<div> x n)": (
        ".html", lambda n: "<div>" * (n // 11) + "deep text." + "</div>" * (n // 11)
    ),
    "unclosed HTML tags (<b> x n)": (".html", lambda n: _repeat("<b>x ", n)),
    "deep Markdown list (- - - ... x)": (
        ".md", lambda n: _repeat("- " * 500 + "item.\n", n)
    ),
    "deep Markdown indentation": (
        ".md", lambda n: _repeat("".join("  " * d + "- item.\n" for d in range(200)), n)
    ),
    "deep Markdown quotes (> > > ... x)": (".md", lambda n: _repeat("> " * 500 + "quoted.\n", n)),
    "Markdown emphasis runs": (".md", lambda n: _repeat("*_" * 50 + "x", n)),
}


def _run(suffix: str, text: str, out) -> None:
    from ingest.load import LoadLimits, load_file
    from ingest.split import split_document

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"input{suffix}"
        path.write_text(text, encoding="utf-8")
        start = time.perf_counter()
        try:
            doc = load_file(path, limits=LoadLimits(max_file_mb=1000))
            chunks = len(split_document(doc, str(path), 600, 120))
            outcome = f"{chunks} chunks"
        except Exception as exc:  # a refusal (LoadError) is an outcome too; it is timed the same
            outcome = f"{type(exc).__name__}: {str(exc)[:60]}"
        out.put((time.perf_counter() - start, outcome))


def measure(name: str, mb: float, timeout: float) -> tuple[float | None, str]:
    suffix, make = CASES[name]
    text = make(int(mb * 1_000_000))
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    proc = ctx.Process(target=_run, args=(suffix, text, out))
    proc.start()
    proc.join(timeout)
    if proc.is_alive():
        proc.terminate()
        proc.join()
        return None, f"did not finish within {timeout:g} s"
    return out.get() if not out.empty() else (None, f"crashed (exit {proc.exitcode})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="0.5,1,2", help="MB per input, comma-separated")
    parser.add_argument("--big", type=float, default=5.0, help="MB for the no-break inputs")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per run")
    parser.add_argument("--only", help="run the cases whose name contains this")
    args = parser.parse_args()
    sizes = [float(s) for s in args.sizes.split(",")]

    print(f"{'input':<36} {'MB':>5} {'seconds':>8} {'s/MB':>7}  outcome")
    for name in CASES:
        if args.only and args.only not in name:
            continue
        runs = sizes + ([args.big] if "whitespace" in name and args.big not in sizes else [])
        for mb in runs:
            seconds, outcome = measure(name, mb, args.timeout)
            if seconds is None:
                print(f"{name:<36} {mb:>5g} {'-':>8} {'-':>7}  {outcome}")
                break  # bigger sizes would not finish either
            print(f"{name:<36} {mb:>5g} {seconds:>8.2f} {seconds / mb:>7.2f}  {outcome}", flush=True)


if __name__ == "__main__":
    main()
