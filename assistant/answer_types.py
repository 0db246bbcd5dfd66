"""What an answer is: data, never a formatted string that callers must parse back."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


class QuestionError(ValueError):
    """The question cannot be asked as given (empty, not text); the message says how to fix it.
    The only error `answer()` raises for bad input."""


@dataclass
class Citation:
    n: int  # the [n] marker in Answer.text
    source: str  # path of the document
    quote: str  # verbatim from the document's extracted text: extracted[start:end] == quote
    start: int
    end: int
    score: float  # how well this passage matches the question (higher is better)
    title: str = ""
    passage: str = ""  # the chunk the quote sits in, for context
    passage_start: int = 0  # offset of `passage` in the extracted text
    page: int | None = None  # PDFs only

    @property
    def name(self) -> str:
        return self.source.replace("\\", "/").rsplit("/", 1)[-1]


@dataclass
class Flag:
    """A sentence of an LLM answer that its citations do not back."""

    sentence: str
    reason: str  # "no citation", "cites [n], which is not one of the passages", "not supported by [n]: ..."
    # Where the flagged sentence (with its [n] markers) sits in Answer.text: text[start:end].
    start: int = 0
    end: int = 0


@dataclass
class Answer:
    text: str  # the answer with [n] markers, or the refusal
    found: bool  # False: the documents don't hold the answer (citations = closest passages)
    citations: list[Citation] = field(default_factory=list)
    confidence: float = 0.0  # the score compared with the refusal threshold
    mode: str = "extractive"  # "extractive" or "llm"
    flags: list[Flag] = field(default_factory=list)
    notice: str | None = None  # e.g. why the LLM was not used this time
    question: str = ""  # the question as retrieval saw it (follow-ups resolved)

    def to_dict(self) -> dict:
        return asdict(self)
