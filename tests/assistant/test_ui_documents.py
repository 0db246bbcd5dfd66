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
    ],
)
def test_uploaded_file_names_are_sanitised(uploaded, stored):
    from assistant.ui_documents import safe_name

    assert safe_name(uploaded) == stored


def test_uploads_are_stored_under_the_data_dir_and_ingested_with_a_result_per_file(server, tmp_path):
    from assistant.ui_documents import ingest_uploads, remove_document, uploads_dir

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
    from assistant.ui_documents import ingest_uploads

    assistant = make_assistant(tmp_path / "data", max_upload_mb=0.001)
    big = tmp_path / "big.txt"
    big.write_text("All work and no play. " * 100)
    [(name, why, ok)] = ingest_uploads(assistant, [str(big)])
    assert (name, ok) == ("big.txt", False)
    assert "too large" in why and "ASSISTANT_MAX_UPLOAD_MB" in why


# -- document text is always shown as text --------------------------------------------------
def test_document_text_becomes_inert_html():
    from assistant.answer_types import Answer, Citation
    from assistant.ui_format import message_html

    hostile = '<script>window.__xss=1</script><img src=x onerror="alert(1)"> ${alert(2)} **b**'
    cite = Citation(
        n=1, source="/d/<b>x</b>.txt", quote=hostile, start=10, end=10 + len(hostile), score=0.9,
        passage="Before. " + hostile + " After.", passage_start=2,
    )
    html = message_html(Answer(text=hostile + " [1]", found=True, citations=[cite]))
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert "${" not in html and "**" not in html
    assert "&lt;script&gt;" in html and "<mark>" in html
