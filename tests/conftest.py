"""Every test runs against a fresh data dir: no test ever touches a user's index."""

import os
import shutil
import tempfile
from pathlib import Path

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


@pytest.fixture
def shared_tmp():
    """A temporary folder another user can reach (pytest's own is private to its owner), for
    the tests that use tests.support.as_another_user()."""
    folder = Path(tempfile.mkdtemp(prefix="assistant-test-", dir="/tmp"))
    folder.chmod(0o755)
    yield folder
    for root, dirs, files in os.walk(folder):  # a test may have taken rights away: give them back
        for name in dirs:
            if not os.path.islink(os.path.join(root, name)):
                os.chmod(os.path.join(root, name), 0o755)
    shutil.rmtree(folder, ignore_errors=True)
