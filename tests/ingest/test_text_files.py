"""Plain text: paragraphs by blank lines, hard-wrapped lines joined, bullets as items, the first
short line as the title."""

from ingest.load import load_file
from ingest.structure import HEADING, ITEM, PARAGRAPH


def load(docs, text: str):
    f = docs / "notes.txt"
    f.write_text(text, encoding="utf-8")
    return load_file(f)


def texts(doc, kind):
    return [doc.text[b.start : b.end] for b in doc.blocks if b.kind == kind]


WRAPPED = """Harbour report

The harbour master keeps a register of every vessel that enters the port, and
the register is published each quarter for the shipping companies that use it.

Berths:
- berth 4 for tankers
- berth 7 for ferries
"""


def test_hard_wrapped_lines_become_one_paragraph(docs):
    doc = load(docs, WRAPPED)
    assert texts(doc, HEADING) == ["Harbour report"]
    assert doc.title == "Harbour report"
    assert (
        "The harbour master keeps a register of every vessel that enters the port, and the "
        "register is published each quarter for the shipping companies that use it."
    ) in texts(doc, PARAGRAPH)
    assert texts(doc, ITEM) == ["berth 4 for tankers", "berth 7 for ferries"]


def test_a_paragraph_that_starts_in_lower_case_continues_the_one_before(docs):
    doc = load(docs, "Title line\n\nThe push had support from the U.S.\n\nbut has been unnerving its neighbours.\n")
    assert "The push had support from the U.S. but has been unnerving its neighbours." in doc.text


def test_short_lines_stay_apart(docs):
    doc = load(docs, "Contact\n\nName: Ada\nPhone: 123\n")
    assert texts(doc, PARAGRAPH) == ["Name: Ada", "Phone: 123"]
