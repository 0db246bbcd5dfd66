"""The documents panel's functions: uploads (names, size, allow-list, storage), removal, and
document text rendered inert."""


import pytest

from tests.support import make_assistant

SEED_NAME = "yonhap-korea-japan-collective-self-defense.txt"


# -- uploads and removals (the functions behind the documents panel) ----------------------------
@pytest.mark.parametrize(
    "uploaded, stored",
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("/abs/path/notes.md", "notes.md"),
        ("C:\\Users\\me\\report.PDF", "report.pdf"),
        (".hidden.txt", "hidden.txt"),
        ("<img src=x onerror=alert(1)>.html", "img src_x onerror_alert_1.html"),
        ("Résumé 2024.md", "Resume 2024.md"),
        ("...", "document"),
        ("報告.txt", "upload-"),
    ],
)
def test_uploaded_file_names_are_sanitised(uploaded, stored):
    from assistant.ui.documents import safe_name

    assert safe_name(uploaded) == stored or safe_name(uploaded).startswith(stored) and stored == "upload-"


def test_uploads_are_stored_under_the_data_dir_and_ingested_with_a_result_per_file(server, tmp_path):
    from assistant.ui.documents import ingest_uploads, remove_document, uploads_dir

    assistant = server.assistant
    server.warmup.wait()
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    good = incoming / "harbour notes.md"
    good.write_text("# Harbour\nThe Quillport harbour master is Ada Brennock.\n")
    binary = incoming / "tool.exe"
    binary.write_bytes(b"MZ\x00\x00")
    empty = incoming / "empty.txt"
    empty.write_text("")
    steps = []

    results = ingest_uploads(assistant, [str(good), str(binary), str(empty)], lambda *s: steps.append(s))

    assert results[0] == ("harbour notes.md", "added", True)
    assert results[1][0] == "tool.exe" and not results[1][2] and ".txt" in results[1][1]
    assert results[2][0] == "empty.txt" and not results[2][2] and "empty" in results[2][1]
    stored = uploads_dir(assistant.settings.data_dir) / "harbour notes.md"
    assert stored.read_text() == good.read_text()
    assert not (uploads_dir(assistant.settings.data_dir) / "empty.txt").exists()
    assert [s[:2] for s in steps] == [(0, 3), (1, 3), (2, 3), (3, 3)]
    assert str(stored) in {d["source"] for d in assistant.documents()}

    # the same name again replaces that document instead of adding a copy
    good.write_text("# Harbour\nThe Quillport harbour master is Ivo Brennock.\n")
    assert ingest_uploads(assistant, [str(good)])[0][1].startswith("updated")

    assert remove_document(assistant, str(stored)) == "Removed 'harbour notes.md'."
    assert not stored.exists()
    assert str(stored) not in {d["source"] for d in assistant.documents()}


def test_files_over_the_size_limit_are_refused_naming_the_limit(tmp_path):
    from assistant.ui.documents import ingest_uploads

    assistant = make_assistant(tmp_path / "data", max_upload_mb=0.001)
    big = tmp_path / "big.txt"
    big.write_text("All work and no play. " * 100)
    [(name, why, ok)] = ingest_uploads(assistant, [str(big)])
    assert (name, ok) == ("big.txt", False)
    assert "too large" in why and "ASSISTANT_MAX_UPLOAD_MB" in why


# -- document text is always shown as text --------------------------------------------------
def test_document_text_becomes_inert_html():
    from assistant.answer_types import Answer, Citation
    from assistant.ui.format import message_html

    hostile = '<script>window.__xss=1</script><img src=x onerror="alert(1)"> ${alert(2)} **b**'
    cite = Citation(
        n=1, source="/d/<b>x</b>.txt", quote=hostile, start=10, end=10 + len(hostile), score=0.9,
        passage="Before. " + hostile + " After.", passage_start=2,
    )
    html = message_html(Answer(text=hostile + " [1]", found=True, citations=[cite]))
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert "${" not in html and "**" not in html
    assert "&lt;script&gt;" in html and "<mark>" in html


# -- uploads never overwrite or lose a file by accident ---------------------------------------
def upload(tmp_path, name, content):
    """A file as gradio hands it over: a temporary copy carrying the uploaded name."""
    folder = tmp_path / "incoming" / str(len(list((tmp_path).glob("incoming/*"))))
    folder.mkdir(parents=True)
    path = folder / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return str(path)


