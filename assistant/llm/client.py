"""One Assistant's LLM: its chat models, the start-up model check, and the circuit breaker.

Every call goes through `LLMClient.stream`, which refuses at once while the breaker is open,
checks the model name on first use, reads the reply within the answer's deadline, and turns any
failure into an LLMUnavailable whose message says what to do.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator

from assistant.llm import backends
from assistant.llm.errors import LLMUnavailable, explain
from assistant.llm.guard import CircuitBreaker, Deadline, stream_within

REWRITE_MAX_TOKENS = 80  # a standalone question is short; a long "rewrite" is a failed one
_CLIENTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_CLIENTS_LOCK = threading.Lock()


def client_for(assistant) -> LLMClient:
    """The assistant's LLMClient, made on first use (one per Assistant, shared by threads)."""
    with _CLIENTS_LOCK:
        client = _CLIENTS.get(assistant)
        if client is None or client.settings is not assistant.settings:
            client = _CLIENTS[assistant] = LLMClient(assistant.settings)
        return client


def _messages(system: str, user: str):
    from langchain_core.messages import HumanMessage, SystemMessage

    return [SystemMessage(system), HumanMessage(user)]


class LLMClient:
    def __init__(self, settings):
        self.settings = settings
        self.breaker = CircuitBreaker(settings.llm_pause)
        self._models: dict[str, object] = {}
        self._checked = False
        self._lock = threading.Lock()

    @property
    def where(self) -> str:
        try:
            return backends.server_url(self.settings)
        except LLMUnavailable:
            return str(self.settings.llm_base_url)

    def paused(self) -> str | None:
        """Why the LLM is skipped right now, or None when it may be used."""
        left = self.breaker.open_for()
        if not left:
            return None
        return (
            f"{self.breaker.last_error} (after a failure the LLM is skipped for "
            f"{self.breaker.pause:g} s, ASSISTANT_LLM_PAUSE; {left:.0f} s to go)"
        )

    def _model(self, purpose: str):
        with self._lock:
            if purpose not in self._models:
                limit = REWRITE_MAX_TOKENS if purpose == "rewrite" else None
                self._models[purpose] = backends.make_chat_model(self.settings, limit)
            return self._models[purpose]

    def _ensure_checked(self, deadline: Deadline) -> None:
        if self._checked:
            return
        backends.check_model(self.settings, timeout=max(0.5, min(10.0, deadline.left())))
        self._checked = True

    def stream(self, system: str, user: str, deadline: Deadline, purpose: str = "answer") -> Iterator[str]:
        """The reply's text pieces. Raises LLMUnavailable (and opens the breaker) on failure."""
        reason = self.paused()
        if reason:
            raise LLMUnavailable(reason, "paused")
        try:
            deadline.check()
            model = self._model(purpose)  # first: a missing [llm] extra says how to install it
            self._ensure_checked(deadline)
            for chunk in stream_within(lambda: model.stream(_messages(system, user)), deadline):
                content = chunk.content
                if isinstance(content, str) and content:
                    yield content
        except Exception as exc:  # every backend failure becomes advice, never a stack trace
            provider = (self.settings.llm or "").partition(":")[0]
            model_name = (self.settings.llm or "").partition(":")[2]
            error = explain(exc, self.where, model_name, provider, deadline.seconds)
            self.breaker.failed(error)
            raise error from exc
        self.breaker.succeeded()
