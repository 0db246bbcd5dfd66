"""The data dir and the embedded index in it, checked before Chroma opens them.

Chroma, handed a folder whose database was deleted, quietly starts a new empty one, and one
whose database is damaged or not ours to write fails deep inside with an internal message.
These checks name the problem and the fix in one line instead, and nothing is ever replaced
by an empty (or re-seeded) index.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from ingest.discover import path_like
from ingest.errors import IndexDamaged, IndexMissing, IndexPermission, IndexProblem, PathError

DATABASE = "chroma.sqlite3"


def check_data_dir(data_dir: object) -> Path:
    """The data dir as a folder path (created later, when first written), or PathError."""
    data_dir = path_like(
        data_dir, "the data dir must be a folder path",
        "the data dir is empty; give a folder (--data-dir / ASSISTANT_DATA_DIR), or leave it "
        "unset for the default",
    )
    path = Path(data_dir).expanduser()
    for existing in (path, *path.parents):  # the nearest part that exists must be a folder
        if existing.exists() or existing.is_symlink():
            if not existing.is_dir():
                where = "is" if existing == path else f"is inside {existing}, which is"
                raise PathError(
                    f"the data dir {path} {where} a file, not a folder; pass a folder "
                    "(--data-dir / ASSISTANT_DATA_DIR); it is created when missing"
                )
            break
    return path


def check_index_files(data_dir: Path) -> None:
    """IndexMissing when the index's database is gone but the rest of the index is there."""
    chroma = Path(data_dir) / "chroma"
    try:
        entries = os.listdir(chroma)
    except FileNotFoundError:
        return  # a new index
    except NotADirectoryError:
        raise IndexDamaged(
            f"{chroma} is a file, not the index folder; move it away and ingest your documents "
            "again"
        ) from None
    except PermissionError:
        raise permission_problem(Path(data_dir), chroma) from None
    # vector segments (one folder per collection), beside the database and its journals
    segments = [e for e in entries if not e.startswith(DATABASE)]
    database = chroma / DATABASE
    if segments and (not database.exists() or database.stat().st_size == 0):
        raise IndexMissing(
            f"the index in {chroma} is missing its database {DATABASE} (deleted or emptied?) "
            "while its vector files are still there, so it no longer knows its documents. "
            f"Restore {DATABASE} from a backup, or move the folder away (mv {chroma} "
            f"{chroma}.broken) and ingest your documents again"
        )


def permission_problem(data_dir: Path, path: Path | None = None) -> IndexPermission:
    """The one line for a data dir or index this user may not read or write."""
    where = f"{path}, " if path is not None and Path(path) != Path(data_dir) else ""
    return IndexPermission(
        f"cannot use the data dir {data_dir}: permission denied ({where}it belongs to another "
        "user or is read-only). Run as the user who owns it, fix its permissions (chown/chmod), "
        "or use another --data-dir / ASSISTANT_DATA_DIR"
    )


_DAMAGED = ("malformed", "not a database", "file is encrypted", "disk image", "no such table")
_DENIED = ("readonly database", "read-only", "unable to open database", "permission denied")


def explain_open_error(exc: BaseException, data_dir: Path) -> IndexProblem | None:
    """The one-line problem behind an error from opening the embedded index, or None when it
    is none of the known ones (a bug: let it propagate)."""
    chroma = Path(data_dir) / "chroma"
    seen: set[int] = set()
    err: BaseException | None = exc
    while err is not None and id(err) not in seen:  # Chroma wraps sqlite's errors
        seen.add(id(err))
        message = str(err).lower()
        if isinstance(err, PermissionError) or any(s in message for s in _DENIED):
            path = Path(err.filename) if isinstance(err, OSError) and err.filename else chroma
            return permission_problem(Path(data_dir), path)
        if isinstance(err, sqlite3.DatabaseError) or any(s in message for s in _DAMAGED):
            if any(s in message for s in _DAMAGED):
                return IndexDamaged(
                    f"the index in {chroma} is damaged: its database {DATABASE} cannot be read "
                    f"({str(err).strip()}). Restore the folder from a backup, or move it away "
                    f"(mv {chroma} {chroma}.broken) and ingest your documents again"
                )
        err = err.__cause__ or err.__context__
    return None
