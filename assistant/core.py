"""The Assistant: one index (embedded or on a Chroma server), ingesting and answering."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

from langchain_core.documents import Document

from assistant.answer_types import Answer
from assistant.question import check_k, check_mode
from assistant.settings import Settings
from ingest.datadir import check_data_dir, check_index_files, explain_open_error, permission_problem
from ingest.discover import check_path_argument, normalise
from ingest.errors import IndexBusy, IndexProblem, PathError
from ingest.sync import IngestReport


class Assistant:
    """`Assistant(data_dir=...)`; settings come from `ASSISTANT_*` env vars, then keyword
    overrides (e.g. `Assistant(k=8, llm="openai:qwen")`). Nothing loads until first use.
    Raises PathError for a data dir that cannot be one (empty, a file) and SettingsError for
    a setting it cannot take (both ValueError)."""

    def __init__(
        self, data_dir: str | Path | None = None, *, settings: Settings | None = None, **overrides
    ) -> None:
        if data_dir is not None:
            check_data_dir(data_dir)
        self.settings = (settings or Settings()).with_overrides(data_dir=data_dir, **overrides)
        check_data_dir(self.settings.data_dir)
        self._store = None
        self._embeddings = None
        self._retriever = None
        self._llm = None
        # Lazy set-up must happen once even when UI worker threads arrive together (two threads
        # opening the same Chroma store at once crash it).
        self._setup = threading.RLock()
        self._held = threading.local()  # this thread already holds the writer's lock

    # -- plumbing -------------------------------------------------------------------------
    @property
    def embeddings(self):
        if self._embeddings is None:
            from ingest.embeddings import SentenceEmbeddings

            s = self.settings
            self._embeddings = SentenceEmbeddings(
                s.embedding_model, s.device, precision=s.embedding_precision,
                backend=s.embedding_backend,
            )
        return self._embeddings

    @property
    def store(self):
        with self._setup:
            return self._open_store()

    def _open_store(self):
        if self._store is None:
            from ingest.embeddings import model_id
            from ingest.store import ChunkStore, make_client

            s = self.settings
            data_dir = Path(s.data_dir).expanduser()
            if not s.chroma_url:
                check_index_files(data_dir)  # a deleted database is an error, not a new index
            try:
                client = make_client(s.data_dir, s.chroma_url)
                store = ChunkStore(
                    client, s.collection, model_id(s.embedding_model), self.embeddings,
                    cache_dir=data_dir,
                )
                store.collection  # fail now, not mid-way, if the model does not match
            except IndexProblem:
                raise
            except Exception as exc:
                problem = None if s.chroma_url else explain_open_error(exc, data_dir)
                if problem is None:
                    raise
                raise problem from exc
            if store.needs_migration:  # an index written by an older version
                with self._writing():
                    store.migrate()
            self._store = store
        return self._store

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        """One writer per embedded data dir; a Chroma server serialises writes itself.
        Reentrant within a thread: opening an old index inside a sync migrates it under the
        lock the sync already holds."""
        if self.settings.chroma_url or getattr(self._held, "depth", 0):
            yield
            return
        from filelock import FileLock, Timeout

        data_dir = Path(self.settings.data_dir).expanduser()
        lock = FileLock(str(data_dir / "ingest.lock"))
        timeout = self.settings.lock_timeout
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
            lock.acquire(timeout=timeout)
        except PermissionError:
            raise permission_problem(data_dir) from None
        except Timeout:
            raise IndexBusy(
                f"the index in {data_dir} is in use: another process has been ingesting into it "
                f"for over {timeout:g} s; wait for it to finish, or use another --data-dir"
            ) from None
        self._held.depth = 1
        try:
            yield
        finally:
            self._held.depth = 0
            lock.release()

    # -- documents --------------------------------------------------------------------------
    def ingest(self, paths: Iterable[str | Path] | str | Path, progress: bool = False) -> IngestReport:
        """Sync files and folders into the index (see ingest.sync). Raises PathError (a
        ValueError) for a path that cannot be one ("", None); a path that does not exist is a
        failed line of the report."""
        from ingest.load import LoadLimits
        from ingest.sync import sync

        if isinstance(paths, (str, bytes, os.PathLike)):
            paths = [paths]
        elif not isinstance(paths, Iterable):
            raise PathError(
                f"paths must be a file or folder path, or a list of them, not {type(paths).__name__}"
            )
        paths = [check_path_argument(p) for p in paths]  # before the index is opened
        s = self.settings
        with self._writing():
            report = sync(
                paths,
                self.store,
                chunk_size=s.chunk_size,
                chunk_overlap=s.chunk_overlap,
                progress=progress,
                limits=LoadLimits(max_file_mb=s.max_file_mb, max_pdf_pages=s.max_pdf_pages),
                allow_symlinks=s.allow_symlinks,
            )
            self._changed()
        return report

    def _changed(self) -> None:
        """After our own write: bring the lexical index up to date (the writer does it, so
        readers in other processes only load it), and have this process look again."""
        from assistant.lexical import catch_up

        catch_up(self.store)
        if self._retriever is not None:
            self._retriever.invalidate()

    def documents(self) -> list[dict]:
        """Ingested documents: source, name, chunks, ingested_at (epoch seconds)."""
        docs = self.store.documents.all()  # one record per document, read in pages
        return [
            {"source": src, "name": Path(src).name, "chunks": d.get("chunks", 0),
             "ingested_at": d.get("updated_at", 0.0)}
            for src, d in sorted(docs.items())
        ]

    def remove(self, source: str) -> bool:
        """Take one document out of the index (its source, as documents() lists it); False
        when it was not there. Raises PathError for a source that cannot be one ("", None)."""
        from ingest.sync import remove_document

        source = os.fspath(check_path_argument(source))
        normalised = str(normalise(source))  # as ingest names it: "docs/a.txt" works too
        with self._writing():
            removed = remove_document(source, self.store) or (
                normalised != source and remove_document(normalised, self.store)
            )
            self._changed()
        return removed

    # -- answering ---------------------------------------------------------------------------
    @property
    def retriever(self):
        with self._setup:
            if self._retriever is None:
                from assistant.retrieve import HybridRetriever

                self._retriever = HybridRetriever(store=self.store, k=self.settings.k)
            return self._retriever

    @property
    def llm_configured(self) -> bool:
        return bool(self.settings.llm)

    @property
    def chat_model(self):
        """The configured LangChain chat model (raises LLMUnavailable when it can't be made)."""
        if self._llm is None:
            from assistant.llm import make_chat_model

            self._llm = make_chat_model(self.settings)
        return self._llm

    def refusal_threshold(self) -> float:
        """The confidence under which answers are refusals: the refusal_threshold setting, or
        the one fitted with the answer model."""
        if self.settings.refusal_threshold is not None:
            return self.settings.refusal_threshold
        from assistant.answer_model import load_model

        return load_model().threshold

    def retrieve(
        self, question: str, k: int | None = None, sources: list[str] | None = None
    ) -> list[Document]:
        """The k best passages (LangChain Documents, best first) for a question; `sources`
        limits them to those documents (see answer())."""
        from assistant.question import clean_question

        query, _ = clean_question(question, self.settings.max_question_chars)
        scope = self.check_sources(sources)
        return self.retriever.invoke(query, k=check_k(k) or self.settings.k, sources=scope)

    def check_sources(self, sources) -> list[str] | None:
        """The documents a question is limited to, as the index names them (None: all of
        them). Each may be given as documents() lists its `source` or as a path to that file
        ("docs/a.txt"). Raises QuestionError naming any that are not in the index."""
        from assistant.answer_types import QuestionError

        if sources is None:
            return None
        if isinstance(sources, (str, os.PathLike)):
            sources = [sources]
        if not isinstance(sources, (list, tuple, set)) or not sources:
            raise QuestionError(
                "sources must be a non-empty list of document sources (see "
                "assistant.documents()), or None to search every document"
            )
        wanted: dict[str, str] = {}  # as given -> as the index may name it
        for raw in sources:
            if not isinstance(raw, (str, os.PathLike)) or not os.fspath(raw).strip():
                raise QuestionError(
                    f"each source must be a document path, not {raw!r}; list them with "
                    "assistant.documents() (`source`)"
                )
            wanted[os.fspath(raw)] = str(normalise(os.fspath(raw)))
        known = self.store.documents.get(list(set(wanted) | set(wanted.values())))
        scope, unknown = [], []
        for given, normalised in wanted.items():
            found = given if given in known else normalised if normalised in known else None
            (scope if found else unknown).append(found or given)
        if unknown:
            raise QuestionError(
                f"not in the index: {', '.join(unknown)}. Pass sources exactly as "
                "assistant.documents() lists them (`assistant ingest PATH` adds a document)"
            )
        return sorted(set(scope))

    def answer(
        self,
        question: str,
        history: list[tuple[str, str]] | None = None,
        k: int | None = None,
        mode: str | None = None,
        sources: list[str] | None = None,
    ) -> Answer:
        """Answer from the documents, citing them; `found` is False when they don't say.
        history: earlier (user, assistant) turns, for follow-up questions. k: passages to
        retrieve, 1-50 (default: the k setting). mode: "extractive" or "llm" (default: "llm"
        when an LLM is configured). sources: answer only from these documents (their
        `source` as documents() lists them, or their paths; None: all). Raises QuestionError
        for anything it cannot ask."""
        final = None
        for item in self.stream(question, history=history, k=k, mode=mode, sources=sources):
            if isinstance(item, Answer):
                final = item
        return final

    def stream(
        self,
        question: str,
        history: list[tuple[str, str]] | None = None,
        k: int | None = None,
        mode: str | None = None,
        sources: list[str] | None = None,
    ) -> Iterator[str | Answer]:
        """Like answer(), but yields the text as it is produced, then the final Answer. Bad
        arguments raise QuestionError here, at the call, not at the first next()."""
        from assistant.pipeline import run
        from assistant.question import clean_history, clean_question

        clean_question(question, self.settings.max_question_chars)
        clean_history(history)
        k, mode = check_k(k), check_mode(mode)
        scope = self.check_sources(sources)
        return run(self, question, history or [], k or self.settings.k, mode, scope)

    def ensure_seeded(self, announce=None) -> None:
        """Ingest the bundled seed corpus into a new index (first run). An index that was ever
        written to is left as it is, even when empty: its documents were removed on purpose.
        announce(message) is called before that slow first ingest (the CLI prints it)."""
        from assistant.resources import seeds_dir

        store = self.store
        never_written = int((store.collection.metadata or {}).get("generation", 0)) == 0
        if never_written and store.count() == 0:
            if announce is not None:
                announce(
                    "First run: loading the model and ingesting the bundled seed article into "
                    f"{self.settings.chroma_url or self.settings.data_dir}…"
                )
            self.ingest([seeds_dir()])
