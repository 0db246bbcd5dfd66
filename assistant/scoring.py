"""How well one sentence answers a question: shared by retrieval's rerank and the answerer."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
from langchain_core.documents import Document

from assistant.text import terms
from ingest.embeddings import read_sentence_vectors
from ingest.sentences import sentence_spans

# Ranking sentences: meaning first, shared rare words second (fitted on SQuAD 2.0 and the seed
# QA set: answer accuracy 0.95 and 0.93 with up to three sentences).
W_DENSE, W_LEXICAL = 0.5, 0.3
# Confidence that the best sentence answers: here the question's distinctive words must be in
# it. Questions about things the documents never mention then score low, paraphrases of what
# they do say still pass (benchmarks/calibrate_refusal.py picks the threshold).
C_DENSE, C_LEXICAL = 0.5, 2.0


@dataclass
class Query:
    text: str
    vector: np.ndarray
    terms: set[str]
    idf: object  # term -> float
    weight: float  # total idf of the query's terms
    # sentence scores by chunk id: retrieval's rerank and the answerer score the same chunks
    scored: dict[str, list[SentenceScore]] = field(default_factory=dict)

    @classmethod
    def make(cls, text: str, vector, idf) -> Query:
        t = set(terms(text))
        return cls(text, np.asarray(vector, dtype=np.float32), t, idf, sum(idf(x) for x in t) or 1.0)


@dataclass
class SentenceScore:
    start: int  # relative to the chunk
    end: int
    dense: float  # cosine similarity with the question
    lexical: float  # share of the question's term weight (idf) the sentence contains
    score: float


def score_chunk_sentences(doc: Document, q: Query) -> list[SentenceScore]:
    if doc.id is not None and doc.id in q.scored:
        return q.scored[doc.id]
    out = _score(doc, q)
    if doc.id is not None:
        q.scored[doc.id] = out
    return out


def _score(doc: Document, q: Query) -> list[SentenceScore]:
    spans, vectors = read_sentence_vectors(doc.metadata)
    if not spans:  # a chunk from an index without sentence vectors: lexical only
        spans = sentence_spans(doc.page_content) or [(0, len(doc.page_content))]
    dense = vectors @ q.vector if vectors is not None else np.zeros(len(spans))
    out = []
    for (a, b), d in zip(spans, dense):
        overlap = q.terms & set(terms(doc.page_content[a:b]))
        lexical = sum(q.idf(t) for t in overlap) / q.weight
        out.append(SentenceScore(a, b, float(d), lexical, W_DENSE * float(d) + W_LEXICAL * lexical))
    return out


_WANTS_NUMBER = re.compile(
    r"\b(how (many|much|long|old|far|large|big|often)|what (year|percentage|number|date)|when)\b", re.I
)
_NUMBER = re.compile(
    r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|hundred|thousand|"
    r"million|billion|dozen|century|decade)s?\b", re.I
)
_NAME = re.compile(r"(?<!^)(?<![.?!]\s)\b([A-Z][\w-]+|\d[\d,.]*)")


def evidence_penalty(question: str, answer_text: str, passage_text: str) -> float:
    """Signs that the passage does not answer even though it matches: the question asks for a
    number and the answer has none, or names something the passage never mentions."""
    penalty = 0.0
    if _WANTS_NUMBER.search(question) and not _NUMBER.search(answer_text):
        penalty += 0.1
    passage_terms = set(terms(passage_text))
    missing = {n for n in _NAME.findall(question) if terms(n) and not set(terms(n)) <= passage_terms}
    return penalty + 0.1 * min(len(missing), 2)
