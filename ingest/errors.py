"""Errors the ingest package raises; each message says what to do next."""


class LoadError(Exception):
    """A file that cannot be ingested; str(err) says why and what to do."""


class IndexProblem(Exception):
    """Base for problems with the index itself (not with one file)."""


class EmbeddingModelMismatch(IndexProblem):
    """The index was built with another embedding model than the one configured."""


class IndexBusy(IndexProblem):
    """Another process is writing to this embedded index."""
