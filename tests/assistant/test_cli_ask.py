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
