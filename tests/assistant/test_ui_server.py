"""The UI server itself: login, loopback binding, no share links, start-up time of `assistant ui`."""

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.support import free_port, make_assistant

SEED_NAME = "yonhap-korea-japan-collective-self-defense.txt"
CONCURRENCY = 2


# -- safety of the server itself ------------------------------------------------------------
def test_login_is_required_when_ui_auth_is_set(tmp_path):
    from gradio_client import Client

    from assistant.ui import build_app, serve

    assistant = make_assistant(tmp_path / "data", ui_auth="alice:s3cret")
    app = build_app(assistant)
    url = serve(app, assistant.settings, "127.0.0.1", free_port(), block=False)
    try:
        with pytest.raises(Exception):
            Client(url, verbose=False)
        docs = Client(url, auth=("alice", "s3cret"), verbose=False).predict(api_name="/documents")
        assert [d["name"] for d in docs] == [SEED_NAME]
    finally:
        app.close()


def test_a_malformed_ui_auth_is_an_error_saying_how_to_fix_it():
    from assistant.ui import parse_auth

    assert parse_auth("alice:s3:cret") == ("alice", "s3:cret")
    assert parse_auth(None) is None
    with pytest.raises(ValueError, match="user:password"):
        parse_auth("alice")


def _start_cli(tmp_path, *args, env=None):
    port = free_port()
    cmd = [sys.executable, "-m", "assistant", "ui", "--port", str(port), *args]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "ASSISTANT_DATA_DIR": str(tmp_path / "data"), **(env or {})},
    )
    return proc, port


def _wait_for_page(url, proc, limit):
    start = time.monotonic()
    while time.monotonic() - start < limit:
        assert proc.poll() is None, proc.stderr.read()
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return time.monotonic() - start
        except OSError:
            time.sleep(0.1)
    return None


def test_assistant_ui_serves_the_page_on_loopback_and_answers_from_the_seeded_index(tmp_path):
    # How fast: benchmarks/ui_startup.py (speed is measured by scripts, not asserted in tests)
    from gradio_client import Client

    proc, port = _start_cli(tmp_path)
    try:
        url = f"http://127.0.0.1:{port}/"
        assert _wait_for_page(url, proc, 60) is not None
        # asked the moment the page is up: waits for the seeds, never answers from an empty index
        answer = Client(url, verbose=False).predict("What consent does Seoul require?", api_name="/ask")
        assert answer["found"] and answer["citations"][0]["source"].endswith(SEED_NAME)
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=30)
    assert f"serving the chat on http://127.0.0.1:{port}/ (this machine only)" in out
    assert "warning" not in err.lower()
    # gradio's hint contradicts the promise never to share: it is not printed
    assert "share=True" not in out + err and "public link" not in out + err


def test_binding_a_public_address_without_login_prints_a_warning(tmp_path):
    proc, port = _start_cli(tmp_path, "--host", "0.0.0.0")
    try:
        assert _wait_for_page(f"http://127.0.0.1:{port}/", proc, 60) is not None
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert "warning" in err and "ASSISTANT_UI_AUTH" in err


def test_launch_never_shares_and_caps_uploads_at_the_server():
    from assistant.settings import Settings
    from assistant.ui import launch_kwargs

    kwargs = launch_kwargs(Settings(max_upload_mb=2), "127.0.0.1", 7860)
    assert kwargs["share"] is False
    assert kwargs["max_file_size"] == 2 * 1024 * 1024
    assert kwargs["server_name"] == "127.0.0.1"


def test_gradio_is_not_imported_by_the_package_or_the_cli():
    code = "import assistant, assistant.cli, assistant.ui, sys; print('gradio' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_uploads_dir_is_inside_the_data_dir(tmp_path):
    from assistant.ui.documents import stage_upload, uploads_dir

    src = tmp_path / "x.txt"
    src.write_text("hello")
    incoming, target = stage_upload(src, "../../../../tmp/evil.txt", tmp_path / "data")
    assert target == uploads_dir(tmp_path / "data") / "evil.txt"
    assert incoming.parent == target.parent and incoming.read_text() == "hello"


# -- failed logins are throttled -------------------------------------------------------------
def _login(url, password):
    import urllib.error
    import urllib.parse

    data = urllib.parse.urlencode({"username": "alice", "password": password}).encode()
    try:
        with urllib.request.urlopen(urllib.request.Request(url + "login", data=data), timeout=10) as r:
            return r.status, {}
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers)


def test_failed_logins_make_the_same_client_wait_longer_each_time(tmp_path):
    from assistant.ui import build_app, serve

    assistant = make_assistant(tmp_path / "data", ui_auth="alice:s3cret")
    app = build_app(assistant)
    url = serve(app, assistant.settings, "127.0.0.1", free_port(), block=False)
    try:
        assert _login(url, "wrong")[0] == 400
        status, headers = _login(url, "s3cret")  # right, but too soon: not even checked
        assert status == 429 and headers["retry-after"] == "1"
        time.sleep(1.1)
        assert _login(url, "wrong again")[0] == 400
        status, headers = _login(url, "wrong, fast")
        assert status == 429 and headers["retry-after"] == "2"  # doubled
        time.sleep(2.1)
        assert _login(url, "s3cret")[0] == 200  # after the wait the right password works
        assert _login(url, "wrong")[0] == 400  # and success cleared the count: 1 s again
        assert _login(url, "wrong")[1].get("retry-after") == "1"
    finally:
        app.close()


def test_the_login_delay_doubles_per_failure_up_to_a_cap_and_is_per_client():
    import asyncio

    from assistant.ui import LoginThrottle

    now = [0.0]
    answers = iter([])

    async def app(scope, receive, send):  # a password check that fails unless told otherwise
        await send({"type": "http.response.start", "status": next(answers, 400), "headers": []})
        await send({"type": "http.response.body", "body": b""})

    throttle = LoginThrottle(app, base_delay=1, max_delay=8, clock=lambda: now[0])

    def attempt(client="10.0.0.1"):
        sent = []

        async def send(message):
            sent.append(message)

        scope = {"type": "http", "method": "POST", "path": "/login/", "client": (client, 1)}
        asyncio.run(throttle(scope, None, send))
        return sent[0]["status"]

    waits = []
    for _ in range(6):
        assert attempt() == 400
        waits.append(throttle.clients["10.0.0.1"][1] - now[0])
        assert attempt() == 429  # while waiting, nothing is checked
        now[0] += waits[-1]
    assert waits == [1, 2, 4, 8, 8, 8]
    assert attempt("10.0.0.2") == 400  # another client has its own count
