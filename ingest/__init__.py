"""Documents in, chunks with character offsets in Chroma out.

Stages, one module each: load (file -> extracted text), split (sentence-aware chunks with
offsets), embeddings, store (Chroma client and collection), records (document records, unit
vectors and removals beside the chunks),
sync (a folder -> the index). This package never imports `assistant`.
"""
