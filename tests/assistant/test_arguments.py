"""Every public entry point checks its arguments: a bad one raises QuestionError (answer,
stream, retrieve), PathError (data_dir, ingest, remove) or SettingsError (any setting), all
ValueErrors whose message says what to pass instead."""

import pytest

from assistant.answer_types import Answer, QuestionError
from assistant.core import Assistant
from assistant.settings import SettingsError
from ingest.errors import PathError


@pytest.mark.parametrize("k", [0, -3, 51, "5", "x", 2.5, True, [3]])
def test_k_must_be_a_whole_number_from_1_to_50(seeded, k):
    with pytest.raises(QuestionError, match="k .* must be a whole number from 1 to 50"):
        seeded.answer("What consent does Seoul require?", k=k)
    with pytest.raises(QuestionError):
        seeded.stream("What consent does Seoul require?", k=k)  # at the call, not at next()
    with pytest.raises(QuestionError):
        seeded.retrieve("consent", k=k)


def test_k_in_range_is_used_and_a_whole_float_is_taken_as_an_int(seeded):
    assert len(seeded.retrieve("consent", k=1)) == 1
    assert isinstance(seeded.answer("What consent does Seoul require?", k=3.0), Answer)


@pytest.mark.parametrize("mode", ["nonsense", "LLM", 1])
def test_mode_must_be_extractive_or_llm(seeded, mode):
    with pytest.raises(QuestionError, match="mode must be 'extractive' or 'llm'"):
        seeded.answer("What consent does Seoul require?", mode=mode)


@pytest.mark.parametrize("history", [[["a"]], "a question", [("q", "a", "extra")], 5])
def test_history_must_be_a_list_of_pairs(seeded, history):
    with pytest.raises(QuestionError, match="history must be a list of"):
        seeded.answer("What did he say?", history=history)


def test_ingest_refuses_an_empty_or_missing_path_instead_of_the_current_folder(data_dir, monkeypatch, docs):
    (docs / "a.txt").write_text("The harbour opened in 1890.")
    monkeypatch.chdir(docs)  # "" would once have meant this folder
    a = Assistant(data_dir=data_dir)
    for bad in ("", [""], None, [None], 42):
        with pytest.raises(PathError):
            a.ingest(bad)
    assert not (data_dir / "chroma").exists()  # refused before anything was opened


@pytest.mark.parametrize("source", [None, "", 7])
def test_remove_refuses_a_source_that_is_not_a_path(seeded, source):
    with pytest.raises(PathError):
        seeded.remove(source)


def test_remove_of_an_unknown_source_is_false(seeded):
    assert seeded.remove("/no/such/document.txt") is False


def test_remove_takes_a_relative_path_to_an_ingested_file(data_dir, docs, monkeypatch):
    (docs / "a.txt").write_text("The harbour opened in 1890.")
    a = Assistant(data_dir=data_dir)
    a.ingest([docs])
    monkeypatch.chdir(docs)
    assert a.remove("a.txt") is True
    assert a.documents() == []


@pytest.mark.parametrize(
    "overrides, named",
    [({"k": 0}, "k=0"), ({"max_file_mb": -1}, "max_file_mb=-1"), ({"chunk_size": "big"}, "chunk_size='big'")],
)
def test_a_bad_setting_names_itself_and_its_value(data_dir, overrides, named):
    with pytest.raises(SettingsError, match=f"invalid setting {named}") as err:
        Assistant(data_dir=data_dir, **overrides)
    assert isinstance(err.value, ValueError)
