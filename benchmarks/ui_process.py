"""Starting and stopping `assistant ui` processes on loopback, for the benchmark scripts."""

from __future__ import annotations

import ipaddress
import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse


def is_loopback_url(url: str) -> bool:
    host = urlparse(url if "://" in url else f"http://{url}").hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, deadline: float, proc: subprocess.Popen | None) -> None:
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the UI process exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)  # fine enough to time start-up (benchmarks/ui_startup.py)
    raise TimeoutError(f"{url} did not come up in time")


@dataclass
class UI:
    url: str
    proc: subprocess.Popen | None = None
    log: Path | None = None

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=20)


def start_ui(data_dir: Path, chroma_url: str | None, logs: Path, deadline: float) -> UI:
    port = free_port()
    log = logs / f"ui-{port}.log"
    cmd = [sys.executable, "-m", "assistant", "ui", "--host", "127.0.0.1", "--port", str(port),
           "--data-dir", str(data_dir)]
    if chroma_url:
        cmd += ["--chroma-url", chroma_url]
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "ANONYMIZED_TELEMETRY": "False"}
    env.pop("ASSISTANT_LLM", None)  # extractive answers: this measures the assistant, not an LLM
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)
    ui = UI(f"http://127.0.0.1:{port}/", proc, log)
    try:
        wait_http(ui.url, deadline, proc)
    except Exception:
        ui.stop()
        raise
    return ui
