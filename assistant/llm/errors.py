"""What went wrong with the LLM, in words that say what to do next.

Four causes need four different fixes: the server is not there (start it, fix the URL), it is
too slow (smaller model, fewer tokens, longer timeout), it does not have the model (use a name
it lists), or it refused the request (key, context length, its own log). Backend exceptions
(openai, ollama, httpx) are mapped onto these by type and HTTP status, never by import, so this
module works whichever backend is installed.
"""

from __future__ import annotations

UNREACHABLE, TIMEOUT, UNKNOWN_MODEL, REFUSED, SETUP, FAILED = (
    "unreachable", "timeout", "unknown model", "refused", "setup", "failed",
)


class LLMUnavailable(Exception):
    """The configured LLM cannot be used; str() says why and what to do."""

    def __init__(self, message: str, kind: str = SETUP):
        super().__init__(message)
        self.kind = kind


class DeadlineExceeded(TimeoutError):
    """The answer's overall time limit (ASSISTANT_LLM_TIMEOUT) ran out."""


def _chain(exc: BaseException):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def _names(exc: BaseException) -> set[str]:
    return {cls.__name__ for cls in type(exc).__mro__}


def _status(exc: BaseException) -> int | None:
    code = getattr(exc, "status_code", None)
    if code is None:
        code = getattr(getattr(exc, "response", None), "status_code", None)
    return code if isinstance(code, int) and code > 0 else None


def _message(exc: BaseException) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        msg = inner.get("message") if isinstance(inner, dict) else inner
        if msg:
            return str(msg)[:300]
    return (getattr(exc, "error", None) or str(exc) or type(exc).__name__)[:300]


def explain(exc: BaseException, where: str, model: str, provider: str, timeout: float) -> LLMUnavailable:
    """An LLMUnavailable naming the cause of a backend exception and the fix."""
    if isinstance(exc, LLMUnavailable):
        return exc
    chain = list(_chain(exc))
    names = set().union(*(_names(e) for e in chain))
    if isinstance(exc, DeadlineExceeded) or names & {"APITimeoutError", "TimeoutException", "TimeoutError", "ReadTimeout"}:
        return LLMUnavailable(
            f"the LLM at {where} did not finish within {timeout:g} s (ASSISTANT_LLM_TIMEOUT); "
            "use a smaller or faster model, lower ASSISTANT_LLM_MAX_TOKENS, or raise "
            "ASSISTANT_LLM_TIMEOUT",
            TIMEOUT,
        )
    status = next((s for e in chain if (s := _status(e))), None)
    if status is None and names & {"APIConnectionError", "ConnectError", "ConnectionError", "RequestError", "OSError"}:
        return LLMUnavailable(
            f"cannot reach the LLM server at {where}; start it, or set ASSISTANT_LLM_BASE_URL "
            "to the address it listens on",
            UNREACHABLE,
        )
    if status is not None:
        message = _message(next(e for e in chain if _status(e)))
        if status == 404 and "model" in message.lower():
            return unknown_model(where, model, provider, None, message)
        return refused(where, status, message)
    return LLMUnavailable(f"the LLM at {where} failed ({type(exc).__name__}: {_message(exc)})", FAILED)


def unknown_model(where: str, model: str, provider: str, available: list[str] | None, detail: str = "") -> LLMUnavailable:
    listed = f" (it has: {', '.join(available[:10])})" if available else ""
    said = f" ({detail})" if detail and not available else ""
    fix = (
        f"run `ollama pull {model}`, or set ASSISTANT_LLM=ollama:NAME with a model it has"
        if provider == "ollama"
        else f"set ASSISTANT_LLM={provider}:NAME with a model it serves"
    )
    return LLMUnavailable(
        f"the LLM server at {where} has no model '{model}'{listed}{said}; {fix}", UNKNOWN_MODEL
    )


def refused(where: str, status: int, message: str) -> LLMUnavailable:
    if status in (401, 403):
        fix = "check ASSISTANT_LLM_API_KEY"
    elif status == 429:
        fix = "the server is rate-limiting; wait, or raise its limits"
    elif status in (400, 413, 422):
        fix = (
            "the prompt may exceed the model's context: lower ASSISTANT_K or "
            "ASSISTANT_LLM_MAX_TOKENS, or start the server with a larger context"
        )
    elif status >= 500:
        fix = "the server failed; see its log"
    else:
        fix = "see the server's log"
    return LLMUnavailable(
        f"the LLM server at {where} refused the request (HTTP {status}: {message}); {fix}", REFUSED
    )
