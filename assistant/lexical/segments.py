"""Immutable segments of the lexical index: sorted chunk ids, lengths and postings by 64-bit term
hash, as .npy files that readers memory-map."""

from __future__ import annotations

import hashlib
import uuid
from collections import Counter
from pathlib import Path

import numpy as np

from assistant.text import terms

PARTS = ("ids", "len", "terms", "ptr", "rows", "tf")


def hash_term(term: str) -> int:
    return int.from_bytes(hashlib.blake2b(term.encode("utf-8"), digest_size=8).digest(), "little")


def chunk_text(text: str, meta: dict) -> str:
    # The heading path is part of what a chunk is about ("Tutorial > CORS > Preflight").
    return f"{meta.get('headings') or ''} {text}"


class Segment:
    def __init__(self, folder: Path, name: str, deleted: str | None) -> None:
        self.name, self.deleted_file = name, deleted
        arrays = {p: np.load(folder / f"{name}.{p}.npy", mmap_mode="r") for p in PARTS}
        self.ids, self.lens, self.terms = arrays["ids"], arrays["len"], arrays["terms"]
        self.ptr, self.rows, self.tf = arrays["ptr"], arrays["rows"], arrays["tf"]
        self.deleted = np.load(folder / deleted) if deleted else np.zeros(0, dtype=np.int64)
        self.n = len(self.ids)
        self.live = None
        if len(self.deleted):
            self.live = np.ones(self.n, dtype=bool)
            self.live[self.deleted] = False

    @property
    def n_live(self) -> int:
        return self.n - len(self.deleted)

    def live_len(self) -> int:
        total = int(np.asarray(self.lens, dtype=np.int64).sum())
        if len(self.deleted):
            total -= int(np.asarray(self.lens[self.deleted], dtype=np.int64).sum())
        return total

    def postings(self, h: int):
        i = int(np.searchsorted(self.terms, np.uint64(h)))
        if i >= len(self.terms) or int(self.terms[i]) != h:
            return None
        a, b = int(self.ptr[i]), int(self.ptr[i + 1])
        return self.rows[a:b], self.tf[a:b]

    def df(self, h: int) -> int:
        got = self.postings(h)
        if got is None:
            return 0
        return len(got[0]) if self.live is None else int(np.count_nonzero(self.live[got[0]]))

    def find(self, ids: np.ndarray) -> np.ndarray:
        """Rows (live ones) holding these ids (an "S64" array)."""
        if not self.n or not len(ids):
            return np.zeros(0, dtype=np.int64)
        at = np.searchsorted(self.ids, ids)
        ok = at < self.n
        at, ids = at[ok], ids[ok]
        rows = at[np.asarray(self.ids[at]) == ids].astype(np.int64)
        if self.live is not None:
            rows = rows[self.live[rows]]
        return rows

    def postings_table(self):
        """(term hash, row, tf) of every live posting."""
        counts = np.diff(np.asarray(self.ptr))
        hashes = np.repeat(np.asarray(self.terms), counts)
        rows, tf = np.asarray(self.rows), np.asarray(self.tf)
        if self.live is not None:
            keep = self.live[rows]
            hashes, rows, tf = hashes[keep], rows[keep], tf[keep]
        return hashes, rows, tf


def write_segment(folder: Path, ids: np.ndarray, lens: np.ndarray, hashes: np.ndarray,
                   rows: np.ndarray, tf: np.ndarray) -> str:
    """Write a segment from postings (any order); returns its name."""
    name = f"seg-{uuid.uuid4().hex[:12]}"
    order = np.lexsort((rows, hashes))
    hashes, rows, tf = hashes[order], rows[order], tf[order]
    uniq, starts = np.unique(hashes, return_index=True)
    ptr = np.append(starts, len(hashes)).astype(np.int64)
    parts = {"ids": ids, "len": lens.astype(np.int32), "terms": uniq.astype(np.uint64),
             "ptr": ptr, "rows": rows.astype(np.int32), "tf": np.minimum(tf, 65535).astype(np.uint16)}
    for part, array in parts.items():
        np.save(folder / f"{name}.{part}.npy", array)
    return name


def segment_from_chunks(folder: Path, chunks: list[tuple[str, str]]) -> tuple[str, int]:
    """(name, rows) of a new segment holding these (id, text) chunks."""
    chunks = sorted(dict(chunks).items())
    vocab: dict[str, int] = {}
    tids: list[int] = []
    rows: list[int] = []
    tfs: list[int] = []
    lens = np.zeros(len(chunks), dtype=np.int32)
    for row, (_, text) in enumerate(chunks):
        toks = terms(text)
        lens[row] = len(toks)
        for term, count in Counter(toks).items():
            tids.append(vocab.setdefault(term, len(vocab)))
            rows.append(row)
            tfs.append(count)
    hashes = np.array([hash_term(t) for t in vocab], dtype=np.uint64)
    ids = np.array([i.encode("utf-8") for i, _ in chunks], dtype="S64")
    name = write_segment(
        folder, ids, lens, hashes[np.array(tids, dtype=np.int64)] if tids else np.zeros(0, np.uint64),
        np.array(rows, dtype=np.int64), np.array(tfs, dtype=np.int64),
    )
    return name, len(chunks)
