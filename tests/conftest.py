"""Every test runs against a fresh data dir: no test ever touches a user's index."""

import os

import pytest

pytest_plugins = ["tests.server_conftest"]  # chroma_url, collection_name (server mode)
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "data"))
    for var in ("ASSISTANT_CHROMA_URL", "ASSISTANT_LLM", "ASSISTANT_EMBEDDING_MODEL"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def data_dir(tmp_path):
    return tmp_path / "data"


@pytest.fixture
def docs(tmp_path):
    """A folder to put documents in."""
    folder = tmp_path / "docs"
    folder.mkdir()
    return folder
