"""Uploads and removals for the browser's documents panel (no gradio here).

An uploaded file is stored as `<data_dir>/uploads/<safe name>` and ingested from there: the
index keeps pointing at a file that stays put, and uploading the same name again updates that
document instead of adding a copy.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
from collections.abc import Callable
from pathlib import Path

from ingest.load import SUPPORTED

ALLOWED = SUPPORTED  # the loaders decide what can be read; the panel accepts exactly that
_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


def uploads_dir(data_dir: str | Path) -> Path:
    return Path(data_dir).expanduser().absolute() / "uploads"


def safe_name(name: str) -> str:
    """A file name that cannot leave the uploads folder or surprise a shell: the last path
    component only (either slash), ASCII letters, digits, '.', '_', '-' and spaces, no leading
    dots, at most 120 characters, extension kept."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    base = _UNSAFE.sub("_", base).strip(" .")
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    stem = re.sub(r"_+", "_", stem).strip(" ._-")[:100] or "document"
    return f"{stem}.{ext.lower()}" if ext else stem


def check_upload(path: Path, original_name: str, max_mb: float) -> str | None:
    """Why this file is refused, or None when it may be ingested."""
    suffix = Path(safe_name(original_name)).suffix
    if suffix not in ALLOWED:
        return (
            f"'{suffix or original_name}' files are not accepted; upload one of "
            f"{', '.join(ALLOWED)}"
        )
    size = path.stat().st_size
    if size > max_mb * 1024 * 1024:
        return (
            f"too large ({size / 1048576:.1f} MB; the limit is {max_mb:g} MB, "
            "set by ASSISTANT_MAX_UPLOAD_MB)"
        )
    return None


def store_upload(temp_path: Path, original_name: str, data_dir: str | Path) -> Path:
    """Copy an uploaded file into the uploads folder under its safe name."""
    folder = uploads_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / safe_name(original_name)
    # safe_name already guarantees this; checked again because it is the security boundary
    if target.resolve().parent != folder.resolve():
        raise ValueError(f"refusing to write outside {folder}")
    shutil.copyfile(temp_path, target)
    return target


def ingest_uploads(
    assistant,
    files: list[str],
    progress: Callable[[int, int, str], None] = lambda i, n, name: None,
) -> list[tuple[str, str, bool]]:
    """Store and ingest each uploaded file; (shown name, what happened, ok) per file.
    One file at a time, so progress moves per file and one bad file fails alone."""
    settings = assistant.settings
    results: list[tuple[str, str, bool]] = []
    for i, temp in enumerate(files):
        temp_path = Path(temp)
        original = temp_path.name  # gradio keeps the uploaded name as the temp file's name
        progress(i, len(files), original)
        refused = check_upload(temp_path, original, settings.max_upload_mb)
        if refused:
            results.append((original, refused, False))
            continue
        target = store_upload(temp_path, original, settings.data_dir)
        report = assistant.ingest([target])
        results.append((target.name, *_describe(report, target)))
    progress(len(files), len(files), "")
    return results


def _describe(report, target: Path) -> tuple[str, bool]:
    if report.failed:
        reason = report.failed[0][1]
        target.unlink(missing_ok=True)  # a file the index cannot read is not kept
        return f"not ingested: {reason}", False
    if report.added:
        return "added", True
    if report.updated:
        return "updated (replaced the earlier upload of the same name)", True
    return "unchanged (already in the index)", True


def remove_document(assistant, source: str) -> str:
    """Take a document out of the index; an uploaded one is deleted from the uploads folder
    too. Returns a sentence for the panel."""
    name = Path(source).name
    if not source:
        return "Choose a document to remove first."
    if not assistant.remove(source):
        return f"'{name}' was not in the index (already removed?)."
    path = Path(source)
    if path.parent.resolve() == uploads_dir(assistant.settings.data_dir).resolve():
        path.unlink(missing_ok=True)
    return f"Removed '{name}'."


def document_choices(documents: list[dict]) -> list[tuple[str, str]]:
    """(label, source) for the remove dropdown; same-named files get their folder added."""
    names = [d["name"] for d in documents]

    def label(d: dict) -> str:
        if names.count(d["name"]) == 1:
            return d["name"]
        return f"{d['name']} ({Path(d['source']).parent.name})"

    return [(label(d), d["source"]) for d in documents]
