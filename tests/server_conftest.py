"""A real Chroma server for the server-mode tests (loaded from tests/conftest.py as a plugin).

`.ci/run` starts one and exports ASSISTANT_TEST_CHROMA_URL; without it, the first test that
asks for `chroma_url` starts `chroma run` on a free loopback port for the session. Every test
gets its own collection names, so tests never see each other's chunks on a shared server.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

STARTUP_SECONDS = 60


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def heartbeat(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def chroma_executable() -> str:
    beside = Path(sys.executable).with_name("chroma")  # the venv's console script
    return str(beside) if beside.exists() else (shutil.which("chroma") or "chroma")


@pytest.fixture(scope="session")
def chroma_url(tmp_path_factory):
    """http://127.0.0.1:PORT of a running Chroma server."""
    given = os.environ.get("ASSISTANT_TEST_CHROMA_URL")
    if given:
        url = given.rstrip("/")
        if not heartbeat(url):
            pytest.fail(f"ASSISTANT_TEST_CHROMA_URL={given} does not answer; start the server or unset it")
        yield url
        return
    path = tmp_path_factory.mktemp("chroma-server")
    port = free_port()
    log = open(path / "server.log", "wb")
    proc = subprocess.Popen(
        [chroma_executable(), "run", "--path", str(path / "db"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not heartbeat(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"`chroma run` did not start: {(path / 'server.log').read_text()[-2000:]}")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()


@pytest.fixture
def collection_name(chroma_url):
    """A collection name no other test uses; it and its records are deleted afterwards."""
    name = f"test-{uuid.uuid4().hex[:16]}"
    yield name
    from ingest.store import make_client

    client = make_client(chroma_url=chroma_url)
    for n in (name, *(f"{name}-{side}" for side in ("records", "documents", "vectors", "removed"))):
        try:
            client.delete_collection(n)
        except Exception:  # never created by this test
            pass
