"""How long `assistant ui` takes to serve its page, and to answer its first question.

    python benchmarks/ui_startup.py [--runs 3]

Each run starts `assistant ui` on a free loopback port with a fresh data dir (so the seeds are
ingested in the background, as on a first run), then polls the page and asks through /ask.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def one_run() -> tuple[float, float]:
    from gradio_client import Client

    port = free_port()
    data = tempfile.mkdtemp(prefix="ui-startup-")
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant", "ui", "--port", str(port), "--data-dir", data],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=os.environ.copy(),
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = started + 120
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(url, timeout=1):
                    break
            except OSError:
                time.sleep(0.05)
        page = time.monotonic() - started
        Client(url, verbose=False).predict("What consent does Seoul require?", api_name="/ask")
        return page, time.monotonic() - started
    finally:
        proc.terminate()
        proc.wait(timeout=30)


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
