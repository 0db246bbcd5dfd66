"""Hybrid retrieval: dense (Chroma) + BM25 (bm25s) + best-sentence similarity, fused by
reciprocal rank fusion, near-duplicates dropped."""

from __future__ import annotations

from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, Field, PrivateAttr

from assistant.bm25 import LexicalCache
from assistant.text import terms
from ingest.embeddings import read_sentence_vectors


class HybridRetriever(BaseRetriever):
    """Returns the k best chunks for a query. Each Document carries its chunk metadata plus
    `score` (fused), `dense` (cosine of chunk and query), `sentence_sim` (best sentence) and
    `id`. `invoke(query, k=3)` overrides k for one call."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    store: Any = Field(description="an ingest.store.ChunkStore")
    k: int = Field(5, ge=1)
    fetch_k: int = Field(20, ge=1, description="candidates taken from each ranking")
    rrf_k: int = Field(60, description="the RRF constant: higher flattens rank differences")
    duplicate_jaccard: float = Field(0.9, description="word overlap above which a chunk is a copy")
    _lexical: LexicalCache = PrivateAttr(default_factory=LexicalCache)

    def lexical(self):
        return self._lexical.get(self.store)

    def _get_relevant_documents(
        self,
        query: str,
        *,
        run_manager: CallbackManagerForRetrieverRun | None = None,
        k: int | None = None,
        query_vector: list[float] | None = None,
    ) -> list[Document]:
        k = k or self.k
        lexical = self.lexical()
        if not lexical.docs:
            return []
        fetch = max(self.fetch_k, k)
        qvec = query_vector if query_vector is not None else self.store.embeddings.embed_query(query)
        dense = self.store.vectorstore.similarity_search_by_vector_with_relevance_scores(
            qvec, k=min(fetch, len(lexical.docs))
        )
        sparse = lexical.search(terms(query), fetch)

        candidates: dict[str, Document] = {}
        fused: dict[str, float] = {}
        for ranking in (
            [(d, 1.0 - dist) for d, dist in dense],  # cosine distance -> similarity
            sparse,
        ):
            for rank, (doc, _) in enumerate(ranking):
                candidates.setdefault(doc.id, doc)
                fused[doc.id] = fused.get(doc.id, 0.0) + 1.0 / (self.rrf_k + rank + 1)
        dense_sim = {d.id: 1.0 - dist for d, dist in dense}
        q = np.asarray(qvec, dtype=np.float32)
        # A third ranking: the best single sentence of each candidate. Questions usually
        # target one sentence, which a chunk-level vector dilutes.
        best_sentence = {}
        for id_, doc in candidates.items():
            _, vectors = read_sentence_vectors(doc.metadata)
            best_sentence[id_] = float((vectors @ q).max()) if vectors is not None else 0.0
        for rank, id_ in enumerate(sorted(best_sentence, key=best_sentence.get, reverse=True)):
            fused[id_] += 1.0 / (self.rrf_k + rank + 1)

        ranked = sorted(fused, key=fused.get, reverse=True)
        results: list[Document] = []
        kept_words: list[set[str]] = []
        for id_ in ranked:
            doc = candidates[id_]
            words = set(doc.page_content.lower().split())
            if any(_jaccard(words, other) >= self.duplicate_jaccard for other in kept_words):
                continue
            kept_words.append(words)
            meta = dict(doc.metadata)
            if id_ not in dense_sim:  # BM25-only candidate: compute its dense score too
                dense_sim[id_] = _chunk_similarity(meta, q)
            meta.update(
                id=id_, score=fused[id_], dense=dense_sim[id_], sentence_sim=best_sentence[id_]
            )
            results.append(Document(page_content=doc.page_content, metadata=meta, id=id_))
            if len(results) == k:
                break
        return results


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / (len(a | b) or 1)


def _chunk_similarity(metadata: dict, q: np.ndarray) -> float:
    _, vectors = read_sentence_vectors(metadata)
    if vectors is None:
        return 0.0
    mean = vectors.mean(axis=0)
    return float(mean @ q / (np.linalg.norm(mean) or 1.0))
