"""How long `assistant ui` takes to serve its page, and to answer its first question.

    python benchmarks/ui_startup.py [--runs 3]

Each run starts `assistant ui` on a free loopback port with a fresh data dir (so the seeds are
ingested in the background, as on a first run), then polls the page and asks through /ask.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # run as a script: find ui_process
from ui_process import start_ui  # noqa: E402


def one_run() -> tuple[float, float]:
    from gradio_client import Client

    folder = Path(tempfile.mkdtemp(prefix="ui-startup-"))
    started = time.monotonic()
    ui = start_ui(folder / "data", None, folder, deadline=started + 120)
    try:
        page = time.monotonic() - started
        Client(ui.url, verbose=False).predict("What consent does Seoul require?", api_name="/ask")
        return page, time.monotonic() - started
    finally:
        ui.stop()


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=int, default=3)
    args = p.parse_args()
    for i in range(args.runs):
        page, answered = one_run()
        print(f"run {i + 1}: page served after {page:.1f} s, first answer after {answered:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
