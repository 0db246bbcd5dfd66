"""Candidate answers: every answer unit of the retrieved passages, composed into what would be
quoted (a lead-in together with the list, code or table it introduces), with the context it
sits in (its heading path and the document title)."""

from __future__ import annotations

from dataclasses import dataclass, field

from langchain_core.documents import Document

from assistant.scoring import Query, SentenceScore, score_chunk_sentences
from ingest.split import HEADING_AT_KEY, path_headings

# A lead-in ("... can take any of the following values:") is quoted with what follows it, up to
# this many characters in all.
MAX_COMPOSED_CHARS = 700
_FOLLOWERS = frozenset("icr")  # list items, code blocks, table rows


@dataclass
class Candidate:
    doc: Document
    rank: int  # the passage's place in the retrieval ranking
    unit: SentenceScore  # the unit the candidate starts from (its scores)
    start: int  # offsets of the quote in the chunk's text (the unit, or unit + what it leads)
    end: int
    kinds: str  # kinds of the units quoted, e.g. "s" or "iii" for a lead-in item and its list
    features: dict[str, float] = field(default_factory=dict)
    score: float = 0.0
    prev_lex: float = 0.0  # the question's share in the unit just before, in the same chunk
    repeated: bool = False  # quoted by the previous answer (see Query.avoid)
    stuffed: bool = False  # a keyword list, not a sentence (see features.keyword_list)

    @property
    def text(self) -> str:
        return self.doc.page_content[self.start : self.end]

    @property
    def source(self) -> str:
        return self.doc.metadata.get("source", "")

    @property
    def doc_start(self) -> int:
        """Offset of the quote in the document's extracted text."""
        return self.doc.metadata.get("start", 0) + self.start

    @property
    def headings(self) -> str:
        return str(self.doc.metadata.get("headings") or "")

    @property
    def heading_parts(self) -> list[tuple[str, tuple[int, int]]]:
        """Each heading of the path with its offsets in the document, outermost first; only the
        nearest one for a chunk stored without the path's offsets (an index written before)."""
        titles = self.headings.split(" > ") if self.headings else []
        spans = [(a, b) for a, b, _ in path_headings(self.doc.metadata)]
        if spans and len(spans) == len(titles) and all(b - a == len(t) for t, (a, b) in zip(titles, spans)):
            return list(zip(titles, spans))
        nearest = str(self.doc.metadata.get(HEADING_AT_KEY) or "").split(",")
        if titles and len(nearest) == 2:
            a, b = int(nearest[0]), int(nearest[1])
            if b - a == len(titles[-1]):
                return [(titles[-1], (a, b))]
        return []

    @property
    def context(self) -> str:
        """Where the quote sits: its heading path, else the document title."""
        return self.headings or str(self.doc.metadata.get("title") or "")


def _compose(units: list[SentenceScore], i: int, text: str) -> tuple[int, str]:
    """(end, kinds) of unit i together with the list/code/table it introduces."""
    unit = units[i]
    end, kinds = unit.end, unit.kind
    if not text[unit.start : unit.end].rstrip().endswith(":"):
        return end, kinds
    for follower in units[i + 1 :]:
        if follower.kind not in _FOLLOWERS or follower.end - unit.start > MAX_COMPOSED_CHARS:
            break
        end, kinds = follower.end, kinds + follower.kind
    return end, kinds


def candidates(q: Query, docs: list[Document]) -> list[Candidate]:
    """Every unit of the retrieved chunks but headings (context, never answers), each sentence
    once even when overlapping chunks both hold it."""
    seen: set[tuple[str, int]] = set()
    out: list[Candidate] = []
    for rank, doc in enumerate(docs):
        offset = doc.metadata.get("start", 0)
        units = score_chunk_sentences(doc, q)
        for i, unit in enumerate(units):
            if unit.kind == "h":
                continue
            key = (doc.metadata.get("source", ""), offset + unit.start)
            if key in seen:
                continue
            seen.add(key)
            end, kinds = _compose(units, i, doc.page_content)
            prev = max((u.own for u in units[max(0, i - 2) : i] if u.kind != "h"), default=0.0)
            out.append(Candidate(doc, rank, unit, unit.start, end, kinds, prev_lex=prev))
    return out
