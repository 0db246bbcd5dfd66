"""The BM25 side of retrieval (segments, index, follow): a persisted inverted index that follows the chunk store.

Why not bm25s or SQLite FTS5: bm25s indexes are immutable (any change is a rebuild, which took
52 s at 50k chunks), and FTS5 ranks every matching row through a per-row callback (0.7-1.2 s for
a query with common words at 200k chunks on this machine, so seconds at 1M). This index is a
small log-structured one in numpy:

- **Segments** are immutable sets of chunks: their ids (sorted), lengths, and postings
  (64-bit term hashes, sorted, each with its rows and term frequencies), as .npy files that
  readers memory-map, so loading costs nothing and every process shares the page cache.
- **A change** adds one segment (the chunks the change wrote) and marks the rows it removed
  (a small sorted array per segment); small segments are merged, and a segment that is mostly
  deleted rows is rewritten without them. `manifest.json`, replaced atomically, says which
  files make the index and which store generation it holds.
- **Following the store**: chunks carry the generation that wrote them and removals are noted
  with theirs (ingest.records.Removals), so catching up from generation M reads only what changed
  after M. The writer catches up after each sync; a reader that finds the index behind (its
  writer died, or the store is a Chroma server written by other machines) catches up itself,
  under a file lock, so one process does it and the others load its result.
- **Queries** score postings with numpy: BM25 with k1=1.5, b=0.75 (bm25s's defaults), the same
  idf as before, df and document lengths of live chunks only.

With an embedded store the index lives in `<data dir>/lexical/<collection>`; with a Chroma
server each process keeps its own copy in `<data dir>/lexical/<host>_<port>/<collection>`
(several processes sharing a data dir share the copy), built once from the server and then
brought up to date by the change, whichever machine made it.
"""

from assistant.lexical.follow import LexicalCache, catch_up, index_dir, load
from assistant.lexical.index import LexicalIndex

__all__ = ["LexicalCache", "LexicalIndex", "catch_up", "index_dir", "load"]
