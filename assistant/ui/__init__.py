"""`assistant ui`: the browser chat, served by Gradio on 127.0.0.1 unless told otherwise.

- launch: serving (safe launch settings, login throttle, warm-up in the background)
- page: the Gradio layout and its event wiring (the only module importing gradio at its top,
  and it is imported only when the UI is built)
- chat: one chat turn, the browser-side conversation, and the Markdown export
- documents: uploads and removals (no gradio)
- format: HTML built from escaped text (no gradio); style: the page's CSS and script

Importing this package loads no gradio: `import assistant.ui` stays cheap.
"""

from assistant.ui.launch import (
    LoginThrottle, Warmup, build_app, is_loopback, launch, launch_kwargs, parse_auth, serve,
)

__all__ = [
    "LoginThrottle", "Warmup", "build_app", "is_loopback", "launch", "launch_kwargs",
    "parse_auth", "serve",
]
