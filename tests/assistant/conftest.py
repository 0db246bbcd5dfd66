from dataclasses import dataclass
from pathlib import Path

import pytest

from assistant.answer_types import Answer
from assistant.core import Assistant
from assistant.resources import seeds_dir
from tests.support import free_port, make_assistant

SEED_NAME = "yonhap-korea-japan-collective-self-defense.txt"
CONCURRENCY = 2  # the UI test server answers at most this many questions at once


@pytest.fixture(scope="session")
def seeded_dir(tmp_path_factory):
    """One index of the bundled seed article, built once per test session."""
    data = tmp_path_factory.mktemp("seeded")
    Assistant(data_dir=data).ingest([seeds_dir()])
    return data


@pytest.fixture
def seeded(seeded_dir):
    return Assistant(data_dir=seeded_dir)


def seed_text() -> str:
    from ingest.load import load_file

    return load_file(seeds_dir() / SEED_NAME).text


@dataclass
class Server:
    """A launched UI on loopback, for the UI tests."""

    assistant: object
    url: str
    warmup: object  # makes the index ready in the background; handlers wait for it


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from assistant.ui import Warmup, build_app, serve

    assistant = make_assistant(tmp_path_factory.mktemp("ui") / "data", ui_concurrency=CONCURRENCY)
    warmup = Warmup(assistant).start()  # seeds the empty index
    app = build_app(assistant, warmup)
    url = serve(app, assistant.settings, "127.0.0.1", free_port(), block=False)
    yield Server(assistant, url, warmup)
    app.close()


def indexed(docs: Path, data_dir: Path, files: dict[str, str]) -> Assistant:
    """A fresh index of `files` (name -> text), written into `docs`."""
    for name, text in files.items():
        (docs / name).write_text(text)
    a = Assistant(data_dir=data_dir)
    a.ingest([docs])
    return a


def answer_over(docs: Path, data_dir: Path, files: dict[str, str], question: str) -> Answer:
    """The answer to `question` from a fresh index of `files` (name -> text)."""
    return indexed(docs, data_dir, files).answer(question)


def ranked_candidates(a: Assistant, question: str, k: int = 3) -> list:
    """The candidates the extractive answerer weighs for `question`, features filled in, best
    first."""
    from assistant.answer_model import load_model
    from assistant.asking import analyse
    from assistant.extractive import ranked
    from assistant.pipeline import make_query

    q = make_query(a.store, a.retriever.lexical(), question)
    found = a.retriever.invoke(question, k=k, prepared=q)
    return ranked(q, found, analyse(question), load_model())
