"""The README stays short and opens with what a newcomer runs; the deep sections live in docs/,
linked from it; the benchmark that rewrites the results table finds its markers there."""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_readme_opens_with_the_two_commands_then_a_three_line_python_example():
    blocks = re.findall(r"```(\w+)\n(.*?)```", README, re.S)
    (lang1, first), (lang2, second) = blocks[:2]
    assert lang1 == "bash" and first.splitlines() == [
        'python3 -m venv .venv && . .venv/bin/activate && pip install torch==2.13.0 -e ".[test]"',
        'assistant ask "What consent does Seoul require?"',
    ]
    assert lang2 == "python" and len(second.splitlines()) == 3
    head = README.splitlines()[:15]  # at the very top, before any prose
    assert "```bash" in head and "```python" in head


def test_the_readme_stays_short_and_keeps_the_test_command():
    assert len(README.splitlines()) <= 160
    assert "```bash\npython -m pytest\n```" in README  # what CI runs


def test_every_docs_link_in_the_readme_points_at_a_file_and_every_doc_is_linked():
    linked = set(re.findall(r"\]\((docs/[\w-]+\.md)(?:#[\w-]+)?\)", README))
    assert linked == {f"docs/{p.name}" for p in (ROOT / "docs").glob("*.md")}
    for path in linked:
        assert (ROOT / path).exists(), path


def test_the_results_table_markers_are_in_docs_evaluation_once_each_on_their_own_lines():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import eval_readme
    finally:
        sys.path.pop(0)
    page = ROOT / "docs" / "evaluation.md"
    text = page.read_text(encoding="utf-8")
    assert '"docs" / "evaluation.md"' in (ROOT / "benchmarks" / "eval_readme.py").read_text()
    lines = text.splitlines()
    assert lines.count(eval_readme.START) == 1 and lines.count(eval_readme.END) == 1
    assert eval_readme.START not in README


def test_updating_the_table_replaces_only_the_block_between_marker_lines(tmp_path):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import eval_readme
    finally:
        sys.path.pop(0)
    page = tmp_path / "evaluation.md"
    start, end = eval_readme.START, eval_readme.END
    page.write_text(
        f"Prose naming `{start}` and `{end}` inline.\n\n{start}\nold table\n{end}\n\nAfter.\n"
    )
    assert eval_readme.update_readme(page, "new table\n")
    text = page.read_text()
    assert f"Prose naming `{start}` and `{end}` inline." in text  # a mention is not the block
    assert f"{start}\nnew table\n{end}\n\nAfter." in text and "old table" not in text
