"""The BM25 side of retrieval, rebuilt from the chunk store whenever a sync changed it."""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

import numpy as np
from langchain_core.documents import Document

from assistant.text import terms


@dataclass
class LexicalIndex:
    generation: int
    docs: list[Document]
    bm25: object | None  # bm25s.BM25, None for an empty store
    doc_freq: dict[str, int]

    @classmethod
    def build(cls, store) -> LexicalIndex:
        import bm25s

        generation = store.generation
        got = store.collection.get(include=["documents", "metadatas"])
        docs = [
            Document(page_content=text, metadata=meta or {}, id=id_)
            for id_, text, meta in zip(got["ids"], got["documents"], got["metadatas"])
        ]
        # The heading path is part of what a chunk is about ("Tutorial > CORS > Preflight").
        tokenized = [terms(f"{d.metadata.get('headings') or ''} {d.page_content}") for d in docs]
        doc_freq: dict[str, int] = {}
        for toks in tokenized:
            for t in set(toks):
                doc_freq[t] = doc_freq.get(t, 0) + 1
        bm25 = None
        if docs:
            bm25 = bm25s.BM25()
            bm25.index(tokenized, show_progress=False)
        return cls(generation, docs, bm25, doc_freq)

    def idf(self, term: str) -> float:
        # Words the corpus never uses get the most weight, so a question about something the
        # documents never mention scores low (tried smoothing this: refusals got worse).
        n = len(self.docs)
        df = self.doc_freq.get(term, 0)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def search(self, query_terms: list[str], k: int) -> list[tuple[Document, float]]:
        if self.bm25 is None or not query_terms:
            return []
        scores = self.bm25.get_scores(query_terms)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(self.docs[i], float(scores[i])) for i in top if scores[i] > 0]


class LexicalCache:
    """One LexicalIndex per store, rebuilt when the store's generation moves (another process may
    have ingested), so BM25 always sees what Chroma holds. The generation is read at most every
    CHECK_EVERY seconds: one question asks several times, and a read costs a Chroma call."""

    CHECK_EVERY = 0.2

    def __init__(self) -> None:
        self._index: LexicalIndex | None = None
        self._checked = 0.0
        self._lock = threading.Lock()

    def get(self, store) -> LexicalIndex:
        current = self._index
        if current is not None and time.monotonic() - self._checked < self.CHECK_EVERY:
            return current
        generation = store.generation
        self._checked = time.monotonic()
        if current is not None and current.generation == generation:
            return current
        with self._lock:
            if self._index is None or self._index.generation != store.generation:
                self._index = LexicalIndex.build(store)
            return self._index

    def invalidate(self) -> None:
        """Our own sync changed the store: look again on the next question."""
        self._checked = 0.0
