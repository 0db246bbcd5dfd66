"""Uploads and removals for the browser's documents panel (no gradio here).

An uploaded file is stored as `<data_dir>/uploads/<safe name>` and ingested from there: the
index keeps pointing at a file that stays put, and uploading the same name again updates that
document instead of adding a copy. Nothing is overwritten by accident: two names that sanitise
alike get distinct stored names (which upload owns which stored name is kept in
`uploads/.names.json`), and a re-upload that cannot be ingested leaves the earlier copy as it was.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import unicodedata
import uuid
from collections.abc import Callable
from pathlib import Path

from ingest.errors import IndexProblem, LoadError
from ingest.files import write_json
from ingest.load import SUPPORTED, LoadLimits, load_file

log = logging.getLogger(__name__)

ALLOWED = SUPPORTED  # the loaders decide what can be read; the panel accepts exactly that
_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")
REGISTRY = ".names.json"  # hidden: never ingested as a document
UNEXPECTED = (
    "not ingested: something went wrong while adding it (the details are in the output of "
    "`assistant ui`); nothing was changed, so try again, and report it if it happens again."
)


def uploads_dir(data_dir: str | Path) -> Path:
    # resolved like ingest.discover resolves sources, so a stored file's path is its source
    return Path(data_dir).expanduser().resolve() / "uploads"


def _base_name(name: str) -> str:
    return re.split(r"[\\/]", name or "")[-1]


def safe_name(name: str) -> str:
    """A file name that cannot leave the uploads folder or surprise a shell: the last path
    component only (either slash), ASCII letters, digits, '.', '_', '-' and spaces, no leading
    dots, at most 120 characters, extension kept. A name with no ASCII left ('報告.txt') gets
    a generated one ('upload-1c5f0e3a.txt'), the same each time for the same name."""
    base = _base_name(name)
    stem, ext = os.path.splitext(base)
    ext = re.sub(r"[^a-z0-9]", "", _ascii(ext).lower())[:10]
    clean = re.sub(r"_+", "_", _UNSAFE.sub("_", _ascii(stem))).strip(" ._-")[:100]
    if not clean:
        if stem.strip(" ._-"):  # there was a name, but none of it is ASCII
            clean = "upload-" + hashlib.sha256(base.encode("utf-8", "replace")).hexdigest()[:8]
        else:
            clean = "document"
    return f"{clean}.{ext}" if ext else clean


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def check_upload(path: Path, original_name: str, max_mb: float) -> str | None:
    """Why this file is refused, or None when it may be ingested."""
    suffix = Path(safe_name(original_name)).suffix
    if suffix not in ALLOWED:
        return (
            f"'{suffix or original_name}' files are not accepted; upload one of "
            f"{', '.join(ALLOWED)}."
        )
    size = path.stat().st_size
    if size > max_mb * 1024 * 1024:
        return (
            f"too large ({size / 1048576:.1f} MB; the limit is {max_mb:g} MB, "
            "set by ASSISTANT_MAX_UPLOAD_MB)."
        )
    return None


# -- which stored name an upload gets -----------------------------------------------------------
def _read_registry(folder: Path) -> dict[str, str]:
    """{stored name: the uploaded name it came from}."""
    try:
        data = json.loads((folder / REGISTRY).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        log.warning("ignoring an unreadable %s in %s", REGISTRY, folder)
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _write_registry(folder: Path, registry: dict[str, str]) -> None:
    write_json(folder / REGISTRY, registry, ensure_ascii=False, indent=1, sort_keys=True)


def stored_name(original_name: str, folder: Path) -> str:
    """The name an upload is stored under: the one this uploaded name got before (a re-upload
    updates it), else its safe name, else, when another upload holds that, the safe name
    with -2, -3, ... added."""
    original = _base_name(original_name)
    registry = _read_registry(folder)
    for name, owner in registry.items():
        if owner == original and (folder / name).exists():
            return name
    stem, ext = os.path.splitext(safe_name(original))
    for n in range(1, 10_000):
        name = f"{stem}{ext}" if n == 1 else f"{stem}-{n}{ext}"
        if not (folder / name).exists():
            return name
        if registry.get(name, name) == original:  # files stored before the registry: by name
            return name
    raise OSError(f"too many uploads named like '{stem}{ext}'")


def stage_upload(temp_path: Path, original_name: str, data_dir: str | Path) -> tuple[Path, Path]:
    """(a hidden copy of the upload in the uploads folder, where it is to be stored). The copy
    is moved into place only once it is known to load."""
    folder = uploads_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / stored_name(original_name, folder)
    # the name is safe by construction; checked again because it is the security boundary
    if target.resolve().parent != folder.resolve():
        raise ValueError(f"refusing to write outside {folder}")
    incoming = folder / f".incoming-{uuid.uuid4().hex}{target.suffix}"
    with open(temp_path, "rb") as src, open(incoming, "xb") as dst:
        while block := src.read(1 << 20):
            dst.write(block)
    return incoming, target


# -- storing and ingesting ----------------------------------------------------------------------
def ingest_uploads(
    assistant,
    files: list[str],
    progress: Callable[[int, int, str], None] = lambda i, n, name: None,
) -> list[tuple[str, str, bool]]:
    """Store and ingest each uploaded file; (shown name, what happened, ok) per file."""
    results: list[tuple[str, str, bool]] = []
    for i, n, name, result in iter_uploads(assistant, files):
        if result is None:
            progress(i, n, name)
        else:
            results.append(result)
    progress(len(files), len(files), "")
    return results


def iter_uploads(assistant, files: list[str]):
    """(i, n, name, None) before file i is ingested, then (i, n, name, its result line): the
    page shows one progress line per batch from these, and each file's line as it is done.
    One file at a time; whatever happens to one file, the others are still ingested, and each
    gets a sentence a person can act on."""
    for i, temp in enumerate(files):
        original = _base_name(str(temp))  # gradio keeps the uploaded name as the temp file's
        yield i, len(files), original, None
        try:
            result = ingest_upload(assistant, Path(temp), original)
        except Exception:
            log.exception("adding the upload %r failed", original)
            result = (original, UNEXPECTED, False)
        yield i, len(files), original, result


def ingest_upload(assistant, temp_path: Path, original: str) -> tuple[str, str, bool]:
    """One upload: refused, or stored and ingested; an earlier upload of the same name is
    replaced only when the new one is ingested."""
    settings = assistant.settings
    refused = check_upload(temp_path, original, settings.max_upload_mb)
    if refused:
        return original, refused, False
    folder = uploads_dir(settings.data_dir)
    try:
        incoming, target = stage_upload(temp_path, original, settings.data_dir)
    except OSError as exc:
        return original, (
            f"not stored: cannot write to {folder} ({exc.strerror or exc}); free some disk "
            "space or fix the folder's permissions, then upload it again."
        ), False
    kept = " The earlier upload of this name is kept." if target.exists() else ""
    previous = folder / f".previous-{uuid.uuid4().hex}{target.suffix}"
    try:
        try:  # the reason ingest would refuse it, found before anything is replaced
            load_file(incoming, LoadLimits(settings.max_file_mb, settings.max_pdf_pages))
        except LoadError as exc:
            return target.name, f"not ingested: {_sentence(exc)}{kept}", False
        had_previous = target.exists()
        if had_previous:
            os.replace(target, previous)
        os.replace(incoming, target)
        try:
            report = assistant.ingest([target])
        except BaseException as exc:
            _restore(target, previous, had_previous)
            if isinstance(exc, IndexProblem):
                return target.name, f"not ingested: {_sentence(exc)}{kept}", False
            raise
        if report.failed:
            _restore(target, previous, had_previous)
            return target.name, f"not ingested: {_sentence(report.failed[0][1])}{kept}", False
        registry = _read_registry(folder)
        registry[target.name] = _base_name(original)
        _write_registry(folder, registry)
        return target.name, _describe(report, target, original), True
    finally:
        incoming.unlink(missing_ok=True)
        previous.unlink(missing_ok=True)


def _sentence(reason: object) -> str:
    text = str(reason).strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _restore(target: Path, previous: Path, had_previous: bool) -> None:
    if had_previous:
        os.replace(previous, target)
    else:
        target.unlink(missing_ok=True)  # a file the index cannot read is not kept


def _describe(report, target: Path, original: str) -> str:
    renamed = ""
    if target.name != safe_name(original):
        renamed = f" as '{target.name}' (another upload is stored as '{safe_name(original)}')"
    if report.added:
        return f"added{renamed}"
    if report.updated:
        return "updated (replaced the earlier upload of the same name)"
    return "unchanged (already in the index)"


def remove_document(assistant, source: str) -> str:
    """Take a document out of the index; an uploaded one is deleted from the uploads folder
    too. Returns a sentence for the panel."""
    name = Path(source).name
    if not source:
        return "Choose a document to remove first."
    if not assistant.remove(source):
        return f"'{name}' was not in the index (already removed?)."
    path = Path(source)
    folder = uploads_dir(assistant.settings.data_dir)
    if path.parent.resolve() == folder:
        path.unlink(missing_ok=True)
        registry = _read_registry(folder)
        if registry.pop(path.name, None) is not None:
            _write_registry(folder, registry)
    return f"Removed '{name}'."


PICK = "Choose a document…"  # the remove dropdown's first entry, a placeholder (value "")


def document_choices(documents: list[dict]) -> list[tuple[str, str]]:
    """(label, source) for the document dropdowns; same-named files get their folder added."""
    names = [d["name"] for d in documents]

    def label(d: dict) -> str:
        if names.count(d["name"]) == 1:
            return d["name"]
        return f"{d['name']} ({Path(d['source']).parent.name})"

    return [(label(d), d["source"]) for d in documents]
