"""Limits around every LLM call: one deadline per answer, and a pause after a failure.

A per-request timeout is not a limit on an answer: HTTP clients apply it to each read, so a
server that sends a token every few seconds never trips it. The deadline here covers the whole
answer (the follow-up rewrite and the streamed reply), and the stream is read on a worker thread
so the caller can stop waiting the moment it runs out, whatever the server does.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator

from assistant.llm.errors import DeadlineExceeded


class Deadline:
    """The time an answer may spend on the LLM. The clock starts at the first LLM call, so
    loading the embedding model or the index on a first question does not use it up."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self._end: float | None = None

    def left(self) -> float:
        if self._end is None:
            self._end = time.monotonic() + self.seconds
        return self._end - time.monotonic()

    def check(self) -> None:
        if self.left() <= 0:
            raise DeadlineExceeded(f"the answer took longer than {self.seconds:g} s")


_DONE = object()


def stream_within(start: Callable[[], Iterable], deadline: Deadline) -> Iterator:
    """Yield the items of start() until it ends or the deadline passes (DeadlineExceeded).

    The iterable runs on a daemon thread. When the caller stops (deadline, or closing this
    generator), the worker drops out at its next item, which closes the HTTP response; a
    server that sends nothing at all is cut by the client's own read timeout."""
    items: queue.Queue = queue.Queue()
    stop = threading.Event()

    def work() -> None:
        try:
            for item in start():
                if stop.is_set():
                    break
                items.put(item)
        except BaseException as exc:  # handed to the caller, who decides
            items.put(exc)
            return
        items.put(_DONE)

    threading.Thread(target=work, name="llm-stream", daemon=True).start()
    try:
        while True:
            left = deadline.left()
            if left <= 0:
                raise DeadlineExceeded(f"the answer took longer than {deadline.seconds:g} s")
            try:
                item = items.get(timeout=left)
            except queue.Empty:
                continue  # the loop raises DeadlineExceeded
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()


class CircuitBreaker:
    """After a failure, the LLM is skipped for `pause` seconds, so that the questions that
    follow get the extractive answer at once instead of each waiting out the same timeout."""

    def __init__(self, pause: float):
        self.pause = pause
        self._lock = threading.Lock()
        self._until = 0.0
        self.last_error: Exception | None = None

    def open_for(self) -> float:
        """Seconds left in the pause; 0 when the LLM may be tried."""
        with self._lock:
            return max(0.0, self._until - time.monotonic())

    def failed(self, error: Exception) -> None:
        with self._lock:
            self.last_error = error
            self._until = time.monotonic() + self.pause

    def succeeded(self) -> None:
        with self._lock:
            self._until, self.last_error = 0.0, None
