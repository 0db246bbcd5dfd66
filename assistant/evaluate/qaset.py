"""A QA set in the `assistant eval` layout: corpus/ and questions.jsonl, loaded and checked, with
clear errors naming the line and the fix."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path


class SetError(ValueError):
    """The QA set folder is not in the expected layout; the message says how to fix it."""


@dataclass
class QAItem:
    question: str
    answers: list[str]  # [] = the question must be refused
    sources: list[str]  # file names relative to corpus/
    id: str | None = None


@dataclass
class QASet:
    root: Path
    questions: list[QAItem]

    @property
    def corpus(self) -> Path:
        return self.root / "corpus"

    @property
    def name(self) -> str:
        return self.root.name


_LAYOUT = (
    "A QA set is a folder holding corpus/ (the documents) and questions.jsonl (one JSON object "
    'a line: {"question": "...", "answers": ["..."], "source": "file in corpus/"}).'
)


def load_set(set_dir: str | Path, limit: int | None = None) -> QASet:
    """Read SET_DIR/questions.jsonl and check it against SET_DIR/corpus/."""
    root = Path(set_dir).expanduser().resolve()
    if not root.is_dir():
        raise SetError(f"{set_dir}: no such folder. {_LAYOUT}")
    corpus, qfile = root / "corpus", root / "questions.jsonl"
    if not corpus.is_dir():
        raise SetError(f"{root} has no corpus/ folder; put the documents in {corpus}. {_LAYOUT}")
    if not qfile.is_file():
        raise SetError(f"{root} has no questions.jsonl; write the questions to {qfile}. {_LAYOUT}")
    items = []
    for n, line in enumerate(qfile.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            items.append(_parse_item(line, f"{qfile}:{n}", corpus))
        if limit is not None and len(items) >= limit:
            break
    if not items:
        raise SetError(f"{qfile} holds no questions; add one JSON object a line. {_LAYOUT}")
    return QASet(root, items)


def _parse_item(line: str, where: str, corpus: Path) -> QAItem:
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise SetError(f"{where}: not valid JSON ({exc.msg}); fix or remove the line") from None
    question = obj.get("question") if isinstance(obj, dict) else None
    if not isinstance(question, str) or not question.strip():
        raise SetError(f'{where}: needs a non-empty "question". {_LAYOUT}')
    answers = obj.get("answers")
    if not isinstance(answers, list) or not all(isinstance(a, str) for a in answers):
        raise SetError(
            f'{where}: "answers" must be a list of strings; use [] for a question the documents '
            "do not answer (it must be refused)"
        )
    sources = obj.get("sources", [obj["source"]] if obj.get("source") else [])
    if not isinstance(sources, list):
        raise SetError(f'{where}: "sources" must be a list of file names in corpus/')
    for source in sources:
        if not (corpus / source).is_file():
            raise SetError(f"{where}: source '{source}' is not a file in {corpus}; fix the name")
    return QAItem(question, answers, [Path(s).as_posix() for s in sources], obj.get("id"))


def corpus_name(source: str, corpus: Path) -> str:
    """A retrieved chunk's source path as the set names it: relative to corpus/."""
    path = Path(source)
    try:
        return path.resolve().relative_to(corpus.resolve()).as_posix()
    except ValueError:
        return path.name
