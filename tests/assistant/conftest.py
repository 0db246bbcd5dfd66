import pytest

from assistant.core import Assistant
from assistant.resources import seeds_dir

SEED_NAME = "yonhap-korea-japan-collective-self-defense.txt"


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
