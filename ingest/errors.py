"""Errors the ingest package raises; each message says what to do next."""


class LoadError(Exception):
    """A file that cannot be ingested; str(err) says why and what to do."""


class IndexProblem(Exception):
    """Base for problems with the index itself (not with one file)."""


class EmbeddingModelMismatch(IndexProblem):
    """The index was built with another embedding model than the one configured."""


class IndexBusy(IndexProblem):
    """Another process is writing to this embedded index."""


class PathError(ValueError):
    """A path argument that cannot be used (empty, not a path, a file where a folder is
    needed); str(err) says what to pass instead."""


class IndexMissing(IndexProblem):
    """The index's files are partly gone (e.g. chroma.sqlite3 deleted): never silently replaced
    by an empty index."""


class IndexDamaged(IndexProblem):
    """The index's database cannot be read (truncated, overwritten)."""


class IndexPermission(IndexProblem):
    """The data dir or the index cannot be read or written by this user."""
