"""`assistant ingest|ask|eval|ui`: thin wrappers over the Python API."""

from __future__ import annotations

import argparse
import json
import sys
from typing import get_args

from assistant.settings import Backend, Precision, Settings

# 0: done; 1: done, but some files could not be ingested (listed); 2: nothing done, the index
# or an argument is the problem (the message says the fix); 3: an internal error (a bug).
EXIT_OK, EXIT_SOME_FAILED, EXIT_ERROR, EXIT_INTERNAL = 0, 1, 2, 3


def _common(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("index")
    g.add_argument("--data-dir", help="index location (env ASSISTANT_DATA_DIR)")
    g.add_argument("--chroma-url", help="use a Chroma server, e.g. http://127.0.0.1:8000")
    g.add_argument("--collection", help="Chroma collection name")
    g.add_argument("--embedding-model", help="sentence-transformers model name or directory")
    g.add_argument(
        "--embedding-precision", choices=get_args(Precision),
        help="model arithmetic (default auto: bfloat16 where it measures faster than float32)",
    )
    g.add_argument(
        "--embedding-backend", choices=get_args(Backend),
        help="model runtime (default auto: ONNX Runtime on a CPU where it matches torch's "
        "vectors and is faster, torch on a GPU)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="assistant", description="Answer questions from your documents, with citations."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="sync files/folders into the index")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--chunk-size", type=int)
    p.add_argument("--chunk-overlap", type=int)
    _common(p)

    p = sub.add_parser("ask", help="answer one question")
    p.add_argument("question")
    p.add_argument("--json", action="store_true", help="print Answer.to_dict() as JSON")
    p.add_argument("--k", type=int, help="passages to retrieve")
    p.add_argument(
        "--source", action="append", metavar="PATH", dest="sources",
        help="answer only from this ingested document (repeat for several)",
    )
    p.add_argument("--llm", help="e.g. openai:MODEL or ollama:MODEL (default: extractive)")
    p.add_argument("--llm-base-url")
    _common(p)

    p = sub.add_parser("eval", help="measure answers on a QA set (corpus/ + questions.jsonl)")
    p.add_argument("set_dir", metavar="SET_DIR")
    p.add_argument("--k", type=int, default=5)
    p.add_argument("--json", action="store_true", help="print the full results as JSON")
    p.add_argument("--report", help="write the markdown report (and a PNG plot beside it)")
    p.add_argument("--baseline", action="store_true", help="also run the LangChain tutorial pipeline")
    p.add_argument("--limit", type=int, help="only the first N questions")
    p.add_argument(
        "--mode", choices=["extractive", "llm"], default="extractive",
        help="llm: also answer through the LLM, beside the extractive answers (needs --llm)",
    )
    p.add_argument("--llm", help="e.g. openai:MODEL or ollama:MODEL (env ASSISTANT_LLM)")
    p.add_argument("--llm-base-url")
    _common(p)

    p = sub.add_parser("ui", help="launch the browser chat")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=7860)
    _common(p)
    return parser


def settings_from(args: argparse.Namespace) -> Settings:
    fields = Settings.model_fields
    overrides = {k: v for k, v in vars(args).items() if k in fields and k != "k"}
    if getattr(args, "command", None) == "ask":
        overrides["k"] = args.k
    return Settings().with_overrides(**overrides)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from assistant.answer_types import QuestionError
    from assistant.settings import SettingsError
    from assistant.terminal import for_terminal
    from ingest.errors import IndexProblem, PathError

    try:
        settings = settings_from(args)
        handler = {"ingest": _ingest, "ask": _ask, "eval": _eval, "ui": _ui}[args.command]
        return handler(args, settings)
    except (IndexProblem, PathError, SettingsError, QuestionError) as exc:
        print(f"error: {for_terminal(exc)}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("interrupted; run the same command again to finish", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return EXIT_OK
    except Exception as exc:  # a bug: its own exit code, so scripts can tell it from bad files
        import traceback

        traceback.print_exc()
        print(
            f"internal error: {for_terminal(type(exc).__name__)}: {for_terminal(exc)}. This is a "
            "bug in doc-assistant, not a problem with your files; what was written to the index "
            "is consistent, and running the same command again finishes it. If it happens "
            "again, report it with the traceback above.",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


def _ingest(args, settings: Settings) -> int:
    from assistant.core import Assistant
    from assistant.terminal import for_terminal

    report = Assistant(settings=settings).ingest(args.paths, progress=not args.json)
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))  # ASCII: every control character escaped
    else:
        print(for_terminal(
            f"added {report.added}, updated {report.updated}, unchanged {report.unchanged}, "
            f"removed {report.removed}; {report.chunks} chunks in the index "
            f"({settings.chroma_url or settings.data_dir})"
        ))
        for path, reason in report.failed:
            print(for_terminal(f"failed: {path}: {reason}"), file=sys.stderr)
    return EXIT_OK if report.ok else EXIT_SOME_FAILED


def _ask(args, settings: Settings) -> int:
    from assistant.ask_cli import run_ask

    return run_ask(args, settings)


def _eval(args, settings: Settings) -> int:
    from assistant.evaluate.cli import run_eval

    return run_eval(args, settings)


def _ui(args, settings: Settings) -> int:
    from assistant.ui import launch

    return launch(settings, host=args.host, port=args.port)
