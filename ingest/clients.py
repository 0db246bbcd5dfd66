"""Chroma clients: embedded (a persistent client on a folder) or a server, and reopening an
embedded one to see another process's writes, with public chromadb API only."""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from urllib.parse import urlparse

from ingest.errors import IndexProblem

log = logging.getLogger(__name__)


def make_client(data_dir: Path | str | None = None, chroma_url: str | None = None):
    """An embedded PersistentClient under data_dir/chroma, or an HttpClient for chroma_url.
    Telemetry is off either way."""
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False)
    if chroma_url:
        url = urlparse(chroma_url if "://" in chroma_url else f"http://{chroma_url}")
        if not url.hostname:
            raise IndexProblem(f"bad Chroma URL '{chroma_url}'; use http://host:port")
        try:
            return chromadb.HttpClient(
                host=url.hostname,
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=settings,
            )
        except Exception as exc:
            raise IndexProblem(
                f"cannot reach the Chroma server at {chroma_url} ({exc}); start it with "
                "`chroma run --path DIR --host 127.0.0.1 --port N` or unset ASSISTANT_CHROMA_URL"
            ) from exc
    if data_dir is None:
        raise IndexProblem("no data dir given; pass data_dir or set ASSISTANT_DATA_DIR")
    path = Path(data_dir).expanduser() / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    _cap_malloc_arenas()
    return chromadb.PersistentClient(path=str(path), settings=settings)


# Spellings of an embedded folder that reopen_client handed out and has not closed since.
# chromadb shares one instance per spelling of a path among all clients of a process, so a
# spelling nobody else uses ("<path>/.", "<path>/./.", ...) opens the folder afresh.
_spellings_in_use: dict[str, set[int]] = {}
_handed_out: dict[int, tuple[str, int]] = {}  # id(client) -> (folder, spelling number)
_spelling_lock = threading.Lock()


def _folder(client) -> str | None:
    settings = client.get_settings()
    if not settings.is_persistent or not settings.persist_directory:
        return None
    return os.path.normpath(settings.persist_directory)


def _cap_malloc_arenas() -> None:
    """Each chromadb instance runs its own threads, and glibc gives threads new malloc arenas
    that keep their memory after the instance is closed: a reader reopening the store grew by
    ~1.5 MB per reopen. Two arenas keep it flat (measured by benchmarks/scale.py). Left alone
    when MALLOC_ARENA_MAX is set, and off glibc."""
    global _arenas_capped
    if _arenas_capped or os.environ.get("MALLOC_ARENA_MAX"):
        return
    _arenas_capped = True
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").mallopt(-8, 2)  # M_ARENA_MAX
    except (OSError, AttributeError):
        pass


_arenas_capped = False


def _open_fresh(folder: str):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    _cap_malloc_arenas()

    with _spelling_lock:
        used = _spellings_in_use.setdefault(folder, set())
        n = next(i for i in range(1, len(used) + 2) if i not in used)
        used.add(n)
    client = chromadb.PersistentClient(
        path=folder + "/." * n, settings=ChromaSettings(anonymized_telemetry=False)
    )
    with _spelling_lock:
        _handed_out[id(client)] = (folder, n)
    return client


def close_client(client) -> None:
    """Close a client (public chromadb API); the last client of an embedded instance stops it,
    which frees its memory (the vector index)."""
    try:
        client.close()
    except Exception:  # noqa: BLE001 - already closed, or a server client without close
        pass
    with _spelling_lock:
        folder, n = _handed_out.pop(id(client), (None, 0))
        if folder is not None:
            _spellings_in_use.get(folder, set()).discard(n)


def reopen_client(client):
    """A fresh embedded client on the same folder, or `client` itself for a Chroma server.

    An embedded Chroma keeps its vector index in this process's memory and reloads it only when
    it is opened (or when this process writes). Another process ingesting into the same data dir
    (`assistant ingest` while `assistant ui` runs) is therefore invisible to dense search here
    until the folder is opened again. The caller hands `client` over: it is closed."""
    folder = _folder(client)
    if folder is None:
        return client
    close_client(client)
    return _open_fresh(folder)
