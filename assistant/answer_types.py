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
    page: int | None = None  # the page (PDF, Word) or slide the quote starts on
    page_label: str = ""  # "slide" where `page` is a slide number; "" for a page

    @property
    def where(self) -> str:
        """"p. 3", "slide 3", or "" without a page."""
        if not self.page:
            return ""
        return f"slide {int(self.page)}" if self.page_label == "slide" else f"p. {int(self.page)}"
    headings: str = ""  # the heading path the quote sits under ("Guide > CORS > Preflight")

    @property
    def name(self) -> str:
        return self.source.replace("\\", "/").rsplit("/", 1)[-1]


@dataclass
class ShortAnswer:
    """The name, date or number that answers the question, inside citation n's quote."""

    text: str
    n: int  # the citation whose quote holds it
    start: int  # offsets inside that quote: quote[start:end] == text
    end: int


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
    # estimated probability (0-1) that the answer is supported by the quoted passages; below
    # the refusal threshold the assistant says the documents don't contain an answer
    confidence: float = 0.0
    mode: str = "extractive"  # "extractive" or "llm"
    flags: list[Flag] = field(default_factory=list)
    notice: str | None = None  # e.g. why the LLM was not used this time
    question: str = ""  # the question as retrieval saw it (follow-ups resolved)
    short: ShortAnswer | None = None  # for who/when/how-many questions: the answer itself

    @property
    def confidence_words(self) -> str:
        """Answer.confidence as a person reads it."""
        if not self.found:
            return "the documents don't seem to answer this"
        if self.mode == "llm" and self.flags:
            return "partly backed by the sources"
        if self.confidence >= 0.75:
            return "high confidence"
        if self.confidence >= 0.5:
            return "fair confidence"
        return "low confidence: check the sources"

    def to_dict(self) -> dict:
        out = asdict(self)
        out["confidence_words"] = self.confidence_words
        return out
