"""The default answerer: no LLM. It quotes the one to three sentences of the retrieved passages
that best answer the question, each cited, or says the documents don't hold the answer."""

from __future__ import annotations

from dataclasses import dataclass

from langchain_core.documents import Document

from assistant.answer_types import Answer, Citation
from assistant.scoring import C_DENSE, C_LEXICAL, Query, evidence_penalty, score_chunk_sentences

# A passage's retrieval rank adds W_PASSAGE / (1 + rank) to its sentences' scores.
W_PASSAGE = 0.15
# Further sentences join the best one only when they score nearly as well.
KEEP_WITHIN = 0.15
# Shorter "sentences" (a Markdown heading, a "(Reuters)" credit) are context, not answers.
MIN_ANSWER_WORDS = 3
REFUSAL = "The documents don't contain an answer to this question."


@dataclass
class Sentence:
    chunk: Document
    start: int  # offsets into the document's extracted text
    end: int
    text: str
    score: float  # for ranking
    support: float  # for deciding whether it answers at all

    @property
    def source(self) -> str:
        return self.chunk.metadata.get("source", "")


def rank_sentences(q: Query, docs: list[Document]) -> list[Sentence]:
    """Every sentence of the retrieved chunks, scored; best first, each sentence once."""
    seen: set[tuple[str, int]] = set()
    out: list[Sentence] = []
    short: list[Sentence] = []
    for rank, doc in enumerate(docs):
        offset = doc.metadata.get("start", 0)
        for s in score_chunk_sentences(doc, q):
            key = (doc.metadata.get("source", ""), offset + s.start)
            if key in seen:  # the same sentence in two overlapping chunks
                continue
            seen.add(key)
            text = doc.page_content[s.start : s.end]
            score = s.score + W_PASSAGE / (1 + rank)
            support = C_DENSE * s.dense + C_LEXICAL * s.lexical
            sentence = Sentence(doc, offset + s.start, offset + s.end, text, score, support)
            (out if len(text.split()) >= MIN_ANSWER_WORDS else short).append(sentence)
    out = out or short  # a passage of nothing but short lines still gets an answer
    out.sort(key=lambda s: s.score, reverse=True)
    return out


def choose(sentences: list[Sentence], max_sentences: int) -> list[Sentence]:
    """The best sentence, plus up to max_sentences-1 more scoring within KEEP_WITHIN of it; in
    document order, documents in the order of their best sentence."""
    best = sentences[0]
    picked = [s for s in sentences[:max_sentences] if s.score >= best.score - KEEP_WITHIN]
    doc_rank: dict[str, int] = {}
    for s in picked:
        doc_rank.setdefault(s.source, len(doc_rank))
    return sorted(picked, key=lambda s: (doc_rank[s.source], s.start))


def citation(n: int, s: Sentence) -> Citation:
    meta = s.chunk.metadata
    return Citation(
        n=n,
        source=meta.get("source", ""),
        quote=s.text,
        start=s.start,
        end=s.end,
        score=round(s.score, 4),
        title=meta.get("title", ""),
        passage=s.chunk.page_content,
        passage_start=meta.get("start", 0),
        page=meta.get("page"),
    )


def extractive_answer(
    q: Query, docs: list[Document], threshold: float, max_sentences: int = 3
) -> Answer:
    sentences = rank_sentences(q, docs)
    if not sentences:
        return Answer(text=REFUSAL, found=False)
    picked = choose(sentences, max_sentences)
    answer_text = " ".join(s.text for s in picked)
    confidence = sentences[0].support - evidence_penalty(
        q.text, answer_text, sentences[0].chunk.page_content
    )
    if confidence < threshold:
        closest, seen_chunks = [], set()
        for s in sentences:  # the best sentence of each of the closest passages
            if s.chunk.id not in seen_chunks:
                seen_chunks.add(s.chunk.id)
                closest.append(s)
        cites = [citation(i + 1, s) for i, s in enumerate(closest[:3])]
        return Answer(text=REFUSAL, found=False, citations=cites, confidence=round(confidence, 4))
    cites = [citation(i + 1, s) for i, s in enumerate(picked)]
    text = " ".join(f"{c.quote} [{c.n}]" for c in cites)
    return Answer(text=text, found=True, citations=cites, confidence=round(confidence, 4))