@pytest.fixture
def panel(tmp_path):
    return make_assistant(tmp_path / "data")


def test_names_that_sanitise_alike_are_stored_apart(panel, tmp_path):
    from assistant.ui.documents import ingest_uploads, uploads_dir

    first = ingest_uploads(panel, [upload(tmp_path, "報告 2024.txt", "The report covers the harbour.")])
    second = ingest_uploads(panel, [upload(tmp_path, "計画 2024.txt", "The plan covers the ferry.")])
    assert first == [("2024.txt", "added", True)]
    assert second == [("2024-2.txt", "added as '2024-2.txt' (another upload is stored as '2024.txt')", True)]
    folder = uploads_dir(panel.settings.data_dir)
    assert (folder / "2024.txt").read_text() == "The report covers the harbour."
    assert (folder / "2024-2.txt").read_text() == "The plan covers the ferry."
    # each name keeps its own stored file: re-uploading the second one updates it, not the first
    again = ingest_uploads(panel, [upload(tmp_path, "計画 2024.txt", "The plan covers the bridge.")])
    assert again[0][0] == "2024-2.txt" and again[0][1].startswith("updated")
    assert (folder / "2024.txt").read_text() == "The report covers the harbour."
    assert len(panel.documents()) == 2


def test_a_name_with_no_ascii_left_gets_a_generated_name_that_keeps_its_type(panel, tmp_path):
    from assistant.ui.documents import ingest_uploads, safe_name

    [(name, what, ok)] = ingest_uploads(panel, [upload(tmp_path, "報告.md", "# Report\nThe pier opened.")])
    assert ok and what == "added"
    assert name == safe_name("報告.md") and name.startswith("upload-") and name.endswith(".md")
    assert safe_name("報告.md") != safe_name("計画.md")


def test_a_failed_re_upload_keeps_the_earlier_copy_and_the_index(panel, tmp_path):
    from assistant.ui.documents import ingest_uploads, uploads_dir

    ingest_uploads(panel, [upload(tmp_path, "notes.txt", "The harbour master is Ada.")])
    [(name, what, ok)] = ingest_uploads(panel, [upload(tmp_path, "notes.txt", "")])
    assert (name, ok) == ("notes.txt", False)
    assert "empty" in what and "earlier upload of this name is kept" in what
    stored = uploads_dir(panel.settings.data_dir) / "notes.txt"
    assert stored.read_text() == "The harbour master is Ada."
    assert [d["name"] for d in panel.documents()] == ["notes.txt"]
    assert sorted(p.name for p in stored.parent.iterdir()) == [".names.json", "notes.txt"]


def test_one_bad_file_never_stops_the_batch_and_each_gets_a_plain_sentence(panel, tmp_path):
    from assistant.ui.documents import ingest_uploads

    vanished = upload(tmp_path, "vanished.txt", "x")
    (tmp_path / "incoming" / "0" / "vanished.txt").unlink()  # gradio's temp copy is gone
    files = [
        vanished,
        upload(tmp_path, "latin.txt", "caf\u00e9".encode("latin-1")),
        upload(tmp_path, "odd.txt", b"\xff\xfeo\x00d\x00d\x00A"),
        upload(tmp_path, "good.txt", "The ferry runs hourly."),
    ]
    results = ingest_uploads(panel, files)
    assert [(name, ok) for name, _, ok in results] == [
        ("vanished.txt", False), ("latin.txt", False), ("odd.txt", False), ("good.txt", True)
    ]
    assert "something went wrong" in results[0][1] and "Error" not in results[0][1]
    assert "UTF-8" in results[1][1] and "UTF-16" in results[2][1]
    assert all(what.endswith(".") or ok for _, what, ok in results)


def test_removing_an_upload_frees_its_name(panel, tmp_path):
    from assistant.ui.documents import ingest_uploads, remove_document, uploads_dir

    [(name, _, _)] = ingest_uploads(panel, [upload(tmp_path, "報告 2024.txt", "The report.")])
    assert remove_document(panel, str(uploads_dir(panel.settings.data_dir) / name)) == f"Removed '{name}'."
    [(again, _, _)] = ingest_uploads(panel, [upload(tmp_path, "計画 2024.txt", "The plan.")])
    assert again == "2024.txt"
