"""One snapshot of the lexical index and BM25 scoring over its live chunks."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from langchain_core.documents import Document

from assistant.lexical.segments import Segment, hash_term

K1, B = 1.5, 0.75  # bm25s's defaults


class DocFreq:
    """term -> number of live chunks holding it (a read-only mapping, computed on demand).
    It holds the segments, not the index: a cycle between the two would keep each replaced
    snapshot's memory maps alive until Python's cycle collector happened to run (a reader's RSS
    grew ~0.7 MB a refresh at 350k chunks)."""

    def __init__(self, segments: list[Segment]) -> None:
        self._segments = segments
        self._cache: dict[str, int] = {}

    def get(self, term: str, default: int = 0) -> int:
        n = self[term]
        return n if n else default

    def __getitem__(self, term: str) -> int:
        n = self._cache.get(term)
        if n is None:
            h = hash_term(term)
            n = self._cache[term] = sum(s.df(h) for s in self._segments)
        return n

    def __contains__(self, term: str) -> bool:
        return self[term] > 0


@dataclass
class LexicalIndex:
    """One snapshot of the index: `generation` (of the store it holds), `count` (live chunks),
    `empty`, `idf(term)`, `doc_freq` (term -> chunks holding it; `.get(term, 0)`) and
    `search(terms, k)` -> [(Document, score)], best first."""

    generation: int
    segments: list[Segment]
    store: object = None  # the ChunkStore, for the text of hits
    identity: str | None = None  # the store collection it was built from
    count: int = field(init=False, default=0)
    avg_len: float = field(init=False, default=1.0)
    doc_freq: DocFreq = field(init=False)

    def __post_init__(self) -> None:
        self.doc_freq = DocFreq(self.segments)
        self.count = sum(s.n_live for s in self.segments)
        total = sum(s.live_len() for s in self.segments)
        self.avg_len = total / self.count if self.count else 1.0

    @property
    def empty(self) -> bool:
        return self.count == 0

    def idf(self, term: str) -> float:
        # Words the corpus never uses get the most weight, so a question about something the
        # documents never mention scores low (tried smoothing this: refusals got worse).
        n = self.count
        df = self.doc_freq.get(term, 0)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def scores(
        self, query_terms: list[str], k: int, allowed: Iterable[str] | None = None
    ) -> list[tuple[str, float]]:
        """(chunk id, BM25 score) of the k best chunks with a positive score. `allowed`: only
        these chunk ids may be returned (a question scoped to some documents). Chunk ids are
        hashes that include the document's source (ingest.sync.chunk_key), so an id set is an
        exact stand-in for a source set; statistics (idf, lengths) stay corpus-wide."""
        if self.empty or not query_terms or k <= 0:
            return []
        wanted = None
        if allowed is not None:
            wanted = np.array(sorted({i.encode("utf-8") for i in allowed}), dtype="S64")
            if not len(wanted):
                return []
        hashed = [(hash_term(t), self.idf(t)) for t in dict.fromkeys(query_terms)]
        best: list[tuple[float, str]] = []
        for seg in self.segments:
            if not seg.n_live:
                continue
            mask = None
            if wanted is not None:
                rows = seg.find(wanted)  # live rows only
                if not len(rows):
                    continue
                mask = np.zeros(seg.n, dtype=bool)
                mask[rows] = True
            scores = np.zeros(seg.n, dtype=np.float32)
            hit = False
            for h, idf in hashed:
                got = seg.postings(h)
                if got is None:
                    continue
                rows, tf = got
                tf = np.asarray(tf, dtype=np.float32)
                norm = K1 * (1 - B + B * np.asarray(seg.lens[rows], dtype=np.float32) / self.avg_len)
                scores[rows] += idf * tf * (K1 + 1) / (tf + norm)
                hit = True
            if not hit:
                continue
            if seg.live is not None:
                scores[~seg.live] = 0
            if mask is not None:
                scores[~mask] = 0
            top = min(k, seg.n)
            idx = np.argpartition(-scores, top - 1)[:top]
            best.extend((float(scores[i]), seg.ids[i].decode("utf-8")) for i in idx if scores[i] > 0)
        best.sort(key=lambda x: -x[0])
        return [(id_, score) for score, id_ in best[:k]]

    def search(
        self, query_terms: list[str], k: int, allowed: Iterable[str] | None = None
    ) -> list[tuple[Document, float]]:
        hits = self.scores(query_terms, k, allowed)
        if not hits or self.store is None:
            return []
        found = self.store.get_chunks([i for i, _ in hits])
        return [
            (Document(page_content=found[i][0], metadata=found[i][1], id=i), score)
            for i, score in hits if i in found
        ]
