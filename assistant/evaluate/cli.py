"""`assistant eval SET_DIR`: run the eval, print or write the report, the JSON and the plot."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path

from assistant.settings import Settings

EXIT_OK, EXIT_SOME_FAILED, EXIT_ERROR = 0, 1, 2


@contextlib.contextmanager
def index_settings(args, settings: Settings) -> Iterator[Settings]:
    """The settings to ingest and answer with: a fresh index in a temp dir unless --data-dir or
    --chroma-url was given. ASSISTANT_DATA_DIR and ASSISTANT_CHROMA_URL from the environment
    are deliberately not used, so an eval never writes the set into the user's own index."""
    if getattr(args, "data_dir", None) or getattr(args, "chroma_url", None):
        yield settings
        return
    import tempfile

    with tempfile.TemporaryDirectory(prefix="assistant-eval-", ignore_cleanup_errors=True) as tmp:
        yield settings.model_copy(update={"data_dir": Path(tmp), "chroma_url": None})


def run_eval(args, settings: Settings) -> int:
    from assistant.evaluate.report import markdown_report
    from assistant.terminal import for_terminal, json_for_terminal
    from assistant.evaluate.qaset import SetError, load_set
    from assistant.evaluate.run import evaluate

    if args.k < 1 or (args.limit is not None and args.limit < 1):
        print("error: --k and --limit must be at least 1", file=sys.stderr)
        return EXIT_ERROR
    mode = getattr(args, "mode", None) or "extractive"
    if mode == "llm" and not settings.llm:
        print(
            "error: --mode llm needs an LLM: set ASSISTANT_LLM (or --llm), e.g. "
            "--llm openai:qwen2.5-7b-instruct --llm-base-url http://127.0.0.1:8000/v1",
            file=sys.stderr,
        )
        return EXIT_ERROR
    try:
        qaset = load_set(args.set_dir, args.limit)
    except SetError as exc:
        print(for_terminal(f"error: {exc}"), file=sys.stderr)
        return EXIT_ERROR

    with index_settings(args, settings) as eval_settings:
        result = evaluate(
            qaset, eval_settings, args.k, baseline=args.baseline, progress=True, mode=mode
        )

    if args.report:
        result.update(_write_report(result, Path(args.report)))
    if args.json:
        print(json_for_terminal(json.dumps(result, indent=2, ensure_ascii=False)))
    else:  # questions and quotes come from the set and its documents: never terminal commands
        print(for_terminal(markdown_report(result)), end="")
        if args.report:
            written = ", ".join(p for p in (result["report"], result.get("plot")) if p)
            print(f"\nwrote {written}", file=sys.stderr)

    failed = result["ours"]["ingest"]["failed"]
    for path, reason in failed:
        print(for_terminal(f"failed to ingest: {path}: {reason}"), file=sys.stderr)
    return EXIT_SOME_FAILED if failed else EXIT_OK


def _write_report(result: dict, report: Path) -> dict:
    """report.md plus report.png beside it; returns their paths for the JSON."""
    from assistant.evaluate.plot import plot_result
    from assistant.evaluate.report import markdown_report

    report.parent.mkdir(parents=True, exist_ok=True)
    plot = plot_result(result, report.with_suffix(".png"))
    report.write_text(markdown_report(result, plot.name if plot else None), encoding="utf-8")
    return {"report": str(report), "plot": str(plot) if plot else None}
