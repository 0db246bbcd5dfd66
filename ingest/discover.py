"""Which files an ingest reads: the paths given, and every file in the folders given.

Nothing outside what was named is read: a link inside a folder that points outside it is
skipped and reported (unless links are allowed). Every path is normalised, so the same file
reached as `../t/docs/a.txt` and `/abs/t/docs/a.txt` is one document. A name that is not valid
UTF-8, or a folder that cannot be listed, is a failure line in the report, never a crash.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from ingest.errors import PathError

Failure = tuple[str, str]  # (path as shown to a person, reason naming what to do)

OUTSIDE_LINK = (
    "a link to {target}, outside the folder being ingested; skipped so that nothing outside "
    "the folders you name is read. Ingest {target} itself, copy the file in, or set "
    "ASSISTANT_ALLOW_SYMLINKS=true to follow such links"
)
BAD_NAME = (
    "the file name is not valid UTF-8 (shown here with \\x escapes); rename it to a UTF-8 name "
    "(e.g. `convmv -f latin1 -t utf8 --notest FILE`) and ingest again"
)


def shown(path: str | os.PathLike) -> str:
    """A path as text that can always be printed and stored: bytes that are not UTF-8 (which
    Python keeps as lone surrogates) become \\x escapes."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def is_valid_name(path: str | os.PathLike) -> bool:
    try:
        os.fspath(path).encode("utf-8")
    except UnicodeEncodeError:  # surrogate escapes: bytes the file system gave that are not UTF-8
        return False
    return True


def normalise(raw: str | os.PathLike) -> Path:
    """An absolute path with `~`, `.` and `..` resolved. A folder is resolved through links
    (it names the same files however it is reached); a file keeps its own name, so a link given
    by name is ingested under that name."""
    path = Path(os.fsdecode(raw)).expanduser()
    if path.is_dir():
        return path.resolve()
    parent = path.absolute().parent
    return parent.resolve() / path.name if path.name else parent.resolve()


def check_path_argument(raw: object) -> str | os.PathLike:
    """A path argument (of ingest or remove) that can be used, or PathError saying why not."""
    return path_like(
        raw, "a path must be text or a path",
        "an empty path was given; name a file or folder (use '.' for the current folder)",
    )


def path_like(raw: object, not_a_path: str, empty: str) -> str | os.PathLike:
    """raw as text or a path (bytes decoded as the file system does), or PathError: `not_a_path`
    (followed by the type given) or `empty`."""
    if isinstance(raw, bytes):
        raw = os.fsdecode(raw)
    if not isinstance(raw, (str, os.PathLike)):
        raise PathError(f"{not_a_path}, not {type(raw).__name__}")
    if not os.fspath(raw).strip():
        raise PathError(empty)
    return raw


def discover(
    paths: Iterable[str | os.PathLike], allow_symlinks: bool = False
) -> tuple[list[Path], list[Path], list[Failure]]:
    """(files to ingest, folders being synced, failures). Hidden files and folders (.git,
    .DS_Store) are not documents and are passed over. A failure is a (path, reason) pair: a
    path that does not exist, a name that is not UTF-8, a link out of an ingested folder, a
    folder that cannot be listed."""
    files: list[Path] = []
    folders: list[Path] = []
    failed: list[Failure] = []
    for raw in paths:
        raw = check_path_argument(raw)
        path = normalise(raw)
        if path.is_dir():
            folders.append(path)
            _walk_folder(path, allow_symlinks, files, failed)
        elif path.exists() or path.is_symlink():
            _add_file(path, files, failed)
        else:
            failed.append((shown(raw), "no such file or folder; check the path"))
    unique = list(dict.fromkeys(files))
    return unique, folders, failed


def _add_file(path: Path, files: list[Path], failed: list[Failure]) -> None:
    if is_valid_name(path):
        files.append(path)
    else:
        failed.append((shown(path), BAD_NAME))


def _walk_folder(top: Path, allow_symlinks: bool, files: list[Path], failed: list[Failure]) -> None:
    """Every file under top (already resolved), walked without following links, except links
    out of it when allowed; each real folder is walked once, so link cycles end."""
    visited: set[str] = set()
    pending = [top]
    while pending:
        start = pending.pop(0)
        real = os.path.realpath(start)
        if real in visited:
            continue
        visited.add(real)

        def unreadable(err: OSError) -> None:
            why = err.strerror or str(err)
            if isinstance(err, PermissionError):
                why = "permission denied; make it readable (chmod +rx) and ingest again"
            failed.append((shown(err.filename or start), f"cannot list this folder: {why}"))

        for root, dirs, names in os.walk(start, onerror=unreadable):
            kept = []
            for d in sorted(d for d in dirs if not d.startswith(".")):
                sub = os.path.join(root, d)
                if not os.path.islink(sub):
                    kept.append(d)
                    continue
                target = os.path.realpath(sub)
                if _is_under(target, top) or target == str(top):
                    continue  # its files are walked anyway, under their own names
                if allow_symlinks:
                    pending.append(Path(sub))
                else:
                    failed.append((shown(sub), OUTSIDE_LINK.format(target=shown(target))))
            dirs[:] = kept  # os.walk descends into these only
            for name in sorted(n for n in names if not n.startswith(".")):
                path = Path(root) / name
                if not allow_symlinks and path.is_symlink():
                    target = os.path.realpath(path)
                    if not _is_under(target, top):
                        failed.append((shown(path), OUTSIDE_LINK.format(target=shown(target))))
                        continue
                _add_file(path, files, failed)


def _is_under(source: str | os.PathLike, folder: str | os.PathLike) -> bool:
    return os.fspath(source).startswith(os.fspath(folder).rstrip(os.sep) + os.sep)
