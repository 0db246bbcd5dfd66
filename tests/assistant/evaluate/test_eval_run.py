"""`assistant eval SET_DIR`: one real run (real model, real Chroma) on a small, easy set, plus the
set-layout errors a user can make."""

import io
import json
from contextlib import redirect_stdout
from types import SimpleNamespace

import pytest

from assistant.cli import main

DOCS = {
    "boyle.txt": (
        "Robert Boyle was an Anglo-Irish natural philosopher and chemist. "
        "In 1660 Boyle used an air pump to show that air is necessary for combustion. "
        "He also found that the pressure of a gas is inversely proportional to its volume, "
        "a rule now called Boyle's law."
    ),
    "warsaw.md": (
        "# The Warsaw Uprising\n\n"
        "The Warsaw Uprising began on 1 August 1944. The uprising lasted 63 days, until "
        "2 October 1944, when the Home Army surrendered to the German forces."
    ),
    "lakes.html": (
        "<html><head><title>City parks</title></head><body><h1>City parks</h1>"
        "<p>The small lakes in the city parks are emptied every autumn to clean them of plants "
        "and sediments. They are filled again in spring.</p></body></html>"
    ),
}
QUESTIONS = [
    {"question": "Who showed that air is necessary for combustion?", "answers": ["Boyle"],
     "source": "boyle.txt"},
    {"question": "How many days did the Warsaw Uprising last?", "answers": ["63 days"],
     "source": "warsaw.md"},
    {"question": "Why are the small lakes in the parks emptied?", "answers": ["to clean them"],
     "sources": ["lakes.html"]},
    {"question": "What is the name of the rule about gas pressure and volume?",
     "answers": ["Boyle's law"], "source": "boyle.txt"},
    {"question": "Which football club won the 1998 World Cup final?", "answers": []},
    {"question": "What is the recommended dose of ibuprofen for children?", "answers": []},
]


