"""Serving the browser chat: on 127.0.0.1 unless told otherwise, never shared, the index made
ready in the background.

gradio is imported inside functions only: `import assistant` and the other commands never pay
for it. The page is laid out in ui/page.py.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import sys
import threading
from pathlib import Path

from assistant.settings import Settings

log = logging.getLogger(__name__)

EXIT_OK, EXIT_ERROR = 0, 2


class Warmup:
    """Makes the index ready (seeds ingested into an empty index, embedding model loaded) in a
    background thread, so the page is served while that happens; handlers wait() for it, so no
    question is answered before the index is ready."""

    def __init__(self, assistant) -> None:
        self.assistant = assistant
        self.done = threading.Event()
        self.error: str | None = None
        self._thread = threading.Thread(target=self._run, name="assistant-warmup", daemon=True)

    def start(self) -> Warmup:
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            self.assistant.ensure_seeded()
            # loads the model and builds the retrieval caches, so the first question need not
            self.assistant.retrieve("warm up")
        except Exception as exc:  # shown in the page; the server keeps running
            log.exception("preparing the index failed")
            self.error = f"{exc}"
        finally:
            self.done.set()

    def wait(self, timeout: float | None = 600) -> None:
        """Block until the index is ready; raise RuntimeError saying what to do if it is not."""
        if not self.done.wait(timeout):
            raise RuntimeError("the index is still being prepared; try again in a minute")
        if self.error:
            raise RuntimeError(
                f"the index could not be prepared: {self.error}. Fix that and restart "
                "`assistant ui`."
            )


def parse_auth(value: str | None) -> tuple[str, str] | None:
    """'user:password' (ASSISTANT_UI_AUTH) -> (user, password); None/'' -> no login."""
    if not value:
        return None
    user, sep, password = value.partition(":")
    if not sep or not user or not password:
        raise ValueError(
            "ASSISTANT_UI_AUTH must look like user:password (both non-empty); "
            "fix it or unset it to run without a login"
        )
    return user, password


class LoginThrottle:
    """ASGI middleware in front of the login form: after a failed login, the same client (IP
    address) must wait before its next try, 1 s, then 2, 4, 8 ... up to 5 minutes; a success
    clears its count. Attempts made while waiting are answered 429 with Retry-After and never
    reach the password check, so neither a fast loop nor parallel requests get more guesses.
    Behind a reverse proxy every client has the proxy's address and they share one count."""

    def __init__(
        self, app, base_delay: float = 1.0, max_delay: float = 300.0, clock=None,
        max_clients: int = 10_000,
    ) -> None:
        import time

        self.app = app
        self.base_delay, self.max_delay = base_delay, max_delay
        self.clock = clock or time.monotonic
        self.max_clients = max_clients
        self.clients: dict[str, tuple[int, float]] = {}  # address -> (failures, next try at)

    def delay(self, failures: int) -> float:
        return 0.0 if failures <= 0 else min(self.base_delay * 2 ** (failures - 1), self.max_delay)

    async def __call__(self, scope, receive, send) -> None:
        path = scope.get("path", "") if scope.get("type") == "http" else ""
        if scope.get("method") != "POST" or not path.rstrip("/").endswith("/login"):
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("unknown",))[0]
        failures, next_try = self.clients.get(client, (0, 0.0))
        now = self.clock()
        if now < next_try:
            await _too_many(send, next_try - now)
            return
        # Until this attempt is decided, others from the same client wait as if it failed.
        self.clients[client] = (failures, now + self.delay(failures + 1))
        status: dict[str, int] = {}

        async def watch(message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            if status.get("code") == 200:
                self.clients.pop(client, None)
            else:
                self.clients[client] = (failures + 1, self.clock() + self.delay(failures + 1))
                if len(self.clients) > self.max_clients:  # bounded memory: forget the oldest
                    self.clients.pop(next(iter(self.clients)))


async def _too_many(send, wait: float) -> None:
    import json
    import math

    seconds = max(1, math.ceil(wait))
    body = json.dumps({
        "detail": f"Too many failed logins from this address; wait {seconds} s and try again."
    }).encode()
    await send({
        "type": "http.response.start",
        "status": 429,
        "headers": [
            (b"content-type", b"application/json"),
            (b"retry-after", str(seconds).encode()),
            (b"content-length", str(len(body)).encode()),
        ],
    })
    await send({"type": "http.response.body", "body": body})


def is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: assume others can reach it


def launch_kwargs(settings: Settings, host: str, port: int) -> dict:
    """Everything passed to Blocks.launch(): safe defaults first (never share=True, no MCP,
    no server-side rendering, uploads capped at the server too)."""
    from starlette.middleware import Middleware

    from assistant.ui.style import CSS, JS

    auth = parse_auth(settings.ui_auth)
    return dict(
        server_name=host,
        server_port=port,
        share=False,
        auth=auth,
        # failed logins are throttled per client (gradio itself allows unlimited tries)
        app_kwargs={"middleware": [Middleware(LoginThrottle)]} if auth else None,
        auth_message="Log in to the document assistant (ASSISTANT_UI_AUTH).",
        max_file_size=int(settings.max_upload_mb * 1024 * 1024),
        css=CSS,
        js=JS,
        theme=_theme(),
        # gradio's own lines include "To create a public link, set `share=True`": sharing is
        # exactly what this app must not do, so launch() prints its own address line instead
        quiet=True,
        ssr_mode=False,
        mcp_server=False,
        pwa=False,
        show_error=True,
        footer_links=["api", "settings"],
    )


def _theme():
    import gradio as gr

    return gr.themes.Soft(primary_hue="indigo", neutral_hue="slate")


def serve(
    app, settings: Settings, host: str = "127.0.0.1", port: int = 7860, *, block: bool = True
) -> str:
    """Queue (with the concurrency limit) and launch; returns the local URL. block=False returns
    once the server is up (tests; call app.close() after)."""
    app.queue(default_concurrency_limit=settings.ui_concurrency)
    _, url, _ = app.launch(prevent_thread_lock=not block, **launch_kwargs(settings, host, port))
    return url


def build_app(assistant, warmup: Warmup | None = None):
    """The Gradio Blocks for this assistant (not launched). Without a warmup, one is started
    here: seeding an empty index and loading the model happen in the background."""
    from assistant.ui.page import build

    return build(assistant, warmup or Warmup(assistant).start())


def launch(settings: Settings, host: str = "127.0.0.1", port: int = 7860) -> int:
    """Serve the chat until Ctrl+C. Blocks; returns the exit code."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no calls home
    try:
        auth = parse_auth(settings.ui_auth)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    from assistant.core import Assistant

    assistant = Assistant(settings=settings)
    warmup = Warmup(assistant)
    if not is_loopback(host) and auth is None:
        print(
            f"warning: serving on {host}, reachable from other machines, WITHOUT a login: anyone "
            "who reaches this port can read your documents and add files. Set "
            "ASSISTANT_UI_AUTH=user:password, or use --host 127.0.0.1.",
            file=sys.stderr,
        )
    app = build_app(assistant, warmup)
    # Started only now: imports hold the GIL, so loading torch while gradio is being imported
    # slows both; the page is served while the index gets ready, and it says so.
    warmup.start()
    where = settings.chroma_url or Path(settings.data_dir).expanduser()
    print(f"index: {where}; uploads go to {Path(settings.data_dir).expanduser() / 'uploads'}")
    try:
        url = serve(app, settings, host, port, block=False)
    except OSError as exc:
        print(
            f"error: cannot serve on {host}:{port} ({exc}); choose another --port or stop the "
            "program using it",
            file=sys.stderr,
        )
        return EXIT_ERROR
    reach = "this machine only" if is_loopback(host) else "reachable from other machines"
    print(f"serving the chat on {url} ({reach}); Ctrl+C stops it", flush=True)
    app.block_thread()  # until Ctrl+C, then closes the server
    return EXIT_OK
