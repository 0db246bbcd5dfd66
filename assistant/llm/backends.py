"""The two backends as LangChain chat models, and the model-name check against the server.

ASSISTANT_LLM=openai:MODEL is any OpenAI-compatible server (vLLM, llama.cpp, LM Studio,
Ollama's /v1; ASSISTANT_LLM_BASE_URL says where); ollama:MODEL is Ollama's own API.
"""

from __future__ import annotations

from assistant.llm.errors import LLMUnavailable, unknown_model

OPENAI_URL = "https://api.openai.com/v1"
OLLAMA_URL = "http://127.0.0.1:11434"
_EXTRA = "install the LLM extra: pip install 'doc-assistant[llm]'"


def parse_spec(spec: str | None) -> tuple[str, str]:
    provider, _, model = (spec or "").partition(":")
    if not model or provider not in ("openai", "ollama"):
        raise LLMUnavailable(
            f"ASSISTANT_LLM='{spec}' is not PROVIDER:MODEL with provider openai or ollama; use "
            "e.g. openai:qwen2.5-7b-instruct or ollama:llama3.2"
        )
    return provider, model


def server_url(settings) -> str:
    provider, _ = parse_spec(settings.llm)
    default = OLLAMA_URL if provider == "ollama" else OPENAI_URL
    return (settings.llm_base_url or default).rstrip("/")


def make_chat_model(settings, max_tokens: int | None = None):
    """The configured chat model. max_tokens caps the reply (default llm_max_tokens)."""
    provider, model = parse_spec(settings.llm)
    limit = max_tokens or settings.llm_max_tokens
    if provider == "openai":
        try:
            from langchain_openai import ChatOpenAI
        except ImportError:
            raise LLMUnavailable(_EXTRA) from None
        # langchain-openai sends the limit as `max_completion_tokens` (OpenAI's current name);
        # llama.cpp's Python server and older vLLM/LM Studio read only `max_tokens`, so a local
        # server also gets `max_tokens` through `extra_body` (the documented way to pass
        # provider-specific fields). api.openai.com gets only the name it wants.
        extra = {"max_tokens": limit} if settings.llm_base_url else None
        return ChatOpenAI(
            model=model,
            base_url=settings.llm_base_url,
            api_key=settings.llm_api_key or "not-needed",  # local servers need none; the client insists
            timeout=settings.llm_timeout,  # per read; the answer's deadline is in guard.py
            max_retries=0,  # a retry would pay the timeout twice; the circuit breaker decides
            temperature=0,
            max_tokens=limit,
            extra_body=extra,
            use_responses_api=False,  # the Chat Completions API every compatible server speaks
        )
    try:
        from langchain_ollama import ChatOllama
    except ImportError:
        raise LLMUnavailable(_EXTRA) from None
    return ChatOllama(
        model=model, base_url=server_url(settings), temperature=0, num_predict=limit,
        client_kwargs={"timeout": settings.llm_timeout},
    )


def _matches(wanted: str, served: str) -> bool:
    # Ollama lists "llama3.2:latest" for "llama3.2".
    return served == wanted or served == f"{wanted}:latest"


def check_model(settings, timeout: float) -> None:
    """Confirm that the server serves the configured model (GET /v1/models, or Ollama's
    /api/tags). Raises LLMUnavailable naming the models it has. A server without the listing
    endpoint (404/405) is taken on trust; connection errors propagate for errors.explain."""
    import httpx

    provider, model = parse_spec(settings.llm)
    base = server_url(settings)
    url = f"{base}/api/tags" if provider == "ollama" else f"{base}/models"
    headers = {"Authorization": f"Bearer {settings.llm_api_key}"} if settings.llm_api_key else {}
    response = httpx.get(url, headers=headers, timeout=timeout)
    if response.status_code in (404, 405, 501):
        return
    response.raise_for_status()
    try:
        body = response.json()
        entries = body.get("models" if provider == "ollama" else "data") or []
        served = [str(e.get("name") or e.get("id") or e.get("model")) for e in entries]
    except (ValueError, AttributeError, TypeError):
        return  # not the documented shape: nothing to confirm against
    if served and not any(_matches(model, s) for s in served):
        raise unknown_model(base, model, provider, served)
