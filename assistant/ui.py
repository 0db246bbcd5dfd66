"""`assistant ui`: the browser chat, served by Gradio on 127.0.0.1 unless told otherwise.

gradio is imported inside functions only: `import assistant` and the other commands never pay
for it. The page is laid out in ui_app.py; HTML is built (escaped) in ui_format.py; uploads and
removals are in ui_documents.py.
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
    from assistant.ui_format import CSS

    return dict(
        server_name=host,
        server_port=port,
        share=False,
        auth=parse_auth(settings.ui_auth),
        auth_message="Log in to the document assistant (ASSISTANT_UI_AUTH).",
        max_file_size=int(settings.max_upload_mb * 1024 * 1024),
        css=CSS,
        theme=_theme(),
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
    from assistant.ui_app import build

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
        serve(app, settings, host, port, block=True)
    except OSError as exc:
        print(
            f"error: cannot serve on {host}:{port} ({exc}); choose another --port or stop the "
            "program using it",
            file=sys.stderr,
        )
        return EXIT_ERROR
    return EXIT_OK
