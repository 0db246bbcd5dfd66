"""What the CLI prints cannot drive the terminal: escape sequences and control characters from
documents, file names and messages are dropped, and names that are not UTF-8 print as escapes."""

import json
import os
import subprocess
import sys

import pytest

from assistant.terminal import for_terminal, json_for_terminal


@pytest.mark.parametrize(
    "raw, shown",
    [
        ("\x1b]0;PWNED\x07Title", "Title"),  # retitles the window
        ("\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\", "link"),  # hyperlink (OSC 8)
        ("\x1b[31mred\x1b[0m plain", "red plain"),  # colours
        ("\x1b[2J\x1b[Hcleared", "cleared"),  # clear screen, cursor home
        ("\x9b31m8-bit CSI", "8-bit CSI"),
        ("bell\x07 back\x08space del\x7f", "bell backspace del"),
        ("over\rwrite", "overwrite"),
        ("a\u202eevil\u202c b", "aevil b"),  # bidi override ("Trojan Source")
        ("tabs\tand\nnewlines stay", "tabs\tand\nnewlines stay"),
        ("caf\udce9.txt", "caf\\xe9.txt"),  # a file name byte that is not UTF-8
        ("Grüße, 報告 – “quoted”", "Grüße, 報告 – “quoted”"),
    ],
)
def test_escape_sequences_and_controls_are_dropped_and_text_is_kept(raw, shown):
    assert for_terminal(raw) == shown


def test_json_keeps_its_value_and_loses_its_power_over_the_terminal():
    value = {"text": "\x1b]0;PWNED\x07 \x9b31m \u202e ok"}
    printed = json_for_terminal(json.dumps(value, ensure_ascii=False))
    assert json.loads(printed) == value
    assert not any(c in printed for c in "\x1b\x07\x9b\u202e")


def cli(*args, data_dir, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args, "--data-dir", str(data_dir)],
        capture_output=True, timeout=300, cwd=cwd,
    )


def test_ingest_and_ask_print_no_escape_sequence_from_documents_or_file_names(docs, data_dir):
    (docs / "\x1b]0;PWNED\x07notes.txt").write_text(
        "The harbour master \x1b[31mAda Brennock\x1b[0m opened the harbour in 1890. "
        "\x1b]0;PWNED\x07It was rebuilt in 1920.\n"
    )
    os.close(os.open(os.fsencode(docs) + b"/caf\xe9.txt", os.O_CREAT | os.O_WRONLY))
    ingest = cli("ingest", str(docs), data_dir=data_dir)
    assert ingest.returncode == 1, ingest.stderr  # the name that is not UTF-8 failed, alone
    assert b"added 1" in ingest.stdout
    assert b"caf\\xe9.txt" in ingest.stderr and b"UTF-8" in ingest.stderr
    asked = cli("ask", "Who opened the harbour in 1890?", data_dir=data_dir)
    assert asked.returncode == 0, asked.stderr
    assert b"Ada Brennock" in asked.stdout and b"] notes.txt (chars" in asked.stdout
    assert b"PWNED" not in asked.stdout  # whole sequences go, not just their ESC
    for out in (ingest.stdout, ingest.stderr, asked.stdout, asked.stderr):
        assert b"\x1b" not in out and b"\x07" not in out
    as_json = cli("ask", "Who opened the harbour in 1890?", "--json", data_dir=data_dir)
    assert b"\x1b" not in as_json.stdout
    assert "\x1b[31m" in json.loads(as_json.stdout)["citations"][0]["quote"]  # the data, intact


def test_an_eval_report_prints_no_escape_sequence_from_the_sets_name(tmp_path, data_dir):
    qa = tmp_path / "\x1b]0;PWNED\x07harbour"
    (qa / "corpus").mkdir(parents=True)
    (qa / "corpus" / "notes.txt").write_text("The harbour master Ada Brennock opened it in 1890.")
    (qa / "questions.jsonl").write_text(
        json.dumps({"question": "Who opened the harbour?", "answers": ["Ada Brennock"]}) + "\n"
    )
    shown = cli("eval", str(qa), data_dir=data_dir)
    assert shown.returncode == 0, shown.stderr
    assert b"## Eval: harbour" in shown.stdout  # the name, without what it carried
    assert b"\x1b" not in shown.stdout and b"PWNED" not in shown.stdout
    as_json = cli("eval", str(qa), "--json", data_dir=data_dir)
    assert b"\x1b" not in as_json.stdout and b"\x07" not in as_json.stdout
    assert json.loads(as_json.stdout)["name"] == qa.name  # the data, intact
