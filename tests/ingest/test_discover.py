"""Which files an ingest reads: only what was named, each under one normalised path; every
name, link and folder it cannot use is a failure line, never a crash."""

import os

import pytest

from ingest.discover import discover
from ingest.errors import PathError
from ingest.sync import sync
from tests.ingest.conftest import chunk_ids
from tests.support import as_another_user


def names(files):
    return sorted(p.name for p in files)


def test_every_file_in_the_folder_tree_is_found_and_hidden_ones_are_passed_over(docs):
    (docs / "a.txt").write_text("A.")
    (docs / "sub").mkdir()
    (docs / "sub" / "b.md").write_text("B.")
    (docs / ".git").mkdir()
    (docs / ".git" / "config.txt").write_text("x")
    (docs / ".DS_Store").write_bytes(b"\x00")
    files, folders, failed = discover([docs])
    assert names(files) == ["a.txt", "b.md"]
    assert folders == [docs.resolve()]
    assert failed == []


def test_dot_dot_in_a_path_names_the_same_files(docs, tmp_path):
    (docs / "a.txt").write_text("A.")
    roundabout = tmp_path / "elsewhere" / ".." / "docs"
    (tmp_path / "elsewhere").mkdir()
    assert discover([roundabout])[:2] == discover([docs])[:2]
    assert discover([roundabout / "." / "a.txt"])[0] == [docs.resolve() / "a.txt"]


def test_ingesting_a_folder_again_by_a_relative_path_adds_no_copies(docs, tmp_path, store, monkeypatch):
    (docs / "a.txt").write_text("The harbour opened in 1890. Ships docked there.")
    sync([docs.resolve()], store)
    before = chunk_ids(store)
    (tmp_path / "t").mkdir()
    monkeypatch.chdir(tmp_path / "t")
    report = sync(["../docs"], store)
    assert (report.added, report.unchanged, report.removed) == (0, 1, 0)
    assert chunk_ids(store) == before


def test_a_link_out_of_the_folder_is_skipped_and_reported(docs, tmp_path):
    secret = tmp_path / "passwd.txt"
    secret.write_text("root:x:0:0")
    (docs / "passwd.txt").symlink_to(secret)
    (docs / "a.txt").write_text("A.")
    files, _, failed = discover([docs])
    assert names(files) == ["a.txt"]
    [(path, reason)] = failed
    assert path == str(docs.resolve() / "passwd.txt")
    assert "outside the folder" in reason and "ASSISTANT_ALLOW_SYMLINKS" in reason


def test_a_linked_folder_out_of_the_folder_is_skipped_and_reported(docs, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "o.txt").write_text("O.")
    (docs / "linked").symlink_to(outside)
    files, _, failed = discover([docs])
    assert files == []
    assert [p for p, _ in failed] == [str(docs.resolve() / "linked")]


def test_links_out_are_followed_when_allowed_and_keep_the_name_inside_the_folder(docs, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "o.txt").write_text("O.")
    (outside / "back").symlink_to(outside)  # a cycle: walked once
    (docs / "linked").symlink_to(outside)
    (docs / "note.txt").symlink_to(outside / "o.txt")
    files, _, failed = discover([docs], allow_symlinks=True)
    assert failed == []
    assert sorted(files) == [docs.resolve() / "linked" / "o.txt", docs.resolve() / "note.txt"]


def test_a_link_within_the_folder_is_ingested_and_a_named_link_is_taken_as_named(docs, tmp_path):
    (docs / "a.txt").write_text("A.")
    (docs / "latest.txt").symlink_to(docs / "a.txt")
    (docs / "again").symlink_to(docs)  # a link to a folder already walked adds nothing
    files, _, failed = discover([docs])
    assert (names(files), failed) == (["a.txt", "latest.txt"], [])
    outside = tmp_path / "o.txt"
    outside.write_text("O.")
    (tmp_path / "named.txt").symlink_to(outside)
    assert discover([tmp_path / "named.txt"])[0] == [tmp_path.resolve() / "named.txt"]


def test_a_name_that_is_not_utf8_is_a_failure_line_and_the_rest_is_found(docs):
    (docs / "a.txt").write_text("A.")
    os.close(os.open(os.fsencode(docs) + b"/caf\xe9.txt", os.O_CREAT | os.O_WRONLY))
    files, _, failed = discover([docs])
    assert names(files) == ["a.txt"]
    [(path, reason)] = failed
    assert path.endswith("caf\\xe9.txt") and path.encode("utf-8")  # printable, storable
    assert "not valid UTF-8" in reason and "rename" in reason


def test_a_folder_that_cannot_be_listed_is_a_failure_line(shared_tmp):
    docs = shared_tmp / "docs"
    (docs / "locked").mkdir(parents=True)
    (docs / "locked" / "x.txt").write_text("X.")
    (docs / "a.txt").write_text("A.")
    docs.chmod(0o755)
    (docs / "locked").chmod(0o700 if os.geteuid() == 0 else 0)  # root's own: closed to nobody
    with as_another_user():
        files, _, failed = discover([docs])
    assert names(files) == ["a.txt"]
    [(path, reason)] = failed
    assert path == str(docs / "locked")
    assert "cannot list this folder" in reason and "chmod" in reason


def test_a_path_that_does_not_exist_is_a_failure_line(tmp_path):
    assert discover([tmp_path / "nope"]) == ([], [], [(str(tmp_path / "nope"), "no such file or folder; check the path")])


@pytest.mark.parametrize("bad", ["", "   ", None, 3])
def test_an_empty_or_non_path_argument_is_an_error_not_the_current_folder(bad):
    with pytest.raises(PathError, match="empty|path"):
        discover([bad])
