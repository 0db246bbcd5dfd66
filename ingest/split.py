"""Sentence-aware chunks that remember where they came from.

Invariant: for every chunk, extracted_text[start:end] == chunk.page_content.
"""

from __future__ import annotations

from typing import Any

from langchain_core.documents import Document
from langchain_text_splitters import TextSplitter

from ingest.load import LoadedDocument
from ingest.sentences import sentence_pieces


class SentenceTextSplitter(TextSplitter):
    """Packs whole sentences into chunks of about chunk_size characters, repeating whole
    sentences (at most chunk_overlap characters) between neighbours. LangChain's merge and
    start-index logic do the packing; we only supply sentence pieces that concatenate back to
    the original text, so every chunk is an exact substring of it."""

    def __init__(self, chunk_size: int = 600, chunk_overlap: int = 120, **kwargs: Any) -> None:
        kwargs.setdefault("add_start_index", True)
        kwargs.setdefault("keep_separator", True)
        super().__init__(chunk_size=chunk_size, chunk_overlap=chunk_overlap, **kwargs)

    def split_text(self, text: str) -> list[str]:
        pieces: list[str] = []
        for piece in sentence_pieces(text):
            pieces.extend(self._cut_long(piece))
        return self._merge_splits(pieces, "")

    def _cut_long(self, piece: str) -> list[str]:
        """A 'sentence' longer than a chunk (a table, a run-on list) is cut at whitespace."""
        out = []
        while len(piece) > self._chunk_size:
            cut = piece.rfind(" ", 0, self._chunk_size)
            cut = cut if cut > 0 else self._chunk_size
            out.append(piece[:cut])
            piece = piece[cut:]
        if piece:
            out.append(piece)
        return out


def split_document(
    doc: LoadedDocument, source: str, chunk_size: int, chunk_overlap: int
) -> list[Document]:
    """Chunks of one loaded document with source, title, doc_hash, chunk, start, end (and page)."""
    splitter = SentenceTextSplitter(chunk_size=chunk_size, chunk_overlap=chunk_overlap)
    base = {"source": source, "title": doc.title, "doc_hash": doc.hash}
    chunks = splitter.create_documents([doc.text], [base])
    for i, chunk in enumerate(chunks):
        start = chunk.metadata.pop("start_index")
        end = start + len(chunk.page_content)
        if doc.text[start:end] != chunk.page_content:  # pragma: no cover - guards the invariant
            raise AssertionError(f"chunk {i} of {source} lost its offsets")
        chunk.metadata.update(chunk=i, start=start, end=end)
        page = doc.page_at(start)
        if page is not None:
            chunk.metadata["page"] = page
    return chunks
