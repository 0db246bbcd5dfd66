"""`assistant ingest`: exit codes, JSON report, same behaviour via `python -m assistant`."""

import json
import subprocess
import sys

import pytest


def run(*args, env_data_dir):
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args, "--data-dir", str(env_data_dir)],
        capture_output=True, text=True, timeout=300,
    )


def test_ingest_twice_reports_unchanged_and_exits_zero(docs, data_dir):
    (docs / "a.txt").write_text("The bridge opened in 1932. It spans the bay.")
    first = run("ingest", str(docs), "--json", env_data_dir=data_dir)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["added"] == 1
    second = run("ingest", str(docs), "--json", env_data_dir=data_dir)
    report = json.loads(second.stdout)
    assert (report["added"], report["unchanged"], report["chunks"]) == (0, 1, 1)


def test_failed_files_exit_one_and_name_the_reason(docs, data_dir):
    (docs / "a.txt").write_text("The bridge opened in 1932.")
    (docs / "empty.txt").write_text("")
    result = run("ingest", str(docs), env_data_dir=data_dir)
    assert result.returncode == 1
    assert "added 1" in result.stdout
    assert "empty.txt" in result.stderr and "empty" in result.stderr


def test_model_mismatch_is_an_error_naming_the_fix(docs, data_dir):
    (docs / "a.txt").write_text("The bridge opened in 1932.")
    assert run("ingest", str(docs), env_data_dir=data_dir).returncode == 0
    result = run("ingest", str(docs), "--embedding-model", "other/model", env_data_dir=data_dir)
    assert result.returncode == 2
    assert "error:" in result.stderr and "ASSISTANT_EMBEDDING_MODEL" in result.stderr
    assert "Traceback" not in result.stderr


def test_embedding_precision_is_a_flag_with_named_choices(capsys):
    from assistant.cli import build_parser, settings_from

    args = build_parser().parse_args(["ingest", "docs", "--embedding-precision", "float32"])
    assert settings_from(args).embedding_precision == "float32"
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(["ingest", "docs", "--embedding-precision", "int4"])
    assert exit_info.value.code == 2
    assert "auto" in capsys.readouterr().err


def test_an_internal_error_has_its_own_exit_code_distinct_from_failed_files(docs, data_dir, monkeypatch, capsys):
    import ingest.sync
    from assistant.cli import EXIT_INTERNAL, main

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(ingest.sync, "sync", broken)
    (docs / "a.txt").write_text("The bridge opened in 1932.")
    assert main(["ingest", str(docs), "--data-dir", str(data_dir)]) == EXIT_INTERNAL == 3
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: a bug" in err and "report it" in err


@pytest.mark.parametrize(
    "args, says",
    [
        (["ingest", ""], "empty path"),
        (["ingest", "docs", "--chunk-size", "5"], "invalid setting chunk_size=5"),
    ],
)
def test_bad_arguments_exit_two_with_one_line(data_dir, capsys, args, says):
    from assistant.cli import EXIT_ERROR, main

    assert main([*args, "--data-dir", str(data_dir)]) == EXIT_ERROR
    err = capsys.readouterr().err
    assert err.startswith("error: ") and says in err and err.count("\n") == 1


def test_progress_goes_to_stderr_as_plain_lines_when_it_is_not_a_terminal(docs, data_dir):
    for i in range(3):
        (docs / f"{i}.txt").write_text(f"Bridge number {i} opened in 19{i}2.")
    result = run("ingest", str(docs), env_data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    assert "ingested 3/3 files" in result.stderr  # the closing line, in a pipe (no tqdm bar)
    assert "\r" not in result.stderr
    quiet = run("ingest", str(docs), "--json", env_data_dir=data_dir)
    assert "ingested" not in quiet.stderr  # --json: nothing but the report


def test_line_progress_prints_every_few_seconds_not_every_file(capsys, monkeypatch):
    from ingest import writer

    clock = [0.0]
    monkeypatch.setattr(writer.time, "monotonic", lambda: clock[0])
    import sys as _sys

    lines = writer.LineProgress(files=800, total_bytes=8_000_000, stream=_sys.stderr)
    for _ in range(119):
        lines.update(10_000)
    clock[0] = 6.0
    lines.update(10_000)
    lines.update(10_000)
    lines.close()
    assert capsys.readouterr().err.splitlines() == [
        "ingested 120/800 files (1.2 of 8.0 MB)",
        "ingested 121/800 files (1.2 of 8.0 MB)",
    ]
