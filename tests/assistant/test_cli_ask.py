"""`assistant ask`: the answer and numbered sources, or its JSON; seeds on first use."""

import json
import subprocess
import sys


def ask(*args, data_dir):
    return subprocess.run(
        [sys.executable, "-m", "assistant", "ask", *args, "--data-dir", str(data_dir)],
        capture_output=True, text=True, timeout=300,
    )


def test_first_ask_seeds_the_index_and_prints_numbered_sources(data_dir):
    result = ask("What consent does Seoul require?", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    answer, _, sources = result.stdout.partition("Sources:")
    assert "explicit consent from Seoul" in answer and "[1]" in answer
    assert "[1] yonhap-korea-japan-collective-self-defense.txt" in sources


def test_json_output_is_the_answer_dict(seeded_dir):
    result = ask("Who is the foreign ministry spokesman?", "--json", data_dir=seeded_dir)
    data = json.loads(result.stdout)
    assert data["found"] is True and "Noh Kwang-il" in data["text"]
    assert {"n", "source", "quote", "start", "end", "score"} <= set(data["citations"][0])


def test_a_refusal_lists_the_closest_passages(seeded_dir):
    result = ask("How tall is Mount Fuji?", data_dir=seeded_dir)
    assert "don't contain" in result.stdout and "Closest passages:" in result.stdout


def test_an_empty_question_is_an_error(seeded_dir):
    result = ask("   ", data_dir=seeded_dir)
    assert result.returncode == 2 and "empty" in result.stderr and "Traceback" not in result.stderr


def test_a_first_run_says_on_stderr_that_it_is_loading_and_ingesting(data_dir):
    result = ask("What consent does Seoul require?", "--json", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    assert "First run: loading the model and ingesting the bundled seed article" in result.stderr
    json.loads(result.stdout)  # stdout is only the JSON


def test_a_later_run_not_on_a_terminal_prints_nothing_extra_on_stderr(seeded_dir):
    result = ask("What consent does Seoul require?", data_dir=seeded_dir)
    assert result.returncode == 0 and "First run" not in result.stderr
    assert "Loading the model" not in result.stderr  # that passing line is for terminals only


def test_source_limits_the_answer_to_that_document(data_dir, tmp_path):
    other = tmp_path / "ferry.txt"
    other.write_text("The Ostvik ferry leaves at dawn. Tickets cost ten crowns at the harbour.")
    from assistant.resources import seeds_dir

    ingest = subprocess.run(
        [sys.executable, "-m", "assistant", "ingest", str(seeds_dir()), str(other),
         "--data-dir", str(data_dir)],
        capture_output=True, text=True, timeout=300,
    )
    assert ingest.returncode == 0, ingest.stderr
    plain = json.loads(ask("What consent does Seoul require?", "--json", data_dir=data_dir).stdout)
    assert any(c["source"] != str(other) for c in plain["citations"])  # unscoped: the article
    scoped = ask("What consent does Seoul require?", "--json", "--source", str(other), data_dir=data_dir)
    data = json.loads(scoped.stdout)
    assert data["citations"] and {c["source"] for c in data["citations"]} == {str(other)}


def test_an_unknown_source_is_an_error_naming_the_fix(seeded_dir):
    result = ask("What consent does Seoul require?", "--source", "nowhere.txt", data_dir=seeded_dir)
    assert result.returncode == 2
    assert "nowhere.txt" in result.stderr and "assistant.documents()" in result.stderr
