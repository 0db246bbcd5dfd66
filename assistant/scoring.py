"""How well each answer unit of a chunk matches a question: shared by retrieval's rerank and the
answerer."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from langchain_core.documents import Document

from assistant.text import STOPWORDS, terms, words
from ingest.embeddings import chunk_units, read_context_vector, read_unit_vectors

# Question terms found only in the passage's heading path or title count this much: "reload"
# under the heading "run" answers "does run reload?" better than "reload" under "dev" does.
W_CONTEXT = 0.5
# Retrieval's rerank scores a chunk by its best unit: meaning first, shared rare words second
# (fitted on SQuAD 2.0: recall@1 0.87 with rank fusion alone, 0.93 with this rerank).
W_DENSE, W_LEXICAL = 0.5, 0.3
# The most words an identifier spelled out in a question is looked for as ("raise for status").
MAX_IDENTIFIER_WORDS = 3
# A term no document holds: its idf is the most a question word can weigh.
UNSEEN_TERM = "\x00never-a-term"


@dataclass
class Query:
    text: str
    vector: np.ndarray
    terms: set[str]
    idf: object  # term -> float
    weight: float  # total idf of the query's terms
    doc_freq: object = None  # term -> number of chunks holding it (None: unknown)
    avoid: str = ""  # for a follow-up: the previous answer, which it must not just repeat
    asked: str = ""  # for a follow-up: the question as typed (text holds the earlier turn too)
    # unit scores by chunk id: retrieval's rerank and the answerer score the same chunks
    scored: dict[str, list[SentenceScore]] = field(default_factory=dict)

    @classmethod
    def make(cls, text: str, vector, idf, doc_freq=None) -> Query:
        t = set(terms(text))
        if doc_freq is not None:
            t |= identifiers_written_apart(text, doc_freq)
        return cls(
            text, np.asarray(vector, dtype=np.float32), t, idf, sum(idf(x) for x in t) or 1.0,
            doc_freq,
        )


def identifiers_written_apart(text: str, doc_freq) -> set[str]:
    """The corpus's identifiers that the question spells as words: "base URL" for `base_url`,
    "raise for status" for `raise_for_status`. Each is one term to BM25, so the words alone
    never match it."""
    seq = words(text)
    found = set()
    for n in range(2, MAX_IDENTIFIER_WORDS + 1):
        for i in range(len(seq) - n + 1):
            part = seq[i : i + n]
            if part[0] in STOPWORDS or part[-1] in STOPWORDS:  # "how many", "is TypedDict"
                continue
            joined = terms("_".join(part))
            if len(joined) == 1 and doc_freq(joined[0]):
                found.add(joined[0])
    return found


@dataclass
class SentenceScore:
    """One answer unit of a chunk (a sentence, list item, code block, table row or heading)."""

    start: int  # relative to the chunk
    end: int
    kind: str  # ingest.units.CODES: s, i, c, r, h
    dense: float  # cosine similarity with the question
    lexical: float  # share of the question's term weight (idf) the unit (or its context) has
    score: float
    own: float = 0.0  # the share in the unit itself
    context: float = 0.0  # the share only its heading path or title has
    context_dense: float = 0.0  # cosine similarity of the question with the heading path


def score_chunk_sentences(doc: Document, q: Query) -> list[SentenceScore]:
    if doc.id is not None and doc.id in q.scored:
        return q.scored[doc.id]
    out = _score(doc, q)
    if doc.id is not None:
        q.scored[doc.id] = out
    return out


def context_terms(doc: Document) -> set[str]:
    meta = doc.metadata
    return set(terms(f"{meta.get('headings') or ''} {meta.get('title') or ''}"))


def _score(doc: Document, q: Query) -> list[SentenceScore]:
    units = chunk_units(doc)
    vectors = read_unit_vectors(doc.metadata, len(units))
    dense = vectors @ q.vector if vectors is not None else np.zeros(len(units))
    context = q.terms & context_terms(doc)
    context_vector = read_context_vector(doc.metadata)
    context_dense = float(context_vector @ q.vector) if context_vector is not None else 0.0
    out = []
    for (a, b, kind), d in zip(units, dense):
        found = q.terms & set(terms(doc.page_content[a:b]))
        own = sum(q.idf(t) for t in found) / q.weight
        ctx = sum(q.idf(t) for t in context - found) / q.weight
        lexical = own + W_CONTEXT * ctx
        out.append(SentenceScore(
            a, b, kind, float(d), lexical, W_DENSE * float(d) + W_LEXICAL * lexical, own, ctx,
            context_dense,
        ))
    return out
