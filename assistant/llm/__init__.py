"""Optional LLM answers through LangChain chat models, every citation checked.

backends: the chat models and the model-name check; client: one Assistant's LLM with its
circuit breaker; guard: the per-answer deadline; errors: failures as advice; condense: checked
follow-up rewrites; answer: the streamed, checked answer.
"""

from assistant.llm.answer import format_passages, llm_answer, llm_stream
from assistant.llm.backends import make_chat_model
from assistant.llm.condense import condense
from assistant.llm.errors import LLMUnavailable
from assistant.llm.guard import Deadline

__all__ = [
    "Deadline", "LLMUnavailable", "condense", "format_passages", "llm_answer", "llm_stream",
    "make_chat_model",
]
