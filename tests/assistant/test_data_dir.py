"""The data dir and its index: a missing, damaged or forbidden index is named, with the fix, in
one line; it is never silently replaced by a new (re-seeded) one."""

import os
import shutil
import subprocess
import sys

import pytest

from assistant.core import Assistant
from ingest.errors import IndexDamaged, IndexMissing, IndexPermission, PathError
from tests.support import as_another_user


@pytest.fixture
def index_copy(seeded_dir, tmp_path):
    """A data dir holding a copy of the seeded index, never opened by this process yet."""
    copy = tmp_path / "copy"
    shutil.copytree(seeded_dir, copy)
    return copy


def ask_cli(data_dir, question="What consent does Seoul require?"):
    return subprocess.run(
        [sys.executable, "-m", "assistant", "ask", question, "--data-dir", str(data_dir)],
        capture_output=True, text=True, timeout=300,
    )


def test_a_deleted_database_is_named_with_the_fix_and_nothing_is_re_seeded(index_copy):
    (index_copy / "chroma" / "chroma.sqlite3").unlink()
    with pytest.raises(IndexMissing, match=r"missing its database chroma\.sqlite3.*ingest your documents again"):
        Assistant(data_dir=index_copy).ensure_seeded()
    result = ask_cli(index_copy)
    assert result.returncode == 2
    assert result.stderr.startswith("error: the index in") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
    assert not (index_copy / "chroma" / "chroma.sqlite3").exists()  # no new, empty database


def test_a_truncated_database_is_named_damaged_in_one_line(index_copy):
    db = index_copy / "chroma" / "chroma.sqlite3"
    with open(db, "r+b") as f:
        f.truncate(db.stat().st_size // 3)
    with pytest.raises(IndexDamaged, match="damaged.*Restore the folder from a backup"):
        Assistant(data_dir=index_copy).answer("What consent does Seoul require?")
    result = ask_cli(index_copy)
    assert result.returncode == 2
    assert "damaged" in result.stderr and result.stderr.count("\n") == 1


def test_an_index_whose_documents_were_all_removed_stays_empty(data_dir, docs):
    (docs / "a.txt").write_text("The harbour opened in 1890.")
    a = Assistant(data_dir=data_dir)
    a.ingest([docs])
    assert a.remove(str(docs / "a.txt"))
    a.ensure_seeded()
    assert a.store.count() == 0
    assert "No documents are indexed yet" in a.answer("When did the harbour open?").text


def test_an_index_another_user_owns_is_a_one_line_permission_problem(seeded_dir, shared_tmp):
    data = shared_tmp / "data"
    shutil.copytree(seeded_dir, data)
    for root, dirs, files in os.walk(data):  # read-only for everyone but root
        for name in files:
            os.chmod(os.path.join(root, name), 0o444)
        for name in dirs:
            os.chmod(os.path.join(root, name), 0o555)
    data.chmod(0o555)
    Assistant(data_dir=shared_tmp / "warm").retrieve("warm up")  # imports done as ourselves
    with as_another_user():
        with pytest.raises(IndexPermission) as problem:
            Assistant(data_dir=data).answer("What consent does Seoul require?")
    message = str(problem.value)
    assert "permission denied" in message and "--data-dir" in message and "\n" not in message


def test_a_data_dir_this_user_cannot_write_is_a_one_line_permission_problem(shared_tmp, docs):
    (docs / "a.txt").write_text("The harbour opened in 1890.")
    closed = shared_tmp / "closed"
    closed.mkdir(mode=0o555)
    closed.chmod(0o555)
    docs_shared = shared_tmp / "docs"
    shutil.copytree(docs, docs_shared)
    Assistant(data_dir=shared_tmp / "warm").retrieve("warm up")
    with as_another_user():
        with pytest.raises(IndexPermission, match=f"cannot use the data dir {closed / 'data'}"):
            Assistant(data_dir=closed / "data").ingest([docs_shared])


def test_a_data_dir_that_is_a_file_or_empty_is_an_error_at_once(tmp_path):
    f = tmp_path / "notes.txt"
    f.write_text("x")
    with pytest.raises(PathError, match="is a file, not a folder"):
        Assistant(data_dir=f)
    with pytest.raises(PathError, match="is inside .*notes.txt, which is a file"):
        Assistant(data_dir=f / "index")
    with pytest.raises(PathError, match="empty"):
        Assistant(data_dir="")
    with pytest.raises(PathError, match="folder path, not int"):
        Assistant(data_dir=3)


def test_an_empty_data_dir_variable_means_the_default_not_the_current_folder(monkeypatch):
    from assistant.settings import Settings, default_data_dir

    monkeypatch.setenv("ASSISTANT_DATA_DIR", "")
    assert Settings().data_dir == default_data_dir()
