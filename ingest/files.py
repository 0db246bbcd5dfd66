"""Small files the index and its caches keep (manifests, registries, measurements): read without
failing on a missing or damaged one, written atomically, so a crash leaves the old file or the
new one, never half of one; and the per-user cache folder they live in."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path


def user_cache_dir() -> Path:
    """Where measurements and exported models are kept per user ($XDG_CACHE_HOME/doc-assistant)."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "doc-assistant"


def read_json(path: Path) -> object | None:
    """The file's JSON value; None when it is missing or not JSON."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_json(path: Path, value: object, **dumps) -> None:
    """Replace the file with value as JSON, atomically (the temporary name ends in .tmp)."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    tmp.write_text(json.dumps(value, **dumps), encoding="utf-8")
    os.replace(tmp, path)
