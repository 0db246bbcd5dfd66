"""The default answerer: no LLM. It quotes the one to three sentences of the retrieved passages
that best answer the question, each cited, or says the documents don't hold the answer."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from langchain_core.documents import Document

from assistant.answer_types import Answer, Citation
from assistant.text import terms
from ingest.embeddings import read_sentence_vectors
from ingest.sentences import sentence_spans

# Weights of a sentence's score, fitted on SQuAD 2.0 (see benchmarks/tune_extractive.py).
W_DENSE, W_LEXICAL, W_PASSAGE = 0.5, 0.5, 0.15
# Further sentences join the best one only when they score nearly as well.
KEEP_WITHIN = 0.12
REFUSAL = "The documents don't contain an answer to this question."


@dataclass
class Sentence:
    chunk: Document
    start: int  # offsets into the document's extracted text
    end: int
    text: str
    dense: float
    lexical: float
    score: float


def score_sentences(
    question_terms: list[str], qvec: np.ndarray, docs: list[Document], idf
) -> list[Sentence]:
    """Every sentence of the retrieved chunks, scored; best first, each sentence once."""
    q_terms = set(question_terms)
    q_weight = sum(idf(t) for t in q_terms) or 1.0
    seen: set[tuple[str, int]] = set()
    out: list[Sentence] = []
    for rank, doc in enumerate(docs):
        meta = doc.metadata
        spans, vectors = read_sentence_vectors(meta)
        if not spans:
            spans = sentence_spans(doc.page_content)
        passage_prior = 1.0 / (1 + rank)
        for i, (a, b) in enumerate(spans):
            start = meta.get("start", 0) + a
            key = (meta.get("source", ""), start)
            if key in seen:  # the same sentence in two overlapping chunks
                continue
            seen.add(key)
            text = doc.page_content[a:b]
            dense = float(vectors[i] @ qvec) if vectors is not None else float(meta.get("dense", 0))
            overlap = q_terms & set(terms(text))
            lexical = sum(idf(t) for t in overlap) / q_weight
            score = W_DENSE * dense + W_LEXICAL * lexical + W_PASSAGE * passage_prior
            out.append(Sentence(doc, start, start + len(text), text, dense, lexical, score))
    out.sort(key=lambda s: s.score, reverse=True)
    return out


def choose(sentences: list[Sentence], max_sentences: int) -> list[Sentence]:
    """The best sentence, plus up to max_sentences-1 more that score within KEEP_WITHIN of it,
    in document order."""
    if not sentences:
        return []
    best = sentences[0]
    picked = [s for s in sentences[:max_sentences] if s.score >= best.score - KEEP_WITHIN]
    rank_of_doc = {}
    for s in sentences:
        rank_of_doc.setdefault(s.chunk.metadata.get("source", ""), len(rank_of_doc))
    return sorted(picked, key=lambda s: (rank_of_doc[s.chunk.metadata.get("source", "")], s.start))


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
    sentences: list[Sentence], threshold: float, max_sentences: int = 3
) -> Answer:
    if not sentences:
        return Answer(text=REFUSAL, found=False, confidence=0.0)
    confidence = sentences[0].score
    if confidence < threshold:
        closest, seen_chunks = [], set()
        for s in sentences:  # the best sentence of each of the closest passages
            if s.chunk.id not in seen_chunks:
                seen_chunks.add(s.chunk.id)
                closest.append(s)
            if len(closest) == 3:
                break
        cites = [citation(i + 1, s) for i, s in enumerate(closest)]
        return Answer(text=REFUSAL, found=False, citations=cites, confidence=round(confidence, 4))
    picked = choose(sentences, max_sentences)
    cites = [citation(i + 1, s) for i, s in enumerate(picked)]
    text = " ".join(f"{c.quote} [{c.n}]" for c in cites)
    return Answer(text=text, found=True, citations=cites, confidence=round(confidence, 4))