def make_set(root, questions=QUESTIONS, docs=DOCS):
    (root / "corpus").mkdir(parents=True)
    for name, text in docs.items():
        (root / "corpus" / name).write_text(text, encoding="utf-8")
    lines = [json.dumps(q) for q in questions]
    (root / "questions.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def run_cli(*argv):
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(["eval", *map(str, argv)])
    return code, out.getvalue()


@pytest.fixture(scope="module")
def easy(tmp_path_factory):
    """One eval of the easy set with the baseline, JSON on stdout and a report on disk."""
    root = tmp_path_factory.mktemp("eval")
    set_dir = make_set(root / "easy")
    user_index = root / "user-index"
    report = root / "out" / "report.md"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ASSISTANT_DATA_DIR", str(user_index))  # a user's own index
        code, stdout = run_cli(set_dir, "--k", 3, "--json", "--baseline", "--report", report)
    result = json.loads(stdout)
    return SimpleNamespace(
        code=code, result=result, ours=result["ours"]["metrics"],
        base=result["baseline"]["metrics"], report=report, user_index=user_index,
    )


# -- one real run ------------------------------------------------------------------------------
def test_the_run_succeeds_and_counts_the_questions(easy):
    assert easy.code == 0
    assert (easy.ours["questions"], easy.ours["answerable"], easy.ours["unanswerable"]) == (6, 4, 2)


def test_retrieval_on_an_easy_set_finds_every_source_first(easy):
    assert easy.ours["recall_at_1"] == 1.0
    assert easy.ours["recall_at_k"] == 1.0
    assert easy.ours["mrr"] == 1.0


def test_answers_on_an_easy_set_are_mostly_right_and_their_quotes_verbatim(easy):
    assert easy.ours["answer_accuracy"] >= 0.75
    assert easy.ours["citations"] > 0
    assert easy.ours["citation_validity"] == 1.0


def test_rates_timings_and_throughput_are_sane(easy):
    m = easy.ours
    for key in ("refusal_rate", "false_refusal_rate", "overall_accuracy"):
        assert 0.0 <= m[key] <= 1.0
    assert 0 < m["latency_p50_ms"] <= m["latency_p95_ms"] < 30_000
    assert m["answer_chars"] > 0
    assert m["ingest_mb_per_min"] > 0 and m["ingest_chunks_per_s"] > 0


def test_every_question_has_a_result_to_inspect(easy):
    rows = easy.result["ours"]["results"]
    assert [r["question"] for r in rows] == [q["question"] for q in QUESTIONS]
    for row in rows:
        assert {"answers", "text", "found", "confidence", "correct", "retrieved",
                "latency_s"} <= row.keys()
        assert isinstance(row["confidence"], float)
        assert len(row["retrieved"]) <= 3
    assert rows[1]["retrieved"][0] == "warsaw.md"  # named relative to corpus/


def test_the_baseline_runs_on_the_same_set_and_never_refuses(easy):
    assert easy.base["questions"] == 6
    assert easy.base["refusal_rate"] == 0.0
    assert easy.base["recall_at_k"] == 1.0
    assert easy.base["citation_validity"] == 1.0  # its chunks sit at their start_index


def test_the_report_puts_ours_beside_the_baseline_with_ratios(easy):
    text = easy.report.read_text(encoding="utf-8")
    assert "| metric | ours | baseline | ours/baseline |" in text
    assert "| retrieval recall@3 | 1.000 | 1.000 | 1.00 |" in text
    assert "![answer confidence" in text and "(report.png)" in text


def test_the_confidence_plot_is_a_real_png_beside_the_report(easy):
    from PIL import Image

    png = easy.report.with_suffix(".png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(png) as image:
        assert image.format == "PNG" and image.width >= 400 and image.height >= 200
    assert easy.result["plot"] == str(png)


def test_the_eval_never_touches_the_users_index(easy):
    assert not easy.user_index.exists()


def test_without_json_the_markdown_table_goes_to_stdout(tmp_path):
    set_dir = make_set(tmp_path / "tiny", questions=QUESTIONS[:2])
    code, stdout = run_cli(set_dir, "--limit", 1)
    assert code == 0
    assert stdout.startswith("## Eval: tiny")
    assert "1 question (1 answerable, 0 unanswerable)" in stdout
    assert "| metric | ours |" in stdout and "ours/baseline" not in stdout


# -- a set in the wrong layout ---------------------------------------------------------------------
def test_a_set_without_corpus_says_where_the_documents_go(tmp_path, capsys):
    (tmp_path / "questions.jsonl").write_text('{"question": "q", "answers": []}\n')
    assert main(["eval", str(tmp_path)]) == 2
    assert f"put the documents in {tmp_path / 'corpus'}" in capsys.readouterr().err


def test_a_set_without_questions_says_where_they_go(tmp_path, capsys):
    (tmp_path / "corpus").mkdir()
    assert main(["eval", str(tmp_path)]) == 2
    assert "no questions.jsonl" in capsys.readouterr().err


def test_a_broken_line_is_reported_with_its_number(tmp_path, capsys):
    make_set(tmp_path / "s", questions=QUESTIONS[:1])
    with open(tmp_path / "s" / "questions.jsonl", "a") as f:
        f.write('{"question": "unterminated\n')
    assert main(["eval", str(tmp_path / "s")]) == 2
    assert "questions.jsonl:2: not valid JSON" in capsys.readouterr().err


def test_a_missing_answers_list_says_to_use_an_empty_list_for_refusals(tmp_path, capsys):
    make_set(tmp_path / "s", questions=[{"question": "q"}])
    assert main(["eval", str(tmp_path / "s")]) == 2
    assert "use [] for a question" in capsys.readouterr().err


def test_a_source_not_in_the_corpus_is_named(tmp_path, capsys):
    make_set(tmp_path / "s", questions=[{"question": "q", "answers": ["x"], "source": "nope.txt"}])
    assert main(["eval", str(tmp_path / "s")]) == 2
    assert "source 'nope.txt' is not a file" in capsys.readouterr().err
