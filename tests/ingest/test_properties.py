"""Properties of ingesting any folder (hypothesis): folders of random files (random bytes, text
in several encodings, good prose, names that are not UTF-8, links in and out, sizes) always end
in a report that accounts for every file as added, unchanged or failed, and the index then
matches a clean ingest of the good files alone.

A few dozen small examples by default (ASSISTANT_PROPERTY_EXAMPLES for more)."""

import os
import shutil
import tempfile
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.discover import shown
from ingest.embeddings import model_id
from ingest.store import ChunkStore, make_client
from ingest.sync import sync

EXAMPLES = int(os.environ.get("ASSISTANT_PROPERTY_EXAMPLES", "25"))

PROSE = [
    "The harbour opened in 1890.",
    "Ships from three continents docked there.",
    "In 1920 a fire destroyed the east pier.",
    "It was rebuilt within two years.",
    "The ferry to the island runs hourly in summer.",
    "# Notes\n\nThe lighthouse keeper retired in 1975.",
    "<p>The museum <b>closes</b> on Mondays.</p>",
]
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "latin-1", "cp1252", "shift_jis"]

name_text = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="/\x00"), min_size=1, max_size=8
).filter(lambda s: s not in (".", ".."))
name_bytes = st.one_of(
    name_text.map(lambda s: s.encode("utf-8")),  # any UTF-8 name, hidden ones included
    st.binary(min_size=1, max_size=6).filter(lambda b: b"/" not in b and b"\x00" not in b and b not in (b".", b"..")),
)
content = st.one_of(
    st.binary(max_size=300),  # anything, binary included
    st.tuples(st.text(max_size=200), st.sampled_from(ENCODINGS)).map(
        lambda t: t[0].encode(t[1], errors="ignore")
    ),
    st.tuples(st.lists(st.sampled_from(PROSE), min_size=1, max_size=6), st.integers(1, 30)).map(
        lambda t: ("\n\n".join(t[0]) + "\n").encode() * t[1]  # up to ~10 KB
    ),
    st.just(b""),
)
entry = st.fixed_dictionaries({
    "name": name_bytes,
    "ext": st.sampled_from([
        b".txt", b".md", b".html", b".htm", b".markdown", b".pdf", b".csv", b".rst", b".docx",
        b".epub", b".xyz", b"",
    ]),
    "sub": st.booleans(),
    "kind": st.sampled_from(["file", "file", "file", "link-out", "link-in", "link-broken"]),
    "content": content,
})
folders = st.lists(entry, min_size=1, max_size=6, unique_by=lambda e: (e["name"] + e["ext"], e["sub"]))


def build(root: Path, outside: Path, entries: list[dict]) -> dict[str, bytes]:
    """Writes the folder; returns {path as reports show it: real path as bytes} for every
    entry discovery should account for (hidden names are not documents)."""
    base = os.fsencode(root)
    os.makedirs(base + b"/sub", exist_ok=True)
    made: dict[str, bytes] = {}
    first_file = None
    for e in entries:
        name = e["name"] + e["ext"]
        path = base + (b"/sub/" if e["sub"] else b"/") + name
        if e["kind"] == "link-out":
            os.symlink(os.fsencode(outside), path)
        elif e["kind"] == "link-in" and first_file:
            os.symlink(first_file, path)
        elif e["kind"] == "link-broken":
            os.symlink(base + b"/missing-" + uuid.uuid4().hex.encode(), path)
        else:
            with open(path, "wb") as f:
                f.write(e["content"])
            first_file = first_file or path
        if not name.startswith(b"."):
            made[shown(os.fsdecode(path))] = path
    return made


def fresh_store(client, embeddings) -> ChunkStore:
    return ChunkStore(client, f"p{uuid.uuid4().hex[:12]}", model_id("all-MiniLM-L6-v2"), embeddings)


def ids(store) -> list[str]:
    return sorted(store.collection.get(include=[])["ids"])


@pytest.fixture
def client(tmp_path):
    return make_client(tmp_path / "data")


@settings(
    max_examples=EXAMPLES, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(entries=folders)
def test_every_file_is_accounted_for_and_the_index_equals_a_clean_ingest_of_the_good_ones(
    entries, client, embeddings, tmp_path
):
    with tempfile.TemporaryDirectory(dir=tmp_path) as work:
        work = Path(work).resolve()
        outside = work / "outside.txt"
        outside.write_text("A secret outside the folder.")
        root = work / "docs"
        made = build(root, outside, entries)

        store = fresh_store(client, embeddings)
        report = sync([root], store)
        failed = {path for path, _ in report.failed}
        sources = {s for s in store.sources()}
        # every file once: failed, or counted as added/unchanged (a document may have no chunks)
        assert failed <= set(made), report.failed
        assert sources <= set(made) - failed
        assert report.added + report.unchanged + len(failed) == len(made)
        assert (report.updated, report.removed) == (0, 0)
        assert all(reason.strip() for _, reason in report.failed)
        assert outside.read_text() not in " ".join(store.collection.get(include=["documents"])["documents"])

        # the same folder again: nothing new, nothing lost, the same failures
        again = sync([root], store)
        assert (again.added, again.updated, again.removed) == (0, 0, 0)
        assert again.unchanged == report.added + report.unchanged
        assert {path for path, _ in again.failed} == failed

        # the same folder rebuilt from the good files alone (as plain files, links read
        # through): a clean ingest of it holds exactly the same chunks
        good = {made[p]: open(made[p], "rb").read() for p in set(made) - failed}
        shutil.rmtree(root)
        os.makedirs(os.fsencode(root) + b"/sub")
        for path, data in good.items():
            with open(path, "wb") as f:
                f.write(data)
        clean = fresh_store(client, embeddings)
        clean_report = sync([root], clean)
        assert clean_report.failed == []
        assert ids(clean) == ids(store)
